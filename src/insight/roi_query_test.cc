// The roi kind over a small warehouse, figures worked out by hand (linear model):
//   c1: Paid Search (google/cpc, "brand") Sep 1, Email (newsletter/email, "sept") Sep 3;
//       first order ever Sep 4 for 100 — a new customer, half to each channel
//   c2: ordered before (Aug 1, 40); Paid Search "brand" Sep 2; orders Sep 5 for 50 — no new one
//   c3: Paid Search Sep 2, never orders
//   c4: first order Sep 6 for 10, no touchpoint: "(none)"
// Spend: Paid Search "brand" 60 + 40, Email (no campaign) 20, Display 30, and 999 in October
// (outside the range).
#include "insight/roi_query.h"

#include <gtest/gtest.h>

#include "insight/run.h"
#include "warehouse/query/test_util.h"

namespace rapport::insight {
namespace {

using warehouse::Row;
using warehouse::Value;
using warehouse::testing::Ev;
using warehouse::testing::T;

Row Touch(uint64_t p, const char* at, const char* source, const char* medium,
          const char* campaign) {
  return Ev(p, T(at), "Page Viewed",
            {{"context.campaign.medium", Value::String(medium)},
             {"context.campaign.name", Value::String(campaign)},
             {"context.campaign.source", Value::String(source)}});
}

Row Order(uint64_t p, const char* at, double revenue) {
  return Ev(p, T(at), "Order Completed", {{"properties.revenue", Value::Number(revenue)}});
}

std::unique_ptr<warehouse::Snapshot> Workspace() {
  std::vector<Row> rows = {
      Touch(1, "2026-09-01T10:00:00Z", "google", "cpc", "brand"),
      Touch(1, "2026-09-03T10:00:00Z", "newsletter", "email", "sept"),
      Order(1, "2026-09-04T10:00:00Z", 100),
      Order(2, "2026-08-01T10:00:00Z", 40),
      Touch(2, "2026-09-02T10:00:00Z", "google", "cpc", "brand"),
      Order(2, "2026-09-05T10:00:00Z", 50),
      Touch(3, "2026-09-02T10:00:00Z", "google", "cpc", "brand"),
      Order(4, "2026-09-06T10:00:00Z", 10),
  };
  return warehouse::testing::MakePartsSnapshot(
      warehouse::testing::DealIntoParts(warehouse::testing::Seq(std::move(rows)), 2, 5), {}, 3);
}

constexpr int64_t kSep1 = 20697;  // 2026-09-01 in days since 1970-01-01

SpendReader Spend() {
  return [](int64_t from, int64_t to) -> Result<std::vector<SpendRow>> {
    EXPECT_EQ(from, kSep1);
    EXPECT_EQ(to, kSep1 + 29);
    return std::vector<SpendRow>{{kSep1, "Paid Search", "brand", 60},
                                 {kSep1 + 1, "Paid Search", "brand", 40},
                                 {kSep1 + 2, "Email", "", 20},
                                 {kSep1, "Display", "", 30},
                                 {kSep1 + 34, "Paid Search", "brand", 999}};
  };
}

const std::string kSpec = R"({"from":"2026-09-01T00:00:00Z","to":"2026-10-01T00:00:00Z")";

simdjson::dom::element Line(simdjson::dom::element lines, std::string_view channel,
                            std::string_view campaign = "") {
  for (simdjson::dom::element l : lines.get_array()) {
    std::string_view c, k;
    if (l["channel"].get(c) == simdjson::SUCCESS && c == channel &&
        (campaign.empty() || (l["campaign"].get(k) == simdjson::SUCCESS && k == campaign))) {
      return l;
    }
  }
  ADD_FAILURE() << "no line " << channel << " " << campaign;
  return lines;
}

TEST(RoiQuery, WorkedByHand) {
  auto snapshot = Workspace();
  auto out = RunInsight(*snapshot, "roi", kSpec + "}", {}, {.spend = Spend()});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  simdjson::dom::parser parser;
  simdjson::dom::element j = parser.parse(out->json);
  EXPECT_EQ(std::string_view(j["model"]), "linear");
  EXPECT_EQ(int64_t(j["spend_rows"]), 5);
  // Three customers' purchases cannot support the spend model: LTV is revenue to date.
  EXPECT_EQ(std::string_view(j["ltv_basis"]).substr(0, 16), "revenue to date ");
  simdjson::dom::element search = Line(j["channels"], "Paid Search");
  EXPECT_DOUBLE_EQ(double(search["spend"]), 100);
  EXPECT_DOUBLE_EQ(double(search["conversions"]), 1.5);
  EXPECT_DOUBLE_EQ(double(search["revenue"]), 100);
  EXPECT_DOUBLE_EQ(double(search["new_customers"]), 0.5);
  EXPECT_DOUBLE_EQ(double(search["cac"]), 200);
  EXPECT_DOUBLE_EQ(double(search["roas"]), 1);
  EXPECT_DOUBLE_EQ(double(search["ltv_cac"]), 0.5);       // half of c1's 100
  EXPECT_DOUBLE_EQ(double(search["payback_months"]), 2);  // c1: 100 in its first month
  EXPECT_EQ(std::string_view(search["basis"]), "average");
  simdjson::dom::element email = Line(j["channels"], "Email");
  EXPECT_DOUBLE_EQ(double(email["cac"]), 40);
  EXPECT_DOUBLE_EQ(double(email["roas"]), 2.5);
  EXPECT_DOUBLE_EQ(double(Line(j["channels"], "Display")["roas"]), 0);
  simdjson::dom::element none = Line(j["channels"], "(none)");
  EXPECT_DOUBLE_EQ(double(none["new_customers"]), 1);
  EXPECT_TRUE(none["cac"].is_null());
  EXPECT_DOUBLE_EQ(double(j["total"]["spend"]), 150);
  EXPECT_DOUBLE_EQ(double(j["total"]["revenue"]), 160);
  EXPECT_DOUBLE_EQ(double(j["total"]["cac"]), 75);
  // Campaigns: the brand campaign, and Email's spend without a campaign.
  EXPECT_DOUBLE_EQ(double(Line(j["campaigns"], "Paid Search", "brand")["roas"]), 1);
  EXPECT_TRUE(Line(j["campaigns"], "Email", "sept")["roas"].is_null());
  EXPECT_DOUBLE_EQ(double(Line(j["campaigns"], "Email", "(not set)")["spend"]), 20);
  // Next budget: Email 2.5, Paid Search 1, Display 0.
  simdjson::dom::array next = j["next_budget"]["channels"];
  ASSERT_EQ(next.size(), 3u);
  EXPECT_EQ(std::string_view(next.at(0)["channel"]), "Email");
  EXPECT_EQ(std::string_view(next.at(2)["channel"]), "Display");
  // The table: each channel, then its campaigns, then the total.
  EXPECT_EQ(out->table.columns[6], "cac");
  EXPECT_EQ(out->table.rows.front()[0], "Paid Search");
  EXPECT_EQ(out->table.rows.front()[1], "(all)");
  EXPECT_EQ(out->table.rows.back()[0], "total");
}

TEST(RoiQuery, OtherModelsAndNoSpend) {
  auto snapshot = Workspace();
  auto first =
      RunInsight(*snapshot, "roi", kSpec + R"(,"model":"first_touch"})", {}, {.spend = Spend()});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  simdjson::dom::parser parser;
  simdjson::dom::element j = parser.parse(first->json);
  EXPECT_DOUBLE_EQ(double(Line(j["channels"], "Paid Search")["revenue"]), 150);
  auto markov = RunInsight(*snapshot, "roi", kSpec + R"(,"model":"markov"})", {});
  ASSERT_TRUE(markov.ok()) << markov.status().ToString();
  j = parser.parse(markov->json);
  EXPECT_EQ(std::string_view(j["model"]), "markov_1");
  EXPECT_EQ(int64_t(j["spend_rows"]), 0);
  EXPECT_NE(std::string_view(j["note"]).find("rapport spend import"), std::string_view::npos);
  for (simdjson::dom::element l : j["channels"].get_array()) {
    EXPECT_TRUE(l["roas"].is_null());
    EXPECT_TRUE(l["cac"].is_null());
  }
  EXPECT_TRUE(j["next_budget"]["channels"].get_array().value().size() == 0);
}

TEST(RoiQuery, ClearErrors) {
  auto snapshot = Workspace();
  auto error = [&](const std::string& extra) {
    auto out = RunInsight(*snapshot, "roi", kSpec + extra + "}", {}, {.spend = Spend()});
    return out.ok() ? std::string("accepted") : std::string(out.status().message());
  };
  EXPECT_NE(error(R"(,"model":"data_driven")").find("\"model\" must be one of"), std::string::npos);
  EXPECT_EQ(error(R"(,"margin":0)"), "\"margin\" must be a number above 0 and at most 1");
  EXPECT_EQ(error(R"(,"margin":1.5)"), "\"margin\" must be a number above 0 and at most 1");
  EXPECT_NE(error(R"(,"budget":5)").find("budget"), std::string::npos);
  auto failing = RunInsight(*snapshot, "roi", kSpec + "}", {},
                            {.spend = [](int64_t, int64_t) -> Result<std::vector<SpendRow>> {
                              return Status::IOError("control.db is locked");
                            }});
  EXPECT_EQ(failing.status().message(), "control.db is locked");
}

}  // namespace
}  // namespace rapport::insight
