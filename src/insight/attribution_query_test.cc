// The attribution kind over a small warehouse, credits worked out by hand:
//   c1: Paid Search (google/cpc) Sep 1, Email (newsletter/email) Sep 3, orders Sep 4 for 100
//   c2: Email, through the utm_ parameters of a page URL, Sep 2; orders Sep 5 for 50
//   c3: Paid Search Sep 2, never orders (a journey without conversion)
//   c4: orders Sep 6 for 10 with no touchpoint: "(none)"
//   c5: Paid Search on Jul 1, orders Sep 7 for 20: outside the 30-day lookback, so "(none)" too
#include "insight/attribution_query.h"

#include <gtest/gtest.h>

#include "insight/run.h"
#include "warehouse/query/test_util.h"

namespace rapport::insight {
namespace {

using warehouse::Row;
using warehouse::Value;
using warehouse::testing::Ev;
using warehouse::testing::T;

Row Touch(uint64_t p, const char* at, const char* source, const char* medium) {
  return Ev(p, T(at), "Page Viewed",
            {{"context.campaign.medium", Value::String(medium)},
             {"context.campaign.source", Value::String(source)}});
}

Row Order(uint64_t p, const char* at, double revenue) {
  return Ev(p, T(at), "Order Completed", {{"properties.revenue", Value::Number(revenue)}});
}

std::unique_ptr<warehouse::Snapshot> Workspace() {
  std::vector<Row> rows = {
      Touch(1, "2026-09-01T10:00:00Z", "google", "cpc"),
      Touch(1, "2026-09-03T10:00:00Z", "newsletter", "email"),
      Order(1, "2026-09-04T10:00:00Z", 100),
      Ev(2, T("2026-09-02T10:00:00Z"), "Page Viewed",
         {{"context.page.url",
           Value::String("https://shop.example/?utm_source=newsletter&utm_medium=email")}}),
      Order(2, "2026-09-05T10:00:00Z", 50),
      Touch(3, "2026-09-02T10:00:00Z", "google", "cpc"),
      Ev(3, T("2026-09-03T10:00:00Z"), "Page Viewed"),  // no campaign: not a touchpoint
      Order(4, "2026-09-06T10:00:00Z", 10),
      Touch(5, "2026-07-01T10:00:00Z", "google", "cpc"),
      Order(5, "2026-09-07T10:00:00Z", 20),
  };
  return warehouse::testing::MakePartsSnapshot(
      warehouse::testing::DealIntoParts(warehouse::testing::Seq(std::move(rows)), 2, 5), {}, 3);
}

const std::string kSpec = R"({"from":"2026-09-01T00:00:00Z","to":"2026-10-01T00:00:00Z"})";

TEST(AttributionQuery, EveryModelByHand) {
  auto snapshot = Workspace();
  auto out = RunInsight(*snapshot, "attribution", kSpec, {});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  simdjson::dom::parser parser;
  simdjson::dom::element j = parser.parse(out->json);
  EXPECT_EQ(double(j["conversions"]), 4);
  EXPECT_EQ(double(j["value"]), 180);
  EXPECT_EQ(double(j["no_touch_conversions"]), 2);  // c4, c5
  EXPECT_EQ(double(j["journeys"]), 1);              // c3
  auto credit = [&](std::string_view channel, const char* what, const char* model) {
    for (auto c : simdjson::dom::array(j["channels"])) {
      if (std::string_view(c["channel"]) == channel) return double(c[what][model]);
    }
    ADD_FAILURE() << "no channel " << channel << "\n" << out->json;
    return -1.0;
  };
  // First touch: c1 → Paid Search, c2 → Email; last touch: both Email.
  EXPECT_EQ(credit("Paid Search", "conversions", "first_touch"), 1);
  EXPECT_EQ(credit("Email", "conversions", "first_touch"), 1);
  EXPECT_EQ(credit("Email", "conversions", "last_touch"), 2);
  EXPECT_EQ(credit("Paid Search", "conversions", "last_touch"), 0);
  EXPECT_EQ(credit("(none)", "conversions", "last_touch"), 2);
  // Linear: c1 splits 50/50 → Paid Search 0.5 (value 50), Email 1.5 (value 50 + 50).
  EXPECT_DOUBLE_EQ(credit("Paid Search", "conversions", "linear"), 0.5);
  EXPECT_DOUBLE_EQ(credit("Email", "value", "linear"), 100);
  EXPECT_DOUBLE_EQ(credit("(none)", "value", "linear"), 30);
  // Shapley (v(S) = conversions of paths whose channels ⊆ S): c1's path {Paid Search, Email}
  // is split equally, as linear does here.
  EXPECT_DOUBLE_EQ(credit("Paid Search", "conversions", "shapley"), 0.5);
  // Every model credits every conversion.
  for (const char* model : {"first_touch", "last_touch", "linear", "time_decay", "position_based",
                            "markov_1", "shapley"}) {
    double sum = 0;
    for (auto c : simdjson::dom::array(j["channels"])) sum += double(c["conversions"][model]);
    EXPECT_NEAR(sum, 4, 1e-9) << model;
  }
  EXPECT_NE(out->table.Render().find("Paid Search"), std::string::npos);
}

TEST(AttributionQuery, SettingsAndErrors) {
  auto snapshot = Workspace();
  // A 90-day lookback reaches c5's July click: Paid Search gets c5 under last touch.
  auto longer = RunInsight(
      *snapshot, "attribution",
      R"({"from":"2026-09-01T00:00:00Z","to":"2026-10-01T00:00:00Z","lookback_days":90})", {});
  ASSERT_TRUE(longer.ok());
  simdjson::dom::parser parser;
  simdjson::dom::element j = parser.parse(longer->json);
  EXPECT_EQ(double(j["no_touch_conversions"]), 1);
  auto error = [&](const std::string& body) {
    auto out = RunInsight(*snapshot, "attribution", body, {});
    return out.ok() ? std::string("accepted") : out.status().message();
  };
  EXPECT_EQ(
      error(R"({"from":"2026-09-01T00:00:00Z","to":"2026-10-01T00:00:00Z","lookback_days":0})"),
      "\"lookback_days\" must be a whole number from 1 to 365, got 0");
  EXPECT_NE(error(R"({"from":"2026-09-01T00:00:00Z","to":"2026-10-01T00:00:00Z",)"
                  R"("channels":{"rules":[{"channel":"X","when":{"medium":{"like":"a"}}}]}})")
                .find("unknown operator \"like\""),
            std::string::npos);
  EXPECT_EQ(error("{}"), "\"from\" is required (an ISO-8601 time)");
}

}  // namespace
}  // namespace rapport::insight
