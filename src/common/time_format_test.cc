#include "common/time_format.h"

#include <gtest/gtest.h>

namespace rapport {
namespace {

constexpr int64_t kSec = 1'000'000;

struct ParseCase {
  const char* text;
  int64_t micros;
};

TEST(TimeFormatTest, ParsesValidForms) {
  const ParseCase cases[] = {
      {"1970-01-01T00:00:00Z", 0},
      {"1970-01-01", 0},
      {"1970-01-02", 86'400 * kSec},
      {"2024-01-31T12:00:00.123Z", 1706702400 * kSec + 123'000},
      {"2024-01-31 12:00:00.123Z", 1706702400 * kSec + 123'000},
      {"2024-01-31T12:00:00.1Z", 1706702400 * kSec + 100'000},
      {"2024-01-31T12:00:00.123456Z", 1706702400 * kSec + 123'456},
      {"2024-01-31T12:00:00.123456789Z", 1706702400 * kSec + 123'456},  // truncated
      {"2024-01-31T14:00:00+02:00", 1706702400 * kSec},
      {"2024-01-31T14:00:00+0200", 1706702400 * kSec},
      {"2024-01-31T14:00:00+02", 1706702400 * kSec},
      {"2024-01-31T06:30:00-05:30", 1706702400 * kSec},
      {"2024-01-31T12:00:00-00:00", 1706702400 * kSec},
      {"2024-02-29T00:00:00Z", 1709164800 * kSec},  // leap year
      {"2000-02-29", 951782400 * kSec},             // divisible by 400
      {"1969-12-31T23:59:59.999Z", -1000},
      {"1969-12-31T23:59:59.9999999Z", -1},
      {"2016-12-31T23:59:60Z", 1483228800 * kSec - 1},  // leap second: last micro of minute
      {"2016-12-31T23:59:60.5Z", 1483228800 * kSec - 1},
      {"0001-01-01T00:00:00Z", -62135596800 * kSec},
      {"9999-12-31T23:59:59.999999Z", 253402300800 * kSec - 1},
      {"2024-01-01T00:30:00+23:59", 1704067200 * kSec + 1800 * kSec - (23 * 3600 + 59 * 60) * kSec},
  };
  for (const auto& c : cases) {
    auto r = ParseIso8601(c.text);
    ASSERT_TRUE(r.ok()) << c.text << ": " << r.status().ToString();
    EXPECT_EQ(*r, c.micros) << c.text;
  }
}

TEST(TimeFormatTest, RejectsInvalidForms) {
  const char* cases[] = {
      "",
      "2024",
      "2024-01",
      "2024-1-31",
      "24-01-31",
      "2024/01/31",
      "2024-00-10",
      "2024-13-10",
      "2024-01-00",
      "2024-01-32",
      "2023-02-29",  // not a leap year
      "1900-02-29",  // divisible by 100, not 400
      "2024-04-31",
      "0000-01-01",
      "2024-01-31T",
      "2024-01-31T12:00Z",
      "2024-01-31T12:00:00",  // no zone
      "2024-01-31T24:00:00Z",
      "2024-01-31T12:60:00Z",
      "2024-01-31T12:00:61Z",
      "2024-01-31T12:00:00.Z",
      "2024-01-31T12:00:00.1234567890Z",
      "2024-01-31T12:00:00+2",
      "2024-01-31T12:00:00+02:0",
      "2024-01-31T12:00:00+24:00",
      "2024-01-31T12:00:00+02:60",
      "2024-01-31T12:00:00+02:00:00",
      "2024-01-31T12:00:00ZZ",
      "2024-01-31T12:00:00z",
      "2024-01-31t12:00:00Z",
      "2024-01-31X12:00:00Z",
      " 2024-01-31T12:00:00Z",
      "2024-01-31T12:00:00Z ",
      "2024-01-31 ",
      "+2024-01-31",
      "2024-01-31T1:00:00Z",
      "yesterday",
      "1706702400",
  };
  for (const char* c : cases) {
    auto r = ParseIso8601(c);
    EXPECT_FALSE(r.ok()) << "accepted: \"" << c << "\"";
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
      EXPECT_NE(r.status().message().find("2024-01-31T12:00:00.123Z"), std::string::npos);
    }
  }
}

TEST(TimeFormatTest, ErrorMessageShowsTextAndExpectedForm) {
  auto r = ParseIso8601("2024-13-01");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "\"2024-13-01\" is not an ISO-8601 date-time (the month must be 01 to 12); expected "
            "e.g. \"2024-01-31T12:00:00.123Z\"");
  // Long input is cut on a character boundary.
  std::string long_text(63, 'x');
  long_text += "\xC3\xA9tail";
  auto r2 = ParseIso8601(long_text);
  ASSERT_FALSE(r2.ok());
  EXPECT_NE(r2.status().message().find(std::string(63, 'x') + "...\""), std::string::npos)
      << r2.status().message();
}

TEST(TimeFormatTest, Formats) {
  const ParseCase cases[] = {
      {"1970-01-01T00:00:00.000Z", 0},
      {"2024-01-31T12:00:00.123Z", 1706702400 * kSec + 123'456},
      {"1969-12-31T23:59:59.999Z", -1},
      {"1969-12-31T23:59:59.999Z", -1000},
      {"1969-12-31T23:59:59.998Z", -1001},
      {"2000-02-29T23:59:59.000Z", 951868799 * kSec},
      {"0001-01-01T00:00:00.000Z", -62135596800 * kSec},
      {"0001-01-01T00:00:00.000Z", INT64_MIN},  // clamped
      {"9999-12-31T23:59:59.999Z", 253402300800 * kSec - 1},
      {"9999-12-31T23:59:59.999Z", INT64_MAX},  // clamped
  };
  for (const auto& c : cases) EXPECT_EQ(FormatIso8601(c.micros), c.text) << c.micros;
}

TEST(TimeFormatTest, RoundTripsEveryDayOverFourHundredYears) {
  // Covers every leap-year rule; ms precision round-trips exactly.
  const int64_t start = *ParseIso8601("1800-01-01");
  for (int64_t d = 0; d < 146097; d += 1) {
    const int64_t t = start + d * 86'400 * kSec + (d % 86'400) * kSec + (d % 1000) * 1000;
    const std::string s = FormatIso8601(t);
    auto back = ParseIso8601(s);
    ASSERT_TRUE(back.ok()) << s;
    ASSERT_EQ(*back, t) << s;
  }
}

TEST(TimeFormat, JsonTimesAreQuotedAndZeroCanBeNull) {
  std::string out;
  AppendJsonTime(1'767'225'600'123'000, &out);
  EXPECT_EQ(out, "\"2026-01-01T00:00:00.123Z\"");
  out.clear();
  AppendJsonTimeOrNull(0, &out);
  EXPECT_EQ(out, "null");
  AppendJsonTimeOrNull(1'767'225'600'000'000, &out);
  EXPECT_EQ(out, "null\"2026-01-01T00:00:00.000Z\"");
}

}  // namespace
}  // namespace rapport
