#include "profile/computed/computed_def.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace rapport {
namespace {

ComputedDef MustParse(std::string_view json) {
  auto r = ParseComputedDef(json);
  EXPECT_TRUE(r.ok()) << json << ": " << r.status().ToString();
  return r.ok() ? *r : ComputedDef{};
}

std::string ErrorOf(std::string_view json) {
  auto r = ParseComputedDef(json);
  if (r.ok()) return "accepted";
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << json;
  return r.status().message();
}

TEST(ComputedDefTest, TheDocumentedExamples) {
  ComputedDef d = MustParse(
      R"({"name":"orders_30d","event":"Order Completed","aggregate":"count","window_days":30})");
  EXPECT_EQ(d.name, "orders_30d");
  EXPECT_EQ(d.type, EventType::kTrack);
  EXPECT_EQ(d.event, "Order Completed");
  EXPECT_EQ(d.aggregate, Aggregate::kCount);
  EXPECT_EQ(d.property, "");
  EXPECT_EQ(d.window_days, 30);
  EXPECT_TRUE(d.windowed());
  EXPECT_EQ(d.window_us(), 30 * 86'400'000'000LL);

  d = MustParse(
      R"({"name":"lifetime_revenue","event":"Order Completed","aggregate":"sum","property":"properties.revenue"})");
  EXPECT_EQ(d.aggregate, Aggregate::kSum);
  EXPECT_EQ(d.property, "properties.revenue");
  EXPECT_FALSE(d.windowed());

  d = MustParse(R"({"name":"last_seen","aggregate":"last"})");
  EXPECT_EQ(d.type, EventType::kAny);
  EXPECT_EQ(d.event, "");
  EXPECT_EQ(d.aggregate, Aggregate::kLast);

  d = MustParse(
      R"({"name":"favorite_category","event":"Product Viewed","aggregate":"most_frequent","property":"properties.category"})");
  EXPECT_EQ(d.aggregate, Aggregate::kMostFrequent);

  d = MustParse(
      R"({"name":"eur_orders","event":"Order Completed","aggregate":"count","where":[{"path":"properties.currency","op":"eq","value":"EUR"}]})");
  ASSERT_EQ(d.where.size(), 1u);
  EXPECT_EQ(d.where[0].path, "properties.currency");
  EXPECT_EQ(d.where[0].op, WhereOp::kEq);
  EXPECT_EQ(d.where[0].value, ComputedValue::String("EUR"));

  d = MustParse(R"({"name":"pages_7d","type":"page","aggregate":"count","window_days":7})");
  EXPECT_EQ(d.type, EventType::kPage);
  EXPECT_EQ(d.window_days, 7);
}

TEST(ComputedDefTest, EveryAggregateAndType) {
  const std::vector<std::pair<std::string, Aggregate>> aggregates = {
      {"count", Aggregate::kCount},
      {"sum", Aggregate::kSum},
      {"avg", Aggregate::kAvg},
      {"min", Aggregate::kMin},
      {"max", Aggregate::kMax},
      {"first", Aggregate::kFirst},
      {"last", Aggregate::kLast},
      {"distinct_count", Aggregate::kDistinctCount},
      {"most_frequent", Aggregate::kMostFrequent}};
  for (const auto& [name, a] : aggregates) {
    ComputedDef d =
        MustParse(R"({"name":"t","aggregate":")" + name + R"(","property":"properties.x"})");
    EXPECT_EQ(d.aggregate, a);
    EXPECT_EQ(AggregateName(a), name);
  }
  const std::vector<std::pair<std::string, EventType>> types = {
      {"track", EventType::kTrack}, {"identify", EventType::kIdentify},
      {"page", EventType::kPage},   {"screen", EventType::kScreen},
      {"group", EventType::kGroup}, {"alias", EventType::kAlias}};
  for (const auto& [name, t] : types) {
    ComputedDef d = MustParse(R"({"name":"t","aggregate":"count","type":")" + name + R"("})");
    EXPECT_EQ(d.type, t);
    EXPECT_EQ(EventTypeName(t), name);
  }
}

TEST(ComputedDefTest, CanonicalJson) {
  ComputedDef d = MustParse(
      R"({ "where" : [ {"value": 10, "op": "gte", "path": "properties.total"},
                       {"op": "exists", "path": "context.campaign.source"} ],
           "window_days": 30, "property": "properties.revenue", "aggregate": "sum",
           "event": "Order Completed", "name": "big_orders" })");
  EXPECT_EQ(ToJson(d),
            R"({"name":"big_orders","type":"track","event":"Order Completed","aggregate":"sum",)"
            R"("property":"properties.revenue","window_days":30,"where":[)"
            R"({"path":"properties.total","op":"gte","value":10},)"
            R"({"path":"context.campaign.source","op":"exists"}]})");
  EXPECT_EQ(ToJson(MustParse(R"({"aggregate":"last","name":"last_seen"})")),
            R"({"name":"last_seen","aggregate":"last"})");
}

TEST(ComputedDefTest, ParseOfToJsonIsIdentity) {
  const std::vector<std::string> inputs = {
      R"({"name":"orders_30d","event":"Order Completed","aggregate":"count","window_days":30})",
      R"({"name":"a","type":"track","event":"x","aggregate":"count"})",
      R"({"name":"b","type":"identify","aggregate":"last","property":"traits.plan"})",
      R"({"name":"c","aggregate":"avg","property":"properties.items.0.price","window_days":3650})",
      R"({"name":"d","aggregate":"count","where":[)"
      R"({"path":"a","op":"eq","value":null},{"path":"b","op":"neq","value":true},)"
      R"({"path":"c","op":"gt","value":1.5},{"path":"d","op":"lt","value":-0.000001},)"
      R"({"path":"e","op":"lte","value":"2024-01-31"},{"path":"f","op":"contains","value":"é\n\""},)"
      R"({"path":"g","op":"eq","value":9007199254740993},{"path":"h","op":"gte","value":1e300},)"
      R"({"path":"i","op":"not_exists"},{"path":"j","op":"eq","value":-0}]})",
  };
  for (const std::string& in : inputs) {
    ComputedDef d = MustParse(in);
    const std::string canonical = ToJson(d);
    auto again = ParseComputedDef(canonical);
    ASSERT_TRUE(again.ok()) << canonical << ": " << again.status().ToString();
    EXPECT_EQ(*again, d) << canonical;
    EXPECT_EQ(ToJson(*again), canonical);
  }
}

TEST(ComputedDefTest, WhereValues) {
  ComputedDef d = MustParse(
      R"({"name":"w","aggregate":"count","where":[{"path":"p","op":"eq","value":42},)"
      R"({"path":"p","op":"eq","value":false},{"path":"p","op":"eq","value":null},)"
      R"({"path":"p","op":"exists"},{"path":"p","op":"eq","value":18446744073709551615}]})");
  ASSERT_EQ(d.where.size(), 5u);
  EXPECT_EQ(d.where[0].value, ComputedValue::Number(42));
  EXPECT_EQ(d.where[1].value, ComputedValue::Bool(false));
  EXPECT_EQ(d.where[2].value, ComputedValue::Null());
  EXPECT_EQ(d.where[3].value, ComputedValue());
  EXPECT_EQ(d.where[4].value, ComputedValue::Number(18446744073709551615.0));
}

TEST(ComputedDefTest, LimitsThatPass) {
  MustParse(R"({"name":")" + std::string(64, 'a') + R"(","aggregate":"count"})");
  MustParse(R"({"name":"a","aggregate":"count","window_days":1})");
  MustParse(R"({"name":"a","aggregate":"count","window_days":3650})");
  MustParse(R"({"name":"a9_b","aggregate":"count","event":")" + std::string(256, 'e') + "\"}");
  MustParse(R"({"name":"a","aggregate":"sum","property":")" + std::string(256, 'p') + "\"}");
  std::string where = R"({"name":"a","aggregate":"count","where":[)";
  for (int i = 0; i < 16; ++i) where += std::string(i ? "," : "") + R"({"path":"p","op":"exists"})";
  MustParse(where + "]}");
  MustParse(R"({"name":"a","aggregate":"count","where":[]})");
  MustParse(R"({"name":"a","type":"track","event":"E","aggregate":"count"})");
  MustParse(R"({"name":"a","aggregate":"count","property":"traits.plan"})");
  MustParse(R"({"name":"a","aggregate":"first","property":"traits.plan"})");
}

TEST(ComputedDefTest, ErrorsNameTheFieldAndTheReason) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"name":"x","aggregate":"count","window_days":0})",
       R"(computed trait "x": "window_days" must be an integer from 1 to 3650, got 0)"},
      {R"({"name":"x","aggregate":"count","window_days":3651})",
       R"(computed trait "x": "window_days" must be an integer from 1 to 3650, got 3651)"},
      {R"({"name":"x","aggregate":"count","window_days":-1})",
       R"(computed trait "x": "window_days" must be an integer from 1 to 3650, got -1)"},
      {R"({"name":"x","aggregate":"count","window_days":30.0})",
       R"(computed trait "x": "window_days" must be an integer from 1 to 3650, got 30.0)"},
      {R"({"name":"x","aggregate":"count","window_days":"30"})",
       R"(computed trait "x": "window_days" must be an integer from 1 to 3650, got "30")"},
      {R"({"name":"x","aggregate":"count","window_days":18446744073709551615})",
       R"(computed trait "x": "window_days" must be an integer from 1 to 3650, got 18446744073709551615)"},
      {R"({"aggregate":"count"})", R"(computed trait: "name" is required)"},
      {R"({"name":"Orders","aggregate":"count"})",
       R"(computed trait: "name" must be 1 to 64 characters of a-z, 0-9 and _, starting with a letter, got "Orders")"},
      {R"({"name":"","aggregate":"count"})",
       R"(computed trait: "name" must be 1 to 64 characters of a-z, 0-9 and _, starting with a letter, got "")"},
      {R"({"name":"_x","aggregate":"count"})",
       R"(computed trait: "name" must be 1 to 64 characters of a-z, 0-9 and _, starting with a letter, got "_x")"},
      {R"({"name":"9x","aggregate":"count"})",
       R"(computed trait: "name" must be 1 to 64 characters of a-z, 0-9 and _, starting with a letter, got "9x")"},
      {R"({"name":"a-b","aggregate":"count"})",
       R"(computed trait: "name" must be 1 to 64 characters of a-z, 0-9 and _, starting with a letter, got "a-b")"},
      {R"({"name":42,"aggregate":"count"})",
       R"(computed trait: "name" must be 1 to 64 characters of a-z, 0-9 and _, starting with a letter, got 42)"},
      {R"({"name":")" + std::string(65, 'a') + R"(","aggregate":"count"})",
       R"(computed trait: "name" must be 1 to 64 characters of a-z, 0-9 and _, starting with a letter, got ")" +
           std::string(64, 'a') + R"("...)"},
      {R"({"name":"x"})",
       R"(computed trait "x": "aggregate" is required (one of count, sum, avg, min, max, first, last, distinct_count, most_frequent, latest_times))"},
      {R"({"name":"x","aggregate":"median"})",
       R"(computed trait "x": "aggregate" must be one of count, sum, avg, min, max, first, last, distinct_count, most_frequent, latest_times, got "median")"},
      {R"({"name":"x","aggregate":["count"]})",
       R"(computed trait "x": "aggregate" must be one of count, sum, avg, min, max, first, last, distinct_count, most_frequent, latest_times, got an array)"},
      {R"({"name":"x","aggregate":"sum"})",
       R"(computed trait "x": "property" is required for "sum" (a dotted path such as "properties.revenue"))"},
      {R"({"name":"x","aggregate":"most_frequent"})",
       R"(computed trait "x": "property" is required for "most_frequent" (a dotted path such as "properties.revenue"))"},
      {R"({"name":"x","aggregate":"count","property":".a"})",
       R"(computed trait "x": "property" must be a dotted path such as "properties.revenue" (names separated by single dots, at most 256 bytes), got ".a")"},
      {R"({"name":"x","aggregate":"count","property":"a..b"})",
       R"(computed trait "x": "property" must be a dotted path such as "properties.revenue" (names separated by single dots, at most 256 bytes), got "a..b")"},
      {R"({"name":"x","aggregate":"count","property":"a."})",
       R"(computed trait "x": "property" must be a dotted path such as "properties.revenue" (names separated by single dots, at most 256 bytes), got "a.")"},
      {R"({"name":"x","aggregate":"count","property":""})",
       R"(computed trait "x": "property" must be a dotted path such as "properties.revenue" (names separated by single dots, at most 256 bytes), got "")"},
      {R"({"name":"x","aggregate":"count","property":null})",
       R"(computed trait "x": "property" must be a dotted path such as "properties.revenue" (names separated by single dots, at most 256 bytes), got null)"},
      {R"({"name":"x","aggregate":"count","type":"Track"})",
       R"(computed trait "x": "type" must be one of track, identify, page, screen, group, alias, got "Track")"},
      {R"({"name":"x","aggregate":"count","type":""})",
       R"(computed trait "x": "type" must be one of track, identify, page, screen, group, alias, got "")"},
      {R"({"name":"x","aggregate":"count","event":""})",
       R"(computed trait "x": "event" must be a non-empty string of at most 256 bytes, got "")"},
      {R"({"name":"x","aggregate":"count","event":true})",
       R"(computed trait "x": "event" must be a non-empty string of at most 256 bytes, got true)"},
      {R"({"name":"x","aggregate":"count","event":"E","type":"page"})",
       R"(computed trait "x": "event" selects track events, so "type" must be "track" or left out, got "page")"},
      {R"({"name":"x","aggregate":"count","colour":"red"})",
       R"(computed trait "x": unknown field "colour" (fields: name, type, event, aggregate, keep, property, window_days, where))"},
      {R"({"name":"x","aggregate":"count","aggregate":"sum"})",
       R"(computed trait "x": field "aggregate" appears twice)"},
      {R"({"name":"x","name":"y","aggregate":"count"})",
       R"(computed trait "x": field "name" appears twice)"},
      {R"({"name":"x","aggregate":"count","where":{}})",
       R"(computed trait "x": "where" must be an array of at most 16 conditions, got an object)"},
      {R"({"name":"x","aggregate":"count","where":[1]})",
       R"(computed trait "x": "where[0]" must be an object with "path", "op" and "value", got 1)"},
      {R"({"name":"x","aggregate":"count","where":[{"op":"exists"}]})",
       R"(computed trait "x": "where[0].path" is required)"},
      {R"({"name":"x","aggregate":"count","where":[{"path":"a","op":"exists"},{"path":"a"}]})",
       R"(computed trait "x": "where[1].op" is required (one of eq, neq, gt, gte, lt, lte, exists, not_exists, contains, in))"},
      {R"({"name":"x","aggregate":"count","where":[{"path":"a","op":"like","value":"x"}]})",
       R"(computed trait "x": "where[0].op" must be one of eq, neq, gt, gte, lt, lte, exists, not_exists, contains, in, got "like")"},
      {R"({"name":"x","aggregate":"count","where":[{"path":"a..b","op":"exists"}]})",
       R"(computed trait "x": "where[0].path" must be a dotted path such as "properties.revenue" (names separated by single dots, at most 256 bytes), got "a..b")"},
      {R"({"name":"x","aggregate":"count","where":[{"path":"a","op":"eq"}]})",
       R"(computed trait "x": "where[0].value" is required with "op": "eq")"},
      {R"({"name":"x","aggregate":"count","where":[{"path":"a","op":"exists","value":1}]})",
       R"(computed trait "x": "where[0].value" must be left out with "op": "exists")"},
      {R"({"name":"x","aggregate":"count","where":[{"path":"a","op":"eq","value":[1]}]})",
       R"(computed trait "x": "where[0].value" must be a string, number, boolean or null with "op": "eq", got an array)"},
      {R"({"name":"x","aggregate":"count","where":[{"path":"a","op":"gt","value":true}]})",
       R"(computed trait "x": "where[0].value" must be a number or a string with "op": "gt", got true)"},
      {R"({"name":"x","aggregate":"count","where":[{"path":"a","op":"lte","value":null}]})",
       R"(computed trait "x": "where[0].value" must be a number or a string with "op": "lte", got null)"},
      {R"({"name":"x","aggregate":"count","where":[{"path":"a","op":"contains","value":5}]})",
       R"(computed trait "x": "where[0].value" must be a string with "op": "contains", got 5)"},
      {R"({"name":"x","aggregate":"count","where":[{"path":"a","op":"exists","colour":1}]})",
       R"(computed trait "x": "where[0]" has an unknown field "colour" (fields: path, op, value))"},
      {R"({"name":"x","aggregate":"count","where":[{"path":"a","op":"exists","op":"eq"}]})",
       R"(computed trait "x": "where[0]" has field "op" twice)"},
      {"[1]", "computed trait: the definition must be a JSON object, got an array"},
      {"\"x\"", "computed trait: the definition must be a JSON object, got \"x\""},
  };
  for (const auto& [json, want] : cases) EXPECT_EQ(ErrorOf(json), want) << json;
}

TEST(ComputedDefTest, InAndLatestTimes) {
  const std::string in =
      R"({"name":"x","aggregate":"count","where":[{"path":"properties.c","op":"in","value":["a",1,true,null]}]})";
  ComputedDef d = MustParse(in);
  ASSERT_EQ(d.where.size(), 1u);
  EXPECT_EQ(d.where[0].op, WhereOp::kIn);
  EXPECT_EQ(d.where[0].values.size(), 4u);
  EXPECT_EQ(ToJson(d), in);
  const std::string latest =
      R"({"name":"x","type":"track","event":"Order Completed","aggregate":"latest_times","keep":3})";
  d = MustParse(latest);
  EXPECT_EQ(d.aggregate, Aggregate::kLatestTimes);
  EXPECT_EQ(d.keep, 3);
  EXPECT_EQ(ToJson(d), latest);

  EXPECT_EQ(
      ErrorOf(R"({"name":"x","aggregate":"count","where":[{"path":"a","op":"in","value":[]}]})"),
      "computed trait \"x\": \"where[0].value\" must be an array of 1 to 256 strings, numbers, "
      "booleans or nulls with \"op\": \"in\", got an array of 0");
  EXPECT_EQ(
      ErrorOf(R"({"name":"x","aggregate":"count","where":[{"path":"a","op":"in","value":[{}]}]})"),
      "computed trait \"x\": \"where[0].value\" must be an array of 1 to 256 strings, numbers, "
      "booleans or nulls with \"op\": \"in\", got an item that is an object");
  EXPECT_EQ(
      ErrorOf(R"({"name":"x","aggregate":"count","where":[{"path":"a","op":"in","value":"a"}]})"),
      "computed trait \"x\": \"where[0].value\" must be an array of 1 to 256 strings, numbers, "
      "booleans or nulls with \"op\": \"in\", got \"a\"");
  EXPECT_EQ(ErrorOf(R"({"name":"x","aggregate":"latest_times"})"),
            "computed trait \"x\": \"keep\" is required for \"latest_times\" (1 to 1001)");
  EXPECT_EQ(ErrorOf(R"({"name":"x","aggregate":"count","keep":2})"),
            "computed trait \"x\": \"keep\" is only for \"latest_times\"");
  EXPECT_EQ(ErrorOf(R"({"name":"x","aggregate":"latest_times","keep":0})"),
            "computed trait \"x\": \"keep\" must be an integer from 1 to 1001, got 0");
  EXPECT_EQ(ErrorOf(R"({"name":"x","aggregate":"latest_times","keep":2,"window_days":3})"),
            "computed trait \"x\": \"latest_times\" keeps event times over all time: leave out "
            "\"property\" and \"window_days\"");
}

TEST(ComputedDefTest, TooManyWhereClauses) {
  std::string where = R"({"name":"x","aggregate":"count","where":[)";
  for (int i = 0; i < 17; ++i) where += std::string(i ? "," : "") + R"({"path":"p","op":"exists"})";
  EXPECT_EQ(
      ErrorOf(where + "]}"),
      R"(computed trait "x": "where" must be an array of at most 16 conditions, got an array of 17)");
}

TEST(ComputedDefTest, TooLongStrings) {
  EXPECT_NE(ErrorOf(R"({"name":"x","aggregate":"count","event":")" + std::string(257, 'e') + "\"}")
                .find(R"("event" must be a non-empty string of at most 256 bytes, got ")"),
            std::string::npos);
  EXPECT_NE(ErrorOf(R"({"name":"x","aggregate":"sum","property":")" + std::string(257, 'p') + "\"}")
                .find(R"("property" must be a dotted path)"),
            std::string::npos);
}

TEST(ComputedDefTest, NotJson) {
  auto r = ParseComputedDef("{\"name\":");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message().rfind("computed trait: not valid JSON: ", 0), 0u)
      << r.status().message();
  EXPECT_FALSE(ParseComputedDef("").ok());
  EXPECT_FALSE(ParseComputedDef("{\"name\":\"x\",\"aggregate\":\"count\"} x").ok());
}

TEST(ComputedDefTest, TooLarge) {
  std::string json =
      R"({"name":"x","aggregate":"count","event":")" + std::string(70000, 'e') + "\"}";
  auto r = ParseComputedDef(json);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kTooLarge);
  EXPECT_EQ(r.status().message(), "computed trait: the definition is " +
                                      std::to_string(json.size()) + " bytes; the limit is 65536");
}

}  // namespace
}  // namespace rapport
