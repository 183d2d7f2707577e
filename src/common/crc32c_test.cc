#include "common/crc32c.h"

#include <string>

#include <gtest/gtest.h>

namespace rapport::crc32c {
namespace {

TEST(Crc32cTest, StandardVectors) {
  // RFC 3720 (iSCSI) test vectors.
  std::string zeros(32, '\0');
  EXPECT_EQ(Value(zeros), 0x8a9136aau);
  std::string ones(32, '\xff');
  EXPECT_EQ(Value(ones), 0x62a8ab43u);
  EXPECT_EQ(Value("123456789"), 0xe3069283u);
}

TEST(Crc32cTest, ExtendEqualsWhole) {
  std::string s = "hello, durable event log with a tail that is not a multiple of eight";
  for (size_t cut = 0; cut <= s.size(); ++cut) {
    EXPECT_EQ(Extend(Value(s.data(), cut), s.data() + cut, s.size() - cut), Value(s)) << cut;
  }
}

TEST(Crc32cTest, MaskRoundTrips) {
  uint32_t c = Value("abc");
  EXPECT_NE(Mask(c), c);
  EXPECT_EQ(Unmask(Mask(c)), c);
}

}  // namespace
}  // namespace rapport::crc32c
