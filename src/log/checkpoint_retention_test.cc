#include <gtest/gtest.h>

#include "common/fault_injection_env.h"
#include "log/event_log.h"
#include "log/test_util.h"

namespace rapport {
namespace {

using log_test::Join;
using log_test::Payload;
using log_test::ReadAllEntries;
using log_test::TempDir;

TEST(LogCheckpoint, CommitsSurviveRestart) {
  TempDir dir;
  {
    auto log = EventLog::Open({.dir = dir.path(), .partitions = 2}, nullptr);
    ASSERT_TRUE(log.ok());
    for (int i = 0; i < 10; ++i) ASSERT_TRUE((*log)->AppendSync({{i % 2, "e"}}).ok());
    EXPECT_EQ((*log)->Checkpoint("dedup", 0), 0u);
    ASSERT_TRUE((*log)->CommitCheckpoint("dedup", 0, 5).ok());
    ASSERT_TRUE((*log)->CommitCheckpoint("dedup", 1, 2).ok());
    ASSERT_TRUE((*log)->CommitCheckpoint("warehouse", 1, 4).ok());
    ASSERT_TRUE((*log)->CommitCheckpoint("dedup", 0, 3).ok());  // may move back (replay)
    EXPECT_EQ((*log)->CommitCheckpoint("dedup", 0, 6).code(), StatusCode::kInvalidArgument);
    EXPECT_EQ((*log)->CommitCheckpoint("a/b", 0, 1).code(), StatusCode::kInvalidArgument);
    EXPECT_EQ((*log)->CommitCheckpoint("x", 7, 1).code(), StatusCode::kInvalidArgument);
  }
  RecoveryReport report;
  auto log = EventLog::Open({.dir = dir.path(), .partitions = 2}, &report);
  ASSERT_TRUE(log.ok());
  EXPECT_TRUE(report.clean()) << Join(report.messages);
  EXPECT_EQ((*log)->Checkpoint("dedup", 0), 3u);
  EXPECT_EQ((*log)->Checkpoint("dedup", 1), 2u);
  EXPECT_EQ((*log)->Checkpoint("warehouse", 0), 0u);
  EXPECT_EQ((*log)->Checkpoint("warehouse", 1), 4u);
  EXPECT_EQ((*log)->Checkpoint("nobody", 1), 0u);
  EXPECT_EQ((*log)->Consumers(), (std::vector<std::string>{"dedup", "warehouse"}));
  ASSERT_TRUE((*log)->RemoveConsumer("warehouse").ok());
  EXPECT_EQ((*log)->Checkpoint("warehouse", 1), 0u);
}

TEST(LogCheckpoint, FailedCommitKeepsTheOldValueAndDamagedFileIsReported) {
  TempDir dir;
  FaultInjectionEnv env;
  {
    auto log = EventLog::Open({.dir = dir.path(), .partitions = 1, .env = &env}, nullptr);
    ASSERT_TRUE(log.ok());
    ASSERT_TRUE((*log)->AppendSync({{0, "a"}, {0, "b"}}).ok());
    ASSERT_TRUE((*log)->CommitCheckpoint("c", 0, 1).ok());
    env.FailSyncs(true);
    EXPECT_FALSE((*log)->CommitCheckpoint("c", 0, 2).ok());
    EXPECT_EQ((*log)->Checkpoint("c", 0), 1u);
    env.FailSyncs(false);
  }
  log_test::FlipByte(dir.path() + "/checkpoints/c.ckpt", 16);
  RecoveryReport report;
  auto log = EventLog::Open({.dir = dir.path(), .partitions = 1}, &report);
  ASSERT_TRUE(log.ok());
  EXPECT_NE(Join(report.messages).find("c.ckpt"), std::string::npos) << Join(report.messages);
  EXPECT_EQ((*log)->Checkpoint("c", 0), 0u);  // restarts from the beginning: nothing lost
}

class LogRetentionTest : public ::testing::Test {
 protected:
  static constexpr int64_t kHour = 3600LL * 1000 * 1000;
  void SetUp() override {
    auto log = EventLog::Open(
        {.dir = dir_.path(), .partitions = 2, .segment_bytes = 4096, .clock = &clock_}, nullptr);
    ASSERT_TRUE(log.ok());
    log_ = std::move(log).value();
    // Partition 0: segments of 18 records (224-byte records), 100 records -> 6 segments.
    for (int i = 0; i < 100; ++i) {
      ASSERT_TRUE(log_->AppendSync({{0, Payload(0, i, 200)}}).ok());
      clock_.Advance(1000);
    }
    ASSERT_TRUE(log_->AppendSync({{1, "only"}}).ok());
  }
  TempDir dir_;
  ManualClock clock_{1'000'000'000'000};
  std::unique_ptr<EventLog> log_;
};

TEST_F(LogRetentionTest, NothingIsDeletedWithoutConsumers) {
  clock_.Advance(10 * kHour);
  auto n = log_->ApplyRetention(0);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0);
  EXPECT_EQ(log_->StartOffset(0), 0u);
}

TEST_F(LogRetentionTest, DeletesOnlyConsumedOldSealedSegments) {
  const uint64_t segments_before = log_->GetStats().segments;
  EXPECT_EQ(segments_before, 6u + 1u);
  ASSERT_TRUE(log_->CommitCheckpoint("fast", 0, 100).ok());
  ASSERT_TRUE(log_->CommitCheckpoint("slow", 0, 40).ok());  // inside segment [36, 54)

  // Too young: nothing.
  auto n = log_->ApplyRetention(kHour);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0);

  clock_.Advance(2 * kHour);
  n = log_->ApplyRetention(kHour);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 2);  // [0,18) and [18,36); [36,54) still holds offsets the slow consumer needs
  EXPECT_EQ(log_->StartOffset(0), 36u);
  EXPECT_EQ(log_->EndOffset(0), 100u);
  EXPECT_FALSE(std::filesystem::exists(log_test::SegmentPath(dir_.path(), 0, 0) + ".log"));
  EXPECT_FALSE(std::filesystem::exists(log_test::SegmentPath(dir_.path(), 0, 0) + ".idx"));
  auto all = ReadAllEntries(*log_, 0, 0);  // from a deleted offset: starts at StartOffset
  ASSERT_EQ(all.size(), 64u);
  EXPECT_EQ(all[0].offset, 36u);
  EXPECT_EQ(all[0].payload, Payload(0, 36, 200));

  // Everything consumed: all sealed segments go, never the active one.
  ASSERT_TRUE(log_->CommitCheckpoint("slow", 0, 100).ok());
  ASSERT_TRUE(log_->CommitCheckpoint("fast", 1, 1).ok());
  ASSERT_TRUE(log_->CommitCheckpoint("slow", 1, 1).ok());
  n = log_->ApplyRetention(kHour);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 3);
  EXPECT_EQ(log_->StartOffset(0), 90u);
  EXPECT_EQ(log_->StartOffset(1), 0u);  // its only segment is the active one
  EXPECT_EQ(log_->GetStats().segments, 2u);

  // A removed consumer no longer holds data back; restart keeps the new start.
  log_.reset();
  auto log = EventLog::Open(
      {.dir = dir_.path(), .partitions = 2, .segment_bytes = 4096, .clock = &clock_}, nullptr);
  ASSERT_TRUE(log.ok());
  EXPECT_EQ((*log)->StartOffset(0), 90u);
  EXPECT_EQ((*log)->EndOffset(0), 100u);
  EXPECT_TRUE((*log)->Verify(nullptr).ok());
}

TEST_F(LogRetentionTest, AConsumerWithoutACheckpointOnAPartitionHoldsItBack) {
  ASSERT_TRUE(log_->CommitCheckpoint("a", 0, 100).ok());
  ASSERT_TRUE(log_->CommitCheckpoint("b", 1, 1).ok());  // b has 0 on partition 0
  clock_.Advance(2 * kHour);
  auto n = log_->ApplyRetention(kHour);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0);
  ASSERT_TRUE(log_->RemoveConsumer("b").ok());
  n = log_->ApplyRetention(kHour);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 5);
}

}  // namespace
}  // namespace rapport
