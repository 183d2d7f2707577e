#include "insight/attribution/shapley.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

#include "insight/attribution/test_util.h"

namespace rapport::insight {
namespace {

using testing::Seq;

ShapleyResult RunShapley(const std::vector<ConversionPath>& conv,
                         const std::vector<ConversionPath>& not_conv,
                         const AttributionSettings& s) {
  auto p = PreparePaths(conv, not_conv, s);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  auto r = AttributeShapley(*p, s);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return *r;
}

// Converting paths: {A} (value 10), {A,B} (value 20), {B,C} twice (values 10 + 20).
//   v(∅) = 0, v(A) = 1, v(B) = v(C) = 0, v(AB) = 2, v(AC) = 1, v(BC) = 2, v(ABC) = 4.
//   Weights for n = 3: |S| = 0 → 1/3, 1 → 1/6, 2 → 1/3.
//   φ_A = 1/3·(1−0) + 1/6·(2−0) + 1/6·(1−0) + 1/3·(4−2) = 1.5
//   φ_B = 1/3·(0−0) + 1/6·(2−1) + 1/6·(2−0) + 1/3·(4−1) = 1.5
//   φ_C = 1/3·(0−0) + 1/6·(1−1) + 1/6·(2−0) + 1/3·(4−2) = 1
//   Values (same sums with w): A = 10 + 20/2 = 20, B = 20/2 + 30/2 = 25, C = 30/2 = 15.
TEST(Shapley, ThreeChannelsByHand) {
  ShapleyResult r = RunShapley(
      {Seq({"A"}, 10), Seq({"A", "B", "A"}, 20), Seq({"B", "C"}, 10), Seq({"C", "B"}, 20)},
      {Seq({"C"})}, {});
  ASSERT_TRUE(r.exact);
  const auto& c = r.attribution.credits;
  EXPECT_NEAR(c[0].conversions, 1.5, 1e-12);
  EXPECT_NEAR(c[1].conversions, 1.5, 1e-12);
  EXPECT_NEAR(c[2].conversions, 1.0, 1e-12);
  EXPECT_NEAR(c[0].value, 20, 1e-12);
  EXPECT_NEAR(c[1].value, 25, 1e-12);
  EXPECT_NEAR(c[2].value, 15, 1e-12);
}

TEST(Shapley, EfficiencySymmetryNullPlayer) {
  // X and Y are interchangeable (swapping them maps the paths onto themselves); N appears only
  // in journeys without conversion, so v(S ∪ {N}) = v(S) for every S.
  ShapleyResult r = RunShapley({Seq({"X", "Z"}, 3), Seq({"Y", "Z"}, 3), Seq({"X", "Y"}, 5),
                                Seq({"Z"}, 1), Seq({"Z", "X", "W"}, 2), Seq({"Z", "Y", "W"}, 2)},
                               {Seq({"N", "X"}), Seq({"N"})}, {});
  const auto& ch = r.attribution.channels;
  const auto& c = r.attribution.credits;
  EXPECT_EQ(r.players, 4u);
  double sum = 0, value = 0;
  for (const auto& x : c) {
    sum += x.conversions;
    value += x.value;
  }
  EXPECT_NEAR(sum, 6, 1e-12);  // v(N) = all conversions
  EXPECT_NEAR(value, 16, 1e-12);
  const size_t x = testing::IndexOf(ch, "X"), y = testing::IndexOf(ch, "Y");
  EXPECT_NEAR(c[x].conversions, c[y].conversions, 1e-12);
  EXPECT_NEAR(c[x].value, c[y].value, 1e-12);
  EXPECT_EQ(c[testing::IndexOf(ch, "N")].conversions, 0);
  EXPECT_EQ(c[testing::IndexOf(ch, "N")].value, 0);
}

// Σ over converting paths touching i of weight / |distinct channels| (see shapley.h).
std::vector<ChannelCredit> Oracle(const PreparedPaths& p) {
  std::vector<ChannelCredit> out(p.channels.size());
  for (const auto& q : p.sequences) {
    std::set<uint32_t> set(q.channels.begin(), q.channels.end());
    for (uint32_t c : set) {
      out[c].conversions += q.conversions / static_cast<double>(set.size());
      out[c].value += q.value / static_cast<double>(set.size());
    }
  }
  return out;
}

TEST(Shapley, ExactAndSampledAgreeOnFourteenChannels) {
  std::mt19937_64 rng(11);
  std::vector<ConversionPath> conv;
  for (int i = 0; i < 5000; ++i) {
    std::vector<std::string> seq;
    const int len = 1 + static_cast<int>(rng() % 5);
    // Skewed: low letters more often, so the credits differ.
    for (int j = 0; j < len; ++j) {
      const int c = static_cast<int>(std::min(rng() % 14, rng() % 14));
      seq.push_back(std::string(1, static_cast<char>('a' + c)));
    }
    conv.push_back(Seq(seq, static_cast<double>(rng() % 100)));
  }
  AttributionSettings exact, sampled;
  exact.shapley_exact_max_channels = 20;
  sampled.shapley_samples = 4000;
  auto p = PreparePaths(conv, {}, exact);
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p->channels.size(), 14u);
  auto e = AttributeShapley(*p, exact);
  auto s = AttributeShapley(*p, sampled);
  ASSERT_TRUE(e.ok() && s.ok());
  EXPECT_TRUE(e->exact);
  EXPECT_FALSE(s->exact);
  EXPECT_EQ(s->samples, 4000u);
  const auto oracle = Oracle(*p);
  double sum = 0;
  for (size_t c = 0; c < 14; ++c) {
    const auto& ec = e->attribution.credits[c];
    const auto& sc = s->attribution.credits[c];
    EXPECT_NEAR(ec.conversions, oracle[c].conversions, 1e-8);
    EXPECT_NEAR(ec.value, oracle[c].value, 1e-6);
    EXPECT_GT(s->std_error[c].conversions, 0);
    // Within the stated error: 4 standard errors (the chance of failing is ~1e-4 per channel,
    // and the seed is fixed, so the test is deterministic).
    EXPECT_NEAR(sc.conversions, ec.conversions, 4 * s->std_error[c].conversions) << c;
    EXPECT_NEAR(sc.value, ec.value, 4 * s->std_error[c].value) << c;
    sum += sc.conversions;
  }
  EXPECT_NEAR(sum, 5000, 1e-6);  // every sample sums to v(N)
  // Deterministic: the same seed gives the same bits, whatever the thread count.
  sampled.threads = 1;
  auto again = AttributeShapley(*p, sampled);
  for (size_t c = 0; c < 14; ++c) {
    EXPECT_EQ(again->attribution.credits[c].value, s->attribution.credits[c].value);
  }
}

}  // namespace
}  // namespace rapport::insight
