#include "audience/parser.h"

#include <gtest/gtest.h>

#include <string>

#include "audience/printer.h"
#include "audience/test_trees.h"

namespace rapport {
namespace {

using namespace audience_test;  // NOLINT(google-build-using-namespace)
using Kind = Node::Kind;

Node MustParse(std::string_view text) {
  ParseError error;
  auto r = ParseAudience(text, &error);
  EXPECT_TRUE(r.ok()) << text << "\n  " << r.status().message();
  return r.ok() ? *r : Node{};
}

// The tree of the example in ast.h and the issue, with the positions of its nodes.
TEST(AudienceParserTest, TheIssueExample) {
  const std::string text =
      "traits.plan = \"pro\" and performed \"Order Completed\" where revenue > 50 at least 2 "
      "times within 30 days and not performed \"Ticket Opened\" within 7 days";
  const Node n = MustParse(text);
  const Node expected =
      And({Trait("plan", WhereOp::kEq, S("pro")),
           Track("Order Completed", {Clause("properties.revenue", WhereOp::kGt, N(50))},
                 CountOp::kAtLeast, 2, Days(30)),
           Not(Track("Ticket Opened", {}, CountOp::kAtLeast, 1, Days(7)))});
  EXPECT_EQ(n, expected);
  ASSERT_EQ(n.children.size(), 3u);
  EXPECT_EQ(n.line, 1);
  EXPECT_EQ(n.column, 1);
  EXPECT_EQ(n.children[0].column, 1);
  EXPECT_EQ(n.children[1].column, static_cast<int>(text.find("performed")) + 1);
  EXPECT_EQ(n.children[2].column, static_cast<int>(text.find("not")) + 1);
  EXPECT_EQ(n.children[2].children[0].column, static_cast<int>(text.find("performed \"T")) + 1);
  EXPECT_EQ(n.children[1].performed.within.micros(), 30 * 86'400'000'000LL);
}

TEST(AudienceParserTest, Comparisons) {
  EXPECT_EQ(MustParse("traits.plan = \"pro\""), Trait("plan", WhereOp::kEq, S("pro")));
  EXPECT_EQ(MustParse("traits.plan == \"pro\""), Trait("plan", WhereOp::kEq, S("pro")));
  EXPECT_EQ(MustParse("traits.plan != \"free\""), Trait("plan", WhereOp::kNeq, S("free")));
  EXPECT_EQ(MustParse("traits.plan <> \"free\""), Trait("plan", WhereOp::kNeq, S("free")));
  EXPECT_EQ(MustParse("traits.age > 17"), Trait("age", WhereOp::kGt, N(17)));
  EXPECT_EQ(MustParse("traits.age >= 18"), Trait("age", WhereOp::kGte, N(18)));
  EXPECT_EQ(MustParse("traits.age < 65.5"), Trait("age", WhereOp::kLt, N(65.5)));
  EXPECT_EQ(MustParse("traits.age <= -1e3"), Trait("age", WhereOp::kLte, N(-1000)));
  EXPECT_EQ(MustParse("traits.signup < \"2024-01-01\""),
            Trait("signup", WhereOp::kLt, S("2024-01-01")));
  EXPECT_EQ(MustParse("traits.email contains \"@gmail.\""),
            Trait("email", WhereOp::kContains, S("@gmail.")));
  EXPECT_EQ(MustParse("traits.email is set"), Trait("email", WhereOp::kExists));
  EXPECT_EQ(MustParse("traits.email is not set"), Trait("email", WhereOp::kNotExists));
  EXPECT_EQ(MustParse("traits.beta = true"), Trait("beta", WhereOp::kEq, B(true)));
  EXPECT_EQ(MustParse("traits.beta != FALSE"), Trait("beta", WhereOp::kNeq, B(false)));
  EXPECT_EQ(MustParse("traits.phone = null"), Trait("phone", WhereOp::kEq, Null()));
  EXPECT_EQ(MustParse("traits.country in [\"DE\", \"AT\", \"CH\"]"),
            Cmp(CompareScope::kTrait, ClauseIn("country", {S("DE"), S("AT"), S("CH")})));
  EXPECT_EQ(MustParse("traits.x in [1, \"1\", true, null]"),
            Cmp(CompareScope::kTrait, ClauseIn("x", {N(1), S("1"), B(true), Null()})));
  EXPECT_EQ(MustParse("computed.orders_30d >= 2"), Computed("orders_30d", WhereOp::kGte, N(2)));
  EXPECT_EQ(MustParse("computed.last_order.currency = \"EUR\""),
            Computed("last_order.currency", WhereOp::kEq, S("EUR")));
  EXPECT_EQ(MustParse("account.plan = \"enterprise\""),
            Account("plan", WhereOp::kEq, S("enterprise")));
  EXPECT_EQ(MustParse("account.billing.seats > 100"),
            Account("billing.seats", WhereOp::kGt, N(100)));
}

TEST(AudienceParserTest, PathsAndNames) {
  EXPECT_EQ(MustParse("traits.address.city = \"Berlin\""),
            Trait("address.city", WhereOp::kEq, S("Berlin")));
  EXPECT_EQ(MustParse("traits.`first name` is set"), Trait("first name", WhereOp::kExists));
  EXPECT_EQ(MustParse("traits.`日本`.`1st` is set"), Trait("日本.1st", WhereOp::kExists));
  EXPECT_EQ(MustParse("traits.items.0.sku is set"), Trait("items.0.sku", WhereOp::kExists));
  EXPECT_EQ(MustParse("traits.first-name is set"), Trait("first-name", WhereOp::kExists));
  EXPECT_EQ(MustParse("traits.$ref is set"), Trait("$ref", WhereOp::kExists));
  // Keywords are names after a dot; names are case-sensitive, keywords are not.
  EXPECT_EQ(MustParse("traits.and is set"), Trait("and", WhereOp::kExists));
  EXPECT_EQ(MustParse("TRAITS.Plan IS NOT SET"), Trait("Plan", WhereOp::kNotExists));
  EXPECT_EQ(MustParse("Traits . plan = 1"), Trait("plan", WhereOp::kEq, N(1)));
}

TEST(AudienceParserTest, StringsAndNumbers) {
  EXPECT_EQ(MustParse(R"(traits.x = "a\"b\\c\/d\b\f\n\r\t")"),
            Trait("x", WhereOp::kEq, S("a\"b\\c/d\b\f\n\r\t")));
  EXPECT_EQ(MustParse(R"(traits.x = "\u00e9\u65E5\ud83d\ude00\u0000")"),
            Trait("x", WhereOp::kEq, S(std::string("é日😀\0", 10))));
  EXPECT_EQ(MustParse("traits.x = \"é # not a comment\""),
            Trait("x", WhereOp::kEq, S("é # not a comment")));
  EXPECT_EQ(MustParse("traits.x = -0"), Trait("x", WhereOp::kEq, N(0)));
  EXPECT_EQ(MustParse("traits.x = 0.1"), Trait("x", WhereOp::kEq, N(0.1)));
  EXPECT_EQ(MustParse("traits.x = 1E+2"), Trait("x", WhereOp::kEq, N(100)));
  EXPECT_EQ(MustParse("traits.x = 2.5e-3"), Trait("x", WhereOp::kEq, N(0.0025)));
  EXPECT_EQ(MustParse("traits.x = 5e-324"), Trait("x", WhereOp::kEq, N(5e-324)));
  EXPECT_EQ(MustParse("traits.x=-5"), Trait("x", WhereOp::kEq, N(-5)));
}

TEST(AudienceParserTest, Performed) {
  EXPECT_EQ(MustParse("performed \"Signed Up\""), Track("Signed Up"));
  EXPECT_EQ(MustParse("performed page"), Did(EventType::kPage, ""));
  EXPECT_EQ(MustParse("performed page \"Pricing\""), Did(EventType::kPage, "Pricing"));
  EXPECT_EQ(MustParse("performed screen"), Did(EventType::kScreen, ""));
  EXPECT_EQ(
      MustParse("performed screen \"Checkout\" within 2 hours"),
      Did(EventType::kScreen, "Checkout", {}, CountOp::kAtLeast, 1, Window{2, TimeUnit::kHours}));
  EXPECT_EQ(MustParse("performed any event within 90 days"),
            Did(EventType::kAny, "", {}, CountOp::kAtLeast, 1, Days(90)));
  EXPECT_EQ(MustParse("performed \"A\" once"), Track("A"));
  EXPECT_EQ(MustParse("performed \"A\" at least 1 time"), Track("A"));
  EXPECT_EQ(MustParse("performed \"A\" at most 0 times"), Track("A", {}, CountOp::kAtMost, 0));
  EXPECT_EQ(MustParse("performed \"A\" exactly 0 times"), Track("A", {}, CountOp::kExactly, 0));
  EXPECT_EQ(MustParse("performed \"A\" exactly 1000 times"),
            Track("A", {}, CountOp::kExactly, 1000));
  EXPECT_EQ(MustParse("performed \"A\" at most 3 time within 1 week"),
            Track("A", {}, CountOp::kAtMost, 3, Window{1, TimeUnit::kWeeks}));
  EXPECT_EQ(MustParse("performed \"A\" within 45 MINUTES"),
            Track("A", {}, CountOp::kAtLeast, 1, Window{45, TimeUnit::kMinutes}));
  EXPECT_EQ(MustParse("performed \"A\" within 3650 days"),
            Track("A", {}, CountOp::kAtLeast, 1, Days(3650)));
  EXPECT_EQ(MustParse("performed \"A\" within 521 weeks").performed.within.amount, 521);
  EXPECT_EQ(MustParse("performed \"A\" within 87600 hours").performed.within.amount, 87600);
  EXPECT_EQ(MustParse("performed \"A\" within 5256000 minutes").performed.within.amount, 5256000);
}

TEST(AudienceParserTest, WhereConditions) {
  EXPECT_EQ(MustParse("performed \"Order Completed\" where revenue > 50 and currency in [\"EUR\", "
                      "\"USD\"] and coupon is not set"),
            Track("Order Completed", {Clause("properties.revenue", WhereOp::kGt, N(50)),
                                      ClauseIn("properties.currency", {S("EUR"), S("USD")}),
                                      Clause("properties.coupon", WhereOp::kNotExists)}));
  // properties.* and context.* are kept; everything else is a property.
  EXPECT_EQ(MustParse("performed page where context.campaign.source = \"newsletter\" and "
                      "properties.path contains \"/pricing\" and url is set"),
            Did(EventType::kPage, "",
                {Clause("context.campaign.source", WhereOp::kEq, S("newsletter")),
                 Clause("properties.path", WhereOp::kContains, S("/pricing")),
                 Clause("properties.url", WhereOp::kExists)}));
  EXPECT_EQ(
      MustParse("performed \"A\" where properties is set and context is set"),
      Track("A", {Clause("properties", WhereOp::kExists), Clause("context", WhereOp::kExists)}));
  EXPECT_EQ(MustParse("performed \"A\" where `my prop` = 1 and items.0 = \"x\" and Properties.x "
                      "is set"),
            Track("A", {Clause("properties.my prop", WhereOp::kEq, N(1)),
                        Clause("properties.items.0", WhereOp::kEq, S("x")),
                        Clause("properties.Properties.x", WhereOp::kExists)}));
  // Words that only mean something elsewhere are property names here.
  EXPECT_EQ(MustParse("performed \"A\" where at = 1 and within = 2 and page = 3"),
            Track("A", {Clause("properties.at", WhereOp::kEq, N(1)),
                        Clause("properties.within", WhereOp::kEq, N(2)),
                        Clause("properties.page", WhereOp::kEq, N(3))}));
}

// An "and" after a where condition continues the list unless the next token starts a
// condition of its own (traits. computed. account. not ( performed in consented).
TEST(AudienceParserTest, TheWhereListRule) {
  const Node a = MustParse("performed \"A\" where x > 1 and y = 2 and traits.plan = \"pro\"");
  EXPECT_EQ(a, And({Track("A", {Clause("properties.x", WhereOp::kGt, N(1)),
                                Clause("properties.y", WhereOp::kEq, N(2))}),
                    Trait("plan", WhereOp::kEq, S("pro"))}));
  const Node pro = Trait("plan", WhereOp::kEq, S("pro"));
  const Node did = Track("A", {Clause("properties.x", WhereOp::kGt, N(1))});
  EXPECT_EQ(MustParse("performed \"A\" where x > 1 and computed.n = 1"),
            And({did, Computed("n", WhereOp::kEq, N(1))}));
  EXPECT_EQ(MustParse("performed \"A\" where x > 1 and account.n = 1"),
            And({did, Account("n", WhereOp::kEq, N(1))}));
  EXPECT_EQ(MustParse("performed \"A\" where x > 1 and not traits.plan = \"pro\""),
            And({did, Not(pro)}));
  EXPECT_EQ(MustParse("performed \"A\" where x > 1 and (traits.plan = \"pro\")"), And({did, pro}));
  EXPECT_EQ(MustParse("performed \"A\" where x > 1 and performed \"B\""), And({did, Track("B")}));
  EXPECT_EQ(MustParse("performed \"A\" where x > 1 and in audience \"vip\""),
            And({did, InAudience("vip")}));
  EXPECT_EQ(MustParse("performed \"A\" where x > 1 and consented to \"Email\""),
            And({did, Consent("Email")}));
  EXPECT_EQ(MustParse("performed \"A\" where x > 1 AND Traits.plan = \"pro\""), And({did, pro}));
  // "or" always ends the list; so do the count and the window.
  EXPECT_EQ(MustParse("performed \"A\" where x > 1 or traits.plan = \"pro\""), Or({did, pro}));
  EXPECT_EQ(MustParse("performed \"A\" where x > 1 and y = 2 at least 3 times within 2 days and "
                      "traits.plan = \"pro\""),
            And({Track("A",
                       {Clause("properties.x", WhereOp::kGt, N(1)),
                        Clause("properties.y", WhereOp::kEq, N(2))},
                       CountOp::kAtLeast, 3, Days(2)),
                 pro}));
  // A property named like a profile scope is written with its prefix.
  EXPECT_EQ(MustParse("performed \"A\" where x > 1 and properties.traits = 1"),
            Track("A", {Clause("properties.x", WhereOp::kGt, N(1)),
                        Clause("properties.traits", WhereOp::kEq, N(1))}));
}

TEST(AudienceParserTest, OtherLeaves) {
  EXPECT_EQ(MustParse("in audience \"vip_customers\""), InAudience("vip_customers"));
  EXPECT_EQ(MustParse("IN AUDIENCE \"a\""), InAudience("a"));
  EXPECT_EQ(MustParse("consented to \"Advertising\""), Consent("Advertising"));
  EXPECT_EQ(MustParse("not in audience \"churned\""), Not(InAudience("churned")));
}

TEST(AudienceParserTest, PrecedenceAndGrouping) {
  const Node a = Trait("a", WhereOp::kExists), b = Trait("b", WhereOp::kExists),
             c = Trait("c", WhereOp::kExists), d = Trait("d", WhereOp::kExists);
  // A, B, C and D stand for traits.a is set, ... .
  const auto P = [](std::string_view s) {
    std::string text;
    for (char ch : s) {
      if (ch >= 'A' && ch <= 'D') {
        text += "traits." + std::string(1, static_cast<char>(ch - 'A' + 'a')) + " is set";
      } else {
        text += ch;
      }
    }
    return MustParse(text);
  };
  EXPECT_EQ(P("A and B or C"), Or({And({a, b}), c}));
  EXPECT_EQ(P("A or B and C"), Or({a, And({b, c})}));
  EXPECT_EQ(P("A or B or C or D"), Or({a, b, c, d}));
  EXPECT_EQ(P("A and B and C"), And({a, b, c}));
  EXPECT_EQ(P("(A or B) and C"), And({Or({a, b}), c}));
  EXPECT_EQ(P("not A and B"), And({Not(a), b}));
  EXPECT_EQ(P("not (A and B)"), Not(And({a, b})));
  EXPECT_EQ(P("not not A"), Not(Not(a)));
  EXPECT_EQ(P("A or not B and C"), Or({a, And({Not(b), c})}));
  // Parentheses keep a group of the same kind; redundant ones around a leaf vanish.
  EXPECT_EQ(P("A and (B and C)"), And({a, And({b, c})}));
  EXPECT_EQ(P("(A or B) or C"), Or({Or({a, b}), c}));
  EXPECT_EQ(P("((A))"), a);
  EXPECT_EQ(P("(A) and ((B or C)) and D"), And({a, Or({b, c}), d}));
}

TEST(AudienceParserTest, LayoutCommentsAndPositions) {
  const std::string text =
      "# Pro users who bought twice\n"
      "traits.plan = \"pro\"   # the plan\n"
      "\tand performed \"Order Completed\"\n"
      "        at least 2 times\n"
      "  and (in audience \"vip\" or consented to \"Advertising\")\n";
  const Node n = MustParse(text);
  ASSERT_EQ(n.kind, Kind::kAnd);
  ASSERT_EQ(n.children.size(), 3u);
  EXPECT_EQ(n.line, 2);
  EXPECT_EQ(n.column, 1);
  EXPECT_EQ(n.children[1].line, 3);
  EXPECT_EQ(n.children[1].column, 6);
  const Node& group = n.children[2];
  EXPECT_EQ(group.kind, Kind::kOr);
  EXPECT_EQ(group.line, 5);
  EXPECT_EQ(group.column, 8);  // where its first operand starts
  EXPECT_EQ(group.children[1].line, 5);
  EXPECT_EQ(group.children[1].column, 29);
  // Columns count characters, not bytes.
  const Node m = MustParse("traits.`日本語` = \"é\" or\n  performed \"Ü\"");
  EXPECT_EQ(m.children[1].line, 2);
  EXPECT_EQ(m.children[1].column, 3);
  const Node u = MustParse("traits.x = \"日本語\" and not in audience \"a\"");
  EXPECT_EQ(u.children[1].column, 22);
  EXPECT_EQ(MustParse("traits.x is set # trailing comment without newline"),
            Trait("x", WhereOp::kExists));
  EXPECT_EQ(MustParse("\r\n\ttraits.x\r\n\tis\r\n\tset\r\n"), Trait("x", WhereOp::kExists));
}

TEST(AudienceParserTest, LimitsAreInclusive) {
  std::string text = "traits.x is set";
  for (size_t i = 1; i < kMaxAudienceLeaves; ++i) text += " or traits.x is set";
  EXPECT_EQ(MustParse(text).children.size(), kMaxAudienceLeaves);

  // Each "not" and each "(" is a level.
  std::string nots = "traits.x is set", parens = nots;
  for (int i = 0; i < kMaxAudienceDepth; ++i) nots = "not " + nots, parens = "(" + parens + ")";
  EXPECT_EQ(MustParse(nots).kind, Kind::kNot);
  EXPECT_EQ(MustParse(parens).kind, Kind::kCompare);
  std::string nested = "traits.x is set";
  for (int i = 0; i < kMaxAudienceDepth; ++i) {
    nested = "traits.x is set " + std::string(i % 2 ? "and" : "or") + " (" + nested + ")";
  }
  EXPECT_TRUE(ParseAudience(nested).ok());

  std::string where = "performed \"A\" where p0 = 0";
  for (size_t i = 1; i < kMaxWhereClauses; ++i) where += " and p" + std::to_string(i) + " = 0";
  EXPECT_EQ(MustParse(where).performed.where.size(), kMaxWhereClauses);

  std::string list = "traits.x in [0";
  for (size_t i = 1; i < kMaxInValues; ++i) list += ", " + std::to_string(i);
  EXPECT_EQ(MustParse(list + "]").compare.clause.values.size(), kMaxInValues);

  const std::string name(kMaxAudienceNameChars, 'a');
  EXPECT_EQ(MustParse("in audience \"" + name + "\"").name, name);
  const std::string category(kMaxConsentCategoryBytes, 'c');
  EXPECT_EQ(MustParse("consented to \"" + category + "\"").name, category);
  const std::string event(kMaxComputedEventBytes, 'e');
  EXPECT_EQ(MustParse("performed \"" + event + "\"").performed.event, event);
  const std::string path(kMaxComputedPathBytes, 'p');
  EXPECT_EQ(MustParse("traits." + path + " is set").compare.clause.path, path);
  const std::string prop(kMaxComputedPathBytes - 11, 'p');
  EXPECT_EQ(MustParse("performed \"A\" where " + prop + " is set").performed.where[0].path,
            "properties." + prop);

  std::string big = "traits.x = \"" + std::string(kMaxAudienceTextBytes - 13, 'x') + "\"";
  ASSERT_EQ(big.size(), kMaxAudienceTextBytes);
  EXPECT_TRUE(ParseAudience(big).ok());
}

}  // namespace
}  // namespace rapport
