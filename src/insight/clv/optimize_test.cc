#include "insight/clv/optimize.h"

#include <gtest/gtest.h>

#include <cmath>

namespace rapport::insight {
namespace {

TEST(Minimize, RosenbrockValley) {
  int calls = 0;
  Objective f = [&](const std::vector<double>& x, std::vector<double>* g) {
    ++calls;
    const double a = 1 - x[0], b = x[1] - x[0] * x[0];
    if (g) *g = {-2 * a - 400 * x[0] * b, 200 * b};
    return a * a + 100 * b * b;
  };
  MinimizeResult r = Minimize(f, {-1.2, 1.0});
  ASSERT_TRUE(r.converged);
  EXPECT_NEAR(r.x[0], 1, 1e-6);
  EXPECT_NEAR(r.x[1], 1, 1e-6);
  EXPECT_EQ(r.evaluations, calls);
  EXPECT_LT(r.iterations, 200);
}

TEST(Minimize, KeepsAwayFromWhereTheFunctionIsUndefined) {
  // −ln x + x has its minimum at 1 and is undefined for x <= 0; a long first step lands there.
  Objective f = [](const std::vector<double>& x, std::vector<double>* g) {
    if (g) *g = {-1 / x[0] + 1};
    return x[0] > 0 ? -std::log(x[0]) + x[0] : NAN;
  };
  MinimizeResult r = Minimize(f, {20.0});
  ASSERT_TRUE(r.converged);
  EXPECT_NEAR(r.x[0], 1, 1e-7);
}

TEST(Minimize, DeterministicAndStopsAtTheLimit) {
  Objective f = [](const std::vector<double>& x, std::vector<double>* g) {
    if (g) *g = {4 * x[0] * x[0] * x[0], 2 * (x[1] - 3)};
    return x[0] * x[0] * x[0] * x[0] + (x[1] - 3) * (x[1] - 3);
  };
  MinimizeResult a = Minimize(f, {2, 0}), b = Minimize(f, {2, 0});
  EXPECT_EQ(a.x, b.x);
  EXPECT_EQ(a.evaluations, b.evaluations);
  MinimizeOptions few;
  few.max_iterations = 2;
  MinimizeResult c = Minimize(f, {2, 0}, few);
  EXPECT_FALSE(c.converged);
  EXPECT_EQ(c.iterations, 2);
}

}  // namespace
}  // namespace rapport::insight
