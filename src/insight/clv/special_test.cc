#include "insight/clv/special.h"

#include <gtest/gtest.h>

#include <cmath>

namespace rapport::insight {
namespace {

TEST(Special, DigammaKnownValues) {
  const double euler = 0.57721566490153286;
  EXPECT_NEAR(Digamma(1), -euler, 1e-13);
  EXPECT_NEAR(Digamma(0.5), -euler - 2 * std::log(2.0), 1e-13);
  EXPECT_NEAR(Digamma(10), 2.25175258906672110, 1e-13);
  EXPECT_NEAR(Digamma(1e-3), -1000.5755719318, 1e-8);  // −1/x − γ + ζ(2) x − ζ(3) x²
  EXPECT_TRUE(std::isnan(Digamma(0)));
  // ψ is the derivative of ln Γ.
  for (double x : {0.05, 0.7, 3.3, 42.0, 1e4}) {
    const double h = 1e-6 * x;
    EXPECT_NEAR(Digamma(x), (LogGamma(x + h) - LogGamma(x - h)) / (2 * h), 1e-6 * (1 + x)) << x;
  }
}

TEST(Special, Hyp2F1AgainstClosedForms) {
  // ₂F₁(1, 1; 2; z) = −ln(1 − z) / z
  for (double z : {0.0, 0.1, 0.5, 0.9, 0.99}) {
    const double want = z == 0 ? 1 : -std::log1p(-z) / z;
    EXPECT_NEAR(Hyp2F1(1, 1, 2, z), want, 1e-12 * want) << z;
  }
  // ₂F₁(a, b; b; z) = (1 − z)^(−a)
  EXPECT_NEAR(Hyp2F1(2.5, 3, 3, 0.7), std::pow(0.3, -2.5), 1e-9);
  // ₂F₁(1/2, 1; 3/2; z²) = atanh(z) / z
  EXPECT_NEAR(Hyp2F1(0.5, 1, 1.5, 0.64), std::atanh(0.8) / 0.8, 1e-12);
  EXPECT_TRUE(std::isnan(Hyp2F1(1, 1, 2, 1)));
  EXPECT_TRUE(std::isnan(Hyp2F1(1, 1, -0.5, 0.3)));
}

}  // namespace
}  // namespace rapport::insight
