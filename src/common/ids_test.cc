#include "common/ids.h"

#include <set>

#include <gtest/gtest.h>

namespace rapport {
namespace {

TEST(IdsTest, UuidShapeAndUniqueness) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string u = NewUuid();
    ASSERT_EQ(u.size(), 36u);
    EXPECT_EQ(u[14], '4');
    EXPECT_TRUE(u[19] == '8' || u[19] == '9' || u[19] == 'a' || u[19] == 'b') << u;
    EXPECT_TRUE(seen.insert(u).second);
  }
}

TEST(IdsTest, SecretHasPrefixAndIsUrlSafe) {
  std::string s = NewSecret("wk_", 24);
  EXPECT_EQ(s.rfind("wk_", 0), 0u);
  EXPECT_EQ(s.size(), 3u + 32u);
  EXPECT_EQ(
      s.find_first_not_of("wk_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-"),
      std::string::npos);
}

TEST(IdsTest, Sha256KnownVector) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace rapport
