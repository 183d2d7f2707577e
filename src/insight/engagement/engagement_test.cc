#include "insight/engagement/engagement.h"

#include <gtest/gtest.h>

namespace rapport::insight {
namespace {

constexpr int64_t kDay = 86'400'000'000;

TEST(Engagement, HalvesEveryHalfLife) {
  EXPECT_DOUBLE_EQ(DecayedWeight(8, 0, 0, 30 * kDay), 8);
  EXPECT_DOUBLE_EQ(DecayedWeight(8, 0, 30 * kDay, 30 * kDay), 4);
  EXPECT_DOUBLE_EQ(DecayedWeight(8, 0, 90 * kDay, 30 * kDay), 1);
  EXPECT_DOUBLE_EQ(DecayedWeight(8, 5 * kDay, 0, 30 * kDay), 8);  // a future event: full weight
}

TEST(Nps, ByHand) {
  // 10, 9, 9: promoters; 8, 7: passives; 6, 0: detractors; 11 and 7.5 are not answers.
  const Nps n = ComputeNps({10, 9, 9, 8, 7, 6, 0, 11, 7.5});
  EXPECT_EQ(n.answers, 7u);
  EXPECT_EQ(n.promoters, 3u);
  EXPECT_EQ(n.passives, 2u);
  EXPECT_EQ(n.detractors, 2u);
  EXPECT_EQ(n.invalid, 2u);
  EXPECT_DOUBLE_EQ(n.nps, 100.0 * (3 - 2) / 7);
  EXPECT_EQ(ComputeNps({}).nps, 0);
  EXPECT_EQ(ComputeNps({0, 1}).nps, -100);
}

TEST(Csat, ByHand) {
  const Csat c = ComputeCsat({5, 4, 3, 1, 6, 0}, 5, 4);
  EXPECT_EQ(c.answers, 4u);
  EXPECT_EQ(c.satisfied, 2u);
  EXPECT_EQ(c.invalid, 2u);
  EXPECT_DOUBLE_EQ(c.csat, 50);
  EXPECT_EQ(ComputeCsat({}, 5, 4).csat, 0);
}

TEST(KFactor, ByHand) {
  // 200 customers sent 50 invites; 10 became sign-ups: i = 0.25, c = 0.2, k = 0.05.
  const KFactor k = ComputeKFactor(200, 50, 10);
  EXPECT_DOUBLE_EQ(k.invites_per_customer, 0.25);
  EXPECT_DOUBLE_EQ(k.conversion, 0.2);
  EXPECT_DOUBLE_EQ(k.k, 0.05);
  EXPECT_EQ(ComputeKFactor(0, 0, 0).k, 0);
}

}  // namespace
}  // namespace rapport::insight
