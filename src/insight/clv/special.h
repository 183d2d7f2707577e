// Special functions the customer-lifetime models need, for positive real arguments.
#pragma once

namespace rapport::insight {

// ln Γ(x) for x > 0 (thread-safe, unlike std::lgamma, which writes the global signgam).
double LogGamma(double x);
// ψ(x) = d/dx ln Γ(x) for x > 0, to about 1e-13 relative.
double Digamma(double x);
// Gauss's hypergeometric function ₂F₁(a, b; c; z) for a, b, c > 0 and 0 <= z < 1, by its power
// series (terms are summed until they no longer change the sum). NaN outside that domain.
double Hyp2F1(double a, double b, double c, double z);

}  // namespace rapport::insight
