#include "insight/rfm/rfm.h"

#include <gtest/gtest.h>

#include <set>

namespace rapport::insight {
namespace {

TEST(Rfm, EveryCellOfTheGridHasItsSegment) {
  // Row by row from r = 5 down, f = 1..5, as the header of rfm.h draws it.
  const char* grid[5][5] = {
      {"new_customers", "potential_loyalists", "potential_loyalists", "champions", "champions"},
      {"promising", "potential_loyalists", "potential_loyalists", "loyal", "loyal"},
      {"about_to_sleep", "about_to_sleep", "need_attention", "loyal", "loyal"},
      {"hibernating", "hibernating", "at_risk", "at_risk", "cant_lose_them"},
      {"hibernating", "hibernating", "at_risk", "at_risk", "cant_lose_them"}};
  std::set<std::string_view> seen;
  for (int r = 5; r >= 1; --r) {
    for (int f = 1; f <= 5; ++f) {
      const std::string_view name = RfmSegmentName(SegmentOf(r, f));
      EXPECT_EQ(name, grid[5 - r][f - 1]) << "r=" << r << " f=" << f;
      seen.insert(name);
    }
  }
  EXPECT_EQ(seen.size(), static_cast<size_t>(kRfmSegments));  // every segment is reachable
}

TEST(Rfm, QuintilesByHand) {
  // Ten customers; customer k bought last on day 100 − k (so 1 is the most recent), k times on
  // different days, spending 10 each time; customer 10 also bought twice on day 90 (one
  // purchase day). As of day 100.
  std::vector<Purchase> purchases;
  for (uint64_t k = 1; k <= 10; ++k) {
    for (uint64_t n = 0; n < k; ++n) {
      purchases.push_back({k, static_cast<int64_t>(100 - k - 20 * n), 10});
    }
  }
  purchases.push_back({10, 90, 5});
  purchases.push_back({11, 101, 1000});  // after as_of: not counted
  const std::vector<RfmCustomer> out = ScoreRfm(purchases, 100);
  ASSERT_EQ(out.size(), 10u);
  for (size_t i = 0; i < out.size(); ++i) {
    const RfmCustomer& c = out[i];
    const auto k = static_cast<int>(c.customer);
    EXPECT_EQ(c.recency_days, k);
    EXPECT_EQ(c.frequency, k);
    // 10 customers: 2 per quintile. Recency: customer k has 10 − k customers who bought longer
    // ago, so r = 1 + ⌊5 (10 − k) / 10⌋; frequency: k − 1 have fewer purchases.
    EXPECT_EQ(c.r, 1 + 5 * (10 - k) / 10) << k;
    EXPECT_EQ(c.f, 1 + 5 * (k - 1) / 10) << k;
  }
  EXPECT_EQ(out[9].monetary, 105);                              // 10 × 10 + 5
  EXPECT_EQ(RfmSegmentName(out[0].segment), "new_customers");   // r 5, f 1
  EXPECT_EQ(RfmSegmentName(out[9].segment), "cant_lose_them");  // r 1, f 5
}

TEST(Rfm, TiesShareAScore) {
  // Three customers bought once each, on the same day; one bought twice.
  std::vector<Purchase> purchases = {{1, 50, 10}, {2, 50, 10}, {3, 50, 10}, {4, 40, 5}, {4, 45, 5}};
  const std::vector<RfmCustomer> out = ScoreRfm(purchases, 60);
  ASSERT_EQ(out.size(), 4u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(out[i].f, 1);  // nobody has fewer purchases
    EXPECT_EQ(out[i].r, out[0].r);
    EXPECT_EQ(out[i].m, out[0].m);
  }
  EXPECT_EQ(out[3].f, 1 + 5 * 3 / 4);  // three have fewer
  EXPECT_EQ(out[3].r, 1);              // nobody bought longer ago
  EXPECT_TRUE(ScoreRfm({}, 10).empty());
}

}  // namespace
}  // namespace rapport::insight
