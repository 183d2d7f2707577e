// Part files: round trips against the in-memory reference, typed and rest columns, options,
// errors, the cache, and atomic writes under injected faults.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <set>
#include <thread>

#include "common/fault_injection_env.h"
#include "common/temp_dir.h"
#include "warehouse/part/format.h"
#include "warehouse/part/part_reader.h"
#include "warehouse/part/part_writer.h"
#include "warehouse/part/test_util.h"

namespace rapport::warehouse {
namespace {

using testing::AllPaths;
using testing::Canonical;
using testing::RandomRows;
using testing::ReferenceChunk;
using testing::RowGenOptions;
using testing::SameChunk;

struct Written {
  std::string bytes;
  PartMeta meta;
  EventDictionary events;
  std::vector<Row> sorted;  // Canonical(rows)
};

Written Encode(const std::vector<Row>& rows, int64_t day, const PartWriteOptions& options = {},
               uint64_t id = 9) {
  Written w;
  auto bytes = EncodePart(id, day, rows, &w.events, options, &w.meta);
  EXPECT_TRUE(bytes.ok()) << bytes.status().ToString();
  if (bytes.ok()) w.bytes = std::move(*bytes);
  w.sorted = Canonical(rows);
  return w;
}

// Every block of `reader` equals the reference built from `w.sorted`, for `paths`.
void ExpectBlocksMatch(const PartReader& reader, Written& w, size_t block_rows,
                       const std::vector<std::string>& paths) {
  size_t begin = 0;
  for (size_t b = 0; b < reader.blocks(); ++b) {
    const size_t end = std::min(w.sorted.size(), begin + block_rows);
    auto chunk = reader.Load(b, paths);
    ASSERT_TRUE(chunk.ok()) << chunk.status().ToString();
    ChunkPtr want = ReferenceChunk(w.sorted, begin, end, paths, &w.events);
    EXPECT_TRUE(SameChunk(**chunk, *want)) << "block " << b;
    const ChunkInfo& info = reader.info(b);
    EXPECT_EQ(info.rows, end - begin);
    EXPECT_EQ(info.min_ts, want->min_ts);
    EXPECT_EQ(info.max_ts, want->max_ts);
    EXPECT_EQ(info.min_profile, w.sorted[begin].profile);
    EXPECT_EQ(info.max_profile, w.sorted[end - 1].profile);
    EXPECT_EQ(info.part, w.meta.id);
    EXPECT_EQ(info.day, w.meta.day);
    begin = end;
  }
  EXPECT_EQ(begin, w.sorted.size());
}

void RoundTrip(const std::vector<Row>& rows, int64_t day, const PartWriteOptions& options) {
  Written w = Encode(rows, day, options);
  auto reader = PartReader::OpenBuffer(w.bytes);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  const PartMeta& m = (*reader)->meta();
  EXPECT_EQ(m.id, w.meta.id);
  EXPECT_EQ(m.rows, rows.size());
  EXPECT_EQ(m.file_bytes, w.bytes.size());
  EXPECT_EQ(m.min_ts, w.meta.min_ts);
  EXPECT_EQ((*reader)->blocks(), (rows.size() + options.block_rows - 1) / options.block_rows);
  ExpectBlocksMatch(**reader, w, options.block_rows, AllPaths(rows));
  auto back = (*reader)->ReadRows(w.events);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(*back == w.sorted);
}

TEST(Part, RandomRowsRoundTrip) {
  for (uint64_t seed = 1; seed <= 4; ++seed) {
    RowGenOptions o;
    o.rows = 3000;
    o.large_strings = seed == 2;
    PartWriteOptions options;
    options.block_rows = seed == 3 ? 100 : 1024;
    RoundTrip(RandomRows(seed, o), o.day, options);
  }
}

TEST(Part, TheWriterCallsBackAfterEachBlock) {
  RowGenOptions o;
  o.rows = 1000;
  PartWriteOptions options;
  options.block_rows = 256;
  size_t calls = 0;
  options.between_blocks = [&calls] { ++calls; };
  RoundTrip(RandomRows(5, o), o.day, options);
  EXPECT_EQ(calls, 4u);  // 256 + 256 + 256 + 232 rows
}

TEST(Part, NegativeTimesAndEdgeSizes) {
  RowGenOptions o;
  o.day = -3;  // 1969-12-29
  PartWriteOptions options;
  options.block_rows = 256;
  for (size_t n : {1, 255, 256, 257, 512, 513}) {
    o.rows = n;
    RoundTrip(RandomRows(n, o), o.day, options);
  }
}

TEST(Part, RarePathsGoToRestAndComeBack) {
  RowGenOptions o;
  o.rows = 5000;
  o.frequent_paths = 3;
  o.rare_paths = 60;
  const std::vector<Row> rows = RandomRows(11, o);
  PartWriteOptions options;
  options.block_rows = 2000;
  Written w = Encode(rows, o.day, options);
  part::Footer footer;
  ASSERT_TRUE(part::DecodeFooter(w.bytes, &footer).ok());
  std::set<std::string> typed, rest;
  for (const auto& b : footer.blocks) {
    for (const auto& c : b.columns) {
      if (c.kind == part::ColumnKind::kVariant) typed.insert(c.name);
      if (c.kind == part::ColumnKind::kRest) rest.insert(c.rest_paths.begin(), c.rest_paths.end());
    }
  }
  // The frequent paths are typed, and so are userId and messageId (1 row in 500, under the 1%
  // share, but always typed); the rare ones (1 row in 400 each) are in the rest.
  EXPECT_TRUE(typed.count("properties.f0"));
  EXPECT_TRUE(typed.count("userId"));
  EXPECT_TRUE(typed.count("messageId"));
  EXPECT_TRUE(rest.count("context.rare0"));
  EXPECT_EQ(typed.count("context.rare0"), 0u);
  // A subset mixing typed, rest and unknown paths, with a duplicate.
  auto reader = PartReader::OpenBuffer(w.bytes);
  ASSERT_TRUE(reader.ok());
  const std::vector<std::string> subset = {"context.rare7", "properties.f1",  "nope",
                                           "context.rare7", "context.rare12", "userId"};
  std::vector<std::string> unique_subset = {"context.rare7", "properties.f1", "context.rare12",
                                            "userId"};
  size_t begin = 0;
  for (size_t b = 0; b < (*reader)->blocks(); ++b) {
    const size_t end = std::min(w.sorted.size(), begin + options.block_rows);
    auto chunk = (*reader)->Load(b, subset);
    ASSERT_TRUE(chunk.ok()) << chunk.status().ToString();
    EXPECT_TRUE(
        SameChunk(**chunk, *ReferenceChunk(w.sorted, begin, end, unique_subset, &w.events)));
    EXPECT_NE((*chunk)->Find("context.rare7"), nullptr);
    EXPECT_EQ((*chunk)->Find("nope"), nullptr);
    auto fixed_only = (*reader)->Load(b, {});
    ASSERT_TRUE(fixed_only.ok());
    EXPECT_TRUE((*fixed_only)->columns.empty());
    EXPECT_EQ((*reader)->Paths(b),
              AllPaths(std::vector<Row>(w.sorted.begin() + begin, w.sorted.begin() + end)));
    begin = end;
  }
  EXPECT_EQ((*reader)->Load(99, {}).status().code(), StatusCode::kInvalidArgument);
}

TEST(Part, ColumnChoiceFollowsOptions) {
  RowGenOptions o;
  o.rows = 2000;
  o.frequent_paths = 8;
  const std::vector<Row> rows = RandomRows(12, o);
  auto typed_paths = [](const std::string& bytes) {
    part::Footer footer;
    EXPECT_TRUE(part::DecodeFooter(bytes, &footer).ok());
    std::set<std::string> typed;
    for (const auto& c : footer.blocks[0].columns) {
      if (c.kind == part::ColumnKind::kVariant) typed.insert(c.name);
    }
    return typed;
  };
  PartWriteOptions options;
  options.max_columns = 3;
  Written few = Encode(rows, o.day, options);
  // The three most frequent ordinary paths, plus the always-typed ones present.
  std::set<std::string> typed = typed_paths(few.bytes);
  EXPECT_EQ(typed.size(), 5u) << ::testing::PrintToString(typed);
  EXPECT_TRUE(typed.count("userId") && typed.count("messageId"));
  options.max_columns = 256;
  options.column_min_share = 1;  // nothing is in every row: only the always-typed paths
  Written none = Encode(rows, o.day, options);
  EXPECT_EQ(typed_paths(none.bytes), (std::set<std::string>{"messageId", "userId"}));
  options.column_min_share = 0;  // every path typed
  Written all = Encode(rows, o.day, options);
  EXPECT_EQ(typed_paths(all.bytes).size(), AllPaths(rows).size());
  for (Written* w : {&few, &none, &all}) {
    auto reader = PartReader::OpenBuffer(w->bytes);
    ASSERT_TRUE(reader.ok());
    ExpectBlocksMatch(**reader, *w, options.block_rows, AllPaths(rows));
    auto back = (*reader)->ReadRows(w->events);
    ASSERT_TRUE(back.ok());
    EXPECT_TRUE(*back == w->sorted);
  }
}

TEST(Part, RejectsBadInput) {
  EventDictionary events;
  RowGenOptions o;
  o.rows = 10;
  std::vector<Row> rows = RandomRows(13, o);
  EXPECT_EQ(EncodePart(1, o.day, {}, &events).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(EncodePart(1, o.day + 1, rows, &events).status().code(), StatusCode::kInvalidArgument);
  std::vector<Row> dup = rows;
  dup[3].props = {{"a", Value::Null()}, {"a", Value::Number(1)}};
  EXPECT_EQ(EncodePart(1, o.day, dup, &events).status().code(), StatusCode::kInvalidArgument);
  PartWriteOptions options;
  options.block_rows = 0;
  EXPECT_EQ(EncodePart(1, o.day, rows, &events, options).status().code(),
            StatusCode::kInvalidArgument);
  options.block_rows = 100;
  options.column_min_share = std::nan("");
  EXPECT_EQ(EncodePart(1, o.day, rows, &events, options).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(Part, AbsentValuesAreDropped) {
  RowGenOptions o;
  o.rows = 50;
  std::vector<Row> rows = RandomRows(14, o);
  rows[0].props.emplace_back("ghost", Value());
  rows[1].props.emplace_back("properties.f0x", Value());
  Written w = Encode(rows, o.day);
  auto reader = PartReader::OpenBuffer(w.bytes);
  ASSERT_TRUE(reader.ok());
  auto back = (*reader)->ReadRows(w.events);
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(*back == w.sorted);  // Canonical drops absent values too
  auto chunk = (*reader)->Load(0, {"ghost"});
  ASSERT_TRUE(chunk.ok());
  EXPECT_EQ((*chunk)->Find("ghost"), nullptr);
}

TEST(Part, ReadRowsNeedsTheEventNames) {
  RowGenOptions o;
  o.rows = 20;
  Written w = Encode(RandomRows(15, o), o.day);
  auto reader = PartReader::OpenBuffer(w.bytes);
  ASSERT_TRUE(reader.ok());
  EventDictionary empty;
  EXPECT_EQ((*reader)->ReadRows(empty).status().code(), StatusCode::kCorruption);
}

TEST(Part, WritesFilesAtomicallyAndMapsThem) {
  rapport::testing::TempDir dir;
  RowGenOptions o;
  o.rows = 3000;
  const std::vector<Row> rows = RandomRows(16, o);
  EventDictionary events;
  const std::string path = dir.Sub("19700-1.part");
  auto meta = WritePart(Env::Default(), path, 1, o.day, rows, &events);
  ASSERT_TRUE(meta.ok()) << meta.status().ToString();
  EXPECT_FALSE(Env::Default()->Exists(path + ".tmp"));
  EXPECT_EQ(*Env::Default()->FileSize(path), meta->file_bytes);
  EXPECT_EQ(WritePart(Env::Default(), path, 1, o.day, rows, &events).status().code(),
            StatusCode::kAlreadyExists);
  BlockCache cache(64 << 20);
  auto reader = PartReader::Open(path, &cache);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  Written w;
  w.meta = *meta;
  w.sorted = Canonical(rows);
  w.events = events;
  ExpectBlocksMatch(**reader, w, 65536, AllPaths(rows));
  const uint64_t misses = cache.misses();
  ExpectBlocksMatch(**reader, w, 65536, AllPaths(rows));  // all from the cache now
  EXPECT_EQ(cache.misses(), misses);
  EXPECT_GT(cache.hits(), 0u);
  cache.Erase(1);
  EXPECT_EQ(cache.entries(), 0u);
  EXPECT_EQ(PartReader::Open(dir.Sub("missing"), nullptr).status().code(), StatusCode::kNotFound);
}

TEST(Part, ConcurrentLoadsWithASharedCache) {
  RowGenOptions o;
  o.rows = 20000;
  const std::vector<Row> rows = RandomRows(17, o);
  PartWriteOptions options;
  options.block_rows = 1000;
  Written w = Encode(rows, o.day, options);
  BlockCache cache(2 << 20);  // small: evictions while reading
  auto reader = PartReader::OpenBuffer(w.bytes, &cache);
  ASSERT_TRUE(reader.ok());
  const std::vector<std::string> paths = AllPaths(rows);
  std::vector<ChunkPtr> want;
  for (size_t b = 0; b < (*reader)->blocks(); ++b) {
    want.push_back(ReferenceChunk(w.sorted, b * 1000, (b + 1) * 1000, paths, &w.events));
  }
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i) {
        const size_t b = static_cast<size_t>(i * 7 + t) % want.size();
        auto chunk = (*reader)->Load(b, paths);
        if (!chunk.ok() || !SameChunk(**chunk, *want[b])) ++mismatches;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(mismatches.load(), 0);
}

// Fails what the test asks on top of FaultInjectionEnv: renames, directory syncs.
class FailingEnv final : public Env {
 public:
  explicit FailingEnv(Env* base) : base_(base) {}
  bool fail_rename = false, fail_sync_dir = false;
  Result<std::unique_ptr<WritableFile>> OpenAppendable(const std::string& p) override {
    return base_->OpenAppendable(p);
  }
  Result<std::unique_ptr<RandomAccessFile>> OpenReadable(const std::string& p) override {
    return base_->OpenReadable(p);
  }
  Result<std::vector<std::string>> ListDir(const std::string& d) override {
    return base_->ListDir(d);
  }
  Status CreateDirs(const std::string& d) override { return base_->CreateDirs(d); }
  Status RemoveFile(const std::string& p) override { return base_->RemoveFile(p); }
  Status RenameFile(const std::string& from, const std::string& to) override {
    if (fail_rename) return Status::IOError("injected rename failure");
    return base_->RenameFile(from, to);
  }
  Status SyncDir(const std::string& d) override {
    if (fail_sync_dir) return Status::IOError("injected directory sync failure");
    return base_->SyncDir(d);
  }
  bool Exists(const std::string& p) override { return base_->Exists(p); }
  Result<uint64_t> FileSize(const std::string& p) override { return base_->FileSize(p); }

 private:
  Env* base_;
};

TEST(Part, FailedWritesLeaveNoFile) {
  rapport::testing::TempDir dir;
  RowGenOptions o;
  o.rows = 2000;
  const std::vector<Row> rows = RandomRows(18, o);
  FaultInjectionEnv faults;
  FailingEnv env(&faults);
  EventDictionary events;
  const std::string path = dir.Sub("p.part");
  auto expect_nothing = [&](const Status& s, const char* what) {
    EXPECT_FALSE(s.ok()) << what;
    EXPECT_FALSE(Env::Default()->Exists(path)) << what;
    EXPECT_FALSE(Env::Default()->Exists(path + ".tmp")) << what;
  };
  faults.FailSyncs(true);
  expect_nothing(WritePart(&env, path, 1, o.day, rows, &events).status(), "fsync");
  faults.FailSyncs(false);
  faults.SetShortWriteOnce();
  expect_nothing(WritePart(&env, path, 1, o.day, rows, &events).status(), "short write");
  faults.SetSpaceLimit(1000);
  auto full = WritePart(&env, path, 1, o.day, rows, &events);
  EXPECT_EQ(full.status().code(), StatusCode::kNoSpace);
  expect_nothing(full.status(), "disk full");
  faults.SetSpaceLimit(std::nullopt);
  env.fail_rename = true;
  expect_nothing(WritePart(&env, path, 1, o.day, rows, &events).status(), "rename");
  env.fail_rename = false;
  env.fail_sync_dir = true;
  expect_nothing(WritePart(&env, path, 1, o.day, rows, &events).status(), "directory sync");
  env.fail_sync_dir = false;
  // A stale .tmp from a crash is overwritten.
  ASSERT_TRUE(WriteFileAtomic(Env::Default(), path + ".tmp.x", "junk").ok());
  ASSERT_TRUE(Env::Default()->RenameFile(path + ".tmp.x", path + ".tmp").ok());
  auto meta = WritePart(&env, path, 1, o.day, rows, &events);
  ASSERT_TRUE(meta.ok()) << meta.status().ToString();
  auto reader = PartReader::Open(path);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  auto back = (*reader)->ReadRows(events);
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(*back == Canonical(rows));
}

// Writes the fuzzer's seed files: RAPPORT_PART_SEED_DIR=dir warehouse_part_test
// --gtest_also_run_disabled_tests --gtest_filter='*WriteFuzzSeeds'
TEST(Part, DISABLED_WriteFuzzSeeds) {
  const char* dir = std::getenv("RAPPORT_PART_SEED_DIR");
  ASSERT_NE(dir, nullptr);
  auto write = [&](const std::string& name, size_t rows, int64_t day, size_t block_rows,
                   int rare_paths) {
    RowGenOptions o;
    o.rows = rows;
    o.day = day;
    o.rare_paths = rare_paths;
    o.frequent_paths = 3;
    PartWriteOptions options;
    options.block_rows = block_rows;
    options.column_min_share = 0.1;
    Written w = Encode(RandomRows(rows, o), day, options);
    ASSERT_TRUE(
        WriteFileAtomic(Env::Default(), std::string(dir) + "/" + name, w.bytes, false).ok());
  };
  write("one-row", 1, 19'700, 16, 0);
  write("three-blocks-rest", 40, 19'700, 16, 4);
  write("negative-day", 150, -3, 64, 2);
  write("wide", 120, 20'000, 128, 30);
}

}  // namespace
}  // namespace rapport::warehouse
