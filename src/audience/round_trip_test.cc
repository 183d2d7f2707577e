// The contracts that tie the three forms together, over a corpus of realistic audiences and over
// randomly generated trees:
//   ParseAudience(FormatAudience(n)) == n, FormatAudience idempotent,
//   AudienceFromJson(AudienceToJson(n)) == n, AudienceToJson idempotent,
//   ParseAudience(FormatAudience(AudienceFromJson(j))) == AudienceFromJson(j).
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "audience/json_form.h"
#include "audience/parser.h"
#include "audience/printer.h"
#include "audience/test_trees.h"

namespace rapport {
namespace {

// Realistic audiences, in canonical form (the multi-line ones are not and say so).
const std::vector<std::string>& Corpus() {
  static const std::vector<std::string> kCorpus = {
      // The example.
      "traits.plan = \"pro\" and performed \"Order Completed\" where revenue > 50 at least 2 times "
      "within 30 days and not performed \"Ticket Opened\" within 7 days",
      // Trials about to expire.
      "traits.plan = \"trial\" and computed.trial_days_left <= 3 and not performed \"Subscription "
      "Started\"",
      // High-value customers.
      "computed.lifetime_revenue >= 1000 and performed \"Order Completed\" within 90 days",
      // Cart and checkout abandoners.
      "performed \"Product Added\" within 2 days and not performed \"Order Completed\" within 2 "
      "days",
      "performed \"Checkout Started\" within 24 hours and not performed \"Order Completed\" within "
      "24 "
      "hours",
      // Churn risk and lapsed buyers.
      "performed \"Order Completed\" at least 3 times and not performed any event within 60 days",
      "performed \"Order Completed\" and not performed \"Order Completed\" within 180 days",
      "computed.churn_score > 0.8 and computed.ltv_predicted >= 500",
      // Consent.
      "consented to \"Email\" and traits.newsletter_opt_in = true and traits.email is set",
      "not consented to \"Email\" or traits.unsubscribed = true",
      "consented to \"Advertising\" and performed \"Product Viewed\" within 3 days and not "
      "performed "
      "\"Order Completed\" within 3 days",
      // B2B.
      "account.plan = \"enterprise\" and traits.role in [\"admin\", \"owner\"]",
      "account.seats > 50 and account.plan != \"enterprise\"",
      "account.billing.status = \"past_due\" and traits.role = \"billing_admin\"",
      "in audience \"engaged\" and (account.industry = \"retail\" or account.industry = "
      "\"ecommerce\") and not (traits.plan = \"enterprise\" or in audience \"customers\")",
      // Engagement.
      "performed \"Feature Used\" at least 20 times within 7 days",
      "performed page \"Pricing\" at least 2 times within 14 days and traits.plan = \"free\"",
      "performed screen within 30 days and not performed screen within 7 days",
      "performed page where context.campaign.source = \"newsletter\" within 7 days",
      "performed \"Order Completed\" where revenue > 200 and currency in [\"EUR\", \"GBP\"] at "
      "least 2 "
      "times within 365 days",
      "in audience \"high_value\" and not in audience \"vip\"",
      "performed \"Ticket Opened\" at least 3 times within 30 days",
      "traits.email is set and not performed \"Order Completed\"",
      "performed \"Order Completed\" exactly 1 time within 365 days",
      "performed \"Email Opened\" at most 1 time within 30 days and consented to \"Email\"",
      "traits.address.country in [\"DE\", \"AT\", \"CH\"] and traits.language = \"de\"",
      "traits.email contains \"@gmail.com\"",
      "traits.phone is not set and computed.orders_30d >= 1",
      "traits.plan = \"pro\" and computed.api_calls_30d > 90000",
      "(traits.plan = \"pro\" or traits.plan = \"business\") and not performed any event within 14 "
      "days",
      "performed \"Webinar Registered\" where webinar_id = \"w-2024-05\" and not performed "
      "\"Webinar "
      "Attended\" where webinar_id = \"w-2024-05\"",
      "performed \"Order Completed\" where category = \"cameras\" within 30 days and not performed "
      "\"Order Completed\" where category = \"lenses\" within 30 days",
      "performed \"Signed Up\" within 7 days and not performed \"Onboarding Completed\"",
      "performed \"Order Completed\" where coupon is set at least 3 times",
      "performed \"Product Added\" where price >= 20 and price < 50 within 1 day",
      "traits.plan != \"trial\" and computed.first_order_at is set",
      "performed screen \"Home\" at least 10 times within 2 weeks and not performed \"Review "
      "Prompted\"",
      "performed any event within 30 minutes",
      "performed page \"Demo\" within 1 hour or performed \"Demo Requested\" within 1 day",
      "traits.`favourite colour` = \"blue\" and traits.`日本`.city is set",
      "performed \"Order Completed\" where items.0.sku = \"SKU-1\" and context.locale contains "
      "\"de\"",
      "performed \"Subscription Cancelled\" within 30 days and traits.cancel_reason in [\"price\", "
      "\"missing_feature\", null]",
      "performed \"Order Completed\" where properties.time > 5 and properties.`order id` is set "
      "and "
      "traits.vip = true",
      "not not in audience \"a\" or not (in audience \"b\" and in audience \"c\")",
      "performed \"A\" where x = -1.5e-07 and y != \"\\\"quoted\\\" \\\\ \\t\"",
  };
  return kCorpus;
}

// Not canonical: comments, line breaks, other spellings.
const std::vector<std::string>& Layouts() {
  static const std::vector<std::string> kLayouts = {
      "# Pro customers who buy often but complained recently\n"
      "TRAITS.plan == \"pro\"\n"
      "  AND performed \"Order Completed\"\n"
      "        where properties.revenue > 50   # net of tax\n"
      "        at least 2 time within 30 DAYS\n"
      "  and not performed \"Ticket Opened\" within 1 weeks\n",
      "performed \"A\" once and ((traits.x <> 1)) and traits.`y` == 2",
      "(((in audience \"a\")))",
  };
  return kLayouts;
}

size_t Leaves(const Node& n) {
  if (n.children.empty()) return 1;
  size_t total = 0;
  for (const Node& c : n.children) total += Leaves(c);
  return total;
}

void CheckTree(const Node& n, const std::string& label) {
  const std::string text = FormatAudience(n);
  ParseError error;
  auto back = ParseAudience(text, &error);
  ASSERT_TRUE(back.ok()) << label << "\n  text: " << text << "\n  " << back.status().message();
  EXPECT_EQ(*back, n) << label << "\n  text: " << text;
  EXPECT_EQ(FormatAudience(*back), text) << label;

  const std::string json = AudienceToJson(n);
  auto from_json = AudienceFromJson(json);
  ASSERT_TRUE(from_json.ok()) << label << "\n  json: " << json << "\n  "
                              << from_json.status().message();
  EXPECT_EQ(*from_json, n) << label << "\n  json: " << json;
  EXPECT_EQ(AudienceToJson(*from_json), json) << label;
  auto via_text = ParseAudience(FormatAudience(*from_json));
  ASSERT_TRUE(via_text.ok()) << label;
  EXPECT_EQ(*via_text, *from_json) << label;
}

TEST(AudienceRoundTripTest, Corpus) {
  ASSERT_GE(Corpus().size(), 40u);
  for (const std::string& text : Corpus()) {
    auto n = ParseAudience(text);
    ASSERT_TRUE(n.ok()) << text << "\n  " << n.status().message();
    EXPECT_EQ(FormatAudience(*n), text);
    CheckTree(*n, text);
  }
  for (const std::string& text : Layouts()) {
    auto n = ParseAudience(text);
    ASSERT_TRUE(n.ok()) << text << "\n  " << n.status().message();
    CheckTree(*n, text);
  }
}

TEST(AudienceRoundTripTest, LayoutsReadAsTheirCanonicalForm) {
  auto n = ParseAudience(Layouts()[0]);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(FormatAudience(*n), Corpus()[0].substr(0, Corpus()[0].size() - 6) + "1 week");
  EXPECT_EQ(FormatAudience(*ParseAudience(Layouts()[1])),
            "performed \"A\" and traits.x != 1 and traits.y = 2");
  EXPECT_EQ(FormatAudience(*ParseAudience(Layouts()[2])), "in audience \"a\"");
}

TEST(AudienceRoundTripTest, RandomTrees) {
  size_t max_text = 0, deep = 0, wide = 0;
  for (uint64_t seed = 1; seed <= 3000; ++seed) {
    audience_test::RandomAudience random(seed);
    const Node n = random.Make();
    CheckTree(n, "seed " + std::to_string(seed));
    if (HasFailure()) return;
    max_text = std::max(max_text, FormatAudience(n).size());
    const std::string text = FormatAudience(n);
    deep += text.find("not not not") != std::string::npos;
    wide += Leaves(n) >= 100;
  }
  // The generator reaches far: long texts, deep chains, wide trees.
  EXPECT_GT(max_text, 20000u);
  EXPECT_GT(deep, 50u);
  EXPECT_GT(wide, 30u);
}

// The largest trees: exactly at every limit at once.
TEST(AudienceRoundTripTest, TreesAtTheLimits) {
  using namespace audience_test;  // NOLINT(google-build-using-namespace)
  Node leaf =
      Track(std::string(kMaxComputedEventBytes, 'e'), {}, CountOp::kExactly, kMaxPerformedCount,
            Window{MaxWindowAmount(TimeUnit::kMinutes), TimeUnit::kMinutes});
  for (size_t i = 0; i < kMaxWhereClauses; ++i) {
    leaf.performed.where.push_back(ClauseIn("context.x", {N(static_cast<double>(i))}));
  }
  std::vector<Node> leaves(kMaxAudienceLeaves - 1, InAudience(std::string(64, 'a')));
  Node chain = Trait(std::string(kMaxComputedPathBytes, 'p'), WhereOp::kExists);
  for (int i = 0; i < kMaxAudienceDepth - 1; ++i) chain = Not(std::move(chain));
  leaves.push_back(std::move(chain));
  leaves[0] = leaf;
  const Node tree = Or(std::move(leaves));
  ASSERT_LE(FormatAudience(tree).size(), kMaxAudienceTextBytes);
  CheckTree(tree, "limits");
}

}  // namespace
}  // namespace rapport
