// Journeys on the real profile pipeline (real log and RocksDB state, the audience engine with the
// runner as its reactor) and a manual clock; a sender that records what would be delivered.
// Triggers, exact waits, wait-for and its timeout, branches, frequency caps, quiet hours across
// DST, re-entry, counts, merges, deletion, restarts, a failed batch, and replay equality.
#include "activate/journey_runner.h"

#include <gtest/gtest.h>
#include <simdjson.h>

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
constexpr int64_t kHour = 3600 * kSecond;
constexpr int64_t kDay = 24 * kHour;
constexpr int64_t kT0 = 1'700'000'000'000'000;  // 2023-11-14T22:13:20Z
constexpr int64_t kSlack = 1000;                // see WaitForAnEventOrItsTimeout

std::string At(int64_t us) { return FormatIso8601(us); }

int64_t Time(const char* iso) {
  auto t = ParseIso8601(iso);
  EXPECT_TRUE(t.ok()) << iso;
  return t.ok() ? *t : 0;
}

// Records what the runner hands over, as the outbox would receive it.
class RecordingSender : public JourneySender {
 public:
  struct Message {
    std::string destination;
    DestinationMessage message;
  };
  std::optional<std::string> Purpose(std::string_view destination) const override {
    auto it = purposes.find(std::string(destination));
    if (it == purposes.end()) return std::nullopt;
    return it->second;
  }
  Status Send(std::string_view destination,
              const std::vector<DestinationMessage>& messages) override {
    if (!fail.ok()) return fail;
    for (const DestinationMessage& m : messages) sent.push_back({std::string(destination), m});
    return Status::OK();
  }
  std::map<std::string, std::string> purposes = {{"email", ""}, {"ads", "Advertising"}};
  std::vector<Message> sent;
  Status fail;
};

class JourneyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto log = EventLog::Open({.dir = dir_.Sub("log"), .partitions = 3, .clock = &clock_}, nullptr);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    log_ = std::move(*log);
    events_ = std::make_unique<EventSender>(log_.get());
    // The engine tells reactors of events only while some audience exists (engine.cc,
    // AfterEvent): one that nobody enters keeps event triggers working in every test.
    Audience(999, "placeholder", R"(traits.zz_placeholder = "never")");
  }

  void Audience(uint64_t id, const std::string& name, const std::string& text) {
    auto root = ParseAudience(text);
    ASSERT_TRUE(root.ok()) << root.status().ToString();
    audiences_.push_back({id, name, "", std::move(*root)});
  }

  void Computed(const std::string& json) {
    auto def = ParseComputedDef(json);
    ASSERT_TRUE(def.ok()) << def.status().ToString();
    computed_.push_back(*def);
  }

  void Journey(uint64_t id, const std::string& json, int64_t created_at = 0) {
    auto def = ParseJourneyDef(json);
    ASSERT_TRUE(def.ok()) << def.status().ToString();
    def->id = id;
    def->created_at_us = created_at;
    journeys_.push_back(std::move(*def));
  }

  void Open(const std::string& state = "state", size_t batch = 4096) {
    pipeline_.reset();
    hooks_.reset();
    engine_ = std::make_unique<AudienceEngine>(AudienceEngineOptions{
        .load = [this]() -> Result<std::vector<AudienceDef>> { return audiences_; }});
    runner_ = std::make_unique<JourneyRunner>(JourneyRunnerOptions{
        .load = [this]() -> Result<std::vector<JourneyDef>> { return journeys_; },
        .audiences = [this]() -> Result<std::map<std::string, uint64_t>> {
          std::map<std::string, uint64_t> ids;
          for (const AudienceDef& a : audiences_) ids[a.name] = a.id;
          return ids;
        },
        .sender = &sender_,
        .zones = &zones_});
    ASSERT_TRUE(runner_->Reload().ok());
    engine_->AddReactor(runner_.get());
    hooks_ = std::make_unique<JourneyHooks>(engine_.get(), runner_.get());
    PipelineOptions o;
    o.log = log_.get();
    o.dir = dir_.Sub(state);
    o.batch_events = batch;
    o.consumer = state;
    o.hooks = hooks_.get();
    o.load_definitions = [this]() -> Result<std::vector<ComputedDef>> {
      std::vector<ComputedDef> defs = computed_;
      for (ComputedDef& d : AudienceEngine::HiddenDefinitions(audiences_)) defs.push_back(d);
      return defs;
    };
    auto p = ProfilePipeline::Open(std::move(o));
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    pipeline_ = std::move(*p);
  }

  void Send(const std::string& items) { events_->Send(items, clock_.NowMicros()); }
  void Track(const std::string& user, const std::string& event, const std::string& extra = "") {
    Send(R"({"type":"track","userId":")" + user + R"(","event":")" + event + "\"" + extra + "}");
  }

  void CatchUp() {
    ASSERT_TRUE(log_->AppendSync({}).ok());  // the watermark reaches the clock
    Status s = pipeline_->CatchUp();
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  void Advance(int64_t us) {
    clock_.Advance(us);
    CatchUp();
  }

  ProfileRecord Profile(const std::string& user_id, const std::string& type = "user_id") {
    auto id = pipeline_->store()->FindIdentifier({type, user_id});
    EXPECT_TRUE(id.ok() && id->has_value()) << user_id;
    if (!id.ok() || !id->has_value()) return {};
    auto r = pipeline_->store()->GetLiveProfile(**id);
    return r.ok() && r->has_value() ? **r : ProfileRecord{};
  }

  // "step@time" for every message handed over (of one profile when given), in order.
  std::vector<std::string> Sends(const std::string& user = "") {
    std::string profile;
    if (!user.empty()) profile = ProfileIdText(Profile(user).id);
    std::vector<std::string> out;
    for (const auto& m : sender_.sent) {
      if (!profile.empty() && m.message.profile_key != profile) continue;
      simdjson::dom::element ctx = parser_.parse(m.message.context_json);
      std::string_view step = ctx["step"]["name"].get_string().value();
      std::string_view at = ctx["timestamp"].get_string().value();
      out.push_back(std::string(step) + "@" + std::string(at));
    }
    return out;
  }

  JourneyCounts Counts(uint64_t journey) {
    auto c = runner_->Counts(journey);
    EXPECT_TRUE(c.has_value()) << journey;
    return c.value_or(JourneyCounts{});
  }

  // Profiles now at each step: entered - exited.
  std::vector<uint64_t> AtSteps(uint64_t journey) {
    std::vector<uint64_t> out;
    for (const StepCounts& s : Counts(journey).steps) out.push_back(s.entered - s.exited);
    return out;
  }

  ManualClock clock_{kT0};
  TempDir dir_;
  std::unique_ptr<EventLog> log_;
  std::unique_ptr<EventSender> events_;
  std::vector<AudienceDef> audiences_;
  std::vector<ComputedDef> computed_;
  std::vector<JourneyDef> journeys_;
  TimeZoneCache zones_;
  RecordingSender sender_;
  simdjson::dom::parser parser_;
  std::unique_ptr<AudienceEngine> engine_;
  std::unique_ptr<JourneyRunner> runner_;
  std::unique_ptr<JourneyHooks> hooks_;
  std::unique_ptr<ProfilePipeline> pipeline_;
};

constexpr char kWelcome[] = R"({"name":"welcome","trigger":{"event":"Signed Up"},"steps":[
  {"name":"hello","type":"send","destination":"email"},
  {"name":"pause","type":"wait","duration":"3 days"},
  {"name":"tips","type":"send","destination":"email","data":{"template":"tips"}}]})";

constexpr char kCart[] = R"({"name":"cart","reentry":"after_exit",
  "trigger":{"event":"Product Added","where":[{"path":"properties.price","op":"gt","value":10}]},
  "steps":[
  {"name":"wait_order","type":"wait_for","event":"Order Completed","timeout":"4 hours",
   "on_event":"exit"},
  {"name":"remind","type":"send","destination":"email"}]})";

TEST_F(JourneyTest, AnEventStartsItAndAWaitLastsExactly) {
  Journey(1, kWelcome);
  Open();
  Track("u1", "Signed Up", R"(,"properties":{"plan":"free"})");
  CatchUp();
  EXPECT_EQ(Sends(), std::vector<std::string>{"hello@" + At(kT0)});
  EXPECT_EQ(AtSteps(1), (std::vector<uint64_t>{0, 1, 0}));
  // The wake-up is 3 days after the event's log time, to the microsecond.
  ProfileRecord u1 = Profile("u1");
  std::vector<TimelineEntry> timeline;
  ASSERT_TRUE(pipeline_->store()->ReadTimeline(u1, std::nullopt, 10, &timeline).ok());
  ASSERT_EQ(timeline.size(), 1u);
  auto state = JourneyState::Decode(u1.ext["j1"]);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->wake_us, static_cast<int64_t>(timeline[0].pos.seq) + 3 * kDay);
  EXPECT_EQ(u1.next_check_us, state->wake_us);
  Advance(3 * kDay - kSecond);
  EXPECT_EQ(Sends().size(), 1u);
  Advance(kSecond + kSlack);
  EXPECT_EQ(Sends(), (std::vector<std::string>{"hello@" + At(kT0), "tips@" + At(kT0 + 3 * kDay)}));

  // What the destination's template gets.
  const auto& m = sender_.sent[1].message;
  const std::string p = ProfileIdText(Profile("u1").id);
  EXPECT_EQ(m.idempotency_key, "jrn:1:" + p + ":1:tips");
  EXPECT_EQ(m.profile_key, p);
  EXPECT_EQ(m.flow, "journey:1");  // the journey's sends take turns with other flows
  simdjson::dom::element ctx = parser_.parse(m.context_json);
  EXPECT_EQ(ctx["type"].get_string().value(), "journey");
  EXPECT_EQ(ctx["messageId"].get_string().value(), m.idempotency_key);
  EXPECT_EQ(ctx["journey"]["name"].get_string().value(), "welcome");
  EXPECT_EQ(ctx["journey"]["instance"].get_int64().value(), 1);
  EXPECT_EQ(ctx["step"]["index"].get_int64().value(), 2);
  EXPECT_EQ(ctx["step"]["data"]["template"].get_string().value(), "tips");
  EXPECT_EQ(ctx["profile"]["id"].get_string().value(), p);
  EXPECT_EQ(ctx["event"]["event"].get_string().value(), "Signed Up");
  EXPECT_EQ(ctx["event"]["properties"]["plan"].get_string().value(), "free");
  EXPECT_EQ(sender_.sent[1].destination, "email");

  const JourneyCounts c = Counts(1);
  EXPECT_EQ(c.entered, 1u);
  EXPECT_EQ(c.exited, 1u);
  EXPECT_EQ(c.steps[0].sent, 1u);
  EXPECT_EQ(c.steps[2].sent, 1u);
  EXPECT_EQ(AtSteps(1), (std::vector<uint64_t>{0, 0, 0}));
  // Re-entry "never" (the default): a second sign-up does nothing.
  Track("u1", "Signed Up");
  CatchUp();
  EXPECT_EQ(Counts(1).entered, 1u);
}

TEST_F(JourneyTest, EnteringAnAudienceStartsIt) {
  Audience(1, "vip", R"(traits.plan = "pro")");
  Journey(1, R"({"name":"vip_welcome","trigger":{"audience":"vip"},"steps":[
    {"name":"check","type":"branch","condition":"in audience \"vip\""},
    {"name":"hi","type":"send","destination":"email"}]})");
  Open();
  Send(R"({"type":"identify","userId":"u1","traits":{"plan":"pro"}})");
  CatchUp();
  EXPECT_EQ(Sends(), std::vector<std::string>{"hi@" + At(kT0)});
  simdjson::dom::element ctx = parser_.parse(sender_.sent[0].message.context_json);
  EXPECT_EQ(ctx["audience"]["name"].get_string().value(), "vip");
  EXPECT_EQ(ctx["audience"]["id"].get_int64().value(), 1);
  EXPECT_EQ(ctx["event"].error(), simdjson::NO_SUCH_FIELD);
  EXPECT_EQ(Counts(1).steps[0].alt, 0u);  // the branch saw the membership
  // Leaving does nothing; coming back does not start it again (re-entry "never").
  clock_.Advance(kHour);
  Send(R"({"type":"identify","userId":"u1","traits":{"plan":"free"}})");
  clock_.Advance(kHour);
  Send(R"({"type":"identify","userId":"u1","traits":{"plan":"pro"}})");
  CatchUp();
  EXPECT_EQ(Sends().size(), 1u);
  EXPECT_EQ(Counts(1).entered, 1u);
}

// Records get distinct log times: an event can be stamped a few microseconds after the clock (the
// log's idle watermark may have taken the clock's time already). Exact times below are compared
// to the millisecond, after advancing the clock a millisecond past them.
TEST_F(JourneyTest, WaitForAnEventOrItsTimeout) {
  Journey(1, kCart);
  Open();
  for (const char* u : {"u1", "u2"}) Track(u, "Product Added", R"(,"properties":{"price":20})");
  Track("u4", "Product Added", R"(,"properties":{"price":5})");  // the trigger's filter
  CatchUp();
  clock_.Advance(30 * 60 * kSecond);
  Track("u3", "Product Added", R"(,"properties":{"price":20})");
  CatchUp();
  EXPECT_EQ(AtSteps(1), (std::vector<uint64_t>{3, 0}));
  clock_.Advance(30 * 60 * kSecond);
  Track("u1", "Order Completed");  // in time: exits
  CatchUp();
  Advance(3 * kHour - kSecond);
  EXPECT_TRUE(Sends().empty());
  Advance(kSecond + kSlack);
  EXPECT_EQ(Sends("u2"), std::vector<std::string>{"remind@" + At(kT0 + 4 * kHour)});
  clock_.Set(kT0 + 30 * 60 * kSecond + 4 * kHour + kSlack);
  Track("u3", "Order Completed");  // just after the timeout: too late
  CatchUp();
  EXPECT_TRUE(Sends("u1").empty());
  EXPECT_EQ(Sends("u3"),
            std::vector<std::string>{"remind@" + At(kT0 + 30 * 60 * kSecond + 4 * kHour)});
  const JourneyCounts c = Counts(1);
  EXPECT_EQ(c.entered, 3u);
  EXPECT_EQ(c.exited, 3u);
  EXPECT_EQ(c.steps[0].entered, 3u);
  EXPECT_EQ(c.steps[0].exited, 3u);
  EXPECT_EQ(c.steps[0].alt, 2u);  // timed out
  EXPECT_EQ(c.steps[1].sent, 2u);
  // Re-entry after exit: a new instance with a new number (and so new idempotency keys).
  clock_.Advance(kHour);
  Track("u2", "Product Added", R"(,"properties":{"price":20})");
  Advance(4 * kHour);
  ASSERT_EQ(Sends("u2").size(), 2u);
  EXPECT_EQ(sender_.sent.back().message.idempotency_key,
            "jrn:1:" + ProfileIdText(Profile("u2").id) + ":2:remind");
}

TEST_F(JourneyTest, Branches) {
  Audience(1, "vip", R"(traits.vip = true)");
  Computed(R"({"name":"orders","event":"Order Completed","aggregate":"count"})");
  Journey(1, R"({"name":"onboarding","trigger":{"event":"Signed Up"},"steps":[
    {"name":"is_pro","type":"branch","condition":"traits.plan = \"pro\" or in audience \"vip\"",
     "else":"buyer"},
    {"name":"pro","type":"send","destination":"email","next":"exit"},
    {"name":"buyer","type":"branch","condition":{"computed":"orders","op":"gte","value":2},
     "then":"loyal"},
    {"name":"basic","type":"send","destination":"email","next":"exit"},
    {"name":"loyal","type":"send","destination":"email"}]})");
  Open();
  Send(R"({"type":"identify","userId":"u1","traits":{"plan":"pro"}})");
  Send(R"({"type":"identify","userId":"u2","traits":{"vip":true}})");
  Track("u4", "Order Completed");
  Track("u4", "Order Completed");
  CatchUp();
  for (const char* u : {"u1", "u2", "u3", "u4"}) Track(u, "Signed Up");
  CatchUp();
  EXPECT_EQ(Sends("u1"), std::vector<std::string>{"pro@" + At(kT0)});
  EXPECT_EQ(Sends("u2"), std::vector<std::string>{"pro@" + At(kT0)});
  EXPECT_EQ(Sends("u3"), std::vector<std::string>{"basic@" + At(kT0)});
  EXPECT_EQ(Sends("u4"), std::vector<std::string>{"loyal@" + At(kT0)});
  const JourneyCounts c = Counts(1);
  EXPECT_EQ(c.steps[0].entered, 4u);
  EXPECT_EQ(c.steps[0].alt, 2u);  // else
  EXPECT_EQ(c.steps[2].alt, 1u);
  EXPECT_EQ(c.exited, 4u);
  EXPECT_TRUE(runner_->Problems().empty());
}

TEST_F(JourneyTest, FrequencyCap) {
  Journey(1, R"({"name":"drip","trigger":{"event":"Signed Up"},"reentry":"after_exit",
    "frequency_cap":{"max_sends":2,"per_days":7},"steps":[
    {"name":"a","type":"send","destination":"email"},
    {"name":"w1","type":"wait","duration":"1 day"},
    {"name":"b","type":"send","destination":"email"},
    {"name":"w2","type":"wait","duration":"1 day"},
    {"name":"c","type":"send","destination":"email"},
    {"name":"w3","type":"wait","duration":"1 hour"}]})");
  Open();
  Track("u1", "Signed Up");
  CatchUp();
  Advance(2 * kDay + kHour + kSlack);  // c is over the cap: skipped, and the profile moves on
  EXPECT_EQ(Sends(), (std::vector<std::string>{"a@" + At(kT0), "b@" + At(kT0 + kDay)}));
  JourneyCounts c = Counts(1);
  EXPECT_EQ(c.steps[4].capped, 1u);
  EXPECT_EQ(c.steps[4].sent, 0u);
  EXPECT_EQ(c.steps[4].exited, 1u);
  EXPECT_EQ(c.exited, 1u);
  // Across instances: at T0 + 6 days the window still holds both sends.
  Advance(4 * kDay - kHour);  // now T0 + 6 days
  clock_.Advance(kSecond);
  const int64_t second_entry = clock_.NowMicros();
  Track("u1", "Signed Up");
  CatchUp();
  EXPECT_EQ(Counts(1).steps[0].capped, 1u);
  // A day later the first send has left the 7-day window: b of this instance goes out.
  Advance(kDay + kSlack);
  EXPECT_EQ(Sends().back(), "b@" + At(second_entry + kDay));
}

TEST_F(JourneyTest, QuietHoursInTheProfilesTimeZoneAcrossDaylightSaving) {
  if (!zones_.Get("Europe/Paris") || !zones_.Get("America/New_York")) {
    GTEST_SKIP() << "no zone files (install tzdata)";
  }
  Journey(1, R"({"name":"nightly","trigger":{"event":"Signed Up"},"timezone":"Europe/Paris",
    "quiet_hours":{"start":"21:00","end":"08:00"},"steps":[
    {"name":"hello","type":"send","destination":"email"}]})");
  Open();
  // Saturday 22:00 in Paris (CET); the clocks go forward that night.
  clock_.Set(Time("2024-03-30T21:00:00Z"));
  Track("u1", "Signed Up");
  CatchUp();
  EXPECT_TRUE(Sends().empty());
  EXPECT_EQ(AtSteps(1), std::vector<uint64_t>{1});  // held at the send step
  clock_.Set(Time("2024-03-31T05:59:59Z"));
  CatchUp();
  EXPECT_TRUE(Sends().empty());
  Advance(kSecond);  // 08:00 CEST
  EXPECT_EQ(Sends("u1"), std::vector<std::string>{"hello@2024-03-31T06:00:00.000Z"});

  // Saturday 22:00 CEST before the clocks go back: 08:00 CET is 07:00 UTC.
  clock_.Set(Time("2024-10-26T20:00:00Z"));
  Track("u2", "Signed Up");
  // The profile's own time zone wins (16:00 in New York: not quiet); an unknown one does not.
  Send(R"({"type":"identify","userId":"u3","traits":{"timezone":"America/New_York"}})");
  Send(R"({"type":"identify","userId":"u4","traits":{"timezone":"Mars/Olympus_Mons"}})");
  Track("u3", "Signed Up");
  Track("u4", "Signed Up");
  CatchUp();
  EXPECT_EQ(Sends("u3"), std::vector<std::string>{"hello@2024-10-26T20:00:00.000Z"});
  clock_.Set(Time("2024-10-27T07:00:00Z"));
  CatchUp();
  EXPECT_EQ(Sends("u2"), std::vector<std::string>{"hello@2024-10-27T07:00:00.000Z"});
  EXPECT_EQ(Sends("u4"), std::vector<std::string>{"hello@2024-10-27T07:00:00.000Z"});
  EXPECT_EQ(Counts(1).steps[0].sent, 4u);
}

TEST_F(JourneyTest, ReentryRules) {
  const std::string steps = R"(,"trigger":{"event":"Visit"},"steps":[
    {"name":"w","type":"wait","duration":"1 hour"},{"name":"s","type":"send","destination":"email"}]})";
  Journey(1, R"({"name":"once")" + steps);
  Journey(2, R"({"name":"after_exit","reentry":"after_exit")" + steps);
  Journey(3, R"({"name":"daily","reentry":"after_days","reentry_days":1)" + steps);
  Open();
  for (int64_t at :
       {int64_t{0}, 30 * 60 * kSecond, 2 * kHour, kDay + kHour, kDay + 90 * 60 * kSecond}) {
    clock_.Set(kT0 + at);
    Track("u1", "Visit");
    CatchUp();
  }
  Advance(kDay);
  EXPECT_EQ(Counts(1).entered, 1u);  // never again
  EXPECT_EQ(Counts(2).entered, 3u);  // at 0, 2 h (the first ended at 1 h), 1 d 1 h
  EXPECT_EQ(Counts(3).entered, 2u);  // at 0 and 1 d 1 h (a day after the first entry)
  for (uint64_t j : {1, 2, 3}) EXPECT_EQ(Counts(j).entered, Counts(j).exited) << j;
}

TEST_F(JourneyTest, CountsSurviveARestart) {
  Journey(1, kWelcome);
  Open();
  Track("u1", "Signed Up");
  Track("u2", "Signed Up");
  CatchUp();
  clock_.Advance(2 * kDay);
  Track("u3", "Signed Up");
  CatchUp();
  Advance(kDay + kSecond);  // u1 and u2 finish; u3 waits
  EXPECT_EQ(AtSteps(1), (std::vector<uint64_t>{0, 1, 0}));
  const JourneyCounts before = Counts(1);
  Open();  // a restart on the same state
  EXPECT_EQ(Counts(1), before);
  const size_t sent = sender_.sent.size();
  Advance(2 * kDay - 2 * kSecond);
  EXPECT_EQ(sender_.sent.size(), sent);
  Advance(kSecond + kSlack);  // the timer was in the store: on time
  EXPECT_EQ(Sends("u3").back(), "tips@" + At(kT0 + 5 * kDay));
  EXPECT_EQ(Counts(1).exited, 3u);
}

TEST_F(JourneyTest, ConsentAndMissingDestinations) {
  Journey(1, R"({"name":"promo","trigger":{"event":"Signed Up"},"steps":[
    {"name":"ad","type":"send","destination":"ads"},
    {"name":"lost","type":"send","destination":"nowhere"},
    {"name":"mail","type":"send","destination":"email"}]})");
  Open();
  Track("u1", "Signed Up");
  Track("u2", "Signed Up",
        R"(,"context":{"consent":{"categoryPreferences":{"Advertising":true}}})");
  CatchUp();
  EXPECT_EQ(Sends("u1"), std::vector<std::string>{"mail@" + At(kT0)});
  EXPECT_EQ(Sends("u2"), (std::vector<std::string>{"ad@" + At(kT0), "mail@" + At(kT0)}));
  const JourneyCounts c = Counts(1);
  EXPECT_EQ(c.steps[0].no_consent, 1u);
  EXPECT_EQ(c.steps[0].sent, 1u);
  EXPECT_EQ(c.steps[1].no_destination, 2u);
}

TEST_F(JourneyTest, MergedProfilesKeepOneInstance) {
  Journey(1, kCart);
  Open();
  // a1 (anonymous) and u1 both have a cart: the merge keeps one instance.
  Send(R"({"type":"track","anonymousId":"a1","event":"Product Added","properties":{"price":20}})");
  Track("u1", "Product Added", R"(,"properties":{"price":30})");
  // a2 has a cart, u2 none: the survivor adopts it, with its idempotency keys.
  Send(R"({"type":"track","anonymousId":"a2","event":"Product Added","properties":{"price":20}})");
  Track("u2", "Page Viewed");
  CatchUp();
  const uint64_t a2 = Profile("a2", "anonymous_id").id;
  clock_.Advance(kHour);
  Send(R"({"type":"identify","userId":"u1","anonymousId":"a1"})");
  Send(R"({"type":"identify","userId":"u2","anonymousId":"a2"})");
  CatchUp();
  EXPECT_EQ(Profile("a1", "anonymous_id").id, Profile("u1").id);
  JourneyCounts c = Counts(1);
  EXPECT_EQ(c.entered, 3u);
  EXPECT_EQ(c.dropped, 1u);
  EXPECT_EQ(c.exited, 1u);
  EXPECT_EQ(AtSteps(1), (std::vector<uint64_t>{2, 0}));
  Advance(3 * kHour + kSecond);
  EXPECT_EQ(Sends("u1"), std::vector<std::string>{"remind@" + At(kT0 + 4 * kHour)});
  EXPECT_EQ(Sends("u2"), std::vector<std::string>{"remind@" + At(kT0 + 4 * kHour)});
  std::set<std::string> keys;
  for (const auto& m : sender_.sent) keys.insert(m.message.idempotency_key);
  EXPECT_TRUE(keys.count("jrn:1:" + ProfileIdText(a2) + ":1:remind"));
  EXPECT_EQ(Counts(1).exited, 3u);
  // The merged profile does not start again (re-entry after exit: it did exit).
}

TEST_F(JourneyTest, ADeletedJourneyStops) {
  Journey(1, kWelcome);
  Open();
  Track("u1", "Signed Up");
  CatchUp();
  journeys_.clear();
  ASSERT_TRUE(runner_->Reload().ok());
  Advance(4 * kDay);
  EXPECT_EQ(Sends().size(), 1u);
  EXPECT_FALSE(runner_->Counts(1).has_value());
  EXPECT_EQ(Profile("u1").ext.count("j1"), 0u);
}

TEST_F(JourneyTest, OnlyTriggersAfterItsCreation) {
  Journey(1, kWelcome, kT0 + kHour);
  Open();
  Track("u1", "Signed Up");
  Advance(kHour);
  Track("u2", "Signed Up");
  CatchUp();
  EXPECT_TRUE(Sends("u1").empty());
  EXPECT_EQ(Sends("u2").size(), 1u);
}

TEST_F(JourneyTest, AFailedBatchReplaysWithTheSameKeysAndCounts) {
  Journey(1, kWelcome);
  Open();
  Track("u1", "Signed Up");
  sender_.fail = Status::IOError("outbox down");
  ASSERT_TRUE(log_->AppendSync({}).ok());
  EXPECT_FALSE(pipeline_->CatchUp().ok());
  EXPECT_TRUE(sender_.sent.empty());
  sender_.fail = Status::OK();
  CatchUp();
  ASSERT_EQ(sender_.sent.size(), 1u);
  EXPECT_EQ(sender_.sent[0].message.idempotency_key,
            "jrn:1:" + ProfileIdText(Profile("u1").id) + ":1:hello");
  EXPECT_EQ(Counts(1).entered, 1u);
  EXPECT_EQ(Counts(1).steps[0].sent, 1u);
}

TEST_F(JourneyTest, ReplayEqualsIncremental) {
  Audience(1, "vip", R"(traits.plan = "pro")");
  Journey(1, kWelcome);
  Journey(2, kCart);
  Journey(3, R"({"name":"vip","trigger":{"audience":"vip"},"reentry":"after_exit",
    "frequency_cap":{"max_sends":1,"per_days":2},"quiet_hours":{"start":"22:00","end":"07:00"},
    "timezone":"Europe/Paris","steps":[
    {"name":"hi","type":"send","destination":"email"},
    {"name":"w","type":"wait","duration":"20 hours"},
    {"name":"again","type":"branch","condition":"traits.plan = \"pro\"","else":"exit"},
    {"name":"bye","type":"send","destination":"email"}]})");
  Open("incremental", 5);
  for (int round = 0; round < 14; ++round) {
    for (int u = 0; u < 8; ++u) {
      const std::string user = "u" + std::to_string(u);
      const int k = (round * 7 + u * 3) % 6;
      if (k == 0) Track(user, "Signed Up");
      if (k == 1) Track(user, "Product Added", R"(,"properties":{"price":50})");
      if (k == 2) Track(user, "Order Completed");
      if (k == 3) {
        Send(R"({"type":"identify","userId":")" + user + R"(","traits":{"plan":")" +
             (round % 2 ? "pro" : "free") + "\"}}");
      }
      if (k == 4) {
        Send(R"({"type":"track","anonymousId":"a)" + std::to_string((u + round) % 5) +
             R"(","event":"Product Added","properties":{"price":12}})");
      }
      if (k == 5) {
        Send(R"({"type":"identify","userId":")" + user + R"(","anonymousId":"a)" +
             std::to_string((u + round) % 5) + "\"}");
      }
    }
    clock_.Advance((round % 3) * 7 * kHour + 1234 * kSecond);
    CatchUp();
  }
  Advance(3 * kDay);
  std::string incremental;
  ASSERT_TRUE(pipeline_->store()->Dump(&incremental).ok());
  std::set<std::string> keys;
  for (const auto& m : sender_.sent) keys.insert(m.message.idempotency_key);
  const auto counts = Counts(3);
  EXPECT_GT(keys.size(), 10u);
  EXPECT_GT(counts.entered, 0u);

  sender_.sent.clear();
  Open("rebuilt");
  CatchUp();
  std::string rebuilt;
  ASSERT_TRUE(pipeline_->store()->Dump(&rebuilt).ok());
  EXPECT_EQ(incremental.size(), rebuilt.size());
  EXPECT_TRUE(incremental == rebuilt);
  std::set<std::string> rebuilt_keys;
  for (const auto& m : sender_.sent) rebuilt_keys.insert(m.message.idempotency_key);
  EXPECT_EQ(rebuilt_keys, keys);
  EXPECT_EQ(Counts(3), counts);
}

}  // namespace
}  // namespace rapport
