#include "warehouse/part/block_cache.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace rapport::warehouse {
namespace {

std::shared_ptr<const FixedColumns> Fixed(size_t n, int64_t first_ts) {
  auto f = std::make_shared<FixedColumns>();
  f->ts.assign(n, first_ts);
  f->seq.assign(n, 1);
  f->profile.assign(n, 2);
  f->event.assign(n, 3);
  f->type.assign(n, EventType::kTrack);
  return f;
}

std::shared_ptr<const PropertyColumn> Column(std::string path, size_t n) {
  auto c = std::make_shared<PropertyColumn>();
  c->path = std::move(path);
  c->kind.assign(n, ValueKind::kString);
  c->number.assign(n, 0);
  c->code.assign(n, 0);
  c->strings = {"a long enough string to live on the heap, not inline"};
  return c;
}

TEST(BlockCache, HitsMissesAndKeys) {
  BlockCache cache(64 << 20);
  EXPECT_EQ(cache.LookupFixed(1, 7, 0), nullptr);
  cache.InsertFixed(1, 7, 0, Fixed(100, 5));
  cache.InsertColumn(1, 7, 0, Column("properties.x", 100));
  cache.InsertColumn(1, 7, 0, Column("", 100));  // an empty path is not the fixed columns
  auto f = cache.LookupFixed(1, 7, 0);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->ts[0], 5);
  EXPECT_EQ(cache.LookupFixed(1, 7, 1), nullptr);  // another block
  EXPECT_EQ(cache.LookupFixed(2, 7, 0), nullptr);  // another part
  EXPECT_EQ(cache.LookupFixed(1, 8, 0), nullptr);  // another file of part 1
  ASSERT_NE(cache.LookupColumn(1, 7, 0, "properties.x"), nullptr);
  EXPECT_EQ(cache.LookupColumn(1, 7, 0, "properties.y"), nullptr);
  EXPECT_EQ(cache.LookupColumn(1, 7, 0, "")->path, "");
  EXPECT_EQ(cache.hits(), 3u);
  EXPECT_EQ(cache.misses(), 5u);
  EXPECT_EQ(cache.entries(), 3u);
  EXPECT_GT(cache.usage(), 100u * 29);
}

TEST(BlockCache, EvictsLeastRecentlyUsedWithinBudget) {
  const size_t one = BlockCache::Charge(*Fixed(1000, 0));
  BlockCache cache(one * 3 + one / 2);  // one shard: room for three
  for (uint32_t b = 0; b < 3; ++b) cache.InsertFixed(1, 0, b, Fixed(1000, b));
  ASSERT_NE(cache.LookupFixed(1, 0, 0), nullptr);  // 0 is now the most recent
  cache.InsertFixed(1, 0, 3, Fixed(1000, 3));      // evicts 1
  EXPECT_NE(cache.LookupFixed(1, 0, 0), nullptr);
  EXPECT_EQ(cache.LookupFixed(1, 0, 1), nullptr);
  EXPECT_NE(cache.LookupFixed(1, 0, 2), nullptr);
  EXPECT_NE(cache.LookupFixed(1, 0, 3), nullptr);
  EXPECT_LE(cache.usage(), cache.capacity());
  // Too big for the budget: not kept, nothing evicted.
  cache.InsertFixed(1, 0, 9, Fixed(100000, 0));
  EXPECT_EQ(cache.LookupFixed(1, 0, 9), nullptr);
  EXPECT_EQ(cache.entries(), 3u);
  // A value stays valid for its holder after eviction.
  auto held = cache.LookupFixed(1, 0, 0);
  for (uint32_t b = 10; b < 20; ++b) cache.InsertFixed(1, 0, b, Fixed(1000, b));
  EXPECT_EQ(cache.LookupFixed(1, 0, 0), nullptr);
  EXPECT_EQ(held->ts.size(), 1000u);
}

TEST(BlockCache, EraseDropsOnePart) {
  BlockCache cache(64 << 20);
  for (uint64_t part = 1; part <= 3; ++part) {
    for (uint32_t b = 0; b < 10; ++b) {
      cache.InsertFixed(part, 1, b, Fixed(10, 0));
      cache.InsertColumn(part, 2, b, Column("p", 10));
    }
  }
  EXPECT_EQ(cache.entries(), 60u);
  const size_t before = cache.usage();
  cache.Erase(2);
  EXPECT_EQ(cache.entries(), 40u);
  EXPECT_LT(cache.usage(), before);
  EXPECT_EQ(cache.LookupFixed(2, 1, 3), nullptr);
  EXPECT_EQ(cache.LookupColumn(2, 2, 3, "p"), nullptr);
  EXPECT_NE(cache.LookupFixed(1, 1, 3), nullptr);
  EXPECT_NE(cache.LookupColumn(3, 2, 3, "p"), nullptr);
}

TEST(BlockCache, ManyThreads) {
  BlockCache cache(8 << 20);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&cache, t] {
      for (int i = 0; i < 5000; ++i) {
        const auto b = static_cast<uint32_t>((i * 7 + t) % 300);
        auto f = cache.LookupFixed(1, 0, b);
        if (f == nullptr) {
          cache.InsertFixed(1, 0, b, Fixed(500, b));
        } else {
          ASSERT_EQ(f->ts[0], b);
        }
        if (i % 1000 == 0) cache.Erase(1);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_LE(cache.usage(), cache.capacity());
}

}  // namespace
}  // namespace rapport::warehouse
