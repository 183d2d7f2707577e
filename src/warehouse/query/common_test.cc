#include "warehouse/query/common.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "common/time_format.h"

namespace rapport::warehouse {
namespace {

int64_t T(std::string_view iso) {
  auto t = ParseIso8601(iso);
  EXPECT_TRUE(t.ok()) << iso;
  return t.ok() ? *t : 0;
}

std::string Iso(int64_t us) { return FormatIso8601(us); }

// Runs `fn` on the object parsed from `json` (kept alive for the call).
template <typename F>
auto WithObject(const std::string& json, F&& fn) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(json);
  return fn(doc.get_object().value());
}

std::string RangeError(const std::string& json) {
  return WithObject(json, [](simdjson::dom::object o) {
    auto r = ParseTimeRange(o);
    if (r.ok()) return std::string("accepted");
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    return r.status().message();
  });
}

std::string FilterError(const std::string& json) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(json);
  auto r = ParseEventFilter(doc, "steps[1]");
  if (r.ok()) return "accepted";
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  return r.status().message();
}

TEST(PeriodTest, Hours) {
  EXPECT_EQ(Iso(PeriodStart(T("2024-03-05T14:37:12.345Z"), Interval::kHour)),
            "2024-03-05T14:00:00.000Z");
  EXPECT_EQ(PeriodStart(T("2024-03-05T14:00:00Z"), Interval::kHour), T("2024-03-05T14:00:00Z"));
  // Before 1970: floor, not truncation toward zero.
  EXPECT_EQ(Iso(PeriodStart(T("1969-12-31T23:30:00Z"), Interval::kHour)),
            "1969-12-31T23:00:00.000Z");
  EXPECT_EQ(PeriodStart(-1, Interval::kHour), -kHourUs);
  EXPECT_EQ(Iso(AddPeriods(T("2024-03-05T23:00:00Z"), 2, Interval::kHour)),
            "2024-03-06T01:00:00.000Z");
  EXPECT_EQ(Iso(AddPeriods(T("1970-01-01T00:00:00Z"), -3, Interval::kHour)),
            "1969-12-31T21:00:00.000Z");
  EXPECT_EQ(PeriodsBetween(T("1969-12-31T21:00:00Z"), T("1970-01-01T02:00:00Z"), Interval::kHour),
            5);
  EXPECT_EQ(PeriodsBetween(T("1970-01-01T02:00:00Z"), T("1969-12-31T21:00:00Z"), Interval::kHour),
            -5);
}

TEST(PeriodTest, Days) {
  EXPECT_EQ(Iso(PeriodStart(T("2024-03-05T23:59:59.999Z"), Interval::kDay)),
            "2024-03-05T00:00:00.000Z");
  EXPECT_EQ(Iso(PeriodStart(T("1969-12-31T12:00:00Z"), Interval::kDay)),
            "1969-12-31T00:00:00.000Z");
  EXPECT_EQ(PeriodStart(-1, Interval::kDay), -kDayUs);
  EXPECT_EQ(Iso(PeriodStart(T("1900-03-01T05:00:00Z"), Interval::kDay)),
            "1900-03-01T00:00:00.000Z");
  // Leap years: 2024 and 2000 have 29 February, 2023 and 1900 do not.
  EXPECT_EQ(Iso(AddPeriods(T("2024-02-28"), 1, Interval::kDay)), "2024-02-29T00:00:00.000Z");
  EXPECT_EQ(Iso(AddPeriods(T("2023-02-28"), 1, Interval::kDay)), "2023-03-01T00:00:00.000Z");
  EXPECT_EQ(PeriodsBetween(T("2000-02-01"), T("2000-03-01"), Interval::kDay), 29);
  EXPECT_EQ(PeriodsBetween(T("1900-02-01"), T("1900-03-01"), Interval::kDay), 28);
  EXPECT_EQ(PeriodsBetween(T("1969-12-30"), T("1970-01-02"), Interval::kDay), 3);
  EXPECT_EQ(PeriodsBetween(T("2024-01-01"), T("2025-01-01"), Interval::kDay), 366);
}

TEST(PeriodTest, MondayWeeks) {
  // 2024-03-05 is a Tuesday; its week starts on Monday 2024-03-04.
  EXPECT_EQ(Iso(PeriodStart(T("2024-03-05T10:00:00Z"), Interval::kWeek)),
            "2024-03-04T00:00:00.000Z");
  EXPECT_EQ(Iso(PeriodStart(T("2024-03-10T23:59:59Z"), Interval::kWeek)),  // Sunday
            "2024-03-04T00:00:00.000Z");
  EXPECT_EQ(PeriodStart(T("2024-03-11"), Interval::kWeek), T("2024-03-11"));  // Monday
  // 1970-01-01 was a Thursday: its week began on Monday 1969-12-29.
  EXPECT_EQ(Iso(PeriodStart(0, Interval::kWeek)), "1969-12-29T00:00:00.000Z");
  EXPECT_EQ(Iso(PeriodStart(T("1969-12-28T12:00:00Z"), Interval::kWeek)),
            "1969-12-22T00:00:00.000Z");
  EXPECT_EQ(Iso(PeriodStart(T("1970-01-05"), Interval::kWeek)), "1970-01-05T00:00:00.000Z");
  EXPECT_EQ(Iso(PeriodStart(T("1900-01-01T01:00:00Z"), Interval::kWeek)),  // a Monday
            "1900-01-01T00:00:00.000Z");
  // A week across the end of February in a leap year.
  EXPECT_EQ(Iso(PeriodStart(T("2024-03-01"), Interval::kWeek)), "2024-02-26T00:00:00.000Z");
  EXPECT_EQ(Iso(AddPeriods(T("2024-02-26"), 1, Interval::kWeek)), "2024-03-04T00:00:00.000Z");
  EXPECT_EQ(Iso(AddPeriods(T("1970-01-05"), -2, Interval::kWeek)), "1969-12-22T00:00:00.000Z");
  EXPECT_EQ(PeriodsBetween(T("1969-12-22"), T("1970-01-05"), Interval::kWeek), 2);
  EXPECT_EQ(PeriodsBetween(T("2024-01-01"), T("2024-12-30"), Interval::kWeek), 52);
}

TEST(PeriodTest, Months) {
  EXPECT_EQ(Iso(PeriodStart(T("2024-02-29T23:59:59Z"), Interval::kMonth)),
            "2024-02-01T00:00:00.000Z");
  EXPECT_EQ(Iso(PeriodStart(T("2024-03-01"), Interval::kMonth)), "2024-03-01T00:00:00.000Z");
  EXPECT_EQ(Iso(PeriodStart(T("1969-12-15T08:00:00Z"), Interval::kMonth)),
            "1969-12-01T00:00:00.000Z");
  EXPECT_EQ(Iso(PeriodStart(-1, Interval::kMonth)), "1969-12-01T00:00:00.000Z");
  EXPECT_EQ(Iso(PeriodStart(T("1900-02-28T12:00:00Z"), Interval::kMonth)),
            "1900-02-01T00:00:00.000Z");
  EXPECT_EQ(Iso(AddPeriods(T("2024-01-01"), 1, Interval::kMonth)), "2024-02-01T00:00:00.000Z");
  EXPECT_EQ(Iso(AddPeriods(T("2024-01-01"), 13, Interval::kMonth)), "2025-02-01T00:00:00.000Z");
  EXPECT_EQ(Iso(AddPeriods(T("2024-01-01"), -1, Interval::kMonth)), "2023-12-01T00:00:00.000Z");
  EXPECT_EQ(Iso(AddPeriods(T("1970-01-01"), -1, Interval::kMonth)), "1969-12-01T00:00:00.000Z");
  EXPECT_EQ(Iso(AddPeriods(T("1970-02-01"), -14, Interval::kMonth)), "1968-12-01T00:00:00.000Z");
  EXPECT_EQ(Iso(AddPeriods(T("1969-11-01"), 3, Interval::kMonth)), "1970-02-01T00:00:00.000Z");
  EXPECT_EQ(PeriodsBetween(T("1969-11-01"), T("1970-02-01"), Interval::kMonth), 3);
  EXPECT_EQ(PeriodsBetween(T("1970-02-01"), T("1969-11-01"), Interval::kMonth), -3);
  EXPECT_EQ(PeriodsBetween(T("2023-12-01"), T("2024-12-01"), Interval::kMonth), 12);
  // February's length follows leap years.
  EXPECT_EQ(AddPeriods(T("2024-02-01"), 1, Interval::kMonth) - T("2024-02-01"), 29 * kDayUs);
  EXPECT_EQ(AddPeriods(T("2023-02-01"), 1, Interval::kMonth) - T("2023-02-01"), 28 * kDayUs);
  EXPECT_EQ(AddPeriods(T("2000-02-01"), 1, Interval::kMonth) - T("2000-02-01"), 29 * kDayUs);
  EXPECT_EQ(AddPeriods(T("1900-02-01"), 1, Interval::kMonth) - T("1900-02-01"), 28 * kDayUs);
}

TEST(PeriodTest, RandomTimesAgree) {
  std::mt19937_64 rng(7);
  const int64_t span = 200LL * 365 * kDayUs;  // 1870 .. 2070
  for (Interval iv : {Interval::kHour, Interval::kDay, Interval::kWeek, Interval::kMonth}) {
    for (int i = 0; i < 20000; ++i) {
      const int64_t ts = static_cast<int64_t>(rng() % static_cast<uint64_t>(span)) - span / 2;
      const int64_t start = PeriodStart(ts, iv);
      const int64_t next = AddPeriods(start, 1, iv);
      ASSERT_LE(start, ts) << IntervalName(iv) << " " << Iso(ts);
      ASSERT_LT(ts, next) << IntervalName(iv) << " " << Iso(ts);
      ASSERT_EQ(PeriodStart(start, iv), start);
      ASSERT_EQ(PeriodStart(next - 1, iv), start);
      ASSERT_EQ(PeriodStart(next, iv), next);
      ASSERT_EQ(start % kHourUs, 0);
      if (iv != Interval::kHour) {
        ASSERT_EQ(((start % kDayUs) + kDayUs) % kDayUs, 0);
      }
      const int64_t n = static_cast<int64_t>(rng() % 100) - 50;
      const int64_t moved = AddPeriods(start, n, iv);
      ASSERT_EQ(PeriodStart(moved, iv), moved);
      ASSERT_EQ(PeriodsBetween(start, moved, iv), n) << IntervalName(iv) << " " << Iso(start);
      ASSERT_EQ(AddPeriods(moved, -n, iv), start);
    }
  }
  // Weeks start on Mondays: 1969-12-29 was one.
  for (int i = 0; i < 1000; ++i) {
    const int64_t ts = static_cast<int64_t>(rng() % static_cast<uint64_t>(span)) - span / 2;
    const int64_t start = PeriodStart(ts, Interval::kWeek);
    ASSERT_EQ(((start - T("1969-12-29")) % (7 * kDayUs) + 7 * kDayUs) % (7 * kDayUs), 0);
  }
}

TEST(SpecReaderTest, TimeRange) {
  auto ok = WithObject(R"({"from":"2024-01-01","to":"2024-01-02T00:00:00Z"})",
                       [](simdjson::dom::object o) { return ParseTimeRange(o); });
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->from_us, T("2024-01-01"));
  EXPECT_EQ(ok->to_us, T("2024-01-02"));
  EXPECT_TRUE(ok->Contains(T("2024-01-01")));
  EXPECT_FALSE(ok->Contains(T("2024-01-02")));

  EXPECT_EQ(RangeError(R"({"to":"2024-01-02"})"), "\"from\" is required (an ISO-8601 time)");
  EXPECT_EQ(RangeError(R"({"from":"2024-01-02"})"), "\"to\" is required (an ISO-8601 time)");
  EXPECT_EQ(RangeError(R"({"from":5,"to":"2024-01-02"})"),
            "\"from\" must be an ISO-8601 time string");
  EXPECT_EQ(RangeError(R"({"from":"2024-01-01","to":"yesterday"})"),
            "\"to\": " + ParseIso8601("yesterday").status().message());
  EXPECT_EQ(RangeError(R"({"from":"2024-01-02","to":"2024-01-02"})"),
            "\"from\" must be before \"to\"");
  EXPECT_EQ(RangeError(R"({"from":"2024-01-03","to":"2024-01-02"})"),
            "\"from\" must be before \"to\"");
  EXPECT_EQ(RangeError(R"({"from":"2000-01-01","to":"2010-01-01"})"), "accepted");
  EXPECT_EQ(RangeError(R"({"from":"2000-01-01","to":"2011-01-01"})"),
            "\"from\" and \"to\" may be at most 10 years apart");
}

TEST(SpecReaderTest, Interval) {
  auto parse = [](const std::string& json) {
    return WithObject(json, [](simdjson::dom::object o) -> std::string {
      auto r = ParseInterval(o, "interval", Interval::kWeek);
      return r.ok() ? std::string(IntervalName(*r)) : r.status().message();
    });
  };
  EXPECT_EQ(parse(R"({})"), "week");
  EXPECT_EQ(parse(R"({"interval":"hour"})"), "hour");
  EXPECT_EQ(parse(R"({"interval":"day"})"), "day");
  EXPECT_EQ(parse(R"({"interval":"month"})"), "month");
  const std::string error = "\"interval\" must be one of \"hour\", \"day\", \"week\", \"month\"";
  EXPECT_EQ(parse(R"({"interval":"year"})"), error);
  EXPECT_EQ(parse(R"({"interval":"Day"})"), error);
  EXPECT_EQ(parse(R"({"interval":1})"), error);
  EXPECT_EQ(parse(R"({"interval":null})"), error);
}

TEST(SpecReaderTest, EventFilter) {
  simdjson::dom::parser parser;
  const std::string input =
      R"({"event":"Order Completed","type":"track","where":[{"path":"properties.total","op":"gt","value":10}]})";
  simdjson::dom::element doc = parser.parse(input);
  auto f = ParseEventFilter(doc, "steps[0]");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->event, "Order Completed");
  EXPECT_EQ(f->type, EventType::kTrack);
  ASSERT_EQ(f->where.size(), 1u);
  EXPECT_EQ(f->where[0].path, "properties.total");
  std::string json;
  AppendEventFilterJson(*f, &json);
  EXPECT_EQ(
      json,
      R"({"event":"Order Completed","type":"track","where":[{"path":"properties.total","op":"gt","value":10}]})");
  // The JSON reads back as the same filter.
  simdjson::dom::parser parser2;
  auto again = ParseEventFilter(parser2.parse(json), "x");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *f);
  EXPECT_EQ(FilterError("{}"), "accepted");
  std::string empty;
  AppendEventFilterJson(EventFilter{}, &empty);
  EXPECT_EQ(empty, "{}");

  EXPECT_EQ(FilterError("[]"), "\"steps[1]\" must be an object");
  EXPECT_EQ(FilterError(R"({"name":"x"})"),
            "\"steps[1]\" has an unknown field \"name\" (known: \"event\", \"type\", \"where\")");
  EXPECT_EQ(FilterError(R"({"event":""})"),
            "\"steps[1].event\" must be a string of 1 to 256 bytes");
  EXPECT_EQ(FilterError(R"({"event":7})"), "\"steps[1].event\" must be a string of 1 to 256 bytes");
  EXPECT_EQ(FilterError("{\"event\":\"" + std::string(257, 'a') + "\"}"),
            "\"steps[1].event\" must be a string of 1 to 256 bytes");
  EXPECT_EQ(FilterError("{\"event\":\"" + std::string(256, 'a') + "\"}"), "accepted");
  EXPECT_EQ(FilterError(R"({"type":"click"})"),
            "\"steps[1].type\" must be one of \"track\", \"identify\", \"page\", \"screen\", "
            "\"group\", \"alias\"");
  EXPECT_EQ(FilterError(R"({"where":{}})"), "\"steps[1].where\" must be an array");
  std::string many = R"({"where":[)";
  for (int i = 0; i < 17; ++i) many += std::string(i ? "," : "") + R"({"path":"a","op":"exists"})";
  many += "]}";
  EXPECT_EQ(FilterError(many), "\"steps[1].where\" may hold at most 16 clauses");
  // The clause's own errors carry the full field name.
  EXPECT_EQ(FilterError(R"({"where":[{"path":"a","op":"exists"},{"path":"a"}]})")
                .rfind("\"steps[1].where[1].op\" is required", 0),
            0u);
}

TEST(SpecReaderTest, IntAndUnknownFields) {
  auto parse_int = [](const std::string& json) {
    return WithObject(json, [](simdjson::dom::object o) -> std::string {
      auto r = ParseInt(o, "steps", 1, 10, 5);
      return r.ok() ? std::to_string(*r) : r.status().message();
    });
  };
  EXPECT_EQ(parse_int("{}"), "5");
  EXPECT_EQ(parse_int(R"({"steps":3})"), "3");
  EXPECT_EQ(parse_int(R"({"steps":3.0})"), "3");
  EXPECT_EQ(parse_int(R"({"steps":3.5})"), "\"steps\" must be a whole number from 1 to 10");
  EXPECT_EQ(parse_int(R"({"steps":"3"})"), "\"steps\" must be a whole number from 1 to 10");
  EXPECT_EQ(parse_int(R"({"steps":1e30})"), "\"steps\" must be a whole number from 1 to 10");
  EXPECT_EQ(parse_int(R"({"steps":11})"), "\"steps\" must be a whole number from 1 to 10, got 11");
  EXPECT_EQ(parse_int(R"({"steps":0})"), "\"steps\" must be a whole number from 1 to 10, got 0");

  auto reject = [](const std::string& json, std::string_view where) {
    return WithObject(json, [&](simdjson::dom::object o) -> std::string {
      Status s = RejectUnknown(o, {"kind", "from"}, where);
      return s.ok() ? "ok" : s.message();
    });
  };
  EXPECT_EQ(reject(R"({"kind":1,"from":2})", ""), "ok");
  EXPECT_EQ(reject(R"({"kind":1,"form":2})", ""),
            "the query has an unknown field \"form\" (known: \"kind\", \"from\")");
  EXPECT_EQ(reject(R"({"x":1})", "series[0]"),
            "\"series[0]\" has an unknown field \"x\" (known: \"kind\", \"from\")");
}

TEST(TableTest, Render) {
  Table t;
  t.columns = {"event", "count", "share"};
  t.rows = {{"Order Completed", "1200", "12.5%"}, {"Signed Up", "7", "-"}, {"x", "", "0.25"}};
  EXPECT_EQ(t.Render(),
            "event            count  share\n"
            "---------------  -----  -----\n"
            "Order Completed   1200  12.5%\n"
            "Signed Up            7      -\n"
            "x                        0.25\n");
  // Rows shorter than the header are padded; wider UTF-8 text counts characters, not bytes.
  Table u;
  u.columns = {"label", "n"};
  u.rows = {{"a · b", "1"}, {"abcdef"}};
  EXPECT_EQ(u.Render(),
            "label   n\n"
            "------  -\n"
            "a · b   1\n"
            "abcdef   \n");
  // Dates are text (left-aligned); percentages and "-" are numbers.
  Table d;
  d.columns = {"day", "n", "share"};
  d.rows = {{"2024-01-01", "5", "-"}, {"2024-01-02", "10", "-3.5%"}};
  EXPECT_EQ(d.Render(),
            "day          n  share\n"
            "----------  --  -----\n"
            "2024-01-01   5      -\n"
            "2024-01-02  10  -3.5%\n");
  Table empty;
  empty.columns = {"a"};
  EXPECT_EQ(empty.Render(), "a\n-\n");
}

TEST(TableTest, FormatNumber) {
  EXPECT_EQ(FormatNumber(0), "0");
  EXPECT_EQ(FormatNumber(-0.0), "0");
  EXPECT_EQ(FormatNumber(42), "42");
  EXPECT_EQ(FormatNumber(-7), "-7");
  EXPECT_EQ(FormatNumber(0.5), "0.5");
  EXPECT_EQ(FormatNumber(1.0 / 3), "0.3333");
  EXPECT_EQ(FormatNumber(2.00001), "2");
  EXPECT_EQ(FormatNumber(1e15), "1000000000000000");
}

}  // namespace
}  // namespace rapport::warehouse
