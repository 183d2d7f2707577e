#include "audience/printer.h"

#include <gtest/gtest.h>

#include <string>

#include "audience/parser.h"
#include "audience/test_trees.h"

namespace rapport {
namespace {

using namespace audience_test;  // NOLINT(google-build-using-namespace)

// The canonical text of `text`, checked to read back as the same tree.
std::string Canonical(std::string_view text) {
  auto n = ParseAudience(text);
  EXPECT_TRUE(n.ok()) << text << "\n  " << n.status().message();
  if (!n.ok()) return "";
  const std::string out = FormatAudience(*n);
  auto again = ParseAudience(out);
  EXPECT_TRUE(again.ok()) << out << "\n  " << again.status().message();
  if (again.ok()) {
    EXPECT_EQ(*again, *n) << out;
    EXPECT_EQ(FormatAudience(*again), out);
  }
  return out;
}

TEST(AudiencePrinterTest, KeywordsSpacingAndComments) {
  EXPECT_EQ(Canonical("TRAITS.plan=\"pro\"   AND\n\tPerformed \"Order Completed\"  # c\n"),
            "traits.plan = \"pro\" and performed \"Order Completed\"");
  EXPECT_EQ(Canonical("traits.a == 1 or traits.b <> 2"), "traits.a = 1 or traits.b != 2");
  EXPECT_EQ(Canonical("traits.a>=1 and traits.b<=2 and traits.c<3 and traits.d>4"),
            "traits.a >= 1 and traits.b <= 2 and traits.c < 3 and traits.d > 4");
  EXPECT_EQ(Canonical("traits.x IS NOT SET and traits.y is SET and traits.z CONTAINS \"a\""),
            "traits.x is not set and traits.y is set and traits.z contains \"a\"");
  EXPECT_EQ(Canonical("traits.x in [ \"a\",\"b\" ,1,TRUE,Null ]"),
            "traits.x in [\"a\", \"b\", 1, true, null]");
  EXPECT_EQ(Canonical("In Audience \"vip\" and Consented To \"Email\""),
            "in audience \"vip\" and consented to \"Email\"");
}

TEST(AudiencePrinterTest, Values) {
  EXPECT_EQ(Canonical("traits.x = 1.50"), "traits.x = 1.5");
  EXPECT_EQ(Canonical("traits.x = -0"), "traits.x = 0");
  EXPECT_EQ(Canonical("traits.x = 1E2"), "traits.x = 100");
  EXPECT_EQ(Canonical("traits.x = 1e300"), "traits.x = 1e+300");
  EXPECT_EQ(Canonical("traits.x = 0.000001"), "traits.x = 1e-06");
  EXPECT_EQ(Canonical("traits.x = \"\\u0041\\/\\t\\u0001\""), "traits.x = \"A/\\t\\u0001\"");
  EXPECT_EQ(Canonical("traits.x = \"\\ud83d\\ude00 é\""), "traits.x = \"😀 é\"");
}

TEST(AudiencePrinterTest, Paths) {
  EXPECT_EQ(Canonical("traits.`plan` = 1"), "traits.plan = 1");
  EXPECT_EQ(Canonical("traits.`first name`.`x` is set"), "traits.`first name`.x is set");
  EXPECT_EQ(Canonical("traits.items.0.`1st`.`-`.a-b.$c is set"),
            "traits.items.0.`1st`.`-`.a-b.$c is set");
  EXPECT_EQ(Canonical("traits.and.or.not is set"), "traits.and.or.not is set");
  EXPECT_EQ(Canonical("computed.orders_30d.`x y` > 2"), "computed.orders_30d.`x y` > 2");
  EXPECT_EQ(Canonical("account.`日本` is set"), "account.`日本` is set");
}

TEST(AudiencePrinterTest, EventProperties) {
  EXPECT_EQ(Canonical("performed \"A\" where properties.revenue > 5"),
            "performed \"A\" where revenue > 5");
  EXPECT_EQ(Canonical("performed \"A\" where revenue.net > 5"),
            "performed \"A\" where revenue.net > 5");
  EXPECT_EQ(Canonical("performed \"A\" where context.page.url contains \"x\""),
            "performed \"A\" where context.page.url contains \"x\"");
  // Names that are keywords, start a condition, or are not plain keep the prefix.
  EXPECT_EQ(Canonical("performed \"A\" where properties.traits = 1 and `not` = 2 and `time` = 3"),
            "performed \"A\" where properties.traits = 1 and properties.not = 2 and "
            "properties.time = 3");
  EXPECT_EQ(Canonical("performed \"A\" where `my prop` = 1 and `0` = 2 and properties.context = 3"),
            "performed \"A\" where properties.`my prop` = 1 and properties.0 = 2 and "
            "properties.context = 3");
  EXPECT_EQ(Canonical("performed \"A\" where properties.Properties = 1 and properties is set"),
            "performed \"A\" where properties.Properties = 1 and properties is set");
}

TEST(AudiencePrinterTest, PerformedCountsAndWindows) {
  EXPECT_EQ(Canonical("performed \"A\" once"), "performed \"A\"");
  EXPECT_EQ(Canonical("performed \"A\" at least 1 times"), "performed \"A\"");
  EXPECT_EQ(Canonical("performed \"A\" at least 2 time"), "performed \"A\" at least 2 times");
  EXPECT_EQ(Canonical("performed \"A\" at most 1 times"), "performed \"A\" at most 1 time");
  EXPECT_EQ(Canonical("performed \"A\" exactly 0 time"), "performed \"A\" exactly 0 times");
  EXPECT_EQ(Canonical("performed \"A\" within 1 days"), "performed \"A\" within 1 day");
  EXPECT_EQ(Canonical("performed \"A\" within 24 HOURS"), "performed \"A\" within 24 hours");
  EXPECT_EQ(Canonical("performed \"A\" within 2 week"), "performed \"A\" within 2 weeks");
  EXPECT_EQ(Canonical("performed \"A\" within 1 minute"), "performed \"A\" within 1 minute");
  EXPECT_EQ(Canonical("performed PAGE \"Pricing\" where path contains \"/x\" exactly 3 times "
                      "within 90 minutes"),
            "performed page \"Pricing\" where path contains \"/x\" exactly 3 times within 90 "
            "minutes");
  EXPECT_EQ(Canonical("performed Any Event within 30 days"), "performed any event within 30 days");
  EXPECT_EQ(Canonical("performed screen"), "performed screen");
}

TEST(AudiencePrinterTest, MinimalParentheses) {
  const auto c = [](std::string_view s) {
    std::string text;
    for (char ch : s) {
      if (ch >= 'A' && ch <= 'D') {
        text += "traits." + std::string(1, static_cast<char>(ch - 'A' + 'a')) + " is set";
      } else {
        text += ch;
      }
    }
    std::string out = Canonical(text);
    for (char name : {'a', 'b', 'c', 'd'}) {
      const std::string long_form = "traits." + std::string(1, name) + " is set";
      for (size_t at; (at = out.find(long_form)) != std::string::npos;) {
        out.replace(at, long_form.size(), std::string(1, static_cast<char>(name - 'a' + 'A')));
      }
    }
    return out;
  };
  EXPECT_EQ(c("(A and B) or C"), "A and B or C");
  EXPECT_EQ(c("A or (B and C)"), "A or B and C");
  EXPECT_EQ(c("(A or B) and C"), "(A or B) and C");
  EXPECT_EQ(c("((A))"), "A");
  EXPECT_EQ(c("not (A)"), "not A");
  EXPECT_EQ(c("not (A or B)"), "not (A or B)");
  EXPECT_EQ(c("not (A and B)"), "not (A and B)");
  EXPECT_EQ(c("not not A"), "not not A");
  EXPECT_EQ(c("(not A) and (not B)"), "not A and not B");
  EXPECT_EQ(c("A and (B and C)"), "A and (B and C)");  // kept: it is a separate group
  EXPECT_EQ(c("(A or B) or (C or D)"), "(A or B) or (C or D)");
  EXPECT_EQ(c("A or (B or C and D)"), "A or (B or C and D)");
  EXPECT_EQ(c("(A and (B or C)) or D"), "A and (B or C) or D");
}

TEST(AudiencePrinterTest, TheWhereListReadsBack) {
  // Every operand after a performed with conditions starts with a token that ends the list.
  const Node did = Track("A", {Clause("properties.x", WhereOp::kEq, N(1))});
  for (const Node& next : {Trait("t", WhereOp::kExists), Computed("c", WhereOp::kExists),
                           Account("a", WhereOp::kExists), Not(Trait("t", WhereOp::kExists)),
                           Track("B"), InAudience("vip"), Consent("Email"),
                           Or({Trait("t", WhereOp::kExists), Trait("u", WhereOp::kExists)}),
                           And({Trait("t", WhereOp::kExists), Trait("u", WhereOp::kExists)})}) {
    const Node tree = And({did, next});
    const std::string text = FormatAudience(tree);
    auto back = ParseAudience(text);
    ASSERT_TRUE(back.ok()) << text << ": " << back.status().message();
    EXPECT_EQ(*back, tree) << text;
  }
}

TEST(AudiencePrinterTest, BuiltTrees) {
  EXPECT_EQ(FormatAudience(
                And({Trait("plan", WhereOp::kEq, S("pro")),
                     Track("Order Completed", {Clause("properties.revenue", WhereOp::kGt, N(50))},
                           CountOp::kAtLeast, 2, Days(30)),
                     Not(Track("Ticket Opened", {}, CountOp::kAtLeast, 1, Days(7)))})),
            "traits.plan = \"pro\" and performed \"Order Completed\" where revenue > 50 at least 2 "
            "times within 30 days and not performed \"Ticket Opened\" within 7 days");
  EXPECT_EQ(FormatAudience(
                Or({And({InAudience("a"), Consent("b")}), Or({InAudience("c"), InAudience("d")})})),
            "in audience \"a\" and consented to \"b\" or (in audience \"c\" or in audience \"d\")");
}

}  // namespace
}  // namespace rapport
