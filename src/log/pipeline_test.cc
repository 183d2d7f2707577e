// The pipelined group commit: a large group is written while the one before it syncs, groups
// are answered and published in order, a failed sync fails the group written behind it too, and
// a group that starts a new segment waits for the one syncing.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>
#include <vector>

#include "common/fault_injection_env.h"
#include "log/event_log.h"
#include "log/test_util.h"

namespace rapport {
namespace {

using log_test::Payload;
using log_test::ReadAllEntries;
using log_test::TempDir;

constexpr size_t kRecord = 100 << 10;  // three make a group that is synced on the pool

// An append whose answer the test can wait for.
struct Pending {
  std::promise<Result<std::vector<uint64_t>>> promise;
  std::future<Result<std::vector<uint64_t>>> future = promise.get_future();
  bool answered() { return future.wait_for(std::chrono::seconds(0)) == std::future_status::ready; }
};

class LogPipelineTest : public ::testing::Test {
 protected:
  ~LogPipelineTest() override {
    env_.HoldSyncs(false);  // a failed expectation must not leave the writer waiting
    log_.reset();
  }

  void Open(uint64_t segment_bytes = 64 << 20) {
    auto log = EventLog::Open(
        {.dir = dir_.path(), .partitions = 1, .segment_bytes = segment_bytes, .env = &env_},
        nullptr);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    log_ = std::move(log).value();
  }

  // Appends `n` records of kRecord bytes, numbered from `first`, as one request.
  // The fixture owns it: the log may answer after a failed test body returned.
  Pending* Append(uint64_t first, int n) {
    Pending* p = pending_.emplace_back(std::make_unique<Pending>()).get();
    std::vector<LogRecord> records;
    for (int i = 0; i < n; ++i) records.push_back({0, Payload(0, first + i, kRecord)});
    log_->Append(std::move(records), [raw = p](const Status& s, std::vector<uint64_t> o) {
      if (s.ok()) {
        raw->promise.set_value(std::move(o));
      } else {
        raw->promise.set_value(s);
      }
    });
    return p;
  }

  // Holds syncs and appends a group, which then waits in its fdatasync.
  Pending* AppendHeld(uint64_t first, int n) {
    env_.HoldSyncs(true);
    Pending* p = Append(first, n);
    EXPECT_TRUE(Eventually([&] { return env_.held_sync_count() == 1; }));
    return p;
  }

  // Lets the held syncs go and waits for the answers of `a` and `b`.
  std::pair<Result<std::vector<uint64_t>>, Result<std::vector<uint64_t>>> Release(Pending* a,
                                                                                  Pending* b) {
    env_.HoldSyncs(false);
    auto ra = a->future.get();
    return {std::move(ra), b->future.get()};
  }

  // Closes the log and opens it again (without fault injection); recovery must find it clean.
  void ReopenClean() {
    log_.reset();
    RecoveryReport report;
    auto log = EventLog::Open({.dir = dir_.path()}, &report);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    EXPECT_TRUE(report.clean());
    log_ = std::move(log).value();
  }

  // Waits up to 5 s for `done`.
  template <typename F>
  static bool Eventually(F done) {
    for (int i = 0; i < 500; ++i) {
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  TempDir dir_;
  FaultInjectionEnv env_;
  std::vector<std::unique_ptr<Pending>> pending_;
  std::unique_ptr<EventLog> log_;
};

TEST_F(LogPipelineTest, NextGroupIsWrittenWhileOneSyncsAndGroupsLandInOrder) {
  Open();
  auto a = AppendHeld(0, 3);
  const uint64_t appends = env_.append_count();
  auto b = Append(3, 3);
  // b is written to the file while a's fdatasync is still under way...
  ASSERT_TRUE(Eventually([&] { return env_.append_count() > appends; }))
      << "the writer waited for the sync before writing the next group";
  // ...but neither is answered nor readable before its own sync.
  EXPECT_FALSE(a->answered());
  EXPECT_FALSE(b->answered());
  EXPECT_EQ(log_->EndOffset(0), 0u);
  auto [ra, rb] = Release(a, b);
  ASSERT_TRUE(ra.ok()) << ra.status().ToString();
  ASSERT_TRUE(rb.ok()) << rb.status().ToString();
  EXPECT_EQ(*ra, (std::vector<uint64_t>{0, 1, 2}));
  EXPECT_EQ(*rb, (std::vector<uint64_t>{3, 4, 5}));
  auto all = ReadAllEntries(*log_, 0);
  ASSERT_EQ(all.size(), 6u);
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].payload, Payload(0, i, kRecord));
  EXPECT_LT(all[2].append_time_us, all[3].append_time_us);
}

TEST_F(LogPipelineTest, FailedSyncFailsTheGroupWrittenBehindItAndAppendsResume) {
  Open();
  ASSERT_TRUE(log_->AppendSync({{0, "first"}}).ok());
  auto a = AppendHeld(1, 3);
  const uint64_t appends = env_.append_count();
  auto b = Append(4, 3);
  ASSERT_TRUE(Eventually([&] { return env_.append_count() > appends; }));
  env_.FailSyncs(true);
  auto [ra, rb] = Release(a, b);
  EXPECT_EQ(ra.status().code(), StatusCode::kIOError) << ra.status().ToString();
  EXPECT_EQ(rb.status().code(), StatusCode::kIOError) << rb.status().ToString();
  EXPECT_EQ(log_->EndOffset(0), 1u) << "nothing of either failed group is readable";
  env_.FailSyncs(false);
  auto c = log_->AppendSync({{0, "after"}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ((*c)[0], 1u);
  EXPECT_EQ(log_->GetStats().failed_appends, 2u);
  ASSERT_NO_FATAL_FAILURE(ReopenClean());  // finds exactly the two records
  auto all = ReadAllEntries(*log_, 0);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].payload, "first");
  EXPECT_EQ(all[1].payload, "after");
}

TEST_F(LogPipelineTest, GroupThatStartsASegmentWaitsForTheOneSyncing) {
  Open(/*segment_bytes=*/500 << 10);
  auto a = AppendHeld(0, 3);  // ~300 KB of the segment's 500
  const uint64_t appends = env_.append_count();
  auto b = Append(3, 3);  // does not fit: a new segment, after a lands
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(env_.append_count(), appends) << "b was written while a's segment was unsynced";
  auto [ra, rb] = Release(a, b);
  ASSERT_TRUE(ra.ok()) << ra.status().ToString();
  ASSERT_TRUE(rb.ok()) << rb.status().ToString();
  EXPECT_EQ(*rb, (std::vector<uint64_t>{3, 4, 5}));
  EXPECT_GE(log_->GetStats().segments, 2u);
  ASSERT_NO_FATAL_FAILURE(ReopenClean());
  auto all = ReadAllEntries(*log_, 0);
  ASSERT_EQ(all.size(), 6u);
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].payload, Payload(0, i, kRecord));
}

}  // namespace
}  // namespace rapport
