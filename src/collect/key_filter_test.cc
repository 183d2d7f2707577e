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
  KeyFilter f(/*first_epoch_keys=*/50000);
  auto keys = RandomKeys(250000, 1);  // three epochs: 50,000, 100,000 and 200,000 keys
  f.Add(keys, 1000);
  EXPECT_EQ(f.epochs(), 3u);
  for (const auto& [hi, lo] : keys) ASSERT_TRUE(f.MayContain(hi, lo));
  size_t positives = 0;
  auto others = RandomKeys(200000, 2);
  for (const auto& [hi, lo] : others) positives += f.MayContain(hi, lo);
  // ~1 % per epoch (the last one half full), three epochs probed.
  EXPECT_LT(positives, others.size() * 4 / 100) << positives;
  EXPECT_GT(positives, 0u);
}

TEST(KeyFilterTest, MayContainEachAnswersAsMayContainForEveryKey) {
  KeyFilter f(/*first_epoch_keys=*/20000);
  auto keys = RandomKeys(70000, 6);  // three epochs: 20,000, 40,000 and 80,000 (part) keys
  f.Add(keys, 1000);
  ASSERT_EQ(f.epochs(), 3u);
  // Keys of each epoch, keys never added (some false positives among them), and none.
  auto probes = RandomKeys(30000, 7);
  probes.insert(probes.end(), keys.begin(), keys.begin() + 100);
  probes.insert(probes.end(), keys.begin() + 30000, keys.begin() + 30100);
  probes.insert(probes.end(), keys.end() - 100, keys.end());
  std::vector<char> may;
  f.MayContainEach(probes, &may);
  ASSERT_EQ(may.size(), probes.size());
  size_t positives = 0;
  for (size_t i = 0; i < probes.size(); ++i) {
    ASSERT_EQ(static_cast<bool>(may[i]), f.MayContain(probes[i].first, probes[i].second)) << i;
    positives += may[i] != 0;
  }
  EXPECT_GE(positives, 300u);  // the 300 added keys, at least
  f.MayContainEach({}, &may);
  EXPECT_TRUE(may.empty());
}

TEST(KeyFilterTest, EpochsExpireByTheirNewestKey) {
  KeyFilter f(/*first_epoch_keys=*/1000, /*span_us=*/100);
  auto old_keys = RandomKeys(1000, 3), new_keys = RandomKeys(1000, 4), last = RandomKeys(10, 5);
  f.Add(old_keys, 100);
  f.Add(new_keys, 200);  // the first epoch has room, but its span (100) is over
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
  // 100 keys x 10 bits fill 2 blocks of 512 bits (128 bytes); 200 keys, 4 blocks.
  KeyFilter f(/*first_epoch_keys=*/100, /*span_us=*/0, /*max_bytes=*/128 + 256);
  f.Add(RandomKeys(150, 6), 100);  // an epoch of 100 keys, then one of 200
  EXPECT_FALSE(f.over_capacity());
  EXPECT_EQ(f.bytes(), 128u + 256u);
  f.Add(RandomKeys(200, 7), 200);  // 150 fit, 50 are refused
  EXPECT_TRUE(f.over_capacity());
  f.Expire(150);  // the refused keys (200) are still in the window
  EXPECT_TRUE(f.over_capacity());
  f.Expire(201);
  EXPECT_FALSE(f.over_capacity());
  EXPECT_EQ(f.bytes(), 0u);
}

// Epochs sized from the rate: a steady stream settles on ~3 epochs over a window of 2 spans,
// however many keys the window holds, where fixed epochs grew in number with the keys.
TEST(KeyFilterTest, EpochsFollowTheRateAndStayFew) {
  constexpr int64_t kSpan = 1000;  // the window is two spans
  KeyFilter f(/*first_epoch_keys=*/1000, kSpan);
  std::vector<std::pair<uint64_t, uint64_t>> recent;
  size_t most_epochs_late = 0;
  for (int64_t t = 1; t <= 20 * kSpan; ++t) {  // 100 keys per time unit: 100,000 a span
    auto keys = RandomKeys(100, static_cast<uint64_t>(t) + 100);
    f.Expire(t - 2 * kSpan);
    f.Add(keys, t);
    if (t > 20 * kSpan - 2 * kSpan) recent.insert(recent.end(), keys.begin(), keys.end());
    if (t > 8 * kSpan) most_epochs_late = std::max(most_epochs_late, f.epochs());
  }
  EXPECT_LE(most_epochs_late, 4u);  // ramped up (1,000 → 128,000 keys) within the first spans
  EXPECT_FALSE(f.over_capacity());
  for (const auto& [hi, lo] : recent) ASSERT_TRUE(f.MayContain(hi, lo));  // the whole window
  size_t positives = 0;
  auto others = RandomKeys(100000, 7);
  for (const auto& [hi, lo] : others) positives += f.MayContain(hi, lo);
  EXPECT_LT(positives, others.size() * 5 / 100) << positives;
  // Memory follows the keys of ~1.5 windows with a quarter of slack, not a fixed count of epochs.
  EXPECT_LT(f.bytes(), 300000u * 10 / 8 * 5 / 4 * 5 / 4) << f.bytes();
}

}  // namespace
}  // namespace rapport
