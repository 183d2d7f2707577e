// A quick throughput figure, printed, not asserted (benchmarks live in bench/): threads
// appending 1 KB records with fsync, as /v1/batch (100 records a request) and as single
// records, each thread waiting for its append (closed loop), then a full read back.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "log/event_log.h"
#include "log/test_util.h"

namespace rapport {
namespace {

double Seconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void RunThroughput(int threads, int batch, int requests_per_thread) {
  log_test::TempDir dir;
  auto log = EventLog::Open({.dir = dir.path(), .partitions = 4}, nullptr);
  ASSERT_TRUE(log.ok());
  const int kThreads = threads;
  const std::string payload(1024, 'e');
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < requests_per_thread; ++i) {
        std::vector<LogRecord> recs(batch);
        for (int k = 0; k < batch; ++k) recs[k] = {(t + i + k) % 4, payload};
        ASSERT_TRUE((*log)->AppendSync(std::move(recs)).ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  const double secs = Seconds(start);
  const double records = double(kThreads) * requests_per_thread * batch;
  const auto stats = (*log)->GetStats();
  std::printf(
      "[ log ] append %d threads x %d-record requests of 1 KB: %.0f records/s, "
      "%.1f MB/s, %llu fsyncs (%.1f records per fsync)\n",
      kThreads, batch, records / secs, records * 1024 / secs / 1e6,
      static_cast<unsigned long long>(stats.syncs), records / double(stats.syncs));

  start = std::chrono::steady_clock::now();
  uint64_t read = 0;
  for (int p = 0; p < 4; ++p) {
    uint64_t from = 0;
    while (from < (*log)->EndOffset(p)) {
      std::vector<LogEntry> out;
      ASSERT_TRUE((*log)->Read(p, from, 1000, &out).ok());
      from = out.back().offset + 1;
      read += out.size();
    }
  }
  std::printf("[ log ] read back %llu records: %.0f records/s\n",
              static_cast<unsigned long long>(read), double(read) / Seconds(start));
  EXPECT_EQ(read, static_cast<uint64_t>(records));
}

TEST(LogThroughput, BatchesOf100From8Threads) { RunThroughput(8, 100, 250); }
TEST(LogThroughput, BatchesOf100From32Threads) { RunThroughput(32, 100, 63); }
TEST(LogThroughput, SingleRecordsFrom8Threads) { RunThroughput(8, 1, 1000); }

}  // namespace
}  // namespace rapport
