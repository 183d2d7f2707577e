#include "collect/key_filter.h"

#include <random>

#include <gtest/gtest.h>

namespace rapport {
namespace {

std::vector<std::pair<uint64_t, uint64_t>> RandomKeys(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::pair<uint64_t, uint64_t>> keys(n);
  for (auto& k : keys) k = {rng(), rng()};
  return keys;
}

TEST(KeyFilterTest, NoFalseNegativesAndFewFalsePositives) {
  KeyFilter f(/*epoch_keys=*/100000);
  auto keys = RandomKeys(250000, 1);  // three epochs
  f.Add(keys, 1000);
  EXPECT_EQ(f.epochs(), 3u);
  for (const auto& [hi, lo] : keys) ASSERT_TRUE(f.MayContain(hi, lo));
  size_t positives = 0;
  auto others = RandomKeys(200000, 2);
  for (const auto& [hi, lo] : others) positives += f.MayContain(hi, lo);
  // ~1.5 % per epoch, three epochs probed.
  EXPECT_LT(positives, others.size() * 6 / 100) << positives;
  EXPECT_GT(positives, 0u);
}

TEST(KeyFilterTest, EpochsExpireByTheirNewestKey) {
  KeyFilter f(/*epoch_keys=*/1000);
  auto old_keys = RandomKeys(1000, 3), new_keys = RandomKeys(1000, 4), last = RandomKeys(10, 5);
  f.Add(old_keys, 100);
  f.Add(new_keys, 200);
  f.Add(last, 300);
  ASSERT_EQ(f.epochs(), 3u);
  f.Expire(150);  // the first epoch's newest key (100) is older
  EXPECT_EQ(f.epochs(), 2u);
  size_t still = 0;
  for (const auto& [hi, lo] : old_keys) still += f.MayContain(hi, lo);
  EXPECT_LT(still, 100u);  // only false positives are left
  for (const auto& [hi, lo] : new_keys) EXPECT_TRUE(f.MayContain(hi, lo));
  f.Expire(1000);
  EXPECT_EQ(f.epochs(), 0u);
  for (const auto& [hi, lo] : last) EXPECT_FALSE(f.MayContain(hi, lo));
}

TEST(KeyFilterTest, OverCapacityUntilTheRefusedKeysExpire) {
  KeyFilter f(/*epoch_keys=*/100, /*max_epochs=*/2);
  f.Add(RandomKeys(150, 6), 100);
  EXPECT_FALSE(f.over_capacity());
  EXPECT_EQ(f.bytes(), 2u * 128);  // 100 keys x 10 bits in 512-bit blocks: 2 blocks an epoch
  f.Add(RandomKeys(100, 7), 200);  // 50 fit, 50 are refused
  EXPECT_TRUE(f.over_capacity());
  f.Expire(150);  // the refused keys (200) are still in the window
  EXPECT_TRUE(f.over_capacity());
  f.Expire(201);
  EXPECT_FALSE(f.over_capacity());
  EXPECT_EQ(f.bytes(), 0u);
}

}  // namespace
}  // namespace rapport
