#include "insight/clv/gamma_gamma.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "insight/clv/optimize.h"
#include "insight/clv/special.h"

namespace rapport::insight {

namespace {

bool Usable(const CustomerSummary& c) { return c.x > 0 && c.monetary > 0; }

// The customers used, with what each evaluation needs precomputed.
struct Spends {
  std::vector<double> x, log_x, log_m, m;  // per customer
  std::vector<double> distinct_x;          // sorted
  std::vector<size_t> x_index;             // per customer, into distinct_x
};

Spends Prepare(const std::vector<CustomerSummary>& data) {
  Spends s;
  for (const CustomerSummary& c : data) {
    if (!Usable(c)) continue;
    s.x.push_back(c.x);
    s.log_x.push_back(std::log(c.x));
    s.m.push_back(c.monetary);
    s.log_m.push_back(std::log(c.monetary));
    s.distinct_x.push_back(c.x);
  }
  std::sort(s.distinct_x.begin(), s.distinct_x.end());
  s.distinct_x.erase(std::unique(s.distinct_x.begin(), s.distinct_x.end()), s.distinct_x.end());
  for (double x : s.x) {
    s.x_index.push_back(static_cast<size_t>(
        std::lower_bound(s.distinct_x.begin(), s.distinct_x.end(), x) - s.distinct_x.begin()));
  }
  return s;
}

// Σ log-likelihood and its gradient in (ln p, ln q, ln γ).
double Evaluate(const Spends& s, const GammaGammaParams& g, std::vector<double>* grad) {
  const double p = g.p, q = g.q, gamma = g.gamma;
  // Per distinct x: lnΓ(px + q) − lnΓ(px) and the digammas.
  const size_t k = s.distinct_x.size();
  std::vector<double> lg(k), psi_pxq(k), psi_px(k);
  for (size_t i = 0; i < k; ++i) {
    const double px = p * s.distinct_x[i];
    lg[i] = LogGamma(px + q) - LogGamma(px);
    psi_pxq[i] = Digamma(px + q);
    psi_px[i] = Digamma(px);
  }
  const double lgq = LogGamma(q), log_gamma = std::log(gamma), psi_q = Digamma(q);
  double ll = 0, dp = 0, dq = 0, dg = 0;
  for (size_t i = 0; i < s.x.size(); ++i) {
    const double x = s.x[i], px = p * x;
    const size_t j = s.x_index[i];
    const double log_gxm = std::log(gamma + x * s.m[i]);
    const double log_x = s.log_x[i];
    ll += lg[j] - lgq + q * log_gamma + (px - 1) * s.log_m[i] + px * log_x - (px + q) * log_gxm;
    if (grad) {
      dp += x * (psi_pxq[j] - psi_px[j] + s.log_m[i] + log_x - log_gxm);
      dq += psi_pxq[j] - psi_q + log_gamma - log_gxm;
      dg += q / gamma - (px + q) / (gamma + x * s.m[i]);
    }
  }
  if (grad) *grad = {dp * p, dq * q, dg * gamma};
  return ll;
}

}  // namespace

double GammaGammaLogLikelihood(const GammaGammaParams& params,
                               const std::vector<CustomerSummary>& data) {
  return Evaluate(Prepare(data), params, nullptr);
}

Result<GammaGammaFit> FitGammaGamma(const std::vector<CustomerSummary>& data) {
  const Spends s = Prepare(data);
  GammaGammaFit fit;
  fit.customers = s.x.size();
  for (const CustomerSummary& c : data) fit.skipped += c.x > 0 && !Usable(c) ? 1 : 0;
  if (fit.customers < 2) {
    return Status::InvalidArgument(
        "the spend model needs at least two customers with a repeat purchase of a positive "
        "value; there are " +
        std::to_string(fit.customers));
  }
  for (double x : s.x) {
    if (!(x == std::floor(x) && x <= 1e7)) {
      return Status::InvalidArgument("x (repeat purchases) must be a whole number, got " +
                                     std::to_string(x));
    }
  }
  double mean_m = 0;
  for (double m : s.m) mean_m += m / static_cast<double>(s.m.size());
  const double n = static_cast<double>(fit.customers);
  Objective objective = [&](const std::vector<double>& theta, std::vector<double>* grad) {
    const GammaGammaParams g{std::exp(theta[0]), std::exp(theta[1]), std::exp(theta[2])};
    const double ll = Evaluate(s, g, grad);
    if (grad) {
      for (double& d : *grad) d = -d / n;
    }
    return -ll / n;
  };
  // Start at p = q = 2 and γ giving the observed mean spend (p γ / (q − 1) = mean).
  MinimizeResult m = Minimize(objective, {std::log(2.0), std::log(2.0), std::log(mean_m / 2)});
  const GammaGammaParams g{std::exp(m.x[0]), std::exp(m.x[1]), std::exp(m.x[2])};
  if (!m.converged || !std::isfinite(m.value)) {
    return Status::Internal("the spend model's fit did not converge after " +
                            std::to_string(m.iterations) + " iterations");
  }
  if (g.q <= 1) {
    return Status::InvalidArgument("the spend model's fit has q = " + std::to_string(g.q) +
                                   " <= 1: spends vary too much between customers for a finite "
                                   "expected spend");
  }
  fit.params = g;
  fit.log_likelihood = -m.value * n;
  fit.iterations = m.iterations;
  return fit;
}

double ExpectedSpend(const GammaGammaParams& g, const CustomerSummary& c) {
  if (c.x <= 0 || c.monetary <= 0) return g.p * g.gamma / (g.q - 1);
  return g.p * (g.gamma + c.x * c.monetary) / (g.p * c.x + g.q - 1);
}

}  // namespace rapport::insight
