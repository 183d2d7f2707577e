#include "profile/state_store.h"

#include <gtest/gtest.h>

#include <random>

#include "common/rocks_options.h"
#include "common/temp_dir.h"
#include "profile/state_cache.h"

namespace rapport {
namespace {

using Timers = std::vector<std::pair<int64_t, uint64_t>>;

Timers Due(const StateStore& store, int64_t from, int64_t up_to, size_t limit = SIZE_MAX) {
  Timers out;
  EXPECT_TRUE(store.TimersDue(from, up_to, limit, &out).ok());
  return out;
}

TEST(StateStoreTimersTest, DueBetweenFromAndUpToEarliestFirst) {
  testing::TempDir dir;
  auto store = StateStore::Open(dir.Sub("state"));
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  StateBatch batch(store->get());
  batch.PutTimer(30, 7);
  batch.PutTimer(10, 5);
  batch.PutTimer(20, 6);
  batch.PutTimer(-5, 4);  // before the epoch: biased keys still sort by time
  batch.PutTimer(20, 2);
  ASSERT_TRUE((*store)->Write(&batch).ok());

  EXPECT_EQ(Due(**store, INT64_MIN, 25), (Timers{{-5, 4}, {10, 5}, {20, 2}, {20, 6}}));
  EXPECT_EQ(Due(**store, 10, 25), (Timers{{10, 5}, {20, 2}, {20, 6}}));  // from is inclusive
  EXPECT_EQ(Due(**store, 11, 30), (Timers{{20, 2}, {20, 6}, {30, 7}}));
  EXPECT_EQ(Due(**store, 0, 100, 2), (Timers{{10, 5}, {20, 2}}));
  EXPECT_EQ(Due(**store, 31, 100), Timers{});

  StateBatch fired(store->get());
  fired.DeleteTimer(10, 5);
  fired.DeleteTimer(20, 2);
  ASSERT_TRUE((*store)->Write(&fired).ok());
  EXPECT_EQ(Due(**store, 0, 100), (Timers{{20, 6}, {30, 7}}));
}

// Member and timer changes are written sorted by key too: within one batch, of two operations on
// one key the later wins, and removing a whole audience cuts only what was added before it.
TEST(StateStoreMembersTest, OneBatchKeepsTheOrderOfOperationsOnAKey) {
  testing::TempDir dir;
  auto store = StateStore::Open(dir.Sub("state"));
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  StateBatch batch(store->get());
  batch.PutMember(2, 50, 1000);
  batch.PutMember(1, 40, 1000);
  batch.DeleteMember(1, 40);  // entered, then left: gone
  batch.DeleteMember(1, 30);
  batch.PutMember(1, 30, 2000);  // left, then entered: a member
  batch.PutMember(3, 10, 1000);
  batch.DeleteAudienceMembers(3);  // audience 3 deleted: 10 goes
  batch.PutMember(3, 20, 3000);    // added after the deletion: stays
  batch.PutTimer(70, 9);
  batch.DeleteTimer(70, 9);  // scheduled, then cancelled
  batch.DeleteTimer(60, 8);
  batch.PutTimer(60, 8);  // cancelled, then scheduled
  ASSERT_TRUE((*store)->Write(&batch).ok());
  using Members = std::vector<std::pair<uint64_t, int64_t>>;
  auto members = [&](uint64_t audience) {
    Members out;
    EXPECT_TRUE((*store)->ListMembers(audience, 0, 100, &out).ok());
    return out;
  };
  EXPECT_EQ(members(1), (Members{{30, 2000}}));
  EXPECT_EQ(members(2), (Members{{50, 1000}}));
  EXPECT_EQ(members(3), (Members{{20, 3000}}));
  EXPECT_EQ(Due(**store, 0, 100), (Timers{{60, 8}}));
}

// A batch's timeline entries are written sorted by key (cheaper memtable inserts): the order
// they were added in must not matter, and of two entries with one key the later still wins.
TEST(StateStoreTimelineTest, OneBatchInAnyOrderReadsNewestFirstAndTheLaterPutWins) {
  testing::TempDir dir;
  auto store = StateStore::Open(dir.Sub("state"));
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  StateBatch batch(store->get());
  batch.PutTimeline(9, {200, 2}, "s", R"({"n":"other profile"})");
  batch.PutTimeline(3, {100, 1}, "s", R"({"n":"old"})");
  batch.PutTimeline(3, {300, 3}, "s", R"({"n":"new, first value"})");
  batch.PutTimeline(3, {200, 2}, "s", R"({"n":"middle"})");
  batch.PutTimeline(3, {300, 3}, "s", R"({"n":"new"})");  // same key, added later
  ASSERT_TRUE((*store)->Write(&batch).ok());
  std::vector<TimelineEntry> out;
  ASSERT_TRUE((*store)->ReadTimeline({3}, std::nullopt, 10, &out).ok());
  std::vector<std::string> json;
  for (const auto& e : out) json.push_back(e.json);
  EXPECT_EQ(json,
            (std::vector<std::string>{R"({"n":"new"})", R"({"n":"middle"})", R"({"n":"old"})"}));
}

// The state's flushes and compactions write through the process's shared rate limiter
// (common/rocks_options.h), which the server's CompactionPacer lowers while ingest is held back:
// reopening flushes the recovered write-ahead log into a table, and its bytes pass the limiter.
TEST(StateStorePacingTest, FlushesWriteThroughTheSharedRateLimiter) {
  testing::TempDir dir;
  {
    auto store = StateStore::Open(dir.Sub("state"));
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    StateBatch batch(store->get());
    std::mt19937_64 rng(1);
    for (uint64_t p = 1; p <= 1000; ++p) {
      std::string json(200, ' ');  // random letters: about as large compressed (LZ4) as not
      for (char& c : json) c = static_cast<char>('a' + rng() % 26);
      batch.PutTimeline(p, {static_cast<int64_t>(p), p}, "s", json);
    }
    ASSERT_TRUE((*store)->Write(&batch).ok());
  }
  const int64_t before = SharedRocksRateLimiter()->GetTotalBytesThrough(rocksdb::Env::IO_TOTAL);
  auto store = StateStore::Open(dir.Sub("state"));
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_GT(SharedRocksRateLimiter()->GetTotalBytesThrough(rocksdb::Env::IO_TOTAL) - before,
            100'000);
}

TEST(StateCacheTest, SizedFromAMemoryBudget) {
  StateCache c = StateCache::ForBudget(300);  // ~1 KB a profile with its identifiers
  EXPECT_EQ(c.profiles.capacity(), 300'000u);
  EXPECT_EQ(c.identifiers.capacity(), 1'200'000u);
  EXPECT_EQ(c.accounts.capacity(), 30'000u);
  // Automatic: an eighth of the machine's memory, at least 200 MB.
  EXPECT_GE(StateCache::ForBudget(0).profiles.capacity(), 200'000u);
}

}  // namespace
}  // namespace rapport
