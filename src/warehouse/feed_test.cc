// The feed end to end on a real log, a real profile pipeline and a real warehouse directory:
// events are stored under their profile once the pipeline has them, merges map stored ids to the
// survivor, and a restart resumes exactly where the parts end (nothing lost, nothing twice).
#include "warehouse/feed.h"

#include <gtest/gtest.h>

#include <map>

#include "common/fault_injection_env.h"
#include "common/temp_dir.h"
#include "profile/pipeline.h"
#include "profile/test_events.h"

namespace rapport::warehouse {
namespace {

using rapport::testing::EventSender;
using rapport::testing::TempDir;

class FeedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto log = EventLog::Open({.dir = dir_.Sub("log"), .partitions = 2}, nullptr);
    ASSERT_TRUE(log.ok());
    log_ = std::move(*log);
    sender_ = std::make_unique<EventSender>(log_.get());
    PipelineOptions o;
    o.log = log_.get();
    o.dir = dir_.Sub("state");
    o.consumer = "profiles";
    o.load_definitions = []() -> Result<std::vector<ComputedDef>> {
      return std::vector<ComputedDef>{};
    };
    auto p = ProfilePipeline::Open(std::move(o));
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    pipeline_ = std::move(*p);
    OpenWarehouse();
  }

  void OpenWarehouse() {
    feed_.reset();
    warehouse_.reset();
    WarehouseOptions o;
    o.dir = dir_.Sub("warehouse");
    auto w = Warehouse::Open(std::move(o));
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    warehouse_ = std::move(*w);
    FeedOptions f;
    f.read_records = 3;  // several steps per partition
    feed_ = std::make_unique<WarehouseFeed>(log_.get(), pipeline_->store(), warehouse_.get(), f);
  }

  // Stored events by current profile: "p1" → ["Home", "Signed In", ...] in (ts, seq) order.
  std::map<std::string, std::vector<std::string>> ByProfile() {
    std::map<std::string, std::vector<std::tuple<int64_t, uint64_t, std::string>>> rows;
    SnapshotPtr s = warehouse_->Snapshot();
    for (size_t i = 0; i < s->chunk_count(); ++i) {
      auto c = s->Load(i, {});
      EXPECT_TRUE(c.ok());
      for (size_t r = 0; r < (*c)->rows; ++r) {
        const uint64_t p = s->profiles().Current((*c)->profile()[r]);
        std::string name(s->events().Name((*c)->event()[r]));
        if (name.empty()) name = EventTypeName((*c)->type()[r]);
        rows["p" + std::to_string(p)].emplace_back((*c)->ts()[r], (*c)->seq()[r], name);
      }
    }
    std::map<std::string, std::vector<std::string>> out;
    for (auto& [p, list] : rows) {
      std::sort(list.begin(), list.end());
      for (auto& [ts, seq, name] : list) out[p].push_back(name);
    }
    return out;
  }

  TempDir dir_;
  std::unique_ptr<EventLog> log_;
  std::unique_ptr<EventSender> sender_;
  std::unique_ptr<ProfilePipeline> pipeline_;
  std::unique_ptr<Warehouse> warehouse_;
  std::unique_ptr<WarehouseFeed> feed_;
};

TEST_F(FeedTest, StoresEventsBehindThePipelineUnderTheirCurrentProfile) {
  sender_->Send(
      R"({"type":"page","anonymousId":"a1","name":"Home","timestamp":"2024-01-01T10:00:00Z"})");
  sender_->Send(
      R"({"type":"track","userId":"u1","event":"Signed In","properties":{"plan":"pro","n":2},"timestamp":"2024-01-01T10:05:00Z"})");
  // The pipeline has not run: nothing may be stored yet (identities are not known).
  ASSERT_TRUE(feed_->CatchUp().ok());
  EXPECT_TRUE(ByProfile().empty());
  ASSERT_TRUE(pipeline_->CatchUp().ok());
  ASSERT_TRUE(feed_->CatchUp().ok());
  EXPECT_EQ(ByProfile(), (std::map<std::string, std::vector<std::string>>{{"p1", {"Home"}},
                                                                          {"p2", {"Signed In"}}}));
  // An identify links the two: the earlier rows now count for the survivor.
  sender_->Send(
      R"({"type":"identify","userId":"u1","anonymousId":"a1","traits":{"plan":"pro"},"timestamp":"2024-01-01T10:06:00Z"})");
  ASSERT_TRUE(pipeline_->CatchUp().ok());
  ASSERT_TRUE(feed_->CatchUp().ok());
  EXPECT_EQ(
      ByProfile(),
      (std::map<std::string, std::vector<std::string>>{{"p1", {"Home", "Signed In", "identify"}}}));
  // Properties and traits are columns.
  SnapshotPtr s = warehouse_->Snapshot();
  bool saw_plan = false, saw_trait = false;
  for (size_t i = 0; i < s->chunk_count(); ++i) {
    auto c = s->Load(i, {"properties.plan", "properties.n", "traits.plan", "userId"});
    ASSERT_TRUE(c.ok());
    if (const PropertyColumn* col = (*c)->Find("properties.plan")) {
      for (size_t r = 0; r < (*c)->rows; ++r) {
        if (col->kind[r] == ValueKind::kString && col->text(r) == "pro") saw_plan = true;
      }
    }
    if ((*c)->Find("traits.plan")) saw_trait = true;
  }
  EXPECT_TRUE(saw_plan);
  EXPECT_TRUE(saw_trait);
  EXPECT_EQ(feed_->GetStats().events, 3u);
}

TEST_F(FeedTest, ARestartResumesWhereThePartsEnd) {
  std::string batch;
  for (int i = 0; i < 40; ++i) {
    if (!batch.empty()) batch += ",";
    batch += R"({"type":"track","userId":"u)" + std::to_string(i % 7) + R"(","event":"E)" +
             std::to_string(i) + R"(","timestamp":"2024-01-0)" + std::to_string(1 + i % 5) +
             R"(T10:00:00Z"})";
  }
  sender_->Send(batch);
  ASSERT_TRUE(pipeline_->CatchUp().ok());
  // Store part of it, then "crash": the buffered rows are lost with the process.
  bool more = false;
  ASSERT_TRUE(feed_->Step(true, &more).ok());
  ASSERT_TRUE(more);
  ASSERT_TRUE(feed_->Step(false, &more).ok());
  const size_t stored_before = warehouse_->GetStats().rows;
  EXPECT_GT(stored_before, 0u);
  EXPECT_GT(warehouse_->buffered_rows(), 0u);
  OpenWarehouse();
  EXPECT_EQ(warehouse_->GetStats().rows, stored_before);
  ASSERT_TRUE(feed_->CatchUp().ok());
  size_t total = 0;
  std::set<std::string> names;
  for (auto& [p, list] : ByProfile()) {
    total += list.size();
    names.insert(list.begin(), list.end());
  }
  EXPECT_EQ(total, 40u);
  EXPECT_EQ(names.size(), 40u);  // each once
  // The log knows how far the warehouse got (retention keeps the rest).
  for (int p = 0; p < 2; ++p) {
    EXPECT_EQ(log_->Checkpoint(WarehouseFeed::kConsumer, p), log_->EndOffset(p));
  }
}

TEST_F(FeedTest, WhileFlushesFailItStopsReadingAndLosesNothing) {
  std::string batch;
  for (int i = 0; i < 60; ++i) {
    if (!batch.empty()) batch += ",";
    batch += R"({"type":"track","userId":"u)" + std::to_string(i) + R"(","event":"E"})";
  }
  sender_->Send(batch);
  ASSERT_TRUE(pipeline_->CatchUp().ok());
  feed_.reset();
  warehouse_.reset();
  FaultInjectionEnv env;
  WarehouseOptions o;
  o.dir = dir_.Sub("warehouse");
  o.env = &env;
  auto w = Warehouse::Open(std::move(o));
  ASSERT_TRUE(w.ok());
  warehouse_ = std::move(*w);
  FeedOptions f;
  f.read_records = 3;
  f.flush_rows = 5;
  feed_ = std::make_unique<WarehouseFeed>(log_.get(), pipeline_->store(), warehouse_.get(), f);
  env.FailSyncs(true);  // every flush fails, as on a full disk
  for (int i = 0; i < 30; ++i) {
    bool more = false;
    EXPECT_FALSE(feed_->Step(false, &more).ok());
    EXPECT_LE(warehouse_->buffered_rows(), 4 * f.flush_rows + 2 * f.read_records);
  }
  EXPECT_EQ(warehouse_->GetStats().rows, 0u);
  env.FailSyncs(false);
  ASSERT_TRUE(feed_->CatchUp().ok());
  EXPECT_EQ(warehouse_->GetStats().rows, 60u);
  EXPECT_EQ(warehouse_->buffered_rows(), 0u);
}

TEST_F(FeedTest, TheThreadFollowsTheLog) {
  pipeline_->Start();
  feed_->Start();
  sender_->Send(
      R"({"type":"track","userId":"x","event":"Live","timestamp":"2024-02-01T00:00:00Z"})");
  for (int i = 0; i < 200 && ByProfile().empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(ByProfile(), (std::map<std::string, std::vector<std::string>>{{"p1", {"Live"}}}));
  feed_->Stop();
  pipeline_->Stop();
  EXPECT_TRUE(feed_->last_error().ok());
}

}  // namespace
}  // namespace rapport::warehouse
