// Write-path failures: short write, fsync failure, disk full, failed repair. In every case the
// failed request leaves nothing readable, offsets stay dense, and the log recovers by itself.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "common/fault_injection_env.h"
#include "log/event_log.h"
#include "log/test_util.h"

namespace rapport {
namespace {

using log_test::Join;
using log_test::Payload;
using log_test::ReadAllEntries;
using log_test::TempDir;

class LogFaultTest : public ::testing::Test {
 protected:
  void Open(int partitions = 2, uint64_t segment_bytes = 64 << 20) {
    options_ = {
        .dir = dir_.path(), .partitions = partitions, .segment_bytes = segment_bytes, .env = &env_};
    auto log = EventLog::Open(options_, nullptr);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    log_ = std::move(log).value();
  }

  // Appends record `seq` of the expected sequence of `partition`; expects success.
  void AppendOk(int partition) {
    auto& v = expected_[partition];
    std::string payload = Payload(partition, v.size(), 300);
    auto o = log_->AppendSync({{partition, payload}});
    ASSERT_TRUE(o.ok()) << o.status().ToString();
    ASSERT_EQ((*o)[0], v.size());
    v.push_back(payload);
  }

  // The log holds exactly the expected records; after a clean reopen too.
  void CheckContents(bool reopen = true) {
    for (int p = 0; p < log_->partitions(); ++p) {
      auto all = ReadAllEntries(*log_, p);
      const auto& v = expected_[p];
      ASSERT_EQ(all.size(), v.size()) << "partition " << p;
      ASSERT_EQ(log_->EndOffset(p), v.size());
      for (size_t i = 0; i < v.size(); ++i) ASSERT_EQ(all[i].payload, v[i]);
    }
    if (!reopen) return;
    log_.reset();
    RecoveryReport report;
    auto log = EventLog::Open({.dir = dir_.path(),
                               .partitions = options_.partitions,
                               .segment_bytes = options_.segment_bytes},
                              &report);
    ASSERT_TRUE(log.ok());
    EXPECT_TRUE(report.clean()) << Join(report.messages);
    log_ = std::move(log).value();
    CheckContents(false);
    EXPECT_TRUE(log_->Verify(nullptr).ok());
  }

  TempDir dir_;
  FaultInjectionEnv env_;
  LogOptions options_;
  std::unique_ptr<EventLog> log_;
  std::map<int, std::vector<std::string>> expected_;
};

TEST_F(LogFaultTest, ShortWriteFailsTheRequestAndLeavesNothing) {
  Open();
  for (int i = 0; i < 5; ++i) AppendOk(0);
  env_.SetShortWriteOnce();
  auto failed = log_->AppendSync({{0, "x"}, {0, "y"}, {1, "z"}});
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kIOError) << failed.status().ToString();
  EXPECT_EQ(log_->EndOffset(0), 5u);
  EXPECT_EQ(log_->EndOffset(1), 0u);
  AppendOk(0);  // offset 5: reused
  AppendOk(1);
  EXPECT_EQ(log_->GetStats().failed_appends, 1u);
  CheckContents();
}

TEST_F(LogFaultTest, FsyncFailureFailsTheRequestThenAppendsResume) {
  Open();
  for (int i = 0; i < 3; ++i) AppendOk(1);
  env_.FailSyncs(true);
  auto failed = log_->AppendSync({{1, "never"}, {0, "never"}});
  EXPECT_EQ(failed.status().code(), StatusCode::kIOError) << failed.status().ToString();
  std::vector<LogEntry> out;
  ASSERT_TRUE(log_->Read(1, 3, 10, &out).ok());
  EXPECT_TRUE(out.empty()) << "nothing of the failed request is readable";
  EXPECT_EQ(log_->EndOffset(0), 0u);
  env_.FailSyncs(false);
  AppendOk(1);
  AppendOk(0);
  CheckContents();
}

TEST_F(LogFaultTest, DiskFullAnswersNoSpaceAndRecoversWhenSpaceReturns) {
  Open(2, 8192);
  for (int i = 0; i < 4; ++i) AppendOk(i % 2);
  env_.SetSpaceLimit(2000);  // room for about 6 more records of 324 bytes
  int ok = 0;
  Status last;
  for (int i = 0; i < 40; ++i) {
    const int p = i % 2;
    std::string payload = Payload(p, expected_[p].size(), 300);
    auto o = log_->AppendSync({{p, payload}});
    if (o.ok()) {
      ASSERT_EQ((*o)[0], expected_[p].size());
      expected_[p].push_back(payload);
      ++ok;
    } else {
      last = o.status();
      EXPECT_EQ(o.status().code(), StatusCode::kNoSpace) << o.status().ToString();
    }
  }
  EXPECT_GT(ok, 0);
  EXPECT_LT(ok, 10);
  EXPECT_EQ(last.code(), StatusCode::kNoSpace);
  CheckContents(/*reopen=*/false);
  env_.SetSpaceLimit(std::nullopt);              // no restart
  for (int i = 0; i < 60; ++i) AppendOk(i % 2);  // crosses segment rolls
  CheckContents();
}

TEST_F(LogFaultTest, DiskFullWhileRollingRemovesTheNewSegment) {
  Open(1, 4096);
  for (int i = 0; i < 12; ++i) AppendOk(0);  // 12 x 324 + 32 = 3920 bytes: next one rolls
  env_.SetSpaceLimit(0);
  auto failed = log_->AppendSync({{0, Payload(0, 12, 300)}});
  EXPECT_EQ(failed.status().code(), StatusCode::kNoSpace) << failed.status().ToString();
  auto names = log_test::ListDirNames(dir_.path() + "/p-000");
  EXPECT_EQ(names, std::vector<std::string>{"00000000000000000000.log"}) << Join(names);
  env_.SetSpaceLimit(std::nullopt);
  for (int i = 0; i < 20; ++i) AppendOk(0);
  EXPECT_GE(log_->GetStats().segments, 2u);
  CheckContents();
}

TEST_F(LogFaultTest, FailedTruncateMakesPartitionUnavailableUntilRepaired) {
  Open();
  AppendOk(0);
  AppendOk(1);
  env_.FailSyncs(true);
  env_.FailTruncates(true);
  EXPECT_EQ(log_->AppendSync({{0, "lost"}}).status().code(), StatusCode::kIOError);
  env_.FailSyncs(false);
  auto blocked = log_->AppendSync({{0, "blocked"}});
  EXPECT_EQ(blocked.status().code(), StatusCode::kUnavailable) << blocked.status().ToString();
  AppendOk(1);  // other partitions keep working
  env_.FailTruncates(false);
  AppendOk(0);  // repaired: offset 1 again
  CheckContents();
}

TEST_F(LogFaultTest, ConcurrentAppendsUnderIntermittentDiskFullAckExactlyWhatIsStored) {
  Open(3, 16 << 10);
  std::mutex mu;
  std::map<std::pair<int, uint64_t>, std::string> acked;
  std::set<std::string> failed;
  std::atomic<bool> stop{false};
  std::thread chaos([&] {
    for (int i = 0; !stop.load(); ++i) {
      if (i % 3 == 0) {
        env_.SetSpaceLimit(i % 2 == 0 ? 0 : 5000);
      } else if (i % 7 == 0) {
        env_.FailSyncs(true);
      } else {
        env_.SetSpaceLimit(std::nullopt);
        env_.FailSyncs(false);
      }
      std::this_thread::sleep_for(std::chrono::microseconds(300));
    }
    env_.SetSpaceLimit(std::nullopt);
    env_.FailSyncs(false);
  });
  std::vector<std::thread> writers;
  for (int t = 0; t < 6; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < 150; ++i) {
        std::vector<LogRecord> recs;
        for (int k = 0; k < 1 + (i % 3); ++k) {
          recs.push_back(
              {(t + k) % 3, log_test::Cat("t", t, ".", i, ".", k, std::string(200, 'q'))});
        }
        auto copy = recs;
        auto o = log_->AppendSync(std::move(recs));
        std::lock_guard<std::mutex> lock(mu);
        for (size_t k = 0; k < copy.size(); ++k) {
          if (o.ok()) {
            ASSERT_TRUE(
                acked.emplace(std::make_pair(copy[k].partition, (*o)[k]), copy[k].payload).second);
          } else {
            ASSERT_TRUE(o.status().code() == StatusCode::kNoSpace ||
                        o.status().code() == StatusCode::kIOError ||
                        o.status().code() == StatusCode::kUnavailable)
                << o.status().ToString();
            failed.insert(copy[k].payload);
          }
        }
      }
    });
  }
  for (auto& w : writers) w.join();
  stop = true;
  chaos.join();
  EXPECT_GT(acked.size(), 0u);
  EXPECT_GT(failed.size(), 0u);
  for (int p = 0; p < 3; ++p) {
    auto all = ReadAllEntries(*log_, p);
    for (const auto& e : all) {
      auto it = acked.find({p, e.offset});
      ASSERT_NE(it, acked.end()) << "record of a failed request at " << p << "/" << e.offset;
      ASSERT_EQ(it->second, e.payload);
      ASSERT_EQ(failed.count(e.payload), 0u);
      expected_[p].push_back(e.payload);
    }
  }
  size_t stored = 0;
  for (auto& [p, v] : expected_) stored += v.size();
  EXPECT_EQ(stored, acked.size());
  CheckContents();
}

}  // namespace
}  // namespace rapport
