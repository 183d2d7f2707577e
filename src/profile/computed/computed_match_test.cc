#include "profile/computed/computed_match.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>

namespace rapport {
namespace {

constexpr int64_t kJan31Noon = 1706702400000000;  // 2024-01-31T12:00:00Z

class ComputedMatchTest : public ::testing::Test {
 protected:
  simdjson::dom::element Event(const std::string& json) {
    simdjson::dom::element e;
    auto err = parser_.parse(json).get(e);
    EXPECT_EQ(err, simdjson::SUCCESS) << json;
    return e;
  }
  static ComputedDef Def(std::string_view json) {
    auto r = ParseComputedDef(json);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : ComputedDef{};
  }
  bool Match(std::string_view def, const std::string& event) {
    return Matches(Def(def), Event(event));
  }
  // Whether one where clause holds, given as JSON, for the event's properties.
  bool Where(const std::string& clause, const std::string& properties) {
    return Match(R"({"name":"w","aggregate":"count","where":[)" + clause + "]}",
                 R"({"type":"track","event":"E","properties":)" + properties + "}");
  }
  ComputedValue At(const std::string& json, std::string_view path) {
    return ValueAt(Event(json), path);
  }

  simdjson::dom::parser parser_;
};

const char kOrder[] =
    R"({"type":"track","event":"Order Completed","userId":"u1",)"
    R"("properties":{"revenue":42.5,"currency":"EUR","category":"Shoes",)"
    R"("items":[{"sku":"a","price":"9.99"},{"sku":"b"}],"coupon":null,"gift":false},)"
    R"("context":{"campaign":{"source":"newsletter"}},"timestamp":"2024-01-31T12:00:00.000Z"})";

TEST_F(ComputedMatchTest, EventNameSelectsTrackEventsExactly) {
  const char* def = R"({"name":"o","event":"Order Completed","aggregate":"count"})";
  EXPECT_TRUE(Match(def, kOrder));
  EXPECT_FALSE(Match(def, R"({"type":"track","event":"order completed"})"));
  EXPECT_FALSE(Match(def, R"({"type":"track","event":"Order Completed "})"));
  EXPECT_FALSE(Match(def, R"({"type":"page","event":"Order Completed"})"));
  EXPECT_FALSE(Match(def, R"({"type":"track"})"));
  EXPECT_FALSE(Match(def, R"({"event":"Order Completed"})"));  // no type: not a track event
  EXPECT_FALSE(Match(def, R"({"type":"track","event":5})"));
}

TEST_F(ComputedMatchTest, TypeAloneAndNeither) {
  const char* pages = R"({"name":"p","type":"page","aggregate":"count"})";
  EXPECT_TRUE(Match(pages, R"({"type":"page","name":"Home"})"));
  EXPECT_FALSE(Match(pages, R"({"type":"screen","name":"Home"})"));
  EXPECT_FALSE(Match(pages, kOrder));
  const char* any = R"({"name":"a","aggregate":"last"})";
  for (const char* e : {R"({"type":"page"})", R"({"type":"identify"})", R"({})", kOrder}) {
    EXPECT_TRUE(Match(any, e)) << e;
  }
  EXPECT_FALSE(Match(any, "[1]"));  // not an event object
}

TEST_F(ComputedMatchTest, EveryWhereClauseMustHold) {
  const char* def = R"({"name":"w","event":"Order Completed","aggregate":"count","where":[)"
                    R"({"path":"properties.currency","op":"eq","value":"EUR"},)"
                    R"({"path":"properties.revenue","op":"gte","value":40}]})";
  EXPECT_TRUE(Match(def, kOrder));
  EXPECT_FALSE(Match(def, R"({"type":"track","event":"Order Completed",)"
                          R"("properties":{"currency":"EUR","revenue":39.99}})"));
  EXPECT_FALSE(Match(def, R"({"type":"track","event":"Order Completed",)"
                          R"("properties":{"currency":"USD","revenue":50}})"));
}

TEST_F(ComputedMatchTest, EqAndNeq) {
  EXPECT_TRUE(Where(R"({"path":"properties.c","op":"eq","value":"EUR"})", R"({"c":"EUR"})"));
  EXPECT_FALSE(Where(R"({"path":"properties.c","op":"eq","value":"EUR"})", R"({"c":"eur"})"));
  EXPECT_FALSE(Where(R"({"path":"properties.c","op":"eq","value":"1"})", R"({"c":1})"));
  EXPECT_TRUE(Where(R"({"path":"properties.n","op":"eq","value":1})", R"({"n":1.0})"));
  EXPECT_TRUE(Where(R"({"path":"properties.n","op":"eq","value":1})", R"({"n":"1"})"));
  EXPECT_TRUE(Where(R"({"path":"properties.n","op":"eq","value":1.5})", R"({"n":"1.50"})"));
  EXPECT_FALSE(Where(R"({"path":"properties.n","op":"eq","value":1})", R"({"n":true})"));
  EXPECT_TRUE(Where(R"({"path":"properties.b","op":"eq","value":false})", R"({"b":false})"));
  EXPECT_FALSE(Where(R"({"path":"properties.b","op":"eq","value":false})", R"({"b":0})"));
  EXPECT_TRUE(Where(R"({"path":"properties.b","op":"eq","value":null})", R"({"b":null})"));
  EXPECT_FALSE(Where(R"({"path":"properties.b","op":"eq","value":null})", R"({})"));
  EXPECT_FALSE(Where(R"({"path":"properties.c","op":"eq","value":"EUR"})", R"({})"));
  // neq is "not eq": it holds for a missing field too.
  EXPECT_TRUE(Where(R"({"path":"properties.c","op":"neq","value":"EUR"})", R"({})"));
  EXPECT_TRUE(Where(R"({"path":"properties.c","op":"neq","value":"EUR"})", R"({"c":"USD"})"));
  EXPECT_FALSE(Where(R"({"path":"properties.c","op":"neq","value":"EUR"})", R"({"c":"EUR"})"));
}

TEST_F(ComputedMatchTest, Comparisons) {
  const std::string gt = R"({"path":"properties.n","op":"gt","value":10})";
  EXPECT_TRUE(Where(gt, R"({"n":10.5})"));
  EXPECT_FALSE(Where(gt, R"({"n":10})"));
  EXPECT_TRUE(Where(gt, R"({"n":"11"})"));  // numeric strings compare as numbers
  EXPECT_FALSE(Where(gt, R"({"n":"eleven"})"));
  EXPECT_FALSE(Where(gt, R"({"n":true})"));
  EXPECT_FALSE(Where(gt, R"({})"));
  EXPECT_TRUE(Where(R"({"path":"properties.n","op":"gte","value":10})", R"({"n":10})"));
  EXPECT_TRUE(Where(R"({"path":"properties.n","op":"lt","value":10})", R"({"n":-1})"));
  EXPECT_FALSE(Where(R"({"path":"properties.n","op":"lt","value":10})", R"({"n":10})"));
  EXPECT_TRUE(Where(R"({"path":"properties.n","op":"lte","value":10})", R"({"n":10})"));
  // Strings compare byte-wise, which orders ISO-8601 dates correctly.
  const std::string after = R"({"path":"properties.d","op":"gte","value":"2024-01-01"})";
  EXPECT_TRUE(Where(after, R"({"d":"2024-03-05T10:00:00Z"})"));
  EXPECT_FALSE(Where(after, R"({"d":"2023-12-31"})"));
  EXPECT_FALSE(Where(after, R"({"d":20240305})"));
  EXPECT_TRUE(Where(R"({"path":"properties.s","op":"lt","value":"b"})", R"({"s":"abc"})"));
}

TEST_F(ComputedMatchTest, ExistsContains) {
  const std::string exists = R"({"path":"properties.coupon","op":"exists"})";
  EXPECT_TRUE(Where(exists, R"({"coupon":"X"})"));
  EXPECT_TRUE(Where(exists, R"({"coupon":false})"));
  EXPECT_TRUE(Where(exists, R"({"coupon":{}})"));
  EXPECT_FALSE(Where(exists, R"({"coupon":null})"));
  EXPECT_FALSE(Where(exists, R"({})"));
  const std::string absent = R"({"path":"properties.coupon","op":"not_exists"})";
  EXPECT_TRUE(Where(absent, R"({"coupon":null})"));
  EXPECT_TRUE(Where(absent, R"({})"));
  EXPECT_FALSE(Where(absent, R"({"coupon":""})"));
  const std::string contains = R"({"path":"properties.url","op":"contains","value":"/pricing"})";
  EXPECT_TRUE(Where(contains, R"({"url":"https://x.io/pricing?a=1"})"));
  EXPECT_FALSE(Where(contains, R"({"url":"https://x.io/Pricing"})"));
  EXPECT_FALSE(Where(contains, R"({"url":["/pricing"]})"));
  EXPECT_FALSE(Where(contains, R"({})"));
  EXPECT_TRUE(Where(R"({"path":"properties.url","op":"contains","value":""})", R"({"url":"x"})"));
}

TEST_F(ComputedMatchTest, InMatchesAnyListedValue) {
  const std::string in = R"({"path":"properties.country","op":"in","value":["DE","FR",3,null]})";
  EXPECT_TRUE(Where(in, R"({"country":"DE"})"));
  EXPECT_TRUE(Where(in, R"({"country":"FR"})"));
  EXPECT_TRUE(Where(in, R"({"country":3})"));
  EXPECT_TRUE(Where(in, R"({"country":"3"})"));  // as eq: a numeric string equals its number
  EXPECT_FALSE(Where(in, R"({"country":"de"})"));
  EXPECT_FALSE(Where(in, R"({"country":["DE"]})"));
}

TEST_F(ComputedMatchTest, ValueAtPaths) {
  EXPECT_EQ(At(kOrder, "properties.revenue"), ComputedValue::Number(42.5));
  EXPECT_EQ(At(kOrder, "properties.currency"), ComputedValue::String("EUR"));
  EXPECT_EQ(At(kOrder, "properties.coupon"), ComputedValue::Null());
  EXPECT_EQ(At(kOrder, "properties.gift"), ComputedValue::Bool(false));
  EXPECT_EQ(At(kOrder, "context.campaign.source"), ComputedValue::String("newsletter"));
  EXPECT_EQ(At(kOrder, "context.campaign"), ComputedValue::Json(R"({"source":"newsletter"})"));
  EXPECT_EQ(At(kOrder, "properties.items.0.price"), ComputedValue::String("9.99"));
  EXPECT_EQ(At(kOrder, "properties.items.1.sku"), ComputedValue::String("b"));
  EXPECT_EQ(At(kOrder, "properties.items.2.sku"), ComputedValue());
  EXPECT_EQ(At(kOrder, "properties.items.x"), ComputedValue());
  EXPECT_EQ(At(kOrder, "properties.missing"), ComputedValue());
  EXPECT_EQ(At(kOrder, "properties.revenue.deeper"), ComputedValue());
  EXPECT_EQ(At(kOrder, "userId"), ComputedValue::String("u1"));
  EXPECT_EQ(At(R"({"a":{"b.c":1}})", "a.b.c"), ComputedValue());  // dots always separate
  EXPECT_EQ(At(R"({"n":-0.0})", "n"), ComputedValue::Number(0));
  EXPECT_EQ(At(R"({"n":9007199254740993})", "n"), ComputedValue::Number(9007199254740992.0));
  EXPECT_EQ(At(R"({"n":18446744073709551615})", "n"), ComputedValue::Number(1.8446744073709552e19));
  EXPECT_EQ(At(R"({"a":[1, 2]})", "a"), ComputedValue::Json("[1,2]"));
}

TEST_F(ComputedMatchTest, Extract) {
  auto e = Event(kOrder);
  EXPECT_EQ(Extract(Def(R"({"name":"s","aggregate":"sum","property":"properties.revenue"})"), e,
                    kJan31Noon),
            ComputedValue::Number(42.5));
  EXPECT_EQ(Extract(Def(R"({"name":"c","aggregate":"count"})"), e, kJan31Noon),
            ComputedValue::Bool(true));
  EXPECT_EQ(Extract(Def(R"({"name":"c","aggregate":"count","property":"properties.coupon"})"), e,
                    kJan31Noon),
            ComputedValue::Null());
  EXPECT_EQ(Extract(Def(R"({"name":"l","aggregate":"last"})"), e, kJan31Noon + 123456),
            ComputedValue::String("2024-01-31T12:00:00.123Z"));
  EXPECT_EQ(Extract(Def(R"({"name":"f","aggregate":"first"})"), e, kJan31Noon),
            ComputedValue::String("2024-01-31T12:00:00.000Z"));
  EXPECT_EQ(Extract(Def(R"({"name":"f","aggregate":"first","property":"properties.category"})"), e,
                    kJan31Noon),
            ComputedValue::String("Shoes"));
}

}  // namespace
}  // namespace rapport
