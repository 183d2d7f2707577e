#include "insight/clv/special.h"

#include <cmath>
#include <limits>

namespace rapport::insight {

double LogGamma(double x) {
  int sign = 0;
  return ::lgamma_r(x, &sign);
}

double Digamma(double x) {
  if (!(x > 0)) return std::numeric_limits<double>::quiet_NaN();
  double result = 0;
  while (x < 10) {  // ψ(x) = ψ(x + 1) − 1/x until the asymptotic series is accurate
    result -= 1 / x;
    x += 1;
  }
  const double inv = 1 / x, inv2 = inv * inv;
  // ln x − 1/(2x) − Σ B₂ₖ / (2k x²ᵏ)
  const double series =
      inv2 * (1.0 / 12 -
              inv2 * (1.0 / 120 - inv2 * (1.0 / 252 - inv2 * (1.0 / 240 - inv2 * (1.0 / 132)))));
  return result + std::log(x) - 0.5 * inv - series;
}

double Hyp2F1(double a, double b, double c, double z) {
  if (!(a > 0 && b > 0 && c > 0 && z >= 0 && z < 1)) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  double term = 1, sum = 1;
  for (int k = 0; k < 100000; ++k) {
    term *= (a + k) * (b + k) / ((c + k) * (k + 1)) * z;
    const double next = sum + term;
    if (next == sum) break;
    sum = next;
  }
  return sum;
}

}  // namespace rapport::insight
