#include "common/crc32c.h"

#include <random>
#include <string>
#include <vector>

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

TEST(Crc32cTest, AgreesWithThePortableCodeAtEveryLengthAndAlignment) {
  // Every length up to past two short rounds (3 × 128 bytes each) and around the long rounds
  // (3 × 4096), at each alignment, from random starting values.
  std::mt19937_64 rng(42);
  std::string data(40000, '\0');
  for (char& c : data) c = static_cast<char>(rng());
  std::vector<size_t> lengths;
  for (size_t n = 0; n <= 1000; ++n) lengths.push_back(n);
  for (size_t n : {12287, 12288, 12289, 12288 + 384, 24576, 24576 + 7, 36864 + 391}) {
    lengths.push_back(n);
  }
  for (size_t n : lengths) {
    for (size_t offset = 0; offset < 8; ++offset) {
      const auto init = static_cast<uint32_t>(rng());
      ASSERT_EQ(Extend(init, data.data() + offset, n),
                ExtendPortable(init, data.data() + offset, n))
          << "length " << n << " offset " << offset;
    }
  }
}

TEST(Crc32cTest, MaskRoundTrips) {
  uint32_t c = Value("abc");
  EXPECT_NE(Mask(c), c);
  EXPECT_EQ(Unmask(Mask(c)), c);
}

}  // namespace
}  // namespace rapport::crc32c
