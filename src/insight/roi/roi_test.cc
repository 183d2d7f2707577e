#include "insight/roi/roi.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "insight/attribution/markov.h"
#include "insight/attribution/models.h"
#include "insight/attribution/shapley.h"
#include "insight/attribution/test_util.h"
#include "insight/roi/credit.h"

namespace rapport::insight {
namespace {

using testing::IndexOf;
using testing::MakePath;
using testing::Seq;

PreparedPaths Prepare(const std::vector<ConversionPath>& conversions,
                      const std::vector<ConversionPath>& journeys = {}) {
  auto p = PreparePaths(conversions, journeys, AttributionSettings{});
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return *std::move(p);
}

// Random paths over `channels` channels, some not converting.
void RandomPaths(int channels, size_t n, std::vector<ConversionPath>* conv,
                 std::vector<ConversionPath>* journeys) {
  std::mt19937_64 rng(7);
  for (size_t i = 0; i < n; ++i) {
    std::vector<std::string> seq;
    for (size_t j = 0, len = 1 + rng() % 4; j < len; ++j) {
      seq.push_back("c" + std::to_string(rng() % static_cast<uint64_t>(channels)));
    }
    (rng() % 3 ? conv : journeys)->push_back(Seq(seq, static_cast<double>(rng() % 100)));
  }
}

TEST(CreditMeasures, AgreesWithTheAttributionTableForEveryModel) {
  std::vector<ConversionPath> conv, journeys;
  RandomPaths(6, 400, &conv, &journeys);
  const PreparedPaths paths = Prepare(conv, journeys);
  const AttributionSettings settings;
  std::vector<double> ones(paths.conversions(), 1.0);
  const std::vector<std::vector<double>> measures = {ones, paths.value};
  std::vector<Attribution> expected;
  for (RuleModel m : {RuleModel::kFirstTouch, RuleModel::kLastTouch, RuleModel::kLinear,
                      RuleModel::kTimeDecay, RuleModel::kPositionBased}) {
    expected.push_back(*AttributeRule(m, paths, settings));
  }
  expected.push_back(AttributeMarkov(paths, settings)->attribution);
  expected.push_back(AttributeShapley(paths, settings)->attribution);
  for (const Attribution& a : expected) {
    const std::string model = a.model == "markov_1" ? "markov" : a.model;
    auto got = CreditMeasures(model, paths, settings, measures, {}, 0);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(got->model, a.model);
    for (size_t c = 0; c < paths.channels.size(); ++c) {
      EXPECT_NEAR(got->total[c][0], a.credits[c].conversions, 1e-9) << a.model << " " << c;
      EXPECT_NEAR(got->total[c][1], a.credits[c].value, 1e-7) << a.model << " " << c;
    }
  }
}

TEST(CreditMeasures, SplitsEachPathByTheModelAndBucketsByDay) {
  // A A B: linear gives A 2/3; Shapley splits among distinct channels, A 1/2.
  const PreparedPaths paths = Prepare({Seq({"A", "A", "B"}, 90), Seq({"B"}, 30)});
  const size_t a = IndexOf(paths.channels, "A"), b = IndexOf(paths.channels, "B");
  const std::vector<std::vector<double>> measures = {{90, 30}};
  auto linear = CreditMeasures("linear", paths, AttributionSettings{}, measures, {0, 1}, 2);
  ASSERT_TRUE(linear.ok());
  EXPECT_DOUBLE_EQ(linear->total[a][0], 60);
  EXPECT_DOUBLE_EQ(linear->total[b][0], 60);
  EXPECT_DOUBLE_EQ(linear->daily[a][0], 60);
  EXPECT_DOUBLE_EQ(linear->daily[b][0], 30);
  EXPECT_DOUBLE_EQ(linear->daily[b][1], 30);
  auto shapley = CreditMeasures("shapley", paths, AttributionSettings{}, measures, {0, 1}, 2);
  ASSERT_TRUE(shapley.ok());
  EXPECT_DOUBLE_EQ(shapley->total[a][0], 45);
  EXPECT_DOUBLE_EQ(shapley->total[b][0], 75);
}

TEST(CreditMeasures, RejectsUnknownModelsAndMismatchedMeasures) {
  const PreparedPaths paths = Prepare({Seq({"A"}, 1)});
  auto bad = CreditMeasures("data_driven", paths, AttributionSettings{}, {{1}}, {}, 0);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("\"model\" must be one of"), std::string::npos);
  EXPECT_FALSE(CreditMeasures("markov_9", paths, AttributionSettings{}, {{1}}, {}, 0).ok());
  EXPECT_FALSE(CreditMeasures("linear", paths, AttributionSettings{}, {{1, 2}}, {}, 0).ok());
  EXPECT_TRUE(CreditMeasures("markov_3", paths, AttributionSettings{}, {{1}}, {}, 0).ok());
}

const RoiLine* Find(const std::vector<RoiLine>& lines, const std::string& channel,
                    const std::string& campaign = "") {
  for (const RoiLine& l : lines) {
    if (l.channel == channel && l.campaign == campaign) return &l;
  }
  return nullptr;
}

// The worked example of docs/kpis.md ("Channel ROI").
struct Example {
  PreparedPaths by_channel, by_campaign;
  std::vector<RoiConversion> conversions;
  std::vector<SpendRow> spend;
  RoiSettings settings;

  Example() {
    // 1: Paid Search (brand) → order 100 on day 0, a new customer (LTV 300, 150 to date, 2
    //    months); 2: Email (news), Paid Search (brand) → order 50 on day 1 (a repeat);
    // 3: no touch → order 20 on day 1, a new customer.
    by_channel =
        Prepare({MakePath({{"Paid Search", -1}}, 100, 0),
                 MakePath({{"Email", -2}, {"Paid Search", -1}}, 50, 1), MakePath({}, 20, 1)});
    by_campaign = Prepare({MakePath({{CampaignLabel("Paid Search", "brand"), -1}}, 100, 0),
                           MakePath({{CampaignLabel("Email", "news"), -2},
                                     {CampaignLabel("Paid Search", "brand"), -1}},
                                    50, 1),
                           MakePath({}, 20, 1)});
    conversions = {{.day = 0, .first = true, .ltv = 300, .revenue_to_date = 150, .months = 2},
                   {.day = 1},
                   {.day = 1, .first = true, .ltv = 20, .revenue_to_date = 20, .months = 0.5}};
    spend = {{0, "Paid Search", "brand", 40},
             {1, "Paid Search", "brand", 60},
             {0, "Email", "", 10},
             {0, "Display", "", 30},
             {5, "Display", "", 1000}};  // outside the range
    settings.from_day = 0;
    settings.to_day = 1;
  }
  RoiReport Run() {
    auto r = ComputeRoi(by_channel, by_campaign, conversions, spend, settings);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *std::move(r) : RoiReport{};
  }
};

TEST(ComputeRoi, WorkedExampleUnderLinear) {
  Example ex;
  const RoiReport r = ex.Run();
  EXPECT_EQ(r.model, "linear");
  ASSERT_EQ(r.channels.size(), 4u);
  // By spend: Paid Search 100, Display 30, Email 10, (none) 0.
  EXPECT_EQ(r.channels[0].channel, "Paid Search");
  EXPECT_EQ(r.channels[1].channel, "Display");
  EXPECT_EQ(r.channels[2].channel, "Email");
  EXPECT_EQ(r.channels[3].channel, "(none)");
  const RoiLine& search = r.channels[0];
  EXPECT_DOUBLE_EQ(search.spend, 100);
  EXPECT_DOUBLE_EQ(search.conversions, 1.5);
  EXPECT_DOUBLE_EQ(search.revenue, 125);
  EXPECT_DOUBLE_EQ(search.new_customers, 1);
  EXPECT_DOUBLE_EQ(*search.cac, 100);
  EXPECT_DOUBLE_EQ(*search.roas, 1.25);
  EXPECT_DOUBLE_EQ(*search.ltv_cac, 3);
  EXPECT_NEAR(*search.payback_months, 100.0 / 75, 1e-12);  // 150 over 2 months: 75 a month
  EXPECT_DOUBLE_EQ(*search.marginal_roas, 1.25);           // two days: the average
  EXPECT_FALSE(search.elasticity);
  const RoiLine& email = r.channels[2];
  EXPECT_DOUBLE_EQ(*email.roas, 2.5);
  EXPECT_FALSE(email.cac);  // no new customer
  EXPECT_DOUBLE_EQ(*email.ltv_cac, 0);
  EXPECT_FALSE(email.payback_months);
  const RoiLine& display = r.channels[1];
  EXPECT_DOUBLE_EQ(display.spend, 30);  // day 5 is outside the range
  EXPECT_DOUBLE_EQ(*display.roas, 0);
  const RoiLine& none = r.channels[3];
  EXPECT_DOUBLE_EQ(none.new_customers, 1);
  EXPECT_FALSE(none.cac);
  EXPECT_FALSE(none.roas);
  EXPECT_FALSE(none.marginal_roas);
  // Blended: 140 spent, two new customers, 170 of revenue, LTV 320.
  EXPECT_DOUBLE_EQ(r.total.spend, 140);
  EXPECT_DOUBLE_EQ(r.total.conversions, 3);
  EXPECT_DOUBLE_EQ(r.total.revenue, 170);
  EXPECT_DOUBLE_EQ(*r.total.cac, 70);
  EXPECT_DOUBLE_EQ(*r.total.ltv_cac, 320.0 / 140);
  // The next unit of budget: Email (2.5), Paid Search (1.25), Display (0).
  ASSERT_EQ(r.channel_ranking.size(), 3u);
  EXPECT_EQ(r.channels[r.channel_ranking[0]].channel, "Email");
  EXPECT_EQ(r.channels[r.channel_ranking[1]].channel, "Paid Search");
  EXPECT_EQ(r.channels[r.channel_ranking[2]].channel, "Display");
  // Campaigns: Email's spend has no campaign, its touch has one; both lines show.
  const RoiLine* brand = Find(r.campaigns, "Paid Search", "brand");
  ASSERT_NE(brand, nullptr);
  EXPECT_DOUBLE_EQ(*brand->roas, 1.25);
  const RoiLine* news = Find(r.campaigns, "Email", "news");
  ASSERT_NE(news, nullptr);
  EXPECT_DOUBLE_EQ(news->revenue, 25);
  EXPECT_FALSE(news->roas);
  const RoiLine* email_unset = Find(r.campaigns, "Email", "(not set)");
  ASSERT_NE(email_unset, nullptr);
  EXPECT_DOUBLE_EQ(email_unset->spend, 10);
  EXPECT_DOUBLE_EQ(*email_unset->roas, 0);
  ASSERT_NE(Find(r.campaigns, "(none)", "(not set)"), nullptr);
}

TEST(ComputeRoi, TheModelDecidesTheCredit) {
  Example ex;
  ex.settings.model = "first_touch";
  const RoiReport r = ex.Run();
  EXPECT_DOUBLE_EQ(Find(r.channels, "Paid Search")->revenue, 100);
  EXPECT_DOUBLE_EQ(Find(r.channels, "Email")->revenue, 50);
  EXPECT_DOUBLE_EQ(*Find(r.channels, "Email")->roas, 5);
}

TEST(ComputeRoi, MarginalRoasFollowsTheResponseCurve) {
  // 28 days; spend 10, 20, 40, 80 in turn; revenue = 30 × √spend on the day: elasticity ½.
  std::vector<ConversionPath> by_channel, by_campaign;
  std::vector<RoiConversion> conversions;
  std::vector<SpendRow> spend;
  double total_spend = 0, total_revenue = 0;
  for (int d = 0; d < 28; ++d) {
    const double s = 10.0 * (1 << (d % 4)), revenue = 30 * std::sqrt(s);
    by_channel.push_back(MakePath({{"A", d - 0.5}}, revenue, d));
    by_campaign.push_back(MakePath({{CampaignLabel("A", "x"), d - 0.5}}, revenue, d));
    conversions.push_back({.day = d});
    spend.push_back({d, "A", "x", s});
    total_spend += s;
    total_revenue += revenue;
  }
  RoiSettings settings;
  settings.to_day = 27;
  auto r = ComputeRoi(Prepare(by_channel), Prepare(by_campaign), conversions, spend, settings);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const RoiLine& a = r->channels[0];
  ASSERT_TRUE(a.elasticity);
  EXPECT_NEAR(*a.elasticity, 0.5, 1e-9);
  EXPECT_EQ(a.response_days, 28u);
  EXPECT_NEAR(*a.marginal_roas, 0.5 * total_revenue / total_spend, 1e-9);
  EXPECT_NEAR(*r->campaigns[0].elasticity, 0.5, 1e-9);
  // Constant spend says nothing about more of it: the average.
  for (SpendRow& row : spend) row.cost = 10;
  r = ComputeRoi(Prepare(by_channel), Prepare(by_campaign), conversions, spend, settings);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->channels[0].elasticity);
  EXPECT_DOUBLE_EQ(*r->channels[0].marginal_roas, *r->channels[0].roas);
}

TEST(ComputeRoi, DegenerateInputsGiveNoNaN) {
  Example ex;
  for (SpendRow& row : ex.spend) row.cost = 0;  // zero spend
  for (RoiConversion& c : ex.conversions) c.first = false;
  RoiReport r = ex.Run();
  for (const auto* lines : {&r.channels, &r.campaigns}) {
    for (const RoiLine& l : *lines) {
      EXPECT_FALSE(l.cac || l.roas || l.ltv_cac || l.payback_months || l.marginal_roas)
          << l.channel << " " << l.campaign;
    }
  }
  EXPECT_TRUE(r.channel_ranking.empty());
  EXPECT_FALSE(r.total.cac);
  // Orders without revenue: ROAS 0, LTV:CAC 0, and no payback (it would never come).
  Example free;
  free.by_channel = Prepare({MakePath({{"Paid Search", -1}}, 0, 0)});
  free.by_campaign = Prepare({MakePath({{CampaignLabel("Paid Search", "brand"), -1}}, 0, 0)});
  free.conversions = {{.day = 0, .first = true, .months = 1}};
  r = free.Run();
  const RoiLine* search = Find(r.channels, "Paid Search");
  ASSERT_NE(search, nullptr);
  EXPECT_DOUBLE_EQ(*search->roas, 0);
  EXPECT_DOUBLE_EQ(*search->cac, 100);
  EXPECT_DOUBLE_EQ(*search->ltv_cac, 0);
  EXPECT_FALSE(search->payback_months);
  // No conversions at all, one channel with spend: ROAS 0, not NaN.
  Example none;
  none.by_channel = Prepare({});
  none.by_campaign = Prepare({});
  none.conversions.clear();
  r = none.Run();
  ASSERT_EQ(r.channels.size(), 3u);
  EXPECT_DOUBLE_EQ(*r.channels[0].roas, 0);
  EXPECT_FALSE(r.channels[0].cac);
}

TEST(ComputeRoi, RejectsBadSettingsAndInputs) {
  Example ex;
  ex.settings.margin = 0;
  EXPECT_FALSE(
      ComputeRoi(ex.by_channel, ex.by_campaign, ex.conversions, ex.spend, ex.settings).ok());
  ex.settings.margin = 1;
  ex.settings.to_day = -1;
  EXPECT_FALSE(
      ComputeRoi(ex.by_channel, ex.by_campaign, ex.conversions, ex.spend, ex.settings).ok());
  ex.settings.to_day = 1;
  ex.conversions.pop_back();
  EXPECT_FALSE(
      ComputeRoi(ex.by_channel, ex.by_campaign, ex.conversions, ex.spend, ex.settings).ok());
  Example neg;
  neg.spend[0].cost = -1;
  EXPECT_FALSE(
      ComputeRoi(neg.by_channel, neg.by_campaign, neg.conversions, neg.spend, neg.settings).ok());
}

TEST(CampaignLabel, RoundTrips) {
  EXPECT_EQ(SplitCampaignLabel(CampaignLabel("Email", "spring sale")),
            std::make_pair(std::string("Email"), std::string("spring sale")));
  EXPECT_EQ(SplitCampaignLabel("(none)"),
            std::make_pair(std::string("(none)"), std::string("(not set)")));
}

}  // namespace
}  // namespace rapport::insight
