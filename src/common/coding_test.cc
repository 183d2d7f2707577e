#include "common/coding.h"

#include <gtest/gtest.h>

#include <limits>

namespace rapport {
namespace {

TEST(Coding, RoundTripsEveryKind) {
  std::string buf;
  const uint64_t unsigned_values[] = {
      0, 1, 127, 128, 300, 1ull << 35, std::numeric_limits<uint64_t>::max()};
  const int64_t signed_values[] = {
      0, -1, 1, -64, 64, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()};
  for (uint64_t v : unsigned_values) PutVarint64(&buf, v);
  for (int64_t v : signed_values) PutSignedVarint64(&buf, v);
  PutBigEndian64(&buf, 0x0102030405060708ull);
  PutLengthPrefixed(&buf, "héllo");
  PutDouble(&buf, -2.5);
  buf.push_back('\x07');

  Decoder d(buf);
  for (uint64_t v : unsigned_values) {
    uint64_t got;
    ASSERT_TRUE(d.Varint64(&got));
    EXPECT_EQ(got, v);
  }
  for (int64_t v : signed_values) {
    int64_t got;
    ASSERT_TRUE(d.SignedVarint64(&got));
    EXPECT_EQ(got, v);
  }
  uint64_t be;
  ASSERT_TRUE(d.BigEndian64(&be));
  EXPECT_EQ(be, 0x0102030405060708ull);
  std::string s;
  ASSERT_TRUE(d.LengthPrefixed(&s));
  EXPECT_EQ(s, "héllo");
  double dbl;
  ASSERT_TRUE(d.Double(&dbl));
  EXPECT_EQ(dbl, -2.5);
  uint8_t b;
  ASSERT_TRUE(d.Byte(&b));
  EXPECT_EQ(b, 7);
  EXPECT_TRUE(d.done());
  EXPECT_FALSE(d.Byte(&b));
  EXPECT_TRUE(d.failed());
}

TEST(Coding, BigEndianSortsLikeNumbers) {
  std::string a, b;
  PutBigEndian64(&a, 255);
  PutBigEndian64(&b, 256);
  EXPECT_LT(a, b);
}

TEST(Coding, MalformedInputFailsWithoutReadingPastTheEnd) {
  uint64_t v;
  std::string_view s;
  EXPECT_FALSE(Decoder("\x80").Varint64(&v));                                      // truncated
  EXPECT_FALSE(Decoder(std::string(11, '\xff')).Varint64(&v));                     // too long
  EXPECT_FALSE(Decoder("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02").Varint64(&v));  // > 64 bits
  EXPECT_FALSE(Decoder("\x05"
                       "abc")
                   .LengthPrefixed(&s));  // runs past the end
  EXPECT_FALSE(Decoder("1234567").BigEndian64(&v));
}

}  // namespace
}  // namespace rapport
