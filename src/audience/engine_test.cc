// The audience engine inside the real profile pipeline, on a real log and RocksDB state, with a
// manual clock: memberships follow events, windows expire at the exact time, dependents and
// consent, merges, accounts, audiences created over existing profiles, and replay equality.
#include "audience/engine.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "audience/parser.h"
#include "common/temp_dir.h"
#include "common/time_format.h"
#include "profile/pipeline.h"
#include "profile/test_events.h"

namespace rapport {
namespace {

using testing::EventSender;
using testing::TempDir;

constexpr int64_t kSecond = 1'000'000;
constexpr int64_t kDay = 86'400 * kSecond;
constexpr int64_t kT0 = 1'700'000'000'000'000;  // 2023-11-14T22:13:20Z

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto log = EventLog::Open({.dir = dir_.Sub("log"), .partitions = 3, .clock = &clock_}, nullptr);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    log_ = std::move(*log);
    sender_ = std::make_unique<EventSender>(log_.get());
  }

  void Define(uint64_t id, const std::string& name, const std::string& text) {
    auto root = ParseAudience(text);
    ASSERT_TRUE(root.ok()) << root.status().ToString();
    audiences_.push_back({id, name, "", std::move(*root)});
  }

  void DefineComputed(const std::string& json) {
    auto def = ParseComputedDef(json);
    ASSERT_TRUE(def.ok()) << def.status().ToString();
    computed_.push_back(*def);
  }

  void Open(const std::string& state = "state", size_t batch = 4096) {
    pipeline_.reset();
    engine_ = std::make_unique<AudienceEngine>(AudienceEngineOptions{
        .load = [this]() -> Result<std::vector<AudienceDef>> { return audiences_; }});
    PipelineOptions o;
    o.log = log_.get();
    o.dir = dir_.Sub(state);
    o.batch_events = batch;
    o.consumer = state;
    o.hooks = engine_.get();
    o.load_definitions = [this]() -> Result<std::vector<ComputedDef>> {
      std::vector<ComputedDef> defs = computed_;
      for (ComputedDef& d : AudienceEngine::HiddenDefinitions(audiences_)) defs.push_back(d);
      return defs;
    };
    auto p = ProfilePipeline::Open(std::move(o));
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    pipeline_ = std::move(*p);
  }

  // Sends events now (their time is the clock's unless they say otherwise).
  void Send(const std::string& items) { sender_->Send(items, clock_.NowMicros()); }

  // Processes everything up to the clock's time.
  void CatchUp() {
    ASSERT_TRUE(log_->AppendSync({}).ok());  // the watermark reaches the clock
    Status s = pipeline_->CatchUp();
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  void Advance(int64_t us) {
    clock_.Advance(us);
    CatchUp();
  }

  ProfileRecord Profile(const std::string& user_id) {
    auto id = pipeline_->store()->FindIdentifier({"user_id", user_id});
    EXPECT_TRUE(id.ok() && id->has_value()) << user_id;
    if (!id.ok() || !id->has_value()) return {};
    auto r = pipeline_->store()->GetLiveProfile(**id);
    return r.ok() && r->has_value() ? **r : ProfileRecord{};
  }

  bool Member(const std::string& user_id, uint64_t audience) {
    ProfileRecord p = Profile(user_id);
    auto it = p.audiences.find(audience);
    return it != p.audiences.end() && it->second.member;
  }

  // "+name@time" / "-name@time" for each transition on the profile's timeline, oldest first.
  std::vector<std::string> Transitions(const std::string& user_id) {
    ProfileRecord p = Profile(user_id);
    std::vector<TimelineEntry> events;
    EXPECT_TRUE(pipeline_->store()->ReadTimeline(p, std::nullopt, 1000, &events).ok());
    std::vector<std::string> out;
    for (auto it = events.rbegin(); it != events.rend(); ++it) {
      if (it->source != "_audiences") continue;
      const bool entered = it->json.find("Audience Entered") != std::string::npos;
      const size_t at = it->json.find("\"audience\":\"") + 12;
      const std::string name = it->json.substr(at, it->json.find('"', at) - at);
      out.push_back((entered ? "+" : "-") + name + "@" + FormatIso8601(it->pos.ts_us));
    }
    return out;
  }

  std::vector<uint64_t> Members(uint64_t audience) {
    std::vector<std::pair<uint64_t, int64_t>> rows;
    EXPECT_TRUE(pipeline_->store()->ListMembers(audience, 0, 1000, &rows).ok());
    std::vector<uint64_t> out;
    for (const auto& r : rows) out.push_back(r.first);
    return out;
  }

  int64_t Size(uint64_t audience) {
    for (const auto& s : engine_->Statuses()) {
      if (s.id == audience) return s.size;
    }
    return -1;
  }

  ManualClock clock_{kT0};
  TempDir dir_;
  std::unique_ptr<EventLog> log_;
  std::unique_ptr<EventSender> sender_;
  std::vector<AudienceDef> audiences_;
  std::vector<ComputedDef> computed_;
  std::unique_ptr<AudienceEngine> engine_;
  std::unique_ptr<ProfilePipeline> pipeline_;
};

std::string At(int64_t us) { return FormatIso8601(us); }

TEST_F(EngineTest, AWindowExpiresAtTheExactTime) {
  Define(1, "recent_buyers", R"(performed "Order Completed" within 7 days)");
  Open();
  Send(R"({"type":"track","userId":"u1","event":"Order Completed"})");
  CatchUp();
  EXPECT_TRUE(Member("u1", 1));
  Advance(7 * kDay - kSecond);
  EXPECT_TRUE(Member("u1", 1));
  Advance(2 * kSecond);
  EXPECT_FALSE(Member("u1", 1));
  EXPECT_EQ(Transitions("u1"), (std::vector<std::string>{"+recent_buyers@" + At(kT0),
                                                         "-recent_buyers@" + At(kT0 + 7 * kDay)}));
  EXPECT_TRUE(Members(1).empty());
  EXPECT_EQ(Size(1), 0);
}

TEST_F(EngineTest, CountsEnteredAndExitedPerDayAndKeepsThemAcrossARestart) {
  Define(1, "recent_buyers", R"(performed "Order Completed" within 7 days)");
  Define(2, "engaged", R"(performed any event at least 2 times)");
  Open();
  Send(R"({"type":"track","userId":"u1","event":"Order Completed"})");
  Send(R"({"type":"track","userId":"u2","event":"Order Completed"})");
  CatchUp();
  Advance(2 * kDay);
  Send(R"({"type":"track","userId":"u3","event":"Order Completed"})");
  // A visitor who qualifies for "engaged", then turns out to be u1: merged away, an exit.
  Send(R"({"type":"page","anonymousId":"a9","name":"Home"})");
  Send(R"({"type":"page","anonymousId":"a9","name":"Pricing"})");
  CatchUp();
  Send(R"({"type":"identify","userId":"u1","anonymousId":"a9"})");
  CatchUp();
  Advance(7 * kDay);  // u1 and u2 leave on day 7, u3 on day 9
  Advance(2 * kDay);
  using DC = AudienceEngine::DayCount;
  const int64_t d0 = kT0 / kDay;
  auto days = [&](uint64_t id) { return engine_->History(id); };
  const std::map<int64_t, DC> buyers = {
      {d0, {2, 0}}, {d0 + 2, {1, 0}}, {d0 + 7, {0, 2}}, {d0 + 9, {0, 1}}};
  EXPECT_EQ(days(1), buyers);
  // "engaged": the visitor entered, then left when merged; u1 (now 3 events) entered.
  EXPECT_EQ(days(2), (std::map<int64_t, DC>{{d0 + 2, {2, 1}}}));
  EXPECT_EQ(Size(2), 1);
  Open();  // a restart reads the history back
  CatchUp();
  EXPECT_EQ(days(1), buyers);
}

TEST_F(EngineTest, NotPerformedBecomesTrueExactlyWhenTheWindowPasses) {
  Define(1, "lapsed_pro",
         R"(traits.plan = "pro" and not performed "Order Completed" within 7 days)");
  Open();
  Send(R"({"type":"identify","userId":"u1","traits":{"plan":"pro"}})");
  CatchUp();
  EXPECT_TRUE(Member("u1", 1));
  clock_.Advance(kDay);
  Send(R"({"type":"track","userId":"u1","event":"Order Completed"})");
  CatchUp();
  EXPECT_FALSE(Member("u1", 1));
  Advance(10 * kDay);
  EXPECT_TRUE(Member("u1", 1));
  EXPECT_EQ(Transitions("u1"),
            (std::vector<std::string>{"+lapsed_pro@" + At(kT0), "-lapsed_pro@" + At(kT0 + kDay),
                                      "+lapsed_pro@" + At(kT0 + 8 * kDay)}));
  EXPECT_EQ(Members(1), std::vector<uint64_t>{Profile("u1").id});
  EXPECT_EQ(Size(1), 1);
}

TEST_F(EngineTest, TheIssueExample) {
  Define(1, "example", R"(traits.plan = "pro"
      and performed "Order Completed" where revenue > 50 at least 2 times within 30 days
      and not performed "Ticket Opened" within 7 days)");
  Open();
  Send(R"({"type":"identify","userId":"u1","traits":{"plan":"pro"}})");
  Send(R"({"type":"track","userId":"u1","event":"Order Completed","properties":{"revenue":80}})");
  Send(R"({"type":"track","userId":"u1","event":"Order Completed","properties":{"revenue":20}})");
  CatchUp();
  EXPECT_FALSE(Member("u1", 1));  // one order over 50
  clock_.Advance(kDay);
  Send(R"({"type":"track","userId":"u1","event":"Order Completed","properties":{"revenue":51}})");
  CatchUp();
  EXPECT_TRUE(Member("u1", 1));
  clock_.Advance(kDay);
  Send(R"({"type":"track","userId":"u1","event":"Ticket Opened"})");
  CatchUp();
  EXPECT_FALSE(Member("u1", 1));
  Advance(7 * kDay);  // the ticket leaves its window: back in, at exactly its time + 7 days
  EXPECT_TRUE(Member("u1", 1));
  Advance(30 * kDay);  // the first order leaves its window at T0 + 30 days
  EXPECT_FALSE(Member("u1", 1));
  EXPECT_EQ(Transitions("u1"),
            (std::vector<std::string>{
                "+example@" + At(kT0 + kDay), "-example@" + At(kT0 + 2 * kDay),
                "+example@" + At(kT0 + 9 * kDay), "-example@" + At(kT0 + 30 * kDay)}));
}

TEST_F(EngineTest, AudiencesWhoseIdsShareTheLow10BitsKeepTheirOwnTransitions) {
  // A transition's timeline key folds the audience id into 10 bits: 5, 1029 and 2053 share
  // them, and one event moves the profile into all three at the same microsecond.
  Define(5, "a5", R"(performed "Signup")");
  Define(1029, "a1029", R"(performed "Signup")");
  Define(2053, "a2053", R"(performed "Signup")");
  Define(6, "a6", R"(performed "Signup")");
  Open();
  Send(R"({"type":"track","userId":"u1","event":"Signup"})");
  CatchUp();
  const std::string at = At(kT0);
  std::vector<std::string> got = Transitions("u1");
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got,
            (std::vector<std::string>{"+a1029@" + at, "+a2053@" + at, "+a5@" + at, "+a6@" + at}));
}

TEST_F(EngineTest, DependentAudiencesAndConsent) {
  Define(1, "buyers", R"(performed "Order Completed")");
  Define(2, "ads_buyers", R"(in audience "buyers" and consented to "Advertising")");
  Open();
  Send(
      R"({"type":"track","userId":"u1","event":"Page Viewed","context":{"consent":{"categoryPreferences":{"Advertising":true}}}})");
  CatchUp();
  EXPECT_FALSE(Member("u1", 2));
  Send(R"({"type":"track","userId":"u1","event":"Order Completed"})");
  CatchUp();
  EXPECT_TRUE(Member("u1", 1));
  EXPECT_TRUE(Member("u1", 2));  // follows "buyers" in the same evaluation
  clock_.Advance(kSecond);
  Send(
      R"({"type":"track","userId":"u1","event":"Consent Updated","context":{"consent":{"categoryPreferences":{"Advertising":false}}}})");
  CatchUp();
  EXPECT_TRUE(Member("u1", 1));
  EXPECT_FALSE(Member("u1", 2));
}

TEST_F(EngineTest, AMergedProfileIsEvaluatedAsOne) {
  Define(1, "engaged", R"(performed any event at least 3 times)");
  Open();
  Send(R"({"type":"page","anonymousId":"a1","name":"Home"})");
  Send(R"({"type":"page","anonymousId":"a1","name":"Pricing"})");
  Send(R"({"type":"track","userId":"u1","event":"Signed In"})");
  CatchUp();
  EXPECT_FALSE(Member("u1", 1));
  Send(R"({"type":"identify","userId":"u1","anonymousId":"a1"})");
  CatchUp();
  EXPECT_TRUE(Member("u1", 1));
  EXPECT_EQ(Members(1), std::vector<uint64_t>{Profile("u1").id});
  EXPECT_EQ(Size(1), 1);
}

TEST_F(EngineTest, AccountTraitsReachEveryMember) {
  Define(1, "enterprise", R"(account.plan = "enterprise")");
  Open();
  Send(R"({"type":"group","userId":"u1","groupId":"acme","traits":{"plan":"free"}})");
  Send(R"({"type":"group","userId":"u2","groupId":"acme"})");
  CatchUp();
  EXPECT_FALSE(Member("u1", 1));
  EXPECT_FALSE(Member("u2", 1));
  Send(R"({"type":"group","userId":"u1","groupId":"acme","traits":{"plan":"enterprise"}})");
  CatchUp();
  EXPECT_TRUE(Member("u1", 1));
  EXPECT_TRUE(Member("u2", 1));
  EXPECT_EQ(Size(1), 2);
}

TEST_F(EngineTest, ANewAudienceCoversExistingProfiles) {
  Open();
  for (int i = 0; i < 600; ++i) {
    Send(R"({"type":"track","userId":"u)" + std::to_string(i) +
         R"(","event":"Order Completed","properties":{"revenue":)" + std::to_string(i) + "}}");
  }
  CatchUp();
  Define(7, "big_spenders", R"(performed "Order Completed" where revenue >= 500)");
  Open();  // as after the API saved it: definitions reloaded
  CatchUp();
  auto statuses = engine_->Statuses();
  ASSERT_EQ(statuses.size(), 1u);
  EXPECT_EQ(statuses[0].phase, AudienceEngine::Phase::kLive);
  EXPECT_EQ(statuses[0].size, 100);
  EXPECT_EQ(Members(7).size(), 100u);
  EXPECT_TRUE(Member("u599", 7));
  EXPECT_FALSE(Member("u499", 7));
  // Live from now on.
  Send(R"({"type":"track","userId":"u1","event":"Order Completed","properties":{"revenue":900}})");
  CatchUp();
  EXPECT_TRUE(Member("u1", 7));
  EXPECT_EQ(Size(7), 101);
}

// The pipeline skips the hooks' background step (and its wait for the write in flight) when
// HasBackgroundWork says there is none: it must say so exactly while an audience is to scan.
TEST_F(EngineTest, ReportsBackgroundWorkWhileANewAudienceScans) {
  Open();
  for (int i = 0; i < 300; ++i) {
    Send(R"({"type":"identify","userId":"u)" + std::to_string(i) + R"(","traits":{"plan":")" +
         (i % 3 == 0 ? "pro" : "free") + "\"}}");
  }
  CatchUp();
  EXPECT_FALSE(engine_->HasBackgroundWork());  // no audiences
  Define(3, "pro", R"(traits.plan = "pro")");
  Open();
  EXPECT_TRUE(engine_->HasBackgroundWork());  // waiting, and nothing to compute first
  CatchUp();
  EXPECT_FALSE(engine_->HasBackgroundWork());
  EXPECT_EQ(Size(3), 100);
  Define(4, "pro_buyers", R"(in audience "pro" and performed "Order Completed")");
  Open();
  CatchUp();  // its hidden definition is computed first, then it scans
  EXPECT_FALSE(engine_->HasBackgroundWork());
  ASSERT_EQ(engine_->Statuses().size(), 2u);
  for (const auto& st : engine_->Statuses()) EXPECT_EQ(st.phase, AudienceEngine::Phase::kLive);
}

TEST_F(EngineTest, ComputedTraitsAndTheirWindows) {
  DefineComputed(
      R"({"name":"orders_30d","event":"Order Completed","aggregate":"count","window_days":30})");
  Define(1, "frequent", R"(computed.orders_30d >= 2)");
  Open();
  Send(R"({"type":"track","userId":"u1","event":"Order Completed"})");
  Send(R"({"type":"track","userId":"u1","event":"Order Completed"})");
  CatchUp();
  EXPECT_TRUE(Member("u1", 1));
  Advance(31 * kDay);  // hourly buckets: out within the hour after 30 days
  EXPECT_FALSE(Member("u1", 1));
}

// Collects transitions; Flush hands them over as the batch is about to be written.
class RecordingReactor : public AudienceReactor {
 public:
  void OnTransition(const AudienceTransition& t, ProfileRecord* p) override {
    EXPECT_EQ(t.profile, p->id);
    pending.push_back((t.entered ? "+" : "-") + t.name + "@" + At(t.at_us));
    keys.insert(t.key);
  }
  Status Flush() override {
    flushed.insert(flushed.end(), pending.begin(), pending.end());
    pending.clear();
    return Status::OK();
  }
  void Discard() override { pending.clear(); }
  std::vector<std::string> pending, flushed;
  std::set<std::string> keys;
};

TEST_F(EngineTest, TheReactorSeesEveryTransitionBeforeTheBatchIsWritten) {
  Define(1, "recent_buyers", R"(performed "Order Completed" within 1 days)");
  Open();
  RecordingReactor reactor;
  engine_->AddReactor(&reactor);
  Send(R"({"type":"track","userId":"u1","event":"Order Completed"})");
  CatchUp();
  Advance(2 * kDay);
  EXPECT_TRUE(reactor.pending.empty());
  EXPECT_EQ(reactor.flushed, (std::vector<std::string>{"+recent_buyers@" + At(kT0),
                                                       "-recent_buyers@" + At(kT0 + kDay)}));
  EXPECT_EQ(reactor.keys.size(), 2u);
  engine_->ClearReactors();
}

TEST_F(EngineTest, ReplayEqualsIncremental) {
  Define(1, "recent_buyers", R"(performed "Order Completed" at least 2 times within 3 days)");
  Define(2, "lapsed", R"(in audience "recent_buyers" or not performed any event within 2 days)");
  Open("incremental", 7);
  for (int round = 0; round < 12; ++round) {
    for (int u = 0; u < 9; ++u) {
      if ((round * 7 + u * 3) % 5 == 0) continue;
      const std::string user = std::to_string(u);
      Send(R"({"type":"track","userId":"u)" + user +
           R"(","event":"Order Completed","anonymousId":"a)" + std::to_string((u + round) % 11) +
           "\"}");
    }
    clock_.Advance((round % 4) * kDay + 3600 * kSecond);
    CatchUp();
  }
  std::string incremental;
  ASSERT_TRUE(pipeline_->store()->Dump(&incremental).ok());
  Open("rebuilt");
  CatchUp();
  std::string rebuilt;
  ASSERT_TRUE(pipeline_->store()->Dump(&rebuilt).ok());
  EXPECT_EQ(incremental.size(), rebuilt.size());
  EXPECT_TRUE(incremental == rebuilt);
  EXPECT_GT(Members(2).size(), 0u);
}

}  // namespace
}  // namespace rapport
