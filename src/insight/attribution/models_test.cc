#include "insight/attribution/models.h"

#include <gtest/gtest.h>

#include <cmath>

#include "insight/attribution/compare.h"
#include "insight/attribution/test_util.h"

namespace rapport::insight {
namespace {

using testing::IndexOf;
using testing::MakePath;
using testing::Seq;

// P1: A@-3 B@-2 C@-1, value 100.  P2: B@-1, value 50.  P3: C@-6 A@-2, value 10.
PreparedPaths Three(AttributionSettings s = {}) {
  std::vector<ConversionPath> conv = {
      MakePath({{"A", -3}, {"B", -2}, {"C", -1}}, 100),
      MakePath({{"B", -1}}, 50),
      MakePath({{"C", -6}, {"A", -2}}, 10),
  };
  auto r = PreparePaths(conv, {}, s);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return std::move(r).value();
}

void ExpectCredits(const Attribution& a, std::vector<double> conv, std::vector<double> value) {
  ASSERT_EQ(a.channels, (std::vector<std::string>{"A", "B", "C"}));
  double sc = 0, sv = 0;
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_NEAR(a.credits[i].conversions, conv[i], 1e-12) << a.model << " " << a.channels[i];
    EXPECT_NEAR(a.credits[i].value, value[i], 1e-9) << a.model << " " << a.channels[i];
    sc += a.credits[i].conversions;
    sv += a.credits[i].value;
  }
  EXPECT_NEAR(sc, 3, 1e-12);
  EXPECT_NEAR(sv, 160, 1e-9);
}

Attribution RunRule(RuleModel m, const AttributionSettings& s = {}) {
  auto r = AttributeRule(m, Three(s), s);
  EXPECT_TRUE(r.ok());
  return *r;
}

TEST(RuleModels, FirstAndLastTouch) {
  // First: P1 → A (100), P2 → B (50), P3 → C (10).
  ExpectCredits(RunRule(RuleModel::kFirstTouch), {1, 1, 1}, {100, 50, 10});
  // Last: P1 → C (100), P2 → B (50), P3 → A (10).
  ExpectCredits(RunRule(RuleModel::kLastTouch), {1, 1, 1}, {10, 50, 100});
}

TEST(RuleModels, Linear) {
  // P1: 1/3 each (100/3 each); P2: B 1 (50); P3: C 1/2, A 1/2 (5 each).
  // A = 1/3 + 1/2, B = 1/3 + 1, C = 1/3 + 1/2; values 100/3 + 5, 100/3 + 50, 100/3 + 5.
  ExpectCredits(RunRule(RuleModel::kLinear), {1.0 / 3 + 0.5, 1.0 / 3 + 1, 1.0 / 3 + 0.5},
                {100.0 / 3 + 5, 100.0 / 3 + 50, 100.0 / 3 + 5});
}

TEST(RuleModels, TimeDecay) {
  AttributionSettings s;
  s.half_life_us = kMicrosPerDay;
  // P1: 2^-3, 2^-2, 2^-1 = 1/8, 2/8, 4/8 → 1/7, 2/7, 4/7.  P2: B 1.
  // P3: C 2^-6, A 2^-2 = 1/64, 16/64 → 1/17, 16/17.
  ExpectCredits(RunRule(RuleModel::kTimeDecay, s),
                {1.0 / 7 + 16.0 / 17, 2.0 / 7 + 1, 4.0 / 7 + 1.0 / 17},
                {100.0 / 7 + 160.0 / 17, 200.0 / 7 + 50, 400.0 / 7 + 10.0 / 17});
}

TEST(RuleModels, TimeDecayNeverUnderflows) {
  AttributionSettings s;
  s.lookback_us = 3650 * kMicrosPerDay;
  s.half_life_us = 1;  // 1 µs: 2^(-Δt) underflows, relative to the newest it does not
  auto p = PreparePaths({MakePath({{"A", -3000}, {"B", -2000}}, 1)}, {}, s);
  ASSERT_TRUE(p.ok());
  auto a = AttributeRule(RuleModel::kTimeDecay, *p, s);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->credits[0].conversions, 0);  // A
  EXPECT_EQ(a->credits[1].conversions, 1);  // B, the newest
}

TEST(RuleModels, PositionBased) {
  // P1 (3 touches): A .4, B .2, C .4.  P2: B 1.  P3 (2 touches): C .5, A .5.
  // A = .9 (40 + 5), B = 1.2 (20 + 50), C = .9 (40 + 5).
  ExpectCredits(RunRule(RuleModel::kPositionBased), {0.9, 1.2, 0.9}, {45, 70, 45});
  // Four touches: 40 %, 10 %, 10 %, 40 % (the middle 20 % split in two).
  std::vector<double> w;
  const int64_t ages[4] = {4, 3, 2, 1};
  RuleWeights(RuleModel::kPositionBased, AttributionSettings(), ages, 4, &w);
  ASSERT_EQ(w.size(), 4u);
  const double expected[4] = {0.4, 0.1, 0.1, 0.4};
  for (size_t i = 0; i < 4; ++i) EXPECT_NEAR(w[i], expected[i], 1e-15);
  // Custom 30/50: two touches get 30/80 and 50/80.
  AttributionSettings s;
  s.position_first = 0.3;
  s.position_last = 0.5;
  RuleWeights(RuleModel::kPositionBased, s, ages, 2, &w);
  EXPECT_NEAR(w[0], 0.375, 1e-15);
  EXPECT_NEAR(w[1], 0.625, 1e-15);
}

TEST(Paths, WindowOrderAndNoTouch) {
  AttributionSettings s;
  s.lookback_us = 10 * kMicrosPerDay;
  std::vector<ConversionPath> conv = {
      // Out of order; X is older than the lookback, Y after the conversion: both ignored.
      MakePath({{"B", -1}, {"X", -11}, {"A", -5}, {"Y", 1}}, 7),
      MakePath({{"X", -30}}, 3),  // nothing in the window → "(none)"
  };
  std::vector<ConversionPath> journeys = {MakePath({{"C", -2}}), MakePath({{"X", -40}})};
  auto p = PreparePaths(conv, journeys, s);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->channels, (std::vector<std::string>{"(none)", "A", "B", "C"}));
  EXPECT_EQ(p->no_touch_conversions, 1u);
  EXPECT_EQ(p->dropped_journeys, 1u);
  auto first = AttributeRule(RuleModel::kFirstTouch, *p, s);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->credits[0].conversions, 1);  // (none)
  EXPECT_EQ(first->credits[0].value, 3);
  EXPECT_EQ(first->credits[1].conversions, 1);  // A is first once sorted
  EXPECT_EQ(first->credits[2].conversions, 0);
  s.no_touch_channel = "Direct";
  auto direct = PreparePaths(conv, journeys, s);
  ASSERT_TRUE(direct.ok());
  EXPECT_EQ(direct->channels[3], "Direct");  // sorted: A B C Direct
}

TEST(Paths, BadSettingsAndData) {
  AttributionSettings s;
  s.half_life_us = -1;
  EXPECT_EQ(PreparePaths({}, {}, s).status().code(), StatusCode::kInvalidArgument);
  s = {};
  s.lookback_us = 0;
  EXPECT_EQ(PreparePaths({}, {}, s).status().code(), StatusCode::kInvalidArgument);
  s = {};
  s.no_touch_channel = "";
  EXPECT_EQ(PreparePaths({}, {}, s).status().code(), StatusCode::kInvalidArgument);
  s = {};
  s.markov_order = 0;
  EXPECT_EQ(ValidateSettings(s).code(), StatusCode::kInvalidArgument);
  s = {};
  s.position_first = 0.7;
  EXPECT_EQ(ValidateSettings(s).code(), StatusCode::kInvalidArgument);
  auto empty = PreparePaths({MakePath({{"A", -1}}), MakePath({{"", -1}})}, {}, {});
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.status().message().find("conversion 1, touchpoint 0: empty channel name"),
            std::string::npos)
      << empty.status().message();
  auto nan = PreparePaths({MakePath({{"A", -1}}, std::nan(""))}, {}, {});
  EXPECT_EQ(nan.status().code(), StatusCode::kInvalidArgument);
}

TEST(Degenerate, NoConversionsGiveZeros) {
  auto p = PreparePaths({}, {Seq({"A", "B"}), Seq({"B"})}, {});
  ASSERT_TRUE(p.ok());
  auto t = CompareModels(*p, {});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ASSERT_EQ(t->channels.size(), 2u);
  for (size_t c = 0; c < 2; ++c) {
    for (size_t m = 0; m < t->models.size(); ++m) {
      EXPECT_EQ(t->conversions[c][m], 0) << t->models[m];
      EXPECT_EQ(t->value[c][m], 0) << t->models[m];
    }
  }
  auto nothing = PreparePaths({}, {}, {});
  ASSERT_TRUE(nothing.ok());
  auto t0 = CompareModels(*nothing, {});
  ASSERT_TRUE(t0.ok());
  EXPECT_TRUE(t0->channels.empty());
}

TEST(Degenerate, OneChannelGetsEverything) {
  auto p = PreparePaths({Seq({"A", "A"}, 5), Seq({"A"}, 7)}, {Seq({"A"})}, {});
  ASSERT_TRUE(p.ok());
  for (int order : {1, 2}) {
    AttributionSettings s;
    s.markov_order = order;
    auto t = CompareModels(*p, s);
    ASSERT_TRUE(t.ok());
    for (size_t m = 0; m < t->models.size(); ++m) {
      EXPECT_NEAR(t->conversions[0][m], 2, 1e-12) << t->models[m];
      EXPECT_NEAR(t->value[0][m], 12, 1e-12) << t->models[m];
    }
  }
}

TEST(Degenerate, SameBitsWhateverTheThreadCount) {
  std::vector<ConversionPath> conv;
  for (int i = 0; i < 70000; ++i) {
    conv.push_back(Seq({std::string(1, 'A' + i % 5), std::string(1, 'A' + i % 3)}, i % 17 * 0.1));
  }
  AttributionSettings one, two;
  one.threads = 1;
  two.threads = 2;
  auto p1 = PreparePaths(conv, {}, one), p2 = PreparePaths(conv, {}, two);
  ASSERT_TRUE(p1.ok() && p2.ok());
  auto a = AttributeRule(RuleModel::kTimeDecay, *p1, one);
  auto b = AttributeRule(RuleModel::kTimeDecay, *p2, two);
  for (size_t c = 0; c < a->credits.size(); ++c) {
    EXPECT_EQ(a->credits[c].value, b->credits[c].value);
  }
}

}  // namespace
}  // namespace rapport::insight
