#include "profile/identifier_cache.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>

namespace rapport {
namespace {

TEST(IdentifierCacheTest, FindsWhatWasPutAndNothingElse) {
  IdentifierCache c(100);
  EXPECT_EQ(c.Find(std::string("email\0a@x.io", 12)), std::nullopt);
  c.Put(std::string("email\0a@x.io", 12), 7);
  c.Put(std::string("user_id\0a@x.io", 14), 0);  // known unbound is a value too
  EXPECT_EQ(c.Find(std::string("email\0a@x.io", 12)), 7u);
  EXPECT_EQ(c.Find(std::string("user_id\0a@x.io", 14)), 0u);
  EXPECT_EQ(c.Find("email"), std::nullopt);  // a prefix is another key
  EXPECT_EQ(c.Find(""), std::nullopt);
  c.Put("", 3);  // the empty key is a key
  EXPECT_EQ(c.Find(""), 3u);
  c.Put(std::string("email\0a@x.io", 12), 9);  // replaced, not added
  EXPECT_EQ(c.Find(std::string("email\0a@x.io", 12)), 9u);
  EXPECT_EQ(c.size(), 3u);
}

TEST(IdentifierCacheTest, MatchesAMapThroughGrowthAndLongKeys) {
  IdentifierCache c(1'000'000);  // never trims here
  std::map<std::string, uint64_t> ref;
  std::mt19937_64 rng(5);
  for (int i = 0; i < 200'000; ++i) {
    std::string key = "anonymous_id";
    key.push_back('\0');
    key += std::to_string(rng() % 50'000);
    if (i % 1000 == 0) key += std::string(3 << 20, 'x');  // longer than an arena block
    const uint64_t v = rng() % 1000;
    c.Put(key, v);
    ref[key] = v;
  }
  EXPECT_EQ(c.size(), ref.size());
  for (const auto& [k, v] : ref) ASSERT_EQ(c.Find(k), v) << k.size();
  EXPECT_EQ(c.Find("anonymous_id"), std::nullopt);
}

TEST(IdentifierCacheTest, TrimKeepsTheRecentGenerationAndHitsSurvive) {
  IdentifierCache c(4);  // two keys per generation
  c.Put("a", 1);
  c.Trim();  // young not full: nothing dropped
  c.Put("b", 2);
  c.Trim();                    // young {a, b} full: it becomes the old generation
  EXPECT_EQ(c.Find("a"), 1u);  // a hit in the old generation moves a to the young one
  c.Put("c", 3);
  c.Trim();  // young {a, c} full: old {a, b} dropped
  EXPECT_EQ(c.Find("b"), std::nullopt);
  EXPECT_EQ(c.Find("a"), 1u);
  EXPECT_EQ(c.Find("c"), 3u);
  c.Put("a", 5);  // a newer value shadows the copy in the old generation
  EXPECT_EQ(c.Find("a"), 5u);
  EXPECT_LE(c.size(), c.capacity());
  c.Clear();
  EXPECT_EQ(c.size(), 0u);
  EXPECT_EQ(c.Find("a"), std::nullopt);
}

// Completeness is the caller's claim that every key is held; the cache withdraws it as soon as
// it drops a key, since a missing key would then no longer mean "unbound".
TEST(IdentifierCacheTest, CompleteUntilAKeyIsDropped) {
  IdentifierCache c(4);  // two keys per generation
  EXPECT_FALSE(c.complete());
  EXPECT_EQ(c.keys_without_loss(), 2u);
  c.set_complete();
  c.Put("a", 1);
  c.Put("b", 2);
  c.Trim();  // young {a, b} becomes the old generation; nothing is dropped
  EXPECT_TRUE(c.complete());
  c.Put("c", 3);
  c.Trim();  // young {c} not full: nothing happens
  EXPECT_TRUE(c.complete());
  c.Put("d", 4);
  c.Trim();  // young {c, d} full: old {a, b} dropped
  EXPECT_FALSE(c.complete());
  EXPECT_EQ(c.Find("a"), std::nullopt);
  c.set_complete();
  c.Clear();
  EXPECT_FALSE(c.complete());
}

}  // namespace
}  // namespace rapport
