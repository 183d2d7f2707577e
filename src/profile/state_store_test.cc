#include "profile/state_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include <rocksdb/db.h>

#include "common/coding.h"
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

std::vector<std::string> Json(const std::vector<TimelineEntry>& entries) {
  std::vector<std::string> out;
  for (const auto& e : entries) out.push_back(e.json);
  return out;
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
  batch.PutTimeline(3, {200, 4}, "s", R"({"n":"middle"})");
  batch.PutTimeline(3, {300, 3}, "s", R"({"n":"new"})");  // same key, added later
  ASSERT_TRUE((*store)->Write(&batch).ok());
  ProfileRecord r;
  r.id = 3;
  r.timeline = {{100, 1}, {300, 3}, {200, 4}};  // where the pipeline keeps the newest positions
  std::vector<TimelineEntry> out;
  ASSERT_TRUE((*store)->ReadTimeline(r, std::nullopt, 10, &out).ok());
  EXPECT_EQ(Json(out),
            (std::vector<std::string>{R"({"n":"new"})", R"({"n":"middle"})", R"({"n":"old"})"}));
  EXPECT_EQ(out[1].pos, (TimelinePos{200, 4}));
  EXPECT_EQ(out[1].profile, 3u);
}

// A profile's timeline: positions in its record and in index chunks, its own and those of the
// profiles merged into it; pages by cursor, newest first, none twice.
TEST(StateStoreTimelineTest, ReadsTheRecordAndTheChunksOfEveryMemberInPages) {
  testing::TempDir dir;
  auto store = StateStore::Open(dir.Sub("state"));
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  StateBatch batch(store->get());
  ProfileRecord r;
  r.id = 5;
  r.members = {2};
  std::vector<TimelinePos> chunk5, chunk2a, chunk2b;
  for (uint64_t i = 1; i <= 12; ++i) {
    const uint64_t owner = i % 3 == 0 ? 2 : 5;  // every third event was profile 2's
    const TimelinePos pos{static_cast<int64_t>(1000 + i * 10), i};
    batch.PutTimeline(owner, pos, "s", "e" + std::to_string(i));
    if (owner == 2) {
      (i < 7 ? chunk2a : chunk2b).push_back(pos);
    } else if (i <= 8) {
      chunk5.push_back(pos);
    } else {
      r.timeline.push_back(pos);
    }
  }
  batch.PutTimelineChunk(5, chunk5);
  batch.PutTimelineChunk(2, chunk2a);
  batch.PutTimelineChunk(2, chunk2b);
  batch.PutTimelineChunk(5, {r.timeline.front()});  // also still in the record: read once
  batch.PutTimeline(3, {5000, 99}, "s", "not a member");
  batch.PutTimelineChunk(3, {{5000, 99}});
  ASSERT_TRUE((*store)->Write(&batch).ok());

  std::vector<TimelineEntry> page;
  ASSERT_TRUE((*store)->ReadTimeline(r, std::nullopt, 5, &page).ok());
  EXPECT_EQ(Json(page), (std::vector<std::string>{"e12", "e11", "e10", "e9", "e8"}));
  EXPECT_EQ(page[0].profile, 2u);
  std::vector<TimelineEntry> rest;
  ASSERT_TRUE((*store)->ReadTimeline(r, page.back().pos, 100, &rest).ok());
  EXPECT_EQ(Json(rest), (std::vector<std::string>{"e7", "e6", "e5", "e4", "e3", "e2", "e1"}));
  EXPECT_EQ(rest.back().pos, (TimelinePos{1010, 1}));
}

TEST(StateStoreTimelineTest, AnIndexedEntryThatIsMissingIsCorruption) {
  testing::TempDir dir;
  auto store = StateStore::Open(dir.Sub("state"));
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  StateBatch batch(store->get());
  batch.PutTimelineChunk(4, {{10, 1}});
  ASSERT_TRUE((*store)->Write(&batch).ok());
  ProfileRecord r;
  r.id = 4;
  std::vector<TimelineEntry> out;
  Status s = (*store)->ReadTimeline(r, std::nullopt, 10, &out);
  EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();
  EXPECT_NE(s.ToString().find("p4"), std::string::npos) << s.ToString();
}

// Version 2 kept each entry in a "timeline" family under (profile, ~time, ~seq): opening such a
// store moves every entry to the version 3 layout, indexed by chunks, and drops the family.
TEST(StateStoreTimelineTest, AVersion2TimelineIsMigratedOnOpen) {
  testing::TempDir dir;
  const std::string path = dir.Sub("state");
  auto v2_key = [](uint64_t profile, int64_t ts, uint64_t seq) {
    std::string k;
    PutBigEndian64(&k, profile);
    PutBigEndian64(&k, ~(static_cast<uint64_t>(ts) ^ (uint64_t{1} << 63)));
    PutBigEndian64(&k, ~seq);
    return k;
  };
  auto v2_value = [](std::string_view json) {
    std::string v;
    PutLengthPrefixed(&v, "web");
    PutLengthPrefixed(&v, json);
    return v;
  };
  {
    rocksdb::Options options;
    options.create_if_missing = true;
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(options, path, &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    rocksdb::ColumnFamilyHandle* cf = nullptr;
    ASSERT_TRUE(db->CreateColumnFamily(options, "timeline", &cf).ok());
    for (uint64_t i = 1; i <= 40; ++i) {  // profile 7: 37 entries, more than two chunks
      const uint64_t profile = i <= 37 ? 7 : 8;
      ASSERT_TRUE(db->Put({}, cf, v2_key(profile, -50 + static_cast<int64_t>(i), i * 100),
                          v2_value("e" + std::to_string(i)))
                      .ok());
    }
    ASSERT_TRUE(db->DestroyColumnFamilyHandle(cf).ok());
  }
  auto store = StateStore::Open(path);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ProfileRecord r;
  r.id = 7;
  r.members = {8};
  std::vector<TimelineEntry> out;
  ASSERT_TRUE((*store)->ReadTimeline(r, std::nullopt, 100, &out).ok());
  ASSERT_EQ(out.size(), 40u);
  for (size_t k = 0; k < out.size(); ++k) {
    const uint64_t i = 40 - k;
    EXPECT_EQ(out[k].json, "e" + std::to_string(i));
    EXPECT_EQ(out[k].pos, (TimelinePos{-50 + static_cast<int64_t>(i), i * 100}));
    EXPECT_EQ(out[k].source, "web");
    EXPECT_EQ(out[k].profile, i <= 37 ? 7u : 8u);
  }
  store->reset();
  std::vector<std::string> families;
  ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &families).ok());
  EXPECT_EQ(std::count(families.begin(), families.end(), "timeline"), 0);
  auto again = StateStore::Open(path);  // nothing left to migrate; the same timeline
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  std::vector<TimelineEntry> after;
  ASSERT_TRUE((*again)->ReadTimeline(r, std::nullopt, 100, &after).ok());
  EXPECT_EQ(Json(after), Json(out));
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
