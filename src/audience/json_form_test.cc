#include "audience/json_form.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "audience/parser.h"
#include "audience/printer.h"
#include "audience/test_trees.h"

namespace rapport {
namespace {

using namespace audience_test;  // NOLINT(google-build-using-namespace)

Node MustRead(std::string_view json) {
  auto r = AudienceFromJson(json);
  EXPECT_TRUE(r.ok()) << json << "\n  " << r.status().message();
  return r.ok() ? *r : Node{};
}

std::string ErrorOf(std::string_view json) {
  auto r = AudienceFromJson(json);
  if (r.ok()) return "accepted";
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << json;
  return r.status().message();
}

// Text and JSON side by side, as in docs/audiences.md; the JSON is canonical.
struct Pair {
  std::string text, json;
};
const std::vector<Pair>& Pairs() {
  static const std::vector<Pair> kPairs = {
      {"traits.plan = \"pro\" and performed \"Order Completed\" where revenue > 50 at least 2 "
       "times within 30 days and not performed \"Ticket Opened\" within 7 days",
       R"({"and":[{"trait":"plan","op":"eq","value":"pro"},{"performed":{"type":"track","event":"Order Completed"},"where":[{"path":"properties.revenue","op":"gt","value":50}],"count":{"op":"at_least","value":2},"within":{"value":30,"unit":"days"}},{"not":{"performed":{"type":"track","event":"Ticket Opened"},"within":{"value":7,"unit":"days"}}}]})"},
      {"traits.country in [\"DE\", \"AT\"] or computed.orders_30d >= 3",
       R"({"or":[{"trait":"country","op":"in","value":["DE","AT"]},{"computed":"orders_30d","op":"gte","value":3}]})"},
      {"account.plan = \"enterprise\" and traits.email is set and traits.phone is not set",
       R"({"and":[{"account":"plan","op":"eq","value":"enterprise"},{"trait":"email","op":"exists"},{"trait":"phone","op":"not_exists"}]})"},
      {"in audience \"vip\" and consented to \"Advertising\" and traits.email contains \"@\"",
       R"({"and":[{"in_audience":"vip"},{"consent":"Advertising"},{"trait":"email","op":"contains","value":"@"}]})"},
      {"performed page \"Pricing\" where context.campaign.source = \"newsletter\" exactly 0 times "
       "within 12 hours",
       R"({"performed":{"type":"page","event":"Pricing"},"where":[{"path":"context.campaign.source","op":"eq","value":"newsletter"}],"count":{"op":"exactly","value":0},"within":{"value":12,"unit":"hours"}})"},
      {"performed screen at most 3 times within 2 weeks or performed any event within 15 minutes",
       R"({"or":[{"performed":{"type":"screen"},"count":{"op":"at_most","value":3},"within":{"value":2,"unit":"weeks"}},{"performed":{"type":"any"},"within":{"value":15,"unit":"minutes"}}]})"},
      {"not (traits.`first name` = null or traits.a.b != true)",
       R"({"not":{"or":[{"trait":"first name","op":"eq","value":null},{"trait":"a.b","op":"neq","value":true}]}})"},
  };
  return kPairs;
}

TEST(AudienceJsonTest, TextAndJsonSideBySide) {
  for (const Pair& p : Pairs()) {
    auto from_text = ParseAudience(p.text);
    ASSERT_TRUE(from_text.ok()) << p.text << ": " << from_text.status().message();
    const Node from_json = MustRead(p.json);
    EXPECT_EQ(from_json, *from_text) << p.json;
    EXPECT_EQ(AudienceToJson(*from_text), p.json);
    EXPECT_EQ(FormatAudience(from_json), p.text);
    EXPECT_EQ(from_json.line, 0);
  }
}

TEST(AudienceJsonTest, OptionalPartsAndSpacing) {
  // Whitespace and key order are free; a count of at least 1 is the default.
  const Node n = MustRead(R"(
    { "within": {"unit": "days", "value": 7},
      "count": {"value": 1, "op": "at_least"},
      "where": [],
      "performed": {"event": "A", "type": "track"} })");
  EXPECT_EQ(n, Track("A", {}, CountOp::kAtLeast, 1, Days(7)));
  EXPECT_EQ(AudienceToJson(n),
            R"({"performed":{"type":"track","event":"A"},"within":{"value":7,"unit":"days"}})");
  EXPECT_EQ(MustRead(R"({"performed":{"type":"page"}})"), Did(EventType::kPage, ""));
  EXPECT_EQ(MustRead(R"({"trait":"x","op":"eq","value":-0.0})"), Trait("x", WhereOp::kEq, N(0)));
  EXPECT_EQ(MustRead(R"({"trait":"x","op":"eq","value":18446744073709551615})"),
            Trait("x", WhereOp::kEq, N(18446744073709551615.0)));
  EXPECT_EQ(MustRead(R"({"computed":"last_order.total","op":"gt","value":"10"})"),
            Computed("last_order.total", WhereOp::kGt, S("10")));
}

TEST(AudienceJsonTest, StructureErrors) {
  const std::string kinds =
      "and, or, not, trait, computed, account, performed, in_audience, consent";
  EXPECT_EQ(ErrorOf("[]"), "audience: the audience must be a JSON object, got an array");
  EXPECT_EQ(ErrorOf("{}"), "audience: the audience needs one of the fields " + kinds);
  EXPECT_EQ(
      ErrorOf(R"({"trait":"a","op":"exists","performed":{}})"),
      R"(audience: the audience has both "trait" and "performed"; a condition has exactly one of )" +
          kinds);
  EXPECT_EQ(ErrorOf(R"({"trait":"plan","op":"eq","value":"pro","x":1})"),
            R"(audience: the audience has an unknown field "x" (fields: trait, op, value))");
  EXPECT_EQ(ErrorOf(R"({"trait":"plan","op":"eq","op":"eq","value":1})"),
            R"(audience: the audience has the field "op" twice)");
  EXPECT_EQ(ErrorOf(R"({"and":[{"trait":"a","op":"exists"}]})"),
            R"(audience: "and" must be an array of 2 or more conditions, got an array of 1)");
  EXPECT_EQ(ErrorOf(R"({"or":{}})"),
            R"(audience: "or" must be an array of 2 or more conditions, got an object)");
  EXPECT_EQ(ErrorOf(R"({"and":[{"trait":"a","op":"exists"},5]})"),
            R"(audience: "and[1]" must be a JSON object (a condition), got 5)");
  EXPECT_EQ(
      ErrorOf(R"({"and":[{"trait":"a","op":"exists"},{"performed":{"type":"track","event":""}}]})"),
      R"(audience: "and[1].performed.event" must be a string of 1 to 256 bytes, got "")");
  EXPECT_EQ(ErrorOf(R"({"not":{"and":[{"trait":"a","op":"exists"},{"x":1}]}})"),
            R"(audience: "not.and[1]" needs one of the fields )" + kinds);
  EXPECT_EQ(
      ErrorOf(
          R"({"or":[{"trait":"a","op":"exists"},{"not":{"and":[{"trait":"a","op":"exists"},{"in_audience":"X"}]}}]})"),
      R"(audience: "or[1].not.and[1].in_audience" must be an audience name: 1 to 64 characters of a-z, 0-9 and _, starting with a letter, got "X")");
  EXPECT_EQ(
      ErrorOf(R"({"consent":""})"),
      R"(audience: "consent" must be a consent category: a string of 1 to 128 bytes, got "")");
  EXPECT_EQ(ErrorOf(R"({"not":{"trait":"a","op":"exists"},"x":1})"),
            R"(audience: the audience has an unknown field "x" (fields: not))");
  EXPECT_EQ(ErrorOf("{").rfind("audience: not valid JSON: ", 0), 0u);
}

TEST(AudienceJsonTest, ComparisonErrors) {
  const std::string path_rule =
      " must be a dotted path such as \"address.city\" (names separated by single dots, at most "
      "256 bytes, without backquotes or line breaks), got ";
  EXPECT_EQ(ErrorOf(R"({"trait":"a..b","op":"exists"})"),
            "audience: \"trait\"" + path_rule + "\"a..b\"");
  EXPECT_EQ(ErrorOf(R"({"account":"a`b","op":"exists"})"),
            "audience: \"account\"" + path_rule + "\"a`b\"");
  EXPECT_EQ(ErrorOf(R"({"trait":"a\nb","op":"exists"})"),
            "audience: \"trait\"" + path_rule + "\"a\\nb\"");
  EXPECT_EQ(ErrorOf(R"({"trait":5,"op":"exists"})"), "audience: \"trait\"" + path_rule + "5");
  EXPECT_EQ(
      ErrorOf(R"({"computed":"Orders","op":"exists"})"),
      R"(audience: "computed" must be a computed trait's name such as "orders_30d" (1 to 64 characters of a-z, 0-9 and _, starting with a letter), optionally followed by a dotted path, got "Orders")");
  const std::string ops = "eq, neq, gt, gte, lt, lte, exists, not_exists, contains, in";
  EXPECT_EQ(ErrorOf(R"({"trait":"a","op":"equals","value":1})"),
            R"(audience: "op" must be one of )" + ops + R"(, got "equals")");
  EXPECT_EQ(ErrorOf(R"({"trait":"a"})"), R"(audience: "op" is required (one of )" + ops + ")");
  EXPECT_EQ(ErrorOf(R"({"trait":"a","op":"eq"})"),
            R"(audience: "value" is required with "op": "eq")");
  EXPECT_EQ(ErrorOf(R"({"trait":"a","op":"exists","value":1})"),
            R"(audience: "value" must be left out with "op": "exists")");
  EXPECT_EQ(ErrorOf(R"({"trait":"a","op":"gt","value":true})"),
            R"(audience: "value" must be a number or a string with "op": "gt", got true)");
  EXPECT_EQ(ErrorOf(R"({"trait":"a","op":"contains","value":1})"),
            R"(audience: "value" must be a string with "op": "contains", got 1)");
  EXPECT_EQ(
      ErrorOf(R"({"trait":"a","op":"eq","value":{}})"),
      R"(audience: "value" must be a string, number, boolean or null with "op": "eq", got an object)");
  EXPECT_EQ(
      ErrorOf(R"({"and":[{"trait":"a","op":"in","value":[]},{"trait":"a","op":"exists"}]})"),
      R"(audience: "and[0].value" must be an array of 1 to 256 strings, numbers, booleans or nulls with "op": "in", got an array of 0)");
  EXPECT_EQ(
      ErrorOf(R"({"trait":"a","op":"in","value":[1,[2]]})"),
      R"(audience: "value" must be an array of 1 to 256 strings, numbers, booleans or nulls with "op": "in", got an item that is an array)");
  EXPECT_EQ(
      ErrorOf(R"({"trait":"a","op":"in","value":"x"})"),
      R"(audience: "value" must be an array of 1 to 256 strings, numbers, booleans or nulls with "op": "in", got "x")");
}

TEST(AudienceJsonTest, PerformedErrors) {
  const auto with = [](std::string_view performed, std::string_view rest = "") {
    return ErrorOf(R"({"performed":)" + std::string(performed) + std::string(rest) + "}");
  };
  const std::string track = R"({"type":"track","event":"A"})";
  EXPECT_EQ(with(R"("Order")"),
            R"(audience: "performed" must be an object with "type" and "event", got "Order")");
  EXPECT_EQ(with(R"({"event":"A"})"),
            R"(audience: "performed.type" is required (track, page, screen or any))");
  EXPECT_EQ(
      with(R"({"type":"identify"})"),
      R"(audience: "performed.type" must be one of track, page, screen, any, got "identify")");
  EXPECT_EQ(with(R"({"type":"track"})"),
            R"(audience: "performed.event" is required with "type": "track")");
  EXPECT_EQ(with(R"({"type":"any","event":"x"})"),
            R"(audience: "performed.event" must be left out with "type": "any")");
  EXPECT_EQ(with(R"({"type":"page","event":7})"),
            R"(audience: "performed.event" must be a string of 1 to 256 bytes, got 7)");
  EXPECT_EQ(with(R"({"type":"track","event":"A","name":"x"})"),
            R"(audience: "performed" has an unknown field "name" (fields: type, event))");
  EXPECT_EQ(
      with(track, R"(,"when":1)"),
      R"(audience: the audience has an unknown field "when" (fields: performed, where, count, within))");
  EXPECT_EQ(with(track, R"(,"where":{})"),
            R"(audience: "where" must be an array of at most 16 conditions, got an object)");
  std::string seventeen = R"(,"where":[)";
  for (int i = 0; i < 17; ++i)
    seventeen += std::string(i ? "," : "") + R"({"path":"properties.x","op":"exists"})";
  EXPECT_EQ(with(track, seventeen + "]"),
            R"(audience: "where" must be an array of at most 16 conditions, got an array of 17)");
  EXPECT_EQ(
      with(track, R"(,"where":[{"path":"revenue","op":"gt","value":1}])"),
      R"(audience: "where[0].path" must be a path into the event's "properties" or "context" (such as "properties.revenue"), without backquotes or line breaks, got "revenue")");
  EXPECT_EQ(
      with(track, R"(,"where":[{"path":"properties.a`b","op":"exists"}])"),
      R"(audience: "where[0].path" must be a path into the event's "properties" or "context" (such as "properties.revenue"), without backquotes or line breaks, got "properties.a`b")");
  EXPECT_EQ(with(track, R"(,"where":[{"path":"properties.revenue","op":"gt","value":true}])"),
            R"(audience: "where[0].value" must be a number or a string with "op": "gt", got true)");
  EXPECT_EQ(with(track, R"(,"where":[{"path":"properties.revenue","op":"gt","value":1,"x":2}])"),
            R"(audience: "where[0]" has an unknown field "x" (fields: path, op, value))");
  EXPECT_EQ(with(track, R"(,"count":2)"),
            R"(audience: "count" must be an object with "op" and "value", got 2)");
  EXPECT_EQ(with(track, R"(,"count":{"op":"more","value":1})"),
            R"(audience: "count.op" must be one of at_least, at_most, exactly, got "more")");
  EXPECT_EQ(with(track, R"(,"count":{"value":1})"),
            R"(audience: "count.op" is required (at_least, at_most or exactly))");
  EXPECT_EQ(with(track, R"(,"count":{"op":"exactly"})"), R"(audience: "count.value" is required)");
  EXPECT_EQ(
      with(track, R"(,"count":{"op":"at_least","value":0})"),
      R"(audience: "count.value" must be an integer from 1 to 1000 with "op": "at_least", got 0)");
  EXPECT_EQ(
      with(track, R"(,"count":{"op":"at_most","value":1001})"),
      R"(audience: "count.value" must be an integer from 0 to 1000 with "op": "at_most", got 1001)");
  EXPECT_EQ(
      with(track, R"(,"count":{"op":"exactly","value":2.5})"),
      R"(audience: "count.value" must be an integer from 0 to 1000 with "op": "exactly", got 2.5)");
  EXPECT_EQ(with(track, R"(,"count":{"op":"exactly","value":1,"per":"day"})"),
            R"(audience: "count" has an unknown field "per" (fields: op, value))");
  EXPECT_EQ(
      with(track, R"(,"within":{"value":0,"unit":"days"})"),
      R"(audience: "within.value" must be an integer from 1 to 3650 with "unit": "days" (at most 3650 days), got 0)");
  EXPECT_EQ(
      with(track, R"(,"within":{"value":522,"unit":"weeks"})"),
      R"(audience: "within.value" must be an integer from 1 to 521 with "unit": "weeks" (at most 3650 days), got 522)");
  EXPECT_EQ(with(track, R"(,"within":{"value":1,"unit":"months"})"),
            R"(audience: "within.unit" must be one of minutes, hours, days, weeks, got "months")");
  EXPECT_EQ(with(track, R"(,"within":{"value":1})"),
            R"(audience: "within.unit" is required (minutes, hours, days or weeks))");
  EXPECT_EQ(with(track, R"(,"within":{"unit":"days"})"), R"(audience: "within.value" is required)");
  EXPECT_EQ(with(track, R"(,"within":"7 days")"),
            R"(audience: "within" must be an object with "value" and "unit", got "7 days")");
}

TEST(AudienceJsonTest, Limits) {
  // 32 levels of not are fine, 33 are not.
  std::string json = R"({"trait":"a","op":"exists"})";
  for (int i = 0; i < kMaxAudienceDepth; ++i) json = R"({"not":)" + json + "}";
  EXPECT_TRUE(AudienceFromJson(json).ok());
  std::string loc = "not";
  for (int i = 1; i < kMaxAudienceDepth; ++i) loc += ".not";
  EXPECT_EQ(ErrorOf(R"({"not":)" + json + "}"),
            "audience: \"" + loc + "\" is nested too deeply: at most 32 levels of and, or and not");

  std::string leaves = R"({"or":[)";
  for (size_t i = 0; i < kMaxAudienceLeaves; ++i) leaves += R"({"in_audience":"a"},)";
  EXPECT_TRUE(AudienceFromJson(leaves.substr(0, leaves.size() - 1) + "]}").ok());
  EXPECT_EQ(ErrorOf(leaves + R"({"in_audience":"a"}]})"),
            R"(audience: too many conditions at "or[256]": an audience can have at most 256)");

  // Over the text limit once written as text, though the JSON itself is allowed.
  const std::string long_value(kMaxAudienceTextBytes, 'x');
  EXPECT_EQ(ErrorOf(R"({"trait":"a","op":"eq","value":")" + long_value + "\"}"),
            "audience: as text the audience is 65549 bytes; the limit is 65536");
  auto big = AudienceFromJson(std::string(kMaxAudienceJsonBytes + 1, ' '));
  EXPECT_EQ(big.status().code(), StatusCode::kTooLarge);
  EXPECT_EQ(big.status().message(), "audience: the JSON is 524289 bytes; the limit is 524288");
}

}  // namespace
}  // namespace rapport
