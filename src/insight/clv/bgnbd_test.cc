// BG/NBD and Gamma-Gamma beyond CDNOW: recovering known parameters from simulated customers,
// the model's identities, and degenerate data (clear errors, never NaN).
#include "insight/clv/bgnbd.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "insight/clv/clv.h"
#include "insight/clv/gamma_gamma.h"

namespace rapport::insight {
namespace {

// Customers simulated from the BG/NBD story itself: rate λ ~ Gamma(r, α), dropout p ~ Beta(a,
// b) after each purchase, observed for T units after a first purchase.
std::vector<CustomerSummary> Simulate(const BgNbdParams& p, size_t n, uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::gamma_distribution<double> rate(p.r, 1 / p.alpha), beta_a(p.a, 1), beta_b(p.b, 1);
  std::uniform_real_distribution<double> age(10, 52), unit(0, 1);
  std::vector<CustomerSummary> out;
  for (size_t i = 0; i < n; ++i) {
    CustomerSummary c;
    c.customer = i + 1;
    c.T = std::floor(age(rng) * 7) / 7;  // whole days, in weeks
    const double lambda = rate(rng);
    const double ga = beta_a(rng), drop = ga / (ga + beta_b(rng));
    std::exponential_distribution<double> gap(lambda);
    // Repeat purchases while alive; after each, dropping out with probability p.
    for (double t = gap(rng); t <= c.T; t += gap(rng)) {
      c.x += 1;
      c.t_x = std::floor(t * 7) / 7;
      if (unit(rng) < drop) break;
    }
    out.push_back(c);
  }
  return out;
}

TEST(BgNbd, RecoversTheParametersOfSimulatedCustomers) {
  const BgNbdParams truth{0.5, 8.0, 0.6, 2.5};
  auto fit = FitBgNbd(Simulate(truth, 200000, 7));
  ASSERT_TRUE(fit.ok()) << fit.status().ToString();
  EXPECT_NEAR(fit->params.r, truth.r, 0.05 * truth.r);
  EXPECT_NEAR(fit->params.alpha, truth.alpha, 0.08 * truth.alpha);
  EXPECT_NEAR(fit->params.a, truth.a, 0.15 * truth.a);
  EXPECT_NEAR(fit->params.b, truth.b, 0.2 * truth.b);
}

TEST(BgNbd, Identities) {
  const BgNbdParams p{0.243, 4.414, 0.793, 2.426};
  // A customer without repeat purchases is alive for sure as far as the model can tell.
  CustomerSummary once{.customer = 1, .x = 0, .t_x = 0, .T = 30};
  EXPECT_EQ(ProbabilityAlive(p, once), 1);
  // Buying often and recently: alive; buying often long ago: probably not.
  CustomerSummary recent{.customer = 2, .x = 8, .t_x = 29, .T = 30};
  CustomerSummary lapsed{.customer = 3, .x = 8, .t_x = 3, .T = 30};
  EXPECT_GT(ProbabilityAlive(p, recent), 0.9);
  EXPECT_LT(ProbabilityAlive(p, lapsed), 0.01);
  EXPECT_GT(ExpectedPurchases(p, recent, 10), ExpectedPurchases(p, lapsed, 10));
  // More time, more purchases; none in no time; a new customer buys about r/α per unit at
  // first.
  EXPECT_EQ(ExpectedPurchases(p, recent, 0), 0);
  EXPECT_LT(ExpectedPurchases(p, recent, 10), ExpectedPurchases(p, recent, 20));
  EXPECT_NEAR(ExpectedPurchasesNew(p, 1e-4) / 1e-4, p.r / p.alpha, 1e-3);
  // a = 1 is a removable singularity.
  BgNbdParams one = p, near = p;
  one.a = 1;
  near.a = 1.001;
  EXPECT_NEAR(ExpectedPurchases(one, recent, 10), ExpectedPurchases(near, recent, 10), 0.01);
  EXPECT_TRUE(std::isfinite(ExpectedPurchases(one, once, 10)));
  // Huge x does not overflow P(alive).
  CustomerSummary heavy{.customer = 4, .x = 5000, .t_x = 1, .T = 30};
  EXPECT_EQ(ProbabilityAlive(p, heavy), 0);
}

TEST(BgNbd, DegenerateDataIsAClearError) {
  auto none = FitBgNbd({});
  EXPECT_EQ(none.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(none.status().message(), "there are no customers to fit");
  std::vector<CustomerSummary> one_timers(50);
  for (size_t i = 0; i < one_timers.size(); ++i) one_timers[i] = {.customer = i, .T = 20};
  auto no_repeat = FitBgNbd(one_timers);
  EXPECT_EQ(no_repeat.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(no_repeat.status().message().find("no customer made a repeat purchase"),
            std::string::npos);
  auto fractional = FitBgNbd({{.customer = 9, .x = 1.5, .t_x = 1, .T = 2}});
  EXPECT_EQ(fractional.status().message(),
            "customer 9: x (repeat purchases) must be a whole number, got 1.500000");
  auto backwards = FitBgNbd({{.customer = 8, .x = 1, .t_x = 3, .T = 2}});
  EXPECT_NE(backwards.status().message().find("customer 8: times must satisfy 0 <= t_x <= T"),
            std::string::npos);
}

TEST(GammaGamma, RecoversSimulatedSpendAndShrinksTowardsTheMean) {
  const GammaGammaParams truth{4.0, 5.0, 20.0};
  std::mt19937_64 rng(11);
  std::gamma_distribution<double> nu_dist(truth.q, 1 / truth.gamma);
  std::uniform_int_distribution<int> count(1, 12);
  std::vector<CustomerSummary> data;
  for (uint64_t i = 0; i < 100000; ++i) {
    const double nu = nu_dist(rng);
    std::gamma_distribution<double> spend(truth.p, 1 / nu);
    CustomerSummary c{.customer = i + 1, .x = static_cast<double>(count(rng))};
    for (int k = 0; k < c.x; ++k) c.monetary += spend(rng) / c.x;
    data.push_back(c);
  }
  data.push_back({.customer = 0, .x = 2, .monetary = 0});  // a repeat buyer who spent nothing
  auto fit = FitGammaGamma(data);
  ASSERT_TRUE(fit.ok()) << fit.status().ToString();
  EXPECT_EQ(fit->skipped, 1u);
  EXPECT_EQ(fit->customers, 100000u);
  EXPECT_NEAR(fit->params.p, truth.p, 0.05 * truth.p);
  EXPECT_NEAR(fit->params.q, truth.q, 0.1 * truth.q);
  EXPECT_NEAR(fit->params.gamma, truth.gamma, 0.15 * truth.gamma);
  // Expected spend lies between the customer's own mean and the population's.
  const double population = ExpectedSpend(fit->params, {.x = 0});
  CustomerSummary big{.x = 2, .monetary = 500};
  const double e = ExpectedSpend(fit->params, big);
  EXPECT_GT(e, population);
  EXPECT_LT(e, 500);
}

TEST(GammaGamma, TooLittleDataIsAClearError) {
  auto fit = FitGammaGamma({{.customer = 1, .x = 0}, {.customer = 2, .x = 3, .monetary = 10}});
  EXPECT_EQ(fit.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(fit.status().message(),
            "the spend model needs at least two customers with a repeat purchase of a positive "
            "value; there are 1");
}

TEST(Clv, DiscountingAndHorizon) {
  const BgNbdParams p{0.243, 4.414, 0.793, 2.426};
  const GammaGammaParams g{6.25, 3.74, 15.44};
  std::vector<CustomerSummary> data = {{.customer = 1, .x = 4, .t_x = 30, .T = 32, .monetary = 40},
                                       {.customer = 2, .x = 0, .T = 32}};
  ClvOptions none;
  none.monthly_discount = 0;
  ClvOptions steep;
  steep.monthly_discount = 0.1;
  ClvOptions longer;
  longer.horizon_months = 24;
  const auto a = ScoreCustomers(p, g, data, none), b = ScoreCustomers(p, g, data, steep),
             c = ScoreCustomers(p, g, data, longer);
  // Without discount, CLV is purchases × spend; discounting lowers it; a longer horizon adds.
  EXPECT_NEAR(a[0].clv, a[0].expected_purchases * a[0].expected_spend, 1e-9);
  EXPECT_LT(b[0].clv, a[0].clv);
  EXPECT_GT(c[0].clv, ScoreCustomers(p, g, data, {})[0].clv);
  EXPECT_GT(a[0].clv, a[1].clv);
  EXPECT_EQ(a[1].p_alive, 1);
  EXPECT_NEAR(a[1].expected_spend, g.p * g.gamma / (g.q - 1), 1e-12);
}

}  // namespace
}  // namespace rapport::insight
