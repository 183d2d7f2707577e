// The engagement, NPS, CSAT and k-factor kinds over a small warehouse whose answers are worked
// out by hand in the comments.
#include "insight/experience_query.h"

#include <gtest/gtest.h>

#include "insight/run.h"
#include "warehouse/query/test_util.h"

namespace rapport::insight {
namespace {

using warehouse::Row;
using warehouse::Value;
using warehouse::testing::Ev;
using warehouse::testing::kHour;
using warehouse::testing::T;

constexpr int64_t kDay = 24 * kHour;

// Profiles 1-4 in September 2026. Profile 5 merged into 4.
std::unique_ptr<warehouse::Snapshot> Workspace() {
  const int64_t sep1 = T("2026-09-01T00:00:00Z");
  auto survey = [&](uint64_t p, int64_t at, double nps, double csat) {
    return Ev(p, at, "Survey Responded",
              {{"properties.csat", Value::Number(csat)}, {"properties.score", Value::Number(nps)}});
  };
  std::vector<Row> rows = {
      // NPS answers 10, 9 (promoters), 7 (passive), 3 (detractor), 12 (invalid):
      // 100 × (2 − 1) / 4 = 25. CSAT answers 5, 4, 2, 1, 3 on a 1-5 scale: 2 of 5 satisfied = 40.
      survey(1, sep1 + 1 * kDay, 10, 5),
      survey(2, sep1 + 2 * kDay, 9, 4),
      survey(3, sep1 + 3 * kDay, 7, 2),
      survey(4, sep1 + 20 * kDay, 3, 1),
      survey(5, sep1 + 21 * kDay, 12, 3),
      // Invites: 1 sends 3, 2 sends 1; sign-ups: 2 with a referrer, 1 without.
      Ev(1, sep1 + 4 * kDay, "Invite Sent"),
      Ev(1, sep1 + 5 * kDay, "Invite Sent"),
      Ev(1, sep1 + 6 * kDay, "Invite Sent"),
      Ev(2, sep1 + 7 * kDay, "Invite Sent"),
      Ev(6, sep1 + 8 * kDay, "Signed Up", {{"properties.referrer", Value::String("p1")}}),
      Ev(7, sep1 + 9 * kDay, "Signed Up", {{"properties.referrer", Value::String("p2")}}),
      Ev(8, sep1 + 9 * kDay, "Signed Up"),
      // Engagement (to = Oct 1, half-life 10 days): profile 1 orders on Sep 21 (10 days before:
      // 10 × 0.5 = 5) and views a page on Oct 1 − 20 days (1 × 0.25); profile 5 (= 4) orders on
      // Sep 11 (20 days: 10 × 0.25 = 2.5).
      Ev(1, T("2026-09-21T00:00:00Z"), "Order Completed"),
      Ev(1, T("2026-09-11T00:00:00Z"), "Page Viewed"),
      Ev(5, T("2026-09-11T00:00:00Z"), "Order Completed"),
  };
  const warehouse::ProfileMap profiles({{5, 4}}, 8);
  return warehouse::testing::MakePartsSnapshot(
      warehouse::testing::DealIntoParts(warehouse::testing::Seq(std::move(rows)), 2, 1), profiles,
      4);
}

const std::string kRange = R"("from":"2026-09-01T00:00:00Z","to":"2026-10-01T00:00:00Z")";

simdjson::dom::element Answer(const std::string& kind, const std::string& body,
                              simdjson::dom::parser& parser, std::string* table = nullptr) {
  auto snapshot = Workspace();
  auto out = RunInsight(*snapshot, kind, body, {});
  EXPECT_TRUE(out.ok()) << out.status().ToString();
  if (!out.ok()) return parser.parse(std::string("{}"));
  if (table) *table = out->table.Render();
  return parser.parse(out->json);
}

TEST(ExperienceQuery, Nps) {
  simdjson::dom::parser parser;
  std::string table;
  auto j = Answer("nps", "{" + kRange + R"(,"interval":"month"})", parser, &table);
  EXPECT_EQ(double(j["answers"]), 4);
  EXPECT_EQ(double(j["promoters"]), 2);
  EXPECT_EQ(double(j["passives"]), 1);
  EXPECT_EQ(double(j["detractors"]), 1);
  EXPECT_EQ(double(j["invalid"]), 1);
  EXPECT_EQ(double(j["nps"]), 25);
  EXPECT_EQ(simdjson::dom::array(j["points"]).size(), 1u);
  EXPECT_EQ(double(j["points"].at(0)["nps"]), 25);
  EXPECT_NE(table.find("(all)"), std::string::npos) << table;
}

TEST(ExperienceQuery, Csat) {
  simdjson::dom::parser parser;
  auto j = Answer("csat", "{" + kRange + "}", parser);
  EXPECT_EQ(double(j["answers"]), 5);
  EXPECT_EQ(double(j["satisfied"]), 2);
  EXPECT_EQ(double(j["csat"]), 40);
  auto strict = Answer("csat", "{" + kRange + R"(,"satisfied_from":5})", parser);
  EXPECT_EQ(double(strict["csat"]), 20);
}

TEST(ExperienceQuery, KFactor) {
  // Active customers in September: 1, 2, 3, 4 (with 5), 6, 7, 8 = 7. Invites 4, referred
  // sign-ups 2: i = 4/7, c = 0.5, k = 2/7.
  simdjson::dom::parser parser;
  auto j = Answer("kfactor", "{" + kRange + "}", parser);
  EXPECT_EQ(double(j["customers"]), 7);
  EXPECT_EQ(double(j["invites"]), 4);
  EXPECT_EQ(double(j["invited_signups"]), 2);
  EXPECT_NEAR(double(j["k"]), 2.0 / 7, 1e-9);
}

TEST(ExperienceQuery, Engagement) {
  simdjson::dom::parser parser;
  auto j = Answer(
      "engagement",
      "{" + kRange + R"(,"half_life_days":10,"weights":{"Order Completed":10,"Page Viewed":1}})",
      parser);
  EXPECT_EQ(double(j["customers"]), 2);  // 1 and 4 (5 merged into it)
  EXPECT_EQ(std::string_view(j["top"].at(0)["profile"]), "p1");
  EXPECT_NEAR(double(j["top"].at(0)["score"]), 5.25, 1e-9);
  EXPECT_EQ(std::string_view(j["top"].at(1)["profile"]), "p4");
  EXPECT_NEAR(double(j["top"].at(1)["score"]), 2.5, 1e-9);
  auto snapshot = Workspace();
  auto scores =
      ScoresFor(*snapshot, "engagement",
                "{" + kRange + R"(,"half_life_days":10,"weights":{"Page Viewed":1}})", {});
  ASSERT_TRUE(scores.ok());
  ASSERT_EQ(scores->profiles.size(), 1u);
  EXPECT_EQ(scores->profiles[0].second, "{\"engagement_score\":0.25}");
}

TEST(ExperienceQuery, ClearErrors) {
  auto snapshot = Workspace();
  auto error = [&](const std::string& kind, const std::string& body) {
    auto out = RunInsight(*snapshot, kind, body, {});
    return out.ok() ? std::string("accepted") : out.status().message();
  };
  EXPECT_EQ(error("engagement", "{" + kRange + "}"),
            "\"weights\" is required: an object of 1 to 200 event names and their weights, such "
            "as {\"Order Completed\": 10, \"Page Viewed\": 1}");
  EXPECT_EQ(error("engagement", "{" + kRange + R"(,"weights":{"a":"x"}})"),
            "\"weights.a\" must be a number");
  EXPECT_EQ(error("nps", "{}"), "\"from\" is required (an ISO-8601 time)");
  EXPECT_EQ(error("csat", "{" + kRange + R"(,"scale":1})"),
            "\"scale\" must be a whole number from 2 to 100, got 1");
  EXPECT_EQ(error("nps", "{" + kRange + R"(,"score":""})"),
            "\"score\" must be a property path such as \"properties.score\"");
  auto none = ScoresFor(*snapshot, "nps", "{" + kRange + "}", {});
  EXPECT_EQ(none.status().code(), StatusCode::kNotFound);
  // No answers at all: zeros, not NaN.
  simdjson::dom::parser parser;
  auto empty =
      Answer("nps", R"({"from":"2020-01-01T00:00:00Z","to":"2020-02-01T00:00:00Z"})", parser);
  EXPECT_EQ(double(empty["answers"]), 0);
  EXPECT_EQ(double(empty["nps"]), 0);
}

}  // namespace
}  // namespace rapport::insight
