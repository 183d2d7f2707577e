#include "profile/computed/computed_value.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

namespace rapport {
namespace {

TEST(ComputedValueTest, NumbersPrintAsIntegersWhenIntegralBelow2To53) {
  EXPECT_EQ(FormatJsonNumber(42), "42");
  EXPECT_EQ(FormatJsonNumber(42.0), "42");
  EXPECT_EQ(FormatJsonNumber(-7), "-7");
  EXPECT_EQ(FormatJsonNumber(0), "0");
  EXPECT_EQ(FormatJsonNumber(-0.0), "0");
  EXPECT_EQ(FormatJsonNumber(9007199254740991.0), "9007199254740991");
  EXPECT_EQ(FormatJsonNumber(-9007199254740991.0), "-9007199254740991");
}

TEST(ComputedValueTest, OtherNumbersPrintShortestRoundTrip) {
  EXPECT_EQ(FormatJsonNumber(0.1), "0.1");
  EXPECT_EQ(FormatJsonNumber(-3.5), "-3.5");
  EXPECT_EQ(FormatJsonNumber(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(FormatJsonNumber(1e300), "1e+300");
  EXPECT_EQ(FormatJsonNumber(1e16), "1e+16");
  EXPECT_EQ(FormatJsonNumber(9007199254740992.0), "9007199254740992");
  EXPECT_EQ(FormatJsonNumber(5e-324), "5e-324");
  for (double x : {0.1, 1e300, 1e16, 123.456, -2.5e-7, 9007199254740993.0}) {
    EXPECT_EQ(ParseDecimal(FormatJsonNumber(x)), x) << x;
  }
}

TEST(ComputedValueTest, WholeNumbersPast64BitsPrintWithAnExponent) {
  // Shortest round-trip would give bare digits here, a JSON integer past 64 bits that readers
  // such as simdjson refuse.
  EXPECT_EQ(FormatJsonNumber(72634054790231359488.0), "7.263405479023136e+19");
  EXPECT_EQ(FormatJsonNumber(-72634054790231359488.0), "-7.263405479023136e+19");
  EXPECT_EQ(FormatJsonNumber(9223372036854775808.0), "9.223372036854776e+18");  // 2^63
  EXPECT_EQ(FormatJsonNumber(-9223372036854775808.0), "-9.223372036854776e+18");
  EXPECT_EQ(FormatJsonNumber(18446744073709551616.0), "1.8446744073709552e+19");  // 2^64
  EXPECT_EQ(FormatJsonNumber(9223372036854774784.0), "9223372036854774784");      // < 2^63
  EXPECT_EQ(FormatJsonNumber(1e21), "1e+21");
  for (double x : {72634054790231359488.0, 9223372036854775808.0, 1e19, 1.5e20, -3e20,
                   std::numeric_limits<double>::max()}) {
    const std::string text = FormatJsonNumber(x);
    EXPECT_EQ(ParseDecimal(text), x) << text;
    EXPECT_NE(text.find('e'), std::string::npos) << text;
  }
}

TEST(ComputedValueTest, NonFiniteNumbersPrintNull) {
  EXPECT_EQ(FormatJsonNumber(std::numeric_limits<double>::infinity()), "null");
  EXPECT_EQ(FormatJsonNumber(-std::numeric_limits<double>::infinity()), "null");
  EXPECT_EQ(FormatJsonNumber(std::nan("")), "null");
}

TEST(ComputedValueTest, ParseDecimalAcceptsDecimalNumbersOnly) {
  EXPECT_EQ(ParseDecimal("42"), 42);
  EXPECT_EQ(ParseDecimal("42.5"), 42.5);
  EXPECT_EQ(ParseDecimal("-3.5"), -3.5);
  EXPECT_EQ(ParseDecimal("1e3"), 1000);
  EXPECT_EQ(ParseDecimal("1E+2"), 100);
  EXPECT_EQ(ParseDecimal("2.5e-1"), 0.25);
  EXPECT_EQ(ParseDecimal(".5"), 0.5);
  EXPECT_EQ(ParseDecimal("5."), 5);
  EXPECT_EQ(ParseDecimal("007"), 7);
  auto zero = ParseDecimal("-0");
  ASSERT_TRUE(zero.has_value());
  EXPECT_FALSE(std::signbit(*zero));
  for (const char* bad :
       {"",     "-",   ".",   "+1",       " 1",    "1 ",  "abc",   "1e",  "1e+",   "0x10", "inf",
        "-inf", "nan", "NaN", "infinity", "1e400", "1,5", "1.2.3", "--1", "1e5.5", "e5"}) {
    EXPECT_FALSE(ParseDecimal(bad).has_value()) << bad;
  }
  EXPECT_FALSE(ParseDecimal(std::string(65, '1')).has_value());
  EXPECT_TRUE(ParseDecimal(std::string(64, '1')).has_value());
}

TEST(ComputedValueTest, Kinds) {
  EXPECT_EQ(ComputedValue().kind(), ComputedValue::Kind::kMissing);
  EXPECT_FALSE(ComputedValue().present());
  EXPECT_FALSE(ComputedValue::Null().present());
  EXPECT_TRUE(ComputedValue::Bool(false).present());
  EXPECT_TRUE(ComputedValue::Number(0).present());
  EXPECT_TRUE(ComputedValue::String("").present());
  EXPECT_TRUE(ComputedValue::Json("{}").present());
  EXPECT_EQ(ComputedValue::Number(-0.0), ComputedValue::Number(0));
  EXPECT_FALSE(std::signbit(ComputedValue::Number(-0.0).number()));
  EXPECT_EQ(ComputedValue::Number(std::nan("")), ComputedValue::Null());
  EXPECT_EQ(ComputedValue::Number(std::numeric_limits<double>::infinity()), ComputedValue::Null());
}

TEST(ComputedValueTest, AsNumber) {
  EXPECT_EQ(ComputedValue::Number(2.5).AsNumber(), 2.5);
  EXPECT_EQ(ComputedValue::String("42.5").AsNumber(), 42.5);
  EXPECT_FALSE(ComputedValue::String("42 EUR").AsNumber().has_value());
  EXPECT_FALSE(ComputedValue::Bool(true).AsNumber().has_value());
  EXPECT_FALSE(ComputedValue::Null().AsNumber().has_value());
  EXPECT_FALSE(ComputedValue::Json("[1]").AsNumber().has_value());
  EXPECT_FALSE(ComputedValue().AsNumber().has_value());
}

TEST(ComputedValueTest, Json) {
  EXPECT_EQ(ComputedValue().ToJson(), "null");
  EXPECT_EQ(ComputedValue::Null().ToJson(), "null");
  EXPECT_EQ(ComputedValue::Bool(true).ToJson(), "true");
  EXPECT_EQ(ComputedValue::Bool(false).ToJson(), "false");
  EXPECT_EQ(ComputedValue::Number(1.0).ToJson(), "1");
  EXPECT_EQ(ComputedValue::Number(1.25).ToJson(), "1.25");
  EXPECT_EQ(ComputedValue::String("a\"b\n").ToJson(), "\"a\\\"b\\n\"");
  EXPECT_EQ(ComputedValue::Json("{\"a\":[1,2]}").ToJson(), "{\"a\":[1,2]}");
}

TEST(ComputedValueTest, CanonicalText) {
  EXPECT_EQ(CanonicalText(ComputedValue::Number(1)), "1");
  EXPECT_EQ(CanonicalText(ComputedValue::Number(1.0)), CanonicalText(ComputedValue::Number(1)));
  EXPECT_EQ(CanonicalText(ComputedValue::Number(0.5)), "0.5");
  EXPECT_EQ(CanonicalText(ComputedValue::String("Shoes")), "Shoes");
  EXPECT_EQ(CanonicalText(ComputedValue::String("1.0")), "1.0");  // strings as they are
  EXPECT_EQ(CanonicalText(ComputedValue::Bool(true)), "true");
  EXPECT_EQ(CanonicalText(ComputedValue::Bool(false)), "false");
  EXPECT_FALSE(CanonicalText(ComputedValue()).has_value());
  EXPECT_FALSE(CanonicalText(ComputedValue::Null()).has_value());
  EXPECT_FALSE(CanonicalText(ComputedValue::Json("{}")).has_value());
}

TEST(ComputedValueTest, LongStringsAreCutAtACharacterBoundary) {
  const std::string ascii(300, 'a');
  EXPECT_EQ(CanonicalText(ComputedValue::String(ascii))->size(), 256u);
  // 255 ASCII bytes then "é" (2 bytes): byte 256 would split the character, so it goes whole.
  const std::string split = std::string(255, 'a') + "\xC3\xA9" + "tail";
  EXPECT_EQ(*CanonicalText(ComputedValue::String(split)), std::string(255, 'a'));
  // A 4-byte character ending exactly at byte 256 is kept.
  const std::string whole = std::string(252, 'a') + "\xF0\x9F\x98\x80" + "x";
  EXPECT_EQ(*CanonicalText(ComputedValue::String(whole)), whole.substr(0, 256));
  EXPECT_EQ(TruncateUtf8("\xE2\x82\xAC\xE2\x82\xAC", 4), "\xE2\x82\xAC");
  EXPECT_EQ(TruncateUtf8("\xE2\x82\xAC", 2), "");
  EXPECT_EQ(TruncateUtf8("abc", 3), "abc");
  EXPECT_EQ(TruncateUtf8("abc", 0), "");
}

}  // namespace
}  // namespace rapport
