// The profile pipeline end to end on a real log and a real RocksDB state store: identity
// resolution and merges, traits by event time, accounts, computed traits, restart, and the
// promise that rebuilding from the log gives byte-for-byte the state incremental processing gave.
#include "profile/pipeline.h"

#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <thread>

#include "common/temp_dir.h"
#include "profile/computed/computed_state.h"
#include "profile/test_events.h"

namespace rapport {
namespace {

using testing::EventSender;
using testing::TempDir;

class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto log = EventLog::Open({.dir = dir_.Sub("log"), .partitions = 3}, nullptr);
    ASSERT_TRUE(log.ok());
    log_ = std::move(*log);
    sender_ = std::make_unique<EventSender>(log_.get());
  }

  std::unique_ptr<ProfilePipeline> Open(const std::string& name, size_t batch = 4096,
                                        int64_t cache_mb = 0, PipelineHooks* hooks = nullptr) {
    PipelineOptions o;
    o.hooks = hooks;
    o.log = log_.get();
    o.dir = dir_.Sub(name);
    o.batch_events = batch;
    o.cache_mb = cache_mb;
    o.consumer = name;
    o.load_definitions = [this]() -> Result<std::vector<ComputedDef>> { return defs_; };
    auto p = ProfilePipeline::Open(std::move(o));
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return p.ok() ? std::move(*p) : nullptr;
  }

  ProfileRecord ByIdentifier(ProfilePipeline* p, const std::string& type,
                             const std::string& value) {
    auto id = p->store()->FindIdentifier({type, value});
    EXPECT_TRUE(id.ok() && id->has_value()) << type << ":" << value;
    if (!id.ok() || !id->has_value()) return {};
    auto r = p->store()->GetLiveProfile(**id);
    EXPECT_TRUE(r.ok() && r->has_value());
    return r.ok() && r->has_value() ? **r : ProfileRecord{};
  }

  std::string Dump(ProfilePipeline* p) {
    std::string out;
    EXPECT_TRUE(p->store()->Dump(&out).ok());
    return out;
  }

  void Define(const std::string& json) {
    auto def = ParseComputedDef(json);
    ASSERT_TRUE(def.ok()) << def.status().ToString();
    defs_.push_back(*def);
  }

  TempDir dir_;
  std::unique_ptr<EventLog> log_;
  std::unique_ptr<EventSender> sender_;
  std::vector<ComputedDef> defs_;
};

TEST_F(PipelineTest, AnonymousVisitorMergesIntoTheIdentifiedProfile) {
  sender_->Send(
      R"({"type":"page","anonymousId":"a1","name":"Home","timestamp":"2024-01-01T10:00:00Z"})");
  sender_->Send(
      R"({"type":"track","userId":"u1","event":"Signed In","timestamp":"2024-01-01T10:05:00Z"})");
  sender_->Send(
      R"({"type":"identify","userId":"u1","anonymousId":"a1","traits":{"email":" Ada@Example.COM ","plan":"pro"},"timestamp":"2024-01-01T10:06:00Z","messageId":"link"})");
  auto p = Open("state");
  ASSERT_TRUE(p->CatchUp().ok());
  ProfileRecord r = ByIdentifier(p.get(), "email", "ada@example.com");
  EXPECT_EQ(r.id, 1u);  // the oldest profile survives
  EXPECT_EQ(r.event_count, 3u);
  EXPECT_EQ(r.members, std::vector<uint64_t>{2});
  EXPECT_EQ(ByIdentifier(p.get(), "anonymous_id", "a1").id, 1u);
  EXPECT_EQ(ByIdentifier(p.get(), "user_id", "u1").id, 1u);
  ASSERT_EQ(r.merges.size(), 1u);
  EXPECT_EQ(r.merges[0].kind, MergeEvent::Kind::kMerge);
  EXPECT_EQ(r.merges[0].from, 2u);
  EXPECT_EQ(r.merges[0].message_id, "link");
  EXPECT_EQ(r.traits.at("plan").json, "\"pro\"");
  // The merged-away id forwards to the survivor.
  auto old = p->store()->GetLiveProfile(2);
  ASSERT_TRUE(old.ok() && old->has_value());
  EXPECT_EQ((*old)->id, 1u);
  // The merge journal has it, and reading after it gives nothing more.
  std::vector<JournaledMerge> journal;
  ASSERT_TRUE(p->store()->ReadMerges({}, 10, &journal).ok());
  ASSERT_EQ(journal.size(), 1u);
  EXPECT_EQ(journal[0].pos.from, 2u);
  EXPECT_EQ(journal[0].into, 1u);
  EXPECT_GT(journal[0].pos.at_us, 0);
  std::vector<JournaledMerge> later;
  ASSERT_TRUE(p->store()->ReadMerges(journal[0].pos, 10, &later).ok());
  EXPECT_TRUE(later.empty());
  // The timeline covers both profiles, newest first.
  std::vector<TimelineEntry> events;
  ASSERT_TRUE(p->store()->ReadTimeline(r, std::nullopt, 10, &events).ok());
  ASSERT_EQ(events.size(), 3u);
  EXPECT_NE(events[0].json.find("identify"), std::string::npos);
  EXPECT_NE(events[2].json.find("Home"), std::string::npos);
}

// Long timelines: the newest positions live in the profile record, older ones in index chunks
// of ProfileRecord::kTimelineChunk; a merged-away profile's positions move to a chunk under its
// id. Paging through gives every event once, newest first, across batches and a restart.
TEST_F(PipelineTest, ALongMergedTimelinePagesThroughEveryEventOnce) {
  auto p = Open("state", 7);
  auto send = [&](const std::string& ids, int i) {
    sender_->Send(R"({"type":"track",)" + ids + R"(,"event":"e)" + std::to_string(i) +
                  R"(","timestamp":"2024-01-01T10:)" + (i < 10 ? "0" : "") + std::to_string(i) +
                  R"(:00Z"})");
  };
  int i = 0;
  for (; i < 23; ++i) send(R"("userId":"u1")", i);       // u1's own: a chunk and 7 in the record
  for (; i < 35; ++i) send(R"("anonymousId":"a1")", i);  // the device's, before the link
  ASSERT_TRUE(p->CatchUp().ok());
  p.reset();
  p = Open("state", 5);
  send(R"("userId":"u1","anonymousId":"a1")", i++);  // merges the device in
  for (; i < 59; ++i) send(R"("userId":"u1")", i);
  ASSERT_TRUE(p->CatchUp().ok());
  ProfileRecord r = ByIdentifier(p.get(), "user_id", "u1");
  EXPECT_EQ(r.members.size(), 1u);
  EXPECT_LT(r.timeline.size(), ProfileRecord::kTimelineChunk);
  std::vector<std::string> names;
  std::optional<TimelinePos> after;
  for (int page = 0; page < 20; ++page) {
    std::vector<TimelineEntry> events;
    ASSERT_TRUE(p->store()->ReadTimeline(r, after, 8, &events).ok());
    if (events.empty()) break;
    for (const TimelineEntry& e : events) {
      const size_t at = e.json.find("\"event\":\"") + 9;
      names.push_back(e.json.substr(at, e.json.find('"', at) - at));
    }
    after = events.back().pos;
  }
  std::vector<std::string> expected;
  for (int k = 58; k >= 0; --k) expected.push_back("e" + std::to_string(k));
  EXPECT_EQ(names, expected);
}

TEST_F(PipelineTest, SharedComputerKeepsTwoUsersApartAndRecordsWhy) {
  sender_->Send(R"({"type":"identify","userId":"alice","anonymousId":"device"})");
  sender_->Send(R"({"type":"identify","userId":"bob","anonymousId":"device","messageId":"m-bob"})");
  auto p = Open("state");
  ASSERT_TRUE(p->CatchUp().ok());
  ProfileRecord alice = ByIdentifier(p.get(), "user_id", "alice");
  ProfileRecord bob = ByIdentifier(p.get(), "user_id", "bob");
  EXPECT_NE(alice.id, bob.id);
  EXPECT_EQ(ByIdentifier(p.get(), "anonymous_id", "device").id, alice.id);
  ASSERT_EQ(bob.merges.size(), 1u);
  EXPECT_EQ(bob.merges[0].kind, MergeEvent::Kind::kBlocked);
  EXPECT_EQ(bob.merges[0].conflict, "user_id");
  EXPECT_EQ(bob.merges[0].ids, (std::vector<Identifier>{{"anonymous_id", "device"}}));
  EXPECT_EQ(bob.merges[0].message_id, "m-bob");
}

TEST_F(PipelineTest, TheLatestEventTimeWinsNotTheLatestArrival) {
  sender_->Send(
      R"({"type":"identify","userId":"u","traits":{"plan":"enterprise"},"timestamp":"2024-03-01T00:00:00Z"})");
  sender_->Send(
      R"({"type":"identify","userId":"u","traits":{"plan":"free","city":"Oslo"},"timestamp":"2024-01-01T00:00:00Z"})");
  auto p = Open("state");
  ASSERT_TRUE(p->CatchUp().ok());
  ProfileRecord r = ByIdentifier(p.get(), "user_id", "u");
  EXPECT_EQ(r.traits.at("plan").json, "\"enterprise\"");
  EXPECT_EQ(r.traits.at("city").json, "\"Oslo\"");
  EXPECT_EQ(r.traits.at("plan").source, "src_test");
}

TEST_F(PipelineTest, AccountsHaveTheirOwnTraitsAndMembers) {
  sender_->Send(
      R"({"type":"group","userId":"u1","groupId":"acme","traits":{"name":"Acme","employees":120}})");
  sender_->Send(R"({"type":"group","userId":"u2","groupId":"acme","traits":{"industry":"tools"}})");
  auto p = Open("state");
  ASSERT_TRUE(p->CatchUp().ok());
  auto account = p->store()->GetAccount("acme");
  ASSERT_TRUE(account.ok() && account->has_value());
  EXPECT_EQ((*account)->members.size(), 2u);
  EXPECT_EQ((*account)->traits.at("employees").json, "120");
  EXPECT_EQ((*account)->traits.at("industry").json, "\"tools\"");
  EXPECT_EQ(ByIdentifier(p.get(), "user_id", "u1").accounts, std::vector<std::string>{"acme"});
  EXPECT_TRUE(ByIdentifier(p.get(), "user_id", "u1").traits.empty());  // not the profile's
}

TEST_F(PipelineTest, ComputedTraitsFollowEventsAndMerges) {
  Define(R"({"name":"orders","event":"Order Completed","aggregate":"count"})");
  Define(
      R"({"name":"revenue","event":"Order Completed","aggregate":"sum","property":"properties.revenue"})");
  sender_->Send(
      R"({"type":"track","anonymousId":"a","event":"Order Completed","properties":{"revenue":10}})");
  sender_->Send(
      R"({"type":"track","userId":"u","event":"Order Completed","properties":{"revenue":5.5}})");
  sender_->Send(R"({"type":"track","userId":"u","event":"Viewed"})");
  auto p = Open("state");
  ASSERT_TRUE(p->CatchUp().ok());
  EXPECT_EQ(ComputedState::Decode(ByIdentifier(p.get(), "user_id", "u").computed.at("revenue"))
                ->Evaluate(defs_[1], 0),
            "5.5");
  sender_->Send(R"({"type":"alias","userId":"u","previousId":"a"})");
  ASSERT_TRUE(p->CatchUp().ok());
  ProfileRecord r = ByIdentifier(p.get(), "user_id", "u");
  EXPECT_EQ(ComputedState::Decode(r.computed.at("orders"))->Evaluate(defs_[0], 0), "2");
  EXPECT_EQ(ComputedState::Decode(r.computed.at("revenue"))->Evaluate(defs_[1], 0), "15.5");
}

TEST_F(PipelineTest, ANewDefinitionIsComputedOverHistory) {
  sender_->Send(
      R"({"type":"track","userId":"u","event":"Order Completed","properties":{"revenue":7}})");
  sender_->Send(
      R"({"type":"track","userId":"u","event":"Order Completed","properties":{"revenue":8}})");
  auto p = Open("state");
  ASSERT_TRUE(p->CatchUp().ok());
  Define(
      R"({"name":"revenue","event":"Order Completed","aggregate":"sum","property":"properties.revenue"})");
  p->DefinitionsChanged();
  ASSERT_TRUE(p->CatchUp().ok());
  auto defs = p->Definitions();
  ASSERT_EQ(defs.size(), 1u);
  EXPECT_TRUE(defs[0].ready);
  ProfileRecord r = ByIdentifier(p.get(), "user_id", "u");
  EXPECT_EQ(ComputedState::Decode(r.computed.at("revenue"))->Evaluate(defs_[0], 0), "15");
}

// Random streams: incremental processing in small batches with restarts in between must leave
// exactly the bytes that one rebuild from the whole log leaves.
TEST_F(PipelineTest, ReplayEqualsIncremental) {
  Define(R"({"name":"orders_30d","event":"Order Completed","aggregate":"count","window_days":30})");
  Define(R"({"name":"favorite","aggregate":"most_frequent","property":"properties.category"})");
  Define(R"({"name":"last_seen","aggregate":"last"})");
  std::mt19937 rng(7);
  auto pick = [&](int n) { return static_cast<int>(rng() % n); };
  auto p = Open("incremental", 7);
  const char* events[] = {"Order Completed", "Viewed", "Ticket Opened"};
  const char* categories[] = {"books", "music", "garden"};
  for (int round = 0; round < 20; ++round) {
    std::string batch;
    for (int i = 0; i < 25; ++i) {
      if (!batch.empty()) batch += ",";
      std::string ids;
      if (pick(3) != 0) ids += ",\"anonymousId\":\"a" + std::to_string(pick(40)) + "\"";
      if (ids.empty() || pick(2) == 0) ids += ",\"userId\":\"u" + std::to_string(pick(15)) + "\"";
      std::string ts = "2024-0" + std::to_string(1 + pick(3)) + "-1" + std::to_string(pick(9)) +
                       "T0" + std::to_string(pick(9)) + ":00:00Z";
      switch (pick(4)) {
        case 0:
          batch += R"({"type":"identify")" + ids + R"(,"timestamp":")" + ts +
                   R"(","traits":{"email":"e)" + std::to_string(pick(12)) + R"(@x.io","plan":"p)" +
                   std::to_string(pick(3)) + R"("}})";
          break;
        case 1:
          batch += R"({"type":"group")" + ids + R"(,"groupId":"g)" + std::to_string(pick(4)) +
                   R"(","traits":{"size":)" + std::to_string(pick(100)) + "}}";
          break;
        default:
          batch += R"({"type":"track")" + ids + R"(,"timestamp":")" + ts + R"(","event":")" +
                   events[pick(3)] + R"(","properties":{"category":")" + categories[pick(3)] +
                   R"("}})";
      }
    }
    sender_->Send(batch);
    if (round % 3 == 0) {
      ASSERT_TRUE(p->CatchUp().ok());
    }
    if (round % 5 == 4) {  // restart
      p.reset();
      p = Open("incremental", 1 + pick(50));
    }
  }
  ASSERT_TRUE(p->CatchUp().ok());
  auto rebuilt = Open("rebuilt", 100000);
  ASSERT_TRUE(rebuilt->CatchUp().ok());
  EXPECT_GT(rebuilt->GetStats().merges, 0u);
  EXPECT_GT(rebuilt->GetStats().blocked, 0u);
  std::string a = Dump(p.get()), b = Dump(rebuilt.get());
  EXPECT_EQ(a.size(), b.size());
  EXPECT_TRUE(a == b) << "incremental and rebuilt state differ";
}

// With a cache too small to keep the identifier index whole (1 MB: 2,000 identifiers before it
// drops any), the pipeline loads the index while it fits, stops trusting the cache once it drops
// keys, and stops loading the index once it has outgrown the cache; from then on it asks the
// store about identifiers it does not hold. The state is the same as with the whole index.
TEST_F(PipelineTest, ACacheTooSmallForTheIdentifierIndexGivesTheSameState) {
  auto p = Open("small", 500, 1);
  for (int round = 0; round < 5; ++round) {
    std::string batch;
    for (int i = 0; i < 1000; ++i) {
      const int k = round * 1000 + i;
      if (!batch.empty()) batch += ",";
      // Each user comes back 2,600 events later under a second device, by then known only to the
      // store.
      batch += R"({"type":"track","event":"Viewed","userId":"u)" + std::to_string(k % 2600) +
               R"(","anonymousId":"a)" + std::to_string(k) + R"("})";
    }
    sender_->Send(batch);
    ASSERT_TRUE(p->CatchUp().ok());
    // Reopened after round 0 it loads the whole index (2,000 identifiers) and drops part of it
    // as it goes; after round 3 the index is too large to load.
    if (round == 0 || round == 3) {
      p.reset();
      p = Open("small", 500, 1);
    }
  }
  auto rebuilt = Open("whole", 100000);
  ASSERT_TRUE(rebuilt->CatchUp().ok());
  std::string a = Dump(p.get()), b = Dump(rebuilt.get());
  EXPECT_TRUE(a == b) << "a small cache and the whole index gave different state";
  // 2,600 users, each with the devices it was seen with: no user was split in two.
  EXPECT_EQ(ByIdentifier(p.get(), "user_id", "u7").identities.size(), 3u);  // a7, a2607, u7
}

// Hooks that fail once, after the event numbered `fail_at` of the run was applied.
class FailOnce final : public PipelineHooks {
 public:
  explicit FailOnce(int fail_at) : fail_at_(fail_at) {}
  Status Open(StateStore*) override { return Status::OK(); }
  void DefinitionsChanged(const std::vector<ComputedDef>&, const std::vector<bool>&) override {}
  Status BeginBatch(StateOverlay*, StateBatch*, int64_t) override { return Status::OK(); }
  Status BeforeEvent(int64_t) override { return Status::OK(); }
  Status AfterEvent(const AppliedEvent&) override {
    return ++seen_ == fail_at_ ? Status::IOError("injected") : Status::OK();
  }
  Status EndBatch(int64_t, bool*) override { return Status::OK(); }
  void Committed() override {}
  void Reset() override {}
  Status BackgroundStep(bool*) override { return Status::OK(); }
  bool HasBackgroundWork() const override { return false; }

 private:
  int fail_at_, seen_ = 0;
};

// A batch that fails half applied has already changed the cached profiles it touched (they are
// changed in place): the retry must start from the store, not from them.
TEST_F(PipelineTest, ABatchThatFailsHalfAppliedLeavesNoTrace) {
  Define(R"({"name":"views","aggregate":"count","event":"Viewed"})");
  FailOnce hooks(150);
  auto p = Open("failing", 100, 0, &hooks);
  for (int round = 0; round < 2; ++round) {
    std::string batch;
    for (int i = 0; i < 100; ++i) {
      if (!batch.empty()) batch += ",";
      batch += R"({"type":"track","event":"Viewed","userId":"u)" + std::to_string(i % 30) +
               R"(","anonymousId":"a)" + std::to_string(round * 100 + i) + R"("})";
    }
    sender_->Send(batch);
  }
  EXPECT_FALSE(p->CatchUp().ok());  // the second batch fails at its 50th event
  ASSERT_TRUE(p->CatchUp().ok());
  auto rebuilt = Open("whole", 100000);
  ASSERT_TRUE(rebuilt->CatchUp().ok());
  EXPECT_TRUE(Dump(p.get()) == Dump(rebuilt.get())) << "the failed batch left a trace";
  // u7: events 7, 37, 67 and 97 of each round; the failed attempt counted none twice.
  const ProfileRecord u7 = ByIdentifier(p.get(), "user_id", "u7");
  EXPECT_EQ(ComputedState::Decode(u7.computed.at("views"))->Evaluate(defs_[0], 0), "8");
  EXPECT_EQ(u7.event_count, 8u);
}

TEST_F(PipelineTest, TheThreadFollowsTheLog) {
  auto p = Open("state");
  p->Start();
  sender_->Send(R"({"type":"identify","userId":"live","traits":{"plan":"x"}})");
  ASSERT_TRUE(p->WaitCaughtUp(10'000'000));
  EXPECT_EQ(ByIdentifier(p.get(), "user_id", "live").traits.at("plan").json, "\"x\"");
  // While it runs, the checkpoint moves on the checkpoint thread (at most once a second).
  auto checkpointed = [&] {
    return log_->Checkpoint("state", 0) + log_->Checkpoint("state", 1) +
           log_->Checkpoint("state", 2);
  };
  for (int i = 0; i < 500 && checkpointed() < 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(checkpointed(), 1u);
  p->Stop();
  EXPECT_EQ(
      log_->Checkpoint("state", 0) + log_->Checkpoint("state", 1) + log_->Checkpoint("state", 2),
      1u);
}

}  // namespace
}  // namespace rapport
