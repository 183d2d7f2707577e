#include "collect/key_table.h"

#include <map>
#include <random>

#include <gtest/gtest.h>

namespace rapport {
namespace {

TEST(KeyTableTest, FindsWhatWasPutAndNothingElse) {
  KeyTable t(1000);
  std::mt19937_64 rng(7);
  std::map<std::pair<uint64_t, uint64_t>, int64_t> want;
  for (int i = 0; i < 5000; ++i) {             // five times what it was sized for: it grows
    uint64_t hi = rng(), lo = rng() & 0xffff;  // low bits collide often: long probe runs
    t.Put(hi, lo, i);
    want[{hi, lo}] = i;
  }
  EXPECT_EQ(t.size(), want.size());
  for (const auto& [k, v] : want) ASSERT_EQ(t.Find(k.first, k.second), v);
  for (int i = 0; i < 5000; ++i) ASSERT_EQ(t.Find(rng(), rng()), -1);
  std::map<std::pair<uint64_t, uint64_t>, int64_t> walked;
  t.ForEach([&](uint64_t hi, uint64_t lo, int64_t r) { walked[{hi, lo}] = r; });
  EXPECT_EQ(walked, want);
}

TEST(KeyTableTest, PutReplacesTheTimeOfAKeyAlreadyThere) {
  KeyTable t;
  t.Put(1, 2, 100);
  t.Put(1, 2, 300);
  t.Put(2, 2, 200);  // same slot, another key
  EXPECT_EQ(t.size(), 2u);
  EXPECT_EQ(t.Find(1, 2), 300);
  EXPECT_EQ(t.Find(2, 2), 200);
  EXPECT_EQ(t.Find(3, 2), -1);
}

TEST(KeyTableTest, ClearEmptiesAndTheTableIsReusable) {
  KeyTable t(4);
  t.Put(0, 0, 0);  // the all-zero key and time are ordinary values
  t.Put(5, 6, 7);
  t.Clear();
  EXPECT_TRUE(t.empty());
  EXPECT_EQ(t.Find(0, 0), -1);
  EXPECT_EQ(t.Find(5, 6), -1);
  t.Put(5, 6, 8);
  EXPECT_EQ(t.Find(5, 6), 8);
  size_t n = 0;
  t.ForEach([&](uint64_t, uint64_t, int64_t) { ++n; });
  EXPECT_EQ(n, 1u);
}

}  // namespace
}  // namespace rapport
