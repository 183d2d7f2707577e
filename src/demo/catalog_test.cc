// The demo calendar: ordinary weekdays, weekends, the summer sale and Black Friday week (the
// fourth Thursday of November moves from year to year); the hour weights are a distribution.
#include "demo/catalog.h"

#include <gtest/gtest.h>

#include <numeric>

namespace rapport::demo {
namespace {

int64_t Day(int y, unsigned m, unsigned d) {  // days since 1970-01-01 (Hinnant)
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return int64_t{era} * 146097 + static_cast<int64_t>(doe) - 719468;
}

TEST(DemoCatalog, DemandFollowsTheCalendar) {
  EXPECT_DOUBLE_EQ(DemandOn(Day(2026, 11, 18)), 1.0);         // a Wednesday
  EXPECT_DOUBLE_EQ(DemandOn(Day(2026, 11, 21)), 1.25);        // a Saturday
  EXPECT_DOUBLE_EQ(DemandOn(Day(2026, 7, 14)), 1.6);          // a Tuesday in the summer sale
  EXPECT_DOUBLE_EQ(DemandOn(Day(2026, 7, 12)), 1.25 * 1.6);   // a Sunday in it
  EXPECT_DOUBLE_EQ(DemandOn(Day(2026, 11, 25)), 1.0);         // the day before Thanksgiving
  EXPECT_DOUBLE_EQ(DemandOn(Day(2026, 11, 26)), 1.8);         // Thanksgiving 2026
  EXPECT_DOUBLE_EQ(DemandOn(Day(2026, 11, 28)), 1.25 * 1.8);  // the Saturday after
  EXPECT_DOUBLE_EQ(DemandOn(Day(2025, 11, 27)), 1.8);         // Thanksgiving 2025
  EXPECT_DOUBLE_EQ(DemandOn(Day(2025, 11, 26)), 1.0);
}

TEST(DemoCatalog, HourWeightsAreADistribution) {
  auto w = HourWeights();
  ASSERT_EQ(w.size(), 24u);
  EXPECT_NEAR(std::accumulate(w.begin(), w.end(), 0.0), 1.0, 1e-9);
  EXPECT_GT(w[20], 10 * w[3]);  // evenings are busy, nights quiet
}

TEST(DemoCatalog, CampaignsAreNamedAndPriced) {
  for (const Campaign& c : Campaigns()) {
    EXPECT_FALSE(c.channel.empty());
    EXPECT_FALSE(c.name.empty());
    EXPECT_GT(c.daily_cost, 0);
  }
  EXPECT_EQ(Campaigns()[NewsletterCampaign()].medium, "email");
  EXPECT_EQ(Campaigns()[RetargetingCampaign()].name, "retargeting");
  EXPECT_EQ(Campaigns()[BrandSearchCampaign()].name, "brand");
}

}  // namespace
}  // namespace rapport::demo
