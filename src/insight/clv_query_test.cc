// The "clv" query over a warehouse snapshot holding the CDNOW transactions as "Order Completed"
// events: the published estimates come out of the query, merged profiles count as one
// customer, and bad specs and degenerate data give clear errors.
#include "insight/run.h"

#include <gtest/gtest.h>

#include "insight/testing/cdnow.h"
#include "warehouse/query/test_util.h"

namespace rapport::insight {
namespace {

using warehouse::Row;
using warehouse::Value;
using warehouse::testing::Ev;

constexpr int64_t kDayUs = 86'400'000'000;

// CDNOW's transactions at noon of their day; customer 1's second purchase is stored under
// profile 100001, which the profile map merges into 1.
std::unique_ptr<warehouse::Snapshot> CdnowSnapshot(bool with_revenue = true) {
  std::vector<Row> rows;
  int seen_customer_1 = 0;
  for (const Purchase& p : testing::CdnowTransactions()) {
    const int64_t ts = p.day * kDayUs + kDayUs / 2;
    uint64_t profile = p.customer;
    if (p.customer == 1 && ++seen_customer_1 == 2) profile = 100001;
    std::vector<std::pair<std::string, Value>> props;
    if (with_revenue) props.emplace_back("properties.revenue", Value::Number(p.value));
    rows.push_back(Ev(profile, ts, "Order Completed", std::move(props)));
    rows.push_back(Ev(profile, ts + 1, "Product Viewed"));  // not a purchase
  }
  EXPECT_EQ(rows.size(), 2 * 6919u);
  const warehouse::ProfileMap profiles({{100001, 1}}, 100001);
  return warehouse::testing::MakePartsSnapshot(
      warehouse::testing::DealIntoParts(warehouse::testing::Seq(std::move(rows)), 2, 3), profiles,
      1024);
}

simdjson::dom::element Parse(simdjson::dom::parser& parser, const std::string& json) {
  return parser.parse(json);
}

const std::string kCdnowSpec = R"({"kind":"clv","calibration_end":"1997-10-01T00:00:00Z",)"
                               R"("holdout_end":"1998-07-01T00:00:00Z","top":3})";

TEST(ClvQuery, ReproducesCdnowFromWarehouseEvents) {
  auto snapshot = CdnowSnapshot();
  auto out = RunAnyQuery(*snapshot, kCdnowSpec, {});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->kind, "clv");
  simdjson::dom::parser parser;
  auto j = Parse(parser, out->json);
  EXPECT_EQ(double(j["customers"]), 2357);
  EXPECT_EQ(double(j["repeat_buyers"]), 946);
  EXPECT_NEAR(double(j["bgnbd"]["r"]), 0.243, 0.0005);
  EXPECT_NEAR(double(j["bgnbd"]["alpha"]), 4.414, 0.0005);
  EXPECT_NEAR(double(j["bgnbd"]["a"]), 0.793, 0.0005);
  EXPECT_NEAR(double(j["bgnbd"]["b"]), 2.426, 0.0005);
  EXPECT_NEAR(double(j["bgnbd"]["log_likelihood"]), -9582.4, 0.05);
  EXPECT_NEAR(double(j["gamma_gamma"]["p"]), 6.25, 0.005);
  EXPECT_NEAR(double(j["gamma_gamma"]["q"]), 3.74, 0.005);
  EXPECT_NEAR(double(j["gamma_gamma"]["gamma"]), 15.44, 0.01);
  EXPECT_EQ(double(j["holdout"]["units"]), 39);
  EXPECT_EQ(double(j["holdout"]["actual"]), 1882);
  EXPECT_NEAR(double(j["holdout"]["predicted"]), 1653.4, 0.5);
  EXPECT_EQ(simdjson::dom::array(j["top"]).size(), 3u);
  EXPECT_GT(double(j["clv"]["mean"]), 0);
  // Histograms: contiguous round bins that hold every customer; CLV's last bin is open.
  for (const char* what : {"clv", "p_alive"}) {
    simdjson::dom::array bins = j[what]["histogram"];
    ASSERT_GE(bins.size(), 2u) << what;
    double customers = 0, edge = 0;
    for (simdjson::dom::element b : bins) {
      EXPECT_DOUBLE_EQ(double(b["from"]), edge) << what;
      if (!b["to"].is_null()) edge = double(b["to"]);
      customers += double(b["customers"]);
    }
    EXPECT_EQ(customers, double(j["customers"])) << what;
  }
  EXPECT_TRUE(simdjson::dom::array(j["clv"]["histogram"])
                  .at(simdjson::dom::array(j["clv"]["histogram"]).size() - 1)["to"]
                  .is_null());
  EXPECT_DOUBLE_EQ(double(simdjson::dom::array(j["p_alive"]["histogram"]).at(9)["to"]), 1);
  // The most valuable customer first, with an external profile id.
  std::string_view first = j["top"].at(0)["profile"];
  EXPECT_EQ(first.substr(0, 1), "p");
  EXPECT_GE(double(j["top"].at(0)["clv"]), double(j["top"].at(1)["clv"]));
  // The table `rapport query` prints.
  const std::string table = out->table.Render();
  EXPECT_NE(table.find("BG/NBD r"), std::string::npos) << table;
  EXPECT_NE(table.find("holdout purchases actual"), std::string::npos) << table;
}

TEST(ClvQuery, WithoutRevenueThePurchaseModelStillAnswers) {
  auto snapshot = CdnowSnapshot(/*with_revenue=*/false);
  auto out =
      RunAnyQuery(*snapshot, R"({"kind":"clv","calibration_end":"1997-10-01T00:00:00Z"})", {});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  simdjson::dom::parser parser;
  auto j = Parse(parser, out->json);
  EXPECT_NEAR(double(j["bgnbd"]["r"]), 0.243, 0.0005);
  EXPECT_TRUE(j["gamma_gamma"].is_null());
  EXPECT_TRUE(j["clv"].is_null());
  EXPECT_TRUE(j["holdout"].is_null());
  std::string_view why = j["spend_model_error"];
  EXPECT_NE(why.find("at least two customers with a repeat purchase of a positive value"),
            std::string_view::npos);
  EXPECT_EQ(double(j["purchases_without_revenue"]), double(j["purchases"]));
}

TEST(ClvQuery, ClearErrors) {
  auto snapshot = CdnowSnapshot();
  auto error = [&](const std::string& spec) {
    auto out = RunAnyQuery(*snapshot, spec, {});
    return out.ok() ? std::string("accepted") : out.status().message();
  };
  EXPECT_EQ(error(R"({"kind":"clv","calibration_end":"1990-01-01T00:00:00Z"})"),
            "no purchases before \"calibration_end\" match \"purchase\"");
  EXPECT_EQ(error(R"({"kind":"clv","calibration_end":"1997-10-01T00:00:00Z",)"
                  R"("holdout_end":"1997-01-01T00:00:00Z"})"),
            "\"holdout_end\" must be after \"calibration_end\"");
  EXPECT_EQ(error(R"({"kind":"clv","unit":"month"})"), "\"unit\" must be \"week\" or \"day\"");
  EXPECT_EQ(error(R"({"kind":"clv","monthly_discount":-1})"),
            "\"monthly_discount\" must be a number from 0 to 1");
  EXPECT_EQ(error(R"({"kind":"clv","horizon_months":0})"),
            "\"horizon_months\" must be a whole number from 1 to 120, got 0");
  EXPECT_NE(error(R"({"kind":"clv","colour":"red"})").find("unknown field \"colour\""),
            std::string::npos);
  // Only customers who bought once (before Jan 2): no repeat buyers.
  EXPECT_NE(error(R"({"kind":"clv","calibration_end":"1997-01-02T00:00:00Z"})")
                .find("no customer made a repeat purchase"),
            std::string::npos);
  EXPECT_EQ(error(R"({"kind":"cohorts"})"),
            "\"kind\" must be one of \"trends\", \"funnel\", \"retention\", \"paths\", "
            "\"events\", \"properties\", \"values\", \"clv\", \"rfm\", \"attribution\", "
            "\"roi\", \"engagement\", \"nps\", "
            "\"csat\", \"kfactor\"; got \"cohorts\"");
  // The warehouse's kinds still answer.
  EXPECT_EQ(error(R"({"kind":"events","from":"1997-01-01T00:00:00Z","to":"1998-01-01T00:00:00Z"})"),
            "accepted");
}

TEST(ClvQuery, AsAnInsight) {
  auto snapshot = CdnowSnapshot();
  auto out = RunInsight(*snapshot, "clv", R"({"calibration_end":"1997-10-01T00:00:00Z"})", {});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->kind, "clv");
  auto mismatch = RunInsight(*snapshot, "clv", R"({"kind":"funnel"})", {});
  EXPECT_EQ(mismatch.status().message(), "\"kind\" is \"funnel\" but the path says \"clv\"");
  auto unknown = RunInsight(*snapshot, "ltv", "", {});
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(unknown.status().message(),
            "there is no insight \"ltv\"; the insights are: \"clv\", \"rfm\", \"attribution\", "
            "\"roi\", \"engagement\", "
            "\"nps\", \"csat\", \"kfactor\"");
  EXPECT_EQ(RunInsight(*snapshot, "clv", "[1]", {}).status().message(),
            "the spec must be a JSON object");
}

TEST(RfmQuery, SegmentsOfCdnow) {
  auto snapshot = CdnowSnapshot();
  auto out = RunInsight(*snapshot, "rfm", R"({"as_of":"1998-07-01T00:00:00Z"})", {});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  simdjson::dom::parser parser;
  auto j = Parse(parser, out->json);
  EXPECT_EQ(double(j["customers"]), 2357);  // customer 1's two profiles count once
  double in_segments = 0, in_grid = 0;
  for (auto s : simdjson::dom::array(j["segments"])) in_segments += double(s["customers"]);
  for (auto row : simdjson::dom::array(j["grid"])) {
    for (auto cell : simdjson::dom::array(row)) in_grid += double(cell);
  }
  EXPECT_EQ(in_segments, 2357);
  EXPECT_EQ(in_grid, 2357);
  // Champions bought recently and often; the hibernating long ago and rarely.
  auto segment = [&](std::string_view name) {
    for (auto s : simdjson::dom::array(j["segments"])) {
      if (std::string_view(s["segment"]) == name) return s;
    }
    ADD_FAILURE() << name;
    return j;
  };
  EXPECT_LT(double(segment("champions")["recency_days"]),
            double(segment("hibernating")["recency_days"]));
  EXPECT_GT(double(segment("champions")["frequency"]), double(segment("hibernating")["frequency"]));
  EXPECT_NE(out->table.Render().find("champions"), std::string::npos);
  // Scores for profiles: one per customer, with the segment's name.
  auto scores = ScoresFor(*snapshot, "rfm", R"({"as_of":"1998-07-01T00:00:00Z"})", {});
  ASSERT_TRUE(scores.ok());
  EXPECT_EQ(scores->profiles.size(), 2357u);
  EXPECT_EQ(scores->traits, (std::vector<std::string>{"rfm_recency", "rfm_frequency",
                                                      "rfm_monetary", "rfm_segment"}));
  EXPECT_NE(scores->profiles[0].second.find("\"rfm_segment\":\""), std::string::npos);
  EXPECT_EQ(
      RunInsight(*snapshot, "rfm", R"({"as_of":"1990-01-01T00:00:00Z"})", {}).status().message(),
      "no purchases before \"as_of\" match \"purchase\"");
}

}  // namespace
}  // namespace rapport::insight
