// The warehouse store on real files: buffered rows are visible at once, flushes make parts and a
// manifest that survive a reopen, late events land in their day, merging keeps every row, a
// crash's leftovers are cleaned up, damage is reported, and a failed flush loses nothing.
#include "warehouse/store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <random>
#include <set>

#include "common/fault_injection_env.h"
#include "common/temp_dir.h"
#include "warehouse/memory_snapshot.h"

namespace rapport::warehouse {
namespace {

using rapport::testing::TempDir;

constexpr int64_t kDay = 86'400'000'000;
constexpr int64_t kT0 = 19675 * kDay;  // 2023-11-14T00:00:00Z, a day boundary

Row MakeRow(int64_t ts, uint64_t seq, uint64_t profile, std::string event, double revenue) {
  Row r;
  r.ts = ts;
  r.seq = seq;
  r.profile = profile;
  r.event = std::move(event);
  r.props = {{"properties.revenue", Value::Number(revenue)},
             {"userId", Value::String("u" + std::to_string(profile))}};
  return r;
}

// Every row of a snapshot as text, sorted: what a query could ever see.
std::vector<std::string> Dump(const Snapshot& s) {
  std::vector<std::string> out;
  for (size_t i = 0; i < s.chunk_count(); ++i) {
    auto chunk = s.Load(i, {"properties.revenue", "userId"});
    EXPECT_TRUE(chunk.ok()) << chunk.status().ToString();
    if (!chunk.ok()) continue;
    const Chunk& c = **chunk;
    const PropertyColumn* revenue = c.Find("properties.revenue");
    const PropertyColumn* user = c.Find("userId");
    for (size_t r = 0; r < c.rows; ++r) {
      std::string line = std::to_string(c.ts()[r]) + " " + std::to_string(c.seq()[r]) + " p" +
                         std::to_string(c.profile()[r]) + " " +
                         std::string(s.events().Name(c.event()[r]));
      if (revenue && revenue->kind[r] == ValueKind::kNumber) {
        line += " revenue=" + std::to_string(revenue->number[r]);
      }
      if (user && user->kind[r] == ValueKind::kString) line += " " + std::string(user->text(r));
      out.push_back(line);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> Expected(const std::vector<Row>& rows) {
  std::vector<Row> copy = rows;
  MemorySnapshot m(std::move(copy), ProfileMap());
  return Dump(m);
}

class StoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<Warehouse> Open(Env* env = nullptr, size_t merge_min_parts = 4,
                                  std::function<void()> between_blocks = nullptr) {
    WarehouseOptions o;
    o.dir = dir_.Sub("wh");
    o.env = env;
    o.merge_min_parts = merge_min_parts;
    o.part.block_rows = 100;  // several blocks per part
    o.part.between_blocks = std::move(between_blocks);
    auto w = Warehouse::Open(std::move(o));
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    return w.ok() ? std::move(*w) : nullptr;
  }

  std::vector<Row> RandomRows(size_t n, int days, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::vector<Row> rows;
    const char* names[] = {"Page Viewed", "Order Completed", "Signed Up"};
    for (size_t i = 0; i < n; ++i) {
      rows.push_back(MakeRow(kT0 + static_cast<int64_t>(rng() % (days * kDay)), next_seq_++,
                             1 + rng() % 50, names[rng() % 3], static_cast<double>(rng() % 100)));
    }
    return rows;
  }

  TempDir dir_;
  uint64_t next_seq_ = 1;
};

TEST_F(StoreTest, RowsAreVisibleBufferedFlushedAndAfterReopen) {
  auto w = Open();
  std::vector<Row> rows = RandomRows(1000, 5, 1);
  w->Add(rows, {10, 20});
  EXPECT_EQ(Dump(*w->Snapshot()), Expected(rows));
  EXPECT_EQ(w->added_offsets(), (std::vector<uint64_t>{10, 20}));
  EXPECT_TRUE(w->durable_offsets().empty());
  ASSERT_TRUE(w->Flush().ok());
  EXPECT_EQ(w->buffered_rows(), 0u);
  EXPECT_EQ(w->durable_offsets(), (std::vector<uint64_t>{10, 20}));
  EXPECT_EQ(w->GetStats().parts, 5u);  // one per day
  EXPECT_EQ(Dump(*w->Snapshot()), Expected(rows));
  w.reset();
  w = Open();
  EXPECT_EQ(Dump(*w->Snapshot()), Expected(rows));
  EXPECT_EQ(w->durable_offsets(), (std::vector<uint64_t>{10, 20}));
  // Chunks come day by day, and each part's chunks are ordered by profile.
  SnapshotPtr s = w->Snapshot();
  for (size_t i = 1; i < s->chunk_count(); ++i) {
    EXPECT_LE(s->info(i - 1).day, s->info(i).day);
    if (s->info(i - 1).part == s->info(i).part) {
      EXPECT_LE(s->info(i - 1).max_profile, s->info(i).min_profile);
    }
  }
}

TEST_F(StoreTest, LateEventsLandInTheirDayAndMergingKeepsEveryRow) {
  auto w = Open(nullptr, /*merge_min_parts=*/3);
  std::vector<Row> all;
  for (int round = 0; round < 4; ++round) {
    std::vector<Row> rows = RandomRows(300, 2, 10 + round);
    rows.push_back(MakeRow(kT0 - 30 * kDay, next_seq_++, 7, "Late", 1));  // a month late
    all.insert(all.end(), rows.begin(), rows.end());
    w->Add(rows, {static_cast<uint64_t>(round + 1)});
    ASSERT_TRUE(w->Flush().ok());
  }
  EXPECT_EQ(w->GetStats().parts, 12u);
  int merges = 0;
  for (bool merged = true; merged;) {
    ASSERT_TRUE(w->MergeStep(&merged).ok());
    merges += merged;
  }
  EXPECT_EQ(merges, 3);
  EXPECT_EQ(w->GetStats().parts, 3u);
  EXPECT_EQ(Dump(*w->Snapshot()), Expected(all));
  std::set<int64_t> days;
  SnapshotPtr s = w->Snapshot();
  for (size_t i = 0; i < s->chunk_count(); ++i) days.insert(s->info(i).day);
  EXPECT_EQ(days.size(), 3u);
  EXPECT_TRUE(days.count(DayOf(kT0 - 30 * kDay)));
  // Replaced files are gone; a reopen sees the merged parts only.
  w.reset();
  auto files = Env::Default()->ListDir(dir_.Sub("wh/parts"));
  ASSERT_TRUE(files.ok());
  EXPECT_EQ(files->size(), 3u);
  w = Open();
  EXPECT_EQ(Dump(*w->Snapshot()), Expected(all));
}

TEST_F(StoreTest, SteadyIngestKeepsFewPartsAndRewritesLittle) {
  // A flush a second into one day, a merge step after each: parts stay few, and size tiers keep
  // the rows merges rewrite a small multiple of the rows written (merging the whole day each
  // time would rewrite over 10 times as many here).
  auto w = Open(nullptr, 4);
  std::vector<Row> all;
  for (int i = 0; i < 64; ++i) {
    std::vector<Row> rows = RandomRows(50, 1, 100 + i);
    all.insert(all.end(), rows.begin(), rows.end());
    w->Add(rows, {static_cast<uint64_t>(i + 1)});
    ASSERT_TRUE(w->Flush().ok());
    bool merged = false;
    ASSERT_TRUE(w->MergeStep(&merged).ok());
    EXPECT_LE(w->GetStats().parts, 12u) << "after flush " << i;
  }
  EXPECT_EQ(Dump(*w->Snapshot()), Expected(all));
  EXPECT_GT(w->GetStats().merges_done, 8u);
  EXPECT_LE(w->GetStats().rows_merged, 5 * all.size()) << w->GetStats().rows_merged;
}

TEST_F(StoreTest, AMergePacesBeforeEachSourcePartAndAfterEachBlockItWrites) {
  // Background work yields to ingest between units (common/pacing.h): a merge of millions of
  // rows must not be one unit. Three parts of 250 rows in one day merge into 750 rows, written
  // as 8 blocks of at most 100: 3 pauses before reading the sources, 8 while writing.
  int calls = 0;
  auto w = Open(nullptr, 3, [&calls] { ++calls; });
  std::vector<Row> all;
  for (int i = 0; i < 3; ++i) {
    std::vector<Row> rows = RandomRows(250, 1, 40 + i);
    all.insert(all.end(), rows.begin(), rows.end());
    w->Add(rows, {static_cast<uint64_t>(i + 1)});
    ASSERT_TRUE(w->Flush().ok());
  }
  ASSERT_EQ(w->GetStats().parts, 3u);
  calls = 0;
  bool merged = false;
  ASSERT_TRUE(w->MergeStep(&merged).ok());
  ASSERT_TRUE(merged);
  EXPECT_EQ(w->GetStats().parts, 1u);
  EXPECT_EQ(calls, 3 + 8);
  EXPECT_EQ(Dump(*w->Snapshot()), Expected(all));
}

TEST_F(StoreTest, ASnapshotTakenBeforeAMergeStillReads) {
  auto w = Open(nullptr, 2);
  std::vector<Row> a = RandomRows(200, 1, 3), b = RandomRows(200, 1, 4);
  w->Add(a, {1});
  ASSERT_TRUE(w->Flush().ok());
  w->Add(b, {2});
  ASSERT_TRUE(w->Flush().ok());
  SnapshotPtr before = w->Snapshot();
  bool merged = false;
  ASSERT_TRUE(w->MergeStep(&merged).ok());
  ASSERT_TRUE(merged);
  a.insert(a.end(), b.begin(), b.end());
  EXPECT_EQ(Dump(*before), Expected(a));
  EXPECT_EQ(Dump(*w->Snapshot()), Expected(a));
}

TEST_F(StoreTest, LeftoversOfACrashAreRemovedAndDamageIsReported) {
  auto w = Open();
  std::vector<Row> rows = RandomRows(100, 1, 5);
  w->Add(rows, {1});
  ASSERT_TRUE(w->Flush().ok());
  w.reset();
  ASSERT_TRUE(WriteFileAtomic(Env::Default(), dir_.Sub("wh/parts/19999-999.part"), "half").ok());
  w = Open();
  EXPECT_FALSE(Env::Default()->Exists(dir_.Sub("wh/parts/19999-999.part")));
  EXPECT_EQ(Dump(*w->Snapshot()), Expected(rows));
  w.reset();
  // A damaged manifest.
  std::string manifest;
  ASSERT_TRUE(ReadFileToString(Env::Default(), dir_.Sub("wh/MANIFEST"), &manifest).ok());
  std::string bad = manifest;
  bad[bad.size() / 2] ^= 0x20;
  ASSERT_TRUE(WriteFileAtomic(Env::Default(), dir_.Sub("wh/MANIFEST"), bad).ok());
  WarehouseOptions o;
  o.dir = dir_.Sub("wh");
  auto broken = Warehouse::Open(o);
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.status().code(), StatusCode::kCorruption);
  EXPECT_NE(broken.status().message().find("MANIFEST"), std::string::npos);
  // A part the manifest names is missing.
  ASSERT_TRUE(WriteFileAtomic(Env::Default(), dir_.Sub("wh/MANIFEST"), manifest).ok());
  auto parts = Env::Default()->ListDir(dir_.Sub("wh/parts"));
  ASSERT_TRUE(parts.ok() && !parts->empty());
  ASSERT_TRUE(Env::Default()->RemoveFile(dir_.Sub("wh/parts/" + (*parts)[0])).ok());
  auto missing = Warehouse::Open(o);
  EXPECT_FALSE(missing.ok());
}

TEST_F(StoreTest, AFailedFlushLosesNothingAndCanBeRetried) {
  FaultInjectionEnv env;
  auto w = Open(&env);
  std::vector<Row> rows = RandomRows(500, 3, 6);
  w->Add(rows, {5});
  env.FailSyncs(true);
  Status s = w->Flush();
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(w->buffered_rows(), rows.size());
  EXPECT_TRUE(w->durable_offsets().empty());
  EXPECT_EQ(Dump(*w->Snapshot()), Expected(rows));
  std::vector<Row> more = RandomRows(50, 1, 7);
  w->Add(more, {6});
  env.FailSyncs(false);
  ASSERT_TRUE(w->Flush().ok());
  rows.insert(rows.end(), more.begin(), more.end());
  EXPECT_EQ(Dump(*w->Snapshot()), Expected(rows));
  EXPECT_EQ(w->durable_offsets(), (std::vector<uint64_t>{6}));
  w.reset();
  w = Open();
  EXPECT_EQ(Dump(*w->Snapshot()), Expected(rows));
}

TEST_F(StoreTest, MergesMapStoredIdsToTheSurvivor) {
  auto w = Open();
  w->Add({MakeRow(kT0, 1, 2, "A", 1), MakeRow(kT0 + 1, 2, 3, "B", 1)}, {2});
  w->AddMerges({{3, 2}}, 3);
  w->AddMerges({{2, 1}}, 3);
  SnapshotPtr s = w->Snapshot();
  EXPECT_EQ(s->profiles().Current(3), 1u);
  EXPECT_EQ(s->profiles().Current(2), 1u);
  EXPECT_EQ(s->profiles().Current(1), 1u);
  EXPECT_TRUE(s->profiles().Touched(1));
  EXPECT_FALSE(s->profiles().Touched(4));
  EXPECT_GE(s->profiles().max_id(), 3u);
}

TEST(ManifestTest, RoundTripsAndRejectsDamage) {
  Manifest m;
  m.next_part_id = 9;
  m.offsets = {1, 0, 300};
  m.events = {"Page Viewed", "Order Completed"};
  m.parts = {{3, 19700, 10, kT0, kT0 + 5, 4096}, {8, -2, 1, -kDay, -kDay, 100}};
  const std::string bytes = m.Encode();
  auto back = Manifest::Decode(bytes);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, m);
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string bad = bytes;
    bad[i] ^= 0x01;
    auto r = Manifest::Decode(bad);
    EXPECT_FALSE(r.ok()) << "byte " << i;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
    }
  }
  EXPECT_FALSE(Manifest::Decode(bytes.substr(0, bytes.size() - 1)).ok());
  EXPECT_FALSE(Manifest::Decode("").ok());
}

}  // namespace
}  // namespace rapport::warehouse
