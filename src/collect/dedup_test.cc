#include "collect/dedup.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "collect/envelope.h"
#include "common/rocks_options.h"
#include "common/temp_dir.h"
#include "log/event_log.h"

namespace rapport {
namespace {

constexpr int64_t kHour = 3600LL * 1000000;

class DedupTest : public ::testing::Test {
 protected:
  std::unique_ptr<Deduplicator> Open(size_t run_keys = 1 << 18, size_t filter_epoch_keys = 1 << 22,
                                     size_t filter_max_bytes = size_t{1} << 30) {
    DedupOptions o;
    o.run_keys = run_keys;
    o.filter_epoch_keys = filter_epoch_keys;
    o.filter_max_bytes = filter_max_bytes;
    o.dir = dir_.Sub("dedup");
    o.window_us = 24 * kHour;
    o.clock = &clock_;
    auto d = Deduplicator::Open(o);
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    return d.ok() ? std::move(*d) : nullptr;
  }

  testing::TempDir dir_;
  ManualClock clock_{1'700'000'000LL * 1000000};
};

using Fresh = std::vector<bool>;

TEST_F(DedupTest, SecondSendIsDuplicateAcrossRestart) {
  {
    auto d = Open();
    auto claim = d->Claim("src_a", {"m1", "m2", "m1"});
    ASSERT_TRUE(claim.ok());
    EXPECT_EQ(claim->fresh, (Fresh{true, true, false}));  // repeated within the request
    ASSERT_EQ(claim->keys.size(), 2u);
    ASSERT_TRUE(d->Commit(claim->keys, clock_.NowMicros(), {{0, 0}, {1, 0}}).ok());
    EXPECT_EQ(d->Claim("src_a", {"m1"})->fresh, Fresh{false});
    // Another source may use the same messageId.
    auto other = d->Claim("src_b", {"m1"});
    EXPECT_EQ(other->fresh, Fresh{true});
    d->Release(other->keys);
  }
  auto d = Open();
  EXPECT_EQ(d->Claim("src_a", {"m1", "m2", "m3"})->fresh, (Fresh{false, false, true}));
  EXPECT_EQ(d->SeenOffset(0), 1u);
  EXPECT_EQ(d->SeenOffset(1), 1u);
}

TEST_F(DedupTest, AsyncCommitsApplyInOrderAndCallBack) {
  auto d = Open();
  std::vector<int> done;
  for (int i = 0; i < 50; ++i) {
    auto claim = d->Claim("s", {"id" + std::to_string(i)});
    ASSERT_TRUE(claim.ok());
    d->CommitAsync(claim->keys, clock_.NowMicros(), {{0, static_cast<uint64_t>(i)}},
                   [&done, i](const Status& s) {
                     EXPECT_TRUE(s.ok());
                     done.push_back(i);  // the committer thread runs jobs one at a time
                   });
  }
  d->Drain();
  ASSERT_EQ(done.size(), 50u);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(done[i], i);
  EXPECT_EQ(d->SeenOffset(0), 0u);  // indexed in memory only
  ASSERT_TRUE(d->Flush().ok());
  EXPECT_EQ(d->SeenOffset(0), 50u);  // now in a run
  EXPECT_EQ(d->Claim("s", {"id0", "id49"})->fresh, (Fresh{false, false}));
}

TEST_F(DedupTest, AsyncCommitsRunInBatchesWithoutAWaiter) {
  // The index's thread gathers jobs for a moment; a lone job, and jobs beyond a full batch, must
  // still run without anyone calling Drain.
  auto d = Open();
  std::mutex mu;
  std::condition_variable cv;
  int done = 0;
  auto commit = [&](int i) {
    auto claim = d->Claim("s", {"lone" + std::to_string(i)});
    ASSERT_TRUE(claim.ok());
    d->CommitAsync(claim->keys, clock_.NowMicros(), {{0, static_cast<uint64_t>(i)}},
                   [&](const Status&) {
                     std::lock_guard lock(mu);
                     ++done;
                     cv.notify_all();
                   });
  };
  auto wait_for = [&](int n) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(5), [&] { return done >= n; });
  };
  commit(0);
  EXPECT_TRUE(wait_for(1)) << "a lone job was never run";
  for (int i = 1; i <= 600; ++i) commit(i);  // more than two full batches
  EXPECT_TRUE(wait_for(601)) << done;
}

TEST_F(DedupTest, ARunThatCannotBeWrittenKeepsItsKeysForTheNextFlush) {
  auto d = Open();
  for (int i = 0; i < 20; ++i) {
    auto claim = d->Claim("s", {"id" + std::to_string(i)});
    ASSERT_TRUE(claim.ok());
    ASSERT_TRUE(d->Commit(claim->keys, clock_.NowMicros(), {{0, static_cast<uint64_t>(i)}}).ok());
  }
  // The first run's file cannot be created: a directory stands where it goes.
  std::filesystem::create_directory(dir_.Sub("dedup") + "/run-1.sst.tmp");
  Status s = d->Flush();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("de-duplication index: write a run"), std::string::npos)
      << s.message();
  EXPECT_EQ(d->SeenOffset(0), 0u);                                          // nothing persisted
  EXPECT_EQ(d->Claim("s", {"id0", "id19"})->fresh, (Fresh{false, false}));  // still in memory
  // The next flush writes them all, and they are duplicates after a restart.
  ASSERT_TRUE(d->Flush().ok());
  EXPECT_EQ(d->SeenOffset(0), 20u);
  d.reset();
  d = Open();
  std::vector<std::string> ids;
  for (int i = 0; i < 20; ++i) ids.push_back("id" + std::to_string(i));
  std::vector<std::string_view> views(ids.begin(), ids.end());
  EXPECT_EQ(d->Claim("s", views)->fresh, Fresh(20, false));
}

TEST_F(DedupTest, KeysFoundInWrittenRunsAndInMemoryAcrossRestart) {
  std::vector<std::string> ids;
  for (int i = 0; i < 10; ++i) ids.push_back("id" + std::to_string(i));
  std::vector<std::string_view> views(ids.begin(), ids.end());
  {
    auto d = Open(/*run_keys=*/4);  // runs of 4: two runs written, two keys still in memory
    for (int i = 0; i < 10; ++i) {
      auto claim = d->Claim("s", {views[i]});
      ASSERT_TRUE(claim.ok());
      ASSERT_TRUE(d->Commit(claim->keys, clock_.NowMicros(), {{0, static_cast<uint64_t>(i)}}).ok());
    }
    EXPECT_EQ(d->SeenOffset(0), 8u);  // what the written runs cover
    EXPECT_EQ(d->Claim("s", views)->fresh, Fresh(10, false));
  }
  auto d = Open(4);
  EXPECT_EQ(d->SeenOffset(0), 10u);  // the rest was written on close
  EXPECT_EQ(d->Claim("s", views)->fresh, Fresh(10, false));
  clock_.Advance(25 * kHour);  // expired, in runs as in memory
  auto later = d->Claim("s", views);
  EXPECT_EQ(later->fresh, Fresh(10, true));
  d->Release(later->keys);
}

// Writes `n` ids as runs of 500 (and the rest on close).
void WriteIds(Deduplicator* d, const std::vector<std::string_view>& ids, int64_t now) {
  for (size_t i = 0; i < ids.size(); i += 100) {
    std::vector<std::string_view> some(ids.begin() + i,
                                       ids.begin() + std::min(i + 100, ids.size()));
    auto claim = d->Claim("s", some);
    ASSERT_TRUE(claim.ok());
    ASSERT_EQ(claim->keys.size(), some.size());
    ASSERT_TRUE(d->Commit(claim->keys, now, {{0, i}}).ok());
  }
}

bool WaitTrusted(const Deduplicator& d) {
  for (int i = 0; i < 2000 && !d.filter_trusted(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return d.filter_trusted();
}

// The index's compactions write through the process's shared rate limiter
// (common/rocks_options.h), which the server's CompactionPacer lowers while ingest is held back.
// Runs of random keys overlap, so enough of them pile up in level 0 and are compacted.
TEST_F(DedupTest, CompactionsOfTheRunsWriteThroughTheSharedRateLimiter) {
  std::vector<std::string> ids;
  for (int i = 0; i < 10000; ++i) ids.push_back("id" + std::to_string(i));
  std::vector<std::string_view> views(ids.begin(), ids.end());
  const int64_t before = SharedRocksRateLimiter()->GetTotalBytesThrough(rocksdb::Env::IO_TOTAL);
  auto d = Open(/*run_keys=*/500);  // 20 runs
  WriteIds(d.get(), views, clock_.NowMicros());
  auto through = [&] {
    return SharedRocksRateLimiter()->GetTotalBytesThrough(rocksdb::Env::IO_TOTAL) - before;
  };
  for (int i = 0; i < 2000 && through() < 50'000; ++i) {  // compaction runs in the background
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GE(through(), 50'000);
}

TEST_F(DedupTest, TheFilterKnowsEveryKeyInTheRunsAcrossRestart) {
  std::vector<std::string> ids, others;
  for (int i = 0; i < 3000; ++i) ids.push_back("id" + std::to_string(i));
  for (int i = 0; i < 3000; ++i) others.push_back("other" + std::to_string(i));
  std::vector<std::string_view> views(ids.begin(), ids.end()), fresh(others.begin(), others.end());
  {
    auto d = Open(/*run_keys=*/500);
    ASSERT_TRUE(WaitTrusted(*d));  // nothing to load
    WriteIds(d.get(), views, clock_.NowMicros());
    EXPECT_EQ(d->Claim("s", views)->fresh, Fresh(3000, false));
  }
  auto d = Open(500);
  // Right after Open the filter may still be loading: RocksDB answers, the same way.
  EXPECT_EQ(d->Claim("s", views)->fresh, Fresh(3000, false));
  ASSERT_TRUE(WaitTrusted(*d));
  EXPECT_EQ(d->Claim("s", views)->fresh, Fresh(3000, false));
  auto claim = d->Claim("s", fresh);
  EXPECT_EQ(claim->fresh, Fresh(3000, true));
  d->Release(claim->keys);
}

TEST_F(DedupTest, AFilterOverCapacityFallsBackToRocksDb) {
  std::vector<std::string> ids;
  for (int i = 0; i < 2000; ++i) ids.push_back("id" + std::to_string(i));
  std::vector<std::string_view> views(ids.begin(), ids.end());
  // Room for an epoch of 64 keys and one of 128 (128 bytes each): most keys are refused.
  auto d = Open(/*run_keys=*/500, /*filter_epoch_keys=*/64, /*filter_max_bytes=*/256);
  ASSERT_TRUE(WaitTrusted(*d));
  WriteIds(d.get(), views, clock_.NowMicros());
  EXPECT_FALSE(d->filter_trusted());
  EXPECT_EQ(d->Claim("s", views)->fresh, Fresh(2000, false));
  // A day later every refused key has expired: the filter is whole again.
  clock_.Advance(25 * kHour);
  std::vector<std::string_view> one(views.begin(), views.begin() + 100);
  WriteIds(d.get(), one, clock_.NowMicros());  // a re-send after the window: new again
  ASSERT_TRUE(d->Flush().ok());
  EXPECT_TRUE(d->filter_trusted());
  EXPECT_EQ(d->Claim("s", one)->fresh, Fresh(100, false));
}

// Requests from several threads claim overlapping ids while their commits and runs go on: each id
// is accepted exactly once, whether the duplicate arrives while the first is pending, durable,
// in memory, being written as a run, or in a run (the filter then answers first).
TEST_F(DedupTest, ConcurrentRequestsAcceptEachIdOnce) {
  auto d = Open(/*run_keys=*/500);  // a run every 500 keys: flushes all along
  ASSERT_TRUE(WaitTrusted(*d));
  constexpr int kIds = 20000, kThreads = 4, kPerRequest = 40;
  std::vector<std::atomic<int>> accepted(kIds);
  std::mutex log_mu;  // the "log": appends in order, as the commit order requires
  uint64_t next_offset = 0;
  std::atomic<int> released{0}, retried{0};
  auto worker = [&](int t) {
    std::mt19937 rng(t);
    for (int cursor = 0; cursor < kIds; cursor += kPerRequest / 2) {
      std::vector<std::string> ids;
      std::vector<int> numbers;
      for (int j = 0; j < kPerRequest; ++j) {  // around the cursor: the threads overlap
        int n = std::min(kIds - 1, std::max(0, cursor + static_cast<int>(rng() % 200) - 100));
        numbers.push_back(n);
        ids.push_back("m" + std::to_string(n));
      }
      std::vector<std::string_view> views(ids.begin(), ids.end());
      auto claim = d->Claim("s", views);
      if (!claim.ok()) {
        ASSERT_EQ(claim.status().code(), StatusCode::kUnavailable) << claim.status().ToString();
        ++retried;
        continue;
      }
      if (rng() % 20 == 0) {  // the append failed: nothing stored, the ids stay new
        d->Release(claim->keys);
        ++released;
        continue;
      }
      std::lock_guard lock(log_mu);
      d->MarkDurable(claim->keys);
      for (size_t j = 0; j < numbers.size(); ++j) {
        if (claim->fresh[j]) ++accepted[numbers[j]];
      }
      std::vector<std::pair<int, uint64_t>> positions;
      for (size_t k = 0; k < claim->keys.size(); ++k) positions.emplace_back(0, next_offset++);
      ASSERT_TRUE(d->Commit(claim->keys, clock_.NowMicros(), positions).ok());
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) threads.emplace_back(worker, t);
  for (auto& th : threads) th.join();
  int once = 0;
  for (int n = 0; n < kIds; ++n) {
    ASSERT_LE(accepted[n].load(), 1) << "m" << n << " accepted twice";
    once += accepted[n].load();
  }
  EXPECT_GT(once, kIds / 2);
  EXPECT_GT(released.load(), 0);
  // Every accepted id is a duplicate from now on, in memory or in a run, and after a restart.
  std::vector<std::string> all;
  for (int n = 0; n < kIds; ++n) {
    if (accepted[n]) all.push_back("m" + std::to_string(n));
  }
  std::vector<std::string_view> views(all.begin(), all.end());
  EXPECT_EQ(d->Claim("s", views)->fresh, Fresh(all.size(), false));
  ASSERT_TRUE(d->Flush().ok());
  d.reset();
  d = Open(500);
  ASSERT_TRUE(WaitTrusted(*d));
  EXPECT_EQ(d->Claim("s", views)->fresh, Fresh(all.size(), false));
  std::printf("accepted %d ids once; %d requests retried, %d released\n", once, retried.load(),
              released.load());
}

TEST_F(DedupTest, WindowExpires) {
  auto d = Open();
  auto claim = d->Claim("s", {"m"});
  ASSERT_TRUE(claim.ok());
  ASSERT_TRUE(d->Commit(claim->keys, clock_.NowMicros(), {}).ok());
  clock_.Advance(23 * kHour);
  EXPECT_EQ(d->Claim("s", {"m"})->fresh, Fresh{false});
  clock_.Advance(2 * kHour);
  EXPECT_EQ(d->Claim("s", {"m"})->fresh, Fresh{true});
}

TEST_F(DedupTest, PendingIdMakesConcurrentRequestRetry) {
  auto d = Open();
  auto first = d->Claim("s", {"m"});
  ASSERT_TRUE(first.ok());
  auto second = d->Claim("s", {"x", "m"});
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
  // Nothing of the refused request stays claimed.
  auto x = d->Claim("s", {"x"});
  EXPECT_EQ(x->fresh, Fresh{true});
  d->Release(x->keys);
  d->Release(first->keys);  // the first request's append failed
  auto again = d->Claim("s", {"m"});
  EXPECT_EQ(again->fresh, Fresh{true});
  // Once its append is durable, a resend is a duplicate even before the index write.
  d->MarkDurable(again->keys);
  auto resend = d->Claim("s", {"m", "n"});
  ASSERT_TRUE(resend.ok()) << resend.status().ToString();
  EXPECT_EQ(resend->fresh, (Fresh{false, true}));
  ASSERT_TRUE(d->Commit(again->keys, clock_.NowMicros(), {}).ok());
  EXPECT_EQ(d->Claim("s", {"m"})->fresh, Fresh{false});
}

TEST_F(DedupTest, CatchUpIndexesLogRecordsItNeverSaw) {
  LogOptions lo;
  lo.dir = dir_.Sub("log");
  lo.partitions = 2;
  RecoveryReport report;
  auto log = EventLog::Open(lo, &report);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  std::vector<LogRecord> records;
  for (int i = 0; i < 10; ++i) {
    NormalizedEvent e;
    e.type = "track";
    e.message_id = "id" + std::to_string(i);
    e.anonymous_id = "a";
    e.timestamp_us = e.received_at_us = clock_.NowMicros();
    e.json = "{}";
    records.push_back({i % 2, EncodeEnvelope("src", e)});
  }
  // As if the server crashed after the fsync but before indexing these.
  ASSERT_TRUE((*log)->AppendSync(std::move(records)).ok());
  auto d = Open();
  auto replayed = d->CatchUp(**log);
  ASSERT_TRUE(replayed.ok());
  EXPECT_EQ(*replayed, 10u);
  EXPECT_EQ(d->Claim("src", {"id0", "id9", "new"})->fresh, (Fresh{false, false, true}));
  EXPECT_EQ(*d->CatchUp(**log), 0u);  // nothing new the second time
}

TEST_F(DedupTest, OffsetsBeyondTheLogStartOverFromTheLog) {
  {
    auto d = Open();
    auto claim = d->Claim("src", {"old"});
    ASSERT_TRUE(d->Commit(claim->keys, clock_.NowMicros(), {{0, 99}}).ok());
  }  // the index saw offsets up to 99 of partition 0 ...
  LogOptions lo;
  lo.dir = dir_.Sub("log");
  lo.partitions = 1;
  RecoveryReport report;
  auto log = EventLog::Open(lo, &report);
  ASSERT_TRUE(log.ok());
  NormalizedEvent e;
  e.type = "track";
  e.message_id = "fresh-log";
  e.anonymous_id = "a";
  e.timestamp_us = e.received_at_us = clock_.NowMicros();
  e.json = "{}";
  ASSERT_TRUE((*log)->AppendSync({{0, EncodeEnvelope("src", e)}}).ok());  // ... the log has 1
  auto d = Open();
  auto replayed = d->CatchUp(**log);
  ASSERT_TRUE(replayed.ok());
  EXPECT_EQ(*replayed, 1u);  // not skipped as "already seen"
  EXPECT_EQ(d->SeenOffset(0), 1u);
  EXPECT_EQ(d->Claim("src", {"fresh-log"})->fresh, Fresh{false});
}

}  // namespace
}  // namespace rapport
