#include "insight/attribution/channel.h"

#include <gtest/gtest.h>

namespace rapport::insight {
namespace {

std::string Default(std::string source, std::string medium, std::string campaign = "") {
  return std::string(AssignChannel(DefaultChannelRules(), {source, medium, campaign}));
}

TEST(Channel, DefaultRules) {
  EXPECT_EQ(Default("google", "cpc"), "Paid Search");
  EXPECT_EQ(Default("Bing", "PPC"), "Paid Search");
  EXPECT_EQ(Default("google", "organic"), "Organic Search");
  EXPECT_EQ(Default("duckduckgo.com", ""), "Organic Search");
  EXPECT_EQ(Default("facebook", "paid_social"), "Paid Social");
  EXPECT_EQ(Default("m.facebook.com", "referral"), "Organic Social");
  EXPECT_EQ(Default("t.co", ""), "Organic Social");
  EXPECT_EQ(Default("newsletter", "email"), "Email");
  EXPECT_EQ(Default("mailchimp", "e-mail"), "Email");
  EXPECT_EQ(Default("", ""), "Direct");
  EXPECT_EQ(Default("(direct)", "(none)"), "Direct");
  EXPECT_EQ(Default("example.com", "referral"), "Referral");
  EXPECT_EQ(Default("reddit.com", "referral"), "Organic Social");  // "t.co" is exact, not contains
  EXPECT_EQ(Default("partner", "affiliate"), "Affiliates");
  EXPECT_EQ(Default("adnetwork", "display"), "Display");
  EXPECT_EQ(Default("acme", "podcast"), "(Other)");
}

TEST(Channel, Utm) {
  CampaignFields f = ParseUtm(
      "https://shop.example/p?x=1&utm_source=Google%20Ads&utm_medium=cpc&utm_campaign=spring+sale"
      "%21&utm_source=ignored#utm_medium=frag");
  EXPECT_EQ(f.source, "Google Ads");
  EXPECT_EQ(f.medium, "cpc");
  EXPECT_EQ(f.campaign, "spring sale!");
  EXPECT_EQ(ParseUtm("https://shop.example/p").source, "");
  EXPECT_EQ(ParseUtm("/p?UTM_SOURCE=a%2").source, "a%2");  // malformed escape kept
  EXPECT_EQ(ParseUtm("/p?utm_medium=e%2Dmail").medium, "e-mail");
  EXPECT_EQ(PercentDecode("a%C3%A9+b", false), "a\xC3\xA9+b");
  EXPECT_EQ(Default(ParseUtm("/?utm_source=google&utm_medium=cpc").source, "cpc"), "Paid Search");
}

TEST(Channel, JsonRules) {
  auto r = ParseChannelRules(R"({"rules": [
      {"channel": "Brand", "when": {"campaign": {"starts_with": "brand_"}}},
      {"channel": "Search", "when": {"source": {"in": ["google", "bing"]},
                                     "medium": {"equals": "cpc", "contains": "paid"}}},
      {"channel": "Everything"}], "fallback": "Nope"})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(AssignChannel(*r, {"x", "y", "BRAND_fall"}), "Brand");
  EXPECT_EQ(AssignChannel(*r, {"Google", "cpc", ""}), "Search");
  EXPECT_EQ(AssignChannel(*r, {"bing", "unpaid", ""}), "Search");
  EXPECT_EQ(AssignChannel(*r, {"bing", "organic", ""}), "Everything");
  auto f = ParseChannelRules(R"({"rules": []})");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(AssignChannel(*f, {}), "(Other)");
}

std::string Error(std::string_view json) {
  auto r = ParseChannelRules(json);
  EXPECT_FALSE(r.ok()) << json;
  return r.ok() ? "" : r.status().message();
}

TEST(Channel, JsonErrorsNameTheField) {
  EXPECT_NE(Error("{").find("not valid JSON"), std::string::npos);
  EXPECT_NE(Error("{}").find("rules: is required"), std::string::npos);
  EXPECT_NE(Error(R"({"rules": [{"when": {}}]})").find("rules[0].channel"), std::string::npos);
  EXPECT_NE(Error(R"({"rules": [{"channel": ""}]})").find("rules[0].channel"), std::string::npos);
  const std::string op = Error(
      R"({"rules": [{"channel": "a"}, {"channel": "b", "when": {"medium": {"like": "x"}}}]})");
  EXPECT_NE(op.find("rules[1].when.medium: unknown operator \"like\""), std::string::npos) << op;
  EXPECT_NE(Error(R"({"rules": [{"channel": "a", "when": {"sauce": {"in": ["x"]}}}]})")
                .find("rules[0].when.sauce: unknown field"),
            std::string::npos);
  EXPECT_NE(Error(R"({"rules": [{"channel": "a", "when": {"source": {"in": [1]}}}]})")
                .find("rules[0].when.source.in"),
            std::string::npos);
  EXPECT_NE(Error(R"({"rules": [{"channel": "a", "colour": 1}]})").find("rules[0].colour"),
            std::string::npos);
  EXPECT_NE(Error(R"({"rules": [], "fallback": 3})").find("fallback"), std::string::npos);
}

}  // namespace
}  // namespace rapport::insight
