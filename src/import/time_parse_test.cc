#include "import/time_parse.h"

#include <gtest/gtest.h>

namespace rapport {
namespace {

constexpr int64_t kSec = 1'000'000;
constexpr int64_t k20240131Noon = 1706702400 * kSec;  // 2024-01-31T12:00:00Z

TimeFormat Pattern(const char* p, int64_t offset_us = 0) {
  TimeFormat f;
  f.kind = TimeFormat::Kind::kPattern;
  f.pattern = p;
  f.utc_offset_us = offset_us;
  return f;
}

TimeFormat Kind(TimeFormat::Kind k) {
  TimeFormat f;
  f.kind = k;
  return f;
}

TEST(TimeParseTest, Iso8601) {
  EXPECT_EQ(*ParseTime("2024-01-31T12:00:00Z", {}), k20240131Noon);
  EXPECT_EQ(*ParseTime("2024-01-31T14:00:00+02:00", {}), k20240131Noon);
  auto bad = ParseTime("31/01/2024", {});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "\"31/01/2024\" is not an ISO-8601 date-time (like 2024-01-31T12:00:00.123Z)");
}

TEST(TimeParseTest, UnixSecondsAndMilliseconds) {
  const auto unix = Kind(TimeFormat::Kind::kUnix);
  const auto ms = Kind(TimeFormat::Kind::kUnixMs);
  EXPECT_EQ(*ParseTime("1706702400", unix), k20240131Noon);
  EXPECT_EQ(*ParseTime(" 1706702400.25 ", unix), k20240131Noon + 250'000);
  EXPECT_EQ(*ParseTime("1.7067024e9", unix), k20240131Noon);
  EXPECT_EQ(*ParseTime("-1", unix), -kSec);
  EXPECT_EQ(*ParseTime("1706702400123", ms), k20240131Noon + 123'000);
  EXPECT_EQ(*ParseTime("1706702400123.5", ms), k20240131Noon + 123'500);
  EXPECT_FALSE(ParseTime("abc", unix).ok());
  EXPECT_FALSE(ParseTime("", unix).ok());
  EXPECT_FALSE(ParseTime("12x", ms).ok());
  // Milliseconds read as seconds land after the year 9999.
  auto far = ParseTime("1706702400123", unix);
  ASSERT_FALSE(far.ok());
  EXPECT_NE(far.status().message().find("outside the years 0001-9999"), std::string::npos);
  EXPECT_FALSE(ParseTime("1e300", unix).ok());
}

TEST(TimeParseTest, Patterns) {
  EXPECT_EQ(*ParseTime("31/01/2024 12:00", Pattern("%d/%m/%Y %H:%M")), k20240131Noon);
  EXPECT_EQ(*ParseTime("1/2/2024", Pattern("%d/%m/%Y")), 1706745600 * kSec);  // 1 Feb
  EXPECT_EQ(*ParseTime("2024-01-31", Pattern("%Y-%m-%d")), 1706659200 * kSec);
  EXPECT_EQ(*ParseTime("20240131120000", Pattern("%Y%m%d%H%M%S")), k20240131Noon);
  EXPECT_EQ(*ParseTime("Jan 31 2024 12:00 PM", Pattern("%b %d %Y %I:%M %p")), k20240131Noon);
  EXPECT_EQ(*ParseTime("january 31, 2024 12:00 am", Pattern("%B %d, %Y %I:%M %p")),
            k20240131Noon - 12 * 3600 * kSec);
  EXPECT_EQ(*ParseTime("2024-01-31 12:00:00.5", Pattern("%F %T.%f")), k20240131Noon + 500'000);
  EXPECT_EQ(*ParseTime("2024-01-31 14:00:00 +0200", Pattern("%F %T %z")), k20240131Noon);
  EXPECT_EQ(*ParseTime("31.01.24 13:00", Pattern("%d.%m.%y %H:%M", 3600 * kSec)), k20240131Noon);
  // Spaces in the pattern match any run of whitespace.
  EXPECT_EQ(*ParseTime("31/01/2024   12:00", Pattern("%d/%m/%Y %H:%M")), k20240131Noon);
  EXPECT_FALSE(ParseTime("100%", Pattern("%Y-%m-%d")).ok());
}

TEST(TimeParseTest, PatternRejectsBadDatesAndMismatches) {
  const auto f = Pattern("%d/%m/%Y");
  auto feb30 = ParseTime("30/02/2024", f);
  ASSERT_FALSE(feb30.ok());
  EXPECT_EQ(feb30.status().message(),
            "\"30/02/2024\" is not a valid date and time (format \"%d/%m/%Y\")");
  auto mismatch = ParseTime("2024-02-01", f);
  ASSERT_FALSE(mismatch.ok());
  EXPECT_EQ(mismatch.status().message(),
            "\"2024-02-01\" does not match the time format \"%d/%m/%Y\"");
  EXPECT_FALSE(ParseTime("31/01/2024 extra", f).ok());
  EXPECT_FALSE(ParseTime("13:00 PM", Pattern("%I:%M %p")).ok());
  EXPECT_FALSE(ParseTime("01/13/2024", f).ok());
  EXPECT_FALSE(ParseTime("", f).ok());
}

TEST(TimeParseTest, ValidatePattern) {
  EXPECT_TRUE(ValidateTimePattern("%d/%m/%Y %H:%M").ok());
  EXPECT_TRUE(ValidateTimePattern("%F %T%z").ok());
  EXPECT_NE(ValidateTimePattern("%H:%M").message().find("needs a year"), std::string::npos);
  EXPECT_NE(ValidateTimePattern("%Y-%m-%d %Q").message().find("%Q is not supported"),
            std::string::npos);
  EXPECT_FALSE(ValidateTimePattern("%Y-%m-%d %").ok());
  EXPECT_FALSE(ValidateTimePattern("%Y-%m-%d %I:%M").ok());  // %I without %p
}

TEST(TimeParseTest, UtcOffsets) {
  EXPECT_EQ(*ParseUtcOffset("+02:00"), 2 * 3600 * kSec);
  EXPECT_EQ(*ParseUtcOffset("-0530"), -(5 * 3600 + 1800) * kSec);
  EXPECT_EQ(*ParseUtcOffset("Z"), 0);
  EXPECT_FALSE(ParseUtcOffset("CET").ok());
  EXPECT_FALSE(ParseUtcOffset("+25:00").ok());
}

}  // namespace
}  // namespace rapport
