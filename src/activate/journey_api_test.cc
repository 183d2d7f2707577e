// /api/v1/journeys handlers (src/server/journeys_api.cc) on a real control store, with the runner
// in a real pipeline: create (checks against what exists), list, read with counts per step,
// delete, and the journeys table of the control store.
#include <gtest/gtest.h>
#include <simdjson.h>

#include "activate/journey_runner.h"
#include "audience/parser.h"
#include "common/temp_dir.h"
#include "profile/pipeline.h"
#include "profile/test_events.h"
#include "server/journeys_api.h"

namespace rapport {
namespace {

using testing::EventSender;
using testing::TempDir;

constexpr int64_t kT0 = 1'700'000'000'000'000;
constexpr int64_t kDay = 86'400'000'000;

class Destinations : public JourneySender {
 public:
  std::optional<std::string> Purpose(std::string_view d) const override {
    return d == "email" ? std::optional<std::string>("") : std::nullopt;
  }
  Status Send(std::string_view, const std::vector<DestinationMessage>& m) override {
    sent += m.size();
    return Status::OK();
  }
  size_t sent = 0;
};

class JourneyApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto control = ControlStore::Open(dir_.Sub("control.db"));
    ASSERT_TRUE(control.ok()) << control.status().ToString();
    control_ = std::move(*control);
    auto vip = ParseAudience(R"(traits.plan = "pro")");
    ASSERT_TRUE(vip.ok());
    audiences_.push_back({1, "vip", "", *vip});
    runner_ = std::make_unique<JourneyRunner>(
        JourneyRunnerOptions{.load = [this] { return JourneysApi::Load(control_.get()); },
                             .audiences = [this]() -> Result<std::map<std::string, uint64_t>> {
                               return std::map<std::string, uint64_t>{{"vip", 1}};
                             },
                             .sender = &destinations_});
    api_ = std::make_unique<JourneysApi>(JourneysApiOptions{
        .control = control_.get(),
        .runner = runner_.get(),
        .destinations = &destinations_,
        .clock = &clock_,
        .audiences = [this]() -> Result<std::vector<AudienceDef>> { return audiences_; },
        .computed = []() -> Result<std::vector<ComputedDef>> {
          return std::vector<ComputedDef>{};
        }});
  }

  HttpResponse Call(void (JourneysApi::*handler)(HttpRequest&, Responder), std::string body = "",
                    std::string name = "") {
    HttpRequest req;
    req.body = std::move(body);
    if (!name.empty()) req.params["name"] = name;
    HttpResponse out;
    (api_.get()->*handler)(req, [&](HttpResponse r) { out = std::move(r); });
    return out;
  }

  simdjson::dom::element Json(const HttpResponse& r) {
    simdjson::dom::element e;
    EXPECT_EQ(parser_.parse(r.body).get(e), simdjson::SUCCESS) << r.body;
    return e;
  }

  ManualClock clock_{kT0};
  TempDir dir_;
  std::unique_ptr<ControlStore> control_;
  std::vector<AudienceDef> audiences_;
  Destinations destinations_;
  std::unique_ptr<JourneyRunner> runner_;
  std::unique_ptr<JourneysApi> api_;
  simdjson::dom::parser parser_;
};

constexpr char kWelcome[] = R"({"name":"welcome","trigger":{"event":"Signed Up"},
  "steps":[{"name":"hello","type":"send","destination":"email"},
           {"name":"pause","type":"wait","duration":"2 days"},
           {"name":"pro","type":"branch","condition":"in audience \"vip\"","else":"exit"},
           {"name":"tips","type":"send","destination":"email"}]})";

TEST_F(JourneyApiTest, CreateListGetDelete) {
  HttpResponse r = Call(&JourneysApi::Create, kWelcome);
  ASSERT_EQ(r.status, 201u) << r.body;
  auto j = Json(r);
  EXPECT_EQ(j["id"].get_int64().value(), 1);
  EXPECT_EQ(j["name"].get_string().value(), "welcome");
  EXPECT_EQ(j["status"].get_string().value(), "starting");
  EXPECT_EQ(j["definition"]["reentry"].get_string().value(), "never");
  EXPECT_EQ(j["steps"].get_array().size(), 4u);
  EXPECT_EQ(Call(&JourneysApi::Create, kWelcome).status, 409u);

  r = Call(&JourneysApi::List);
  ASSERT_EQ(r.status, 200u);
  EXPECT_EQ(Json(r)["journeys"].get_array().size(), 1u);
  r = Call(&JourneysApi::Get, "", "welcome");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(Call(&JourneysApi::Get, "", "nope").status, 404u);

  auto user = JourneysApi::AudienceUser(control_.get(), "vip");
  ASSERT_TRUE(user.ok());
  EXPECT_EQ(user->value_or(""), "welcome");
  EXPECT_FALSE(JourneysApi::AudienceUser(control_.get(), "other")->has_value());

  r = Call(&JourneysApi::Delete, "", "welcome");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(Call(&JourneysApi::Delete, "", "welcome").status, 404u);
  // Ids are never reused.
  r = Call(&JourneysApi::Create, kWelcome);
  ASSERT_EQ(r.status, 201u);
  EXPECT_EQ(Json(r)["id"].get_int64().value(), 2);
}

TEST_F(JourneyApiTest, CreateChecksWhatExists) {
  struct Case {
    std::string body;
    std::string message;
  } cases[] = {
      {"{", "journey: not valid JSON"},
      {R"({"name":"x","trigger":{"audience":"gone"},"steps":[{"name":"a","type":"exit"}]})",
       "journey \"x\": \"trigger.audience\": there is no audience \"gone\""},
      {R"({"name":"x","trigger":{"event":"E"},"steps":[{"name":"a","type":"branch","condition":"in audience \"gone\""}]})",
       "journey \"x\": \"steps[0].condition\": line 1, column 1: there is no audience \"gone\""},
      {R"({"name":"x","trigger":{"event":"E"},"steps":[{"name":"a","type":"branch","condition":"computed.ltv > 3"}]})",
       "journey \"x\": \"steps[0].condition\": line 1, column 1: there is no computed trait "
       "\"ltv\""},
      {R"({"name":"x","trigger":{"event":"E"},"steps":[{"name":"a","type":"send","destination":"sms"}]})",
       "journey \"x\": \"steps[0].destination\": there is no destination \"sms\""},
      {R"({"name":"x","trigger":{"event":"E"},"timezone":"Mars/Olympus_Mons","steps":[{"name":"a","type":"exit"}]})",
       "journey \"x\": \"timezone\": \"Mars/Olympus_Mons\": unknown time zone"},
  };
  for (const Case& c : cases) {
    HttpResponse r = Call(&JourneysApi::Create, c.body);
    EXPECT_EQ(r.status, 400u) << c.body;
    const std::string message(Json(r)["message"].get_string().value());
    EXPECT_EQ(message.substr(0, c.message.size()), c.message) << message;
  }
  EXPECT_TRUE(control_->ListJourneys()->empty());
}

TEST_F(JourneyApiTest, CountsPerStepFromThePipeline) {
  ASSERT_EQ(Call(&JourneysApi::Create, kWelcome).status, 201u);
  auto log = EventLog::Open({.dir = dir_.Sub("log"), .partitions = 2, .clock = &clock_}, nullptr);
  ASSERT_TRUE(log.ok());
  AudienceEngine engine(
      {.load = [this]() -> Result<std::vector<AudienceDef>> { return audiences_; }});
  engine.AddReactor(runner_.get());
  JourneyHooks hooks(&engine, runner_.get());
  PipelineOptions o;
  o.log = log->get();
  o.dir = dir_.Sub("state");
  o.hooks = &hooks;
  auto pipeline = ProfilePipeline::Open(std::move(o));
  ASSERT_TRUE(pipeline.ok()) << pipeline.status().ToString();
  EventSender events(log->get());
  events.Send(R"({"type":"identify","userId":"u1","traits":{"plan":"pro"}})", kT0);
  events.Send(R"({"type":"track","userId":"u1","event":"Signed Up"},
                 {"type":"track","userId":"u2","event":"Signed Up"},
                 {"type":"track","userId":"u3","event":"Signed Up"})",
              kT0);
  auto catch_up = [&] {
    ASSERT_TRUE((*log)->AppendSync({}).ok());
    Status s = (*pipeline)->CatchUp();
    ASSERT_TRUE(s.ok()) << s.ToString();
  };
  catch_up();
  auto j = Json(Call(&JourneysApi::Get, "", "welcome"));
  EXPECT_EQ(j["status"].get_string().value(), "running");
  EXPECT_EQ(j["entered"].get_int64().value(), 3);
  EXPECT_EQ(j["active"].get_int64().value(), 3);
  EXPECT_EQ(j["steps"].at(0)["sent"].get_int64().value(), 3);
  EXPECT_EQ(j["steps"].at(1)["now"].get_int64().value(), 3);
  clock_.Advance(2 * kDay + 1000);
  catch_up();
  j = Json(Call(&JourneysApi::Get, "", "welcome"));
  EXPECT_EQ(j["active"].get_int64().value(), 0);
  EXPECT_EQ(j["exited"].get_int64().value(), 3);
  EXPECT_EQ(j["steps"].at(1)["now"].get_int64().value(), 0);
  EXPECT_EQ(j["steps"].at(2)["then"].get_int64().value(), 1);
  EXPECT_EQ(j["steps"].at(2)["else"].get_int64().value(), 2);
  EXPECT_EQ(j["steps"].at(3)["sent"].get_int64().value(), 1);
  EXPECT_EQ(j["steps"].at(3)["skipped"]["frequencyCap"].get_int64().value(), 0);
  EXPECT_EQ(j["problems"].get_array().size(), 0u);
  EXPECT_EQ(destinations_.sent, 4u);
  pipeline->reset();
}

}  // namespace
}  // namespace rapport
