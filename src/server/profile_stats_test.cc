// GET /api/v1/profiles/stats over a real log and pipeline: exact counts of live profiles and of
// those identified (a user_id or an email), merges counted once, answers reused for max_age_us,
// and the sampled estimate once there are more ids than exact_ids.
#include <gtest/gtest.h>

#include <string>

#include <fmt/format.h>

#include "common/temp_dir.h"
#include "govern/control_store.h"
#include "profile/test_events.h"
#include "server/profiles_api.h"

namespace rapport {
namespace {

class ProfileStatsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log_ = std::move(*EventLog::Open({.dir = dir_.Sub("log"), .partitions = 2}, nullptr));
    sender_ = std::make_unique<testing::EventSender>(log_.get());
    control_ = std::move(*ControlStore::Open(dir_.Sub("control.db")));
  }
  void Start() {
    PipelineOptions o;
    o.log = log_.get();
    o.dir = dir_.Sub("state");
    o.consumer = "state";
    o.load_definitions = []() -> Result<std::vector<ComputedDef>> {
      return std::vector<ComputedDef>{};
    };
    pipeline_ = std::move(*ProfilePipeline::Open(std::move(o)));
    ASSERT_TRUE(pipeline_->CatchUp().ok());
    api_ = std::make_unique<ProfilesApi>(pipeline_.get(), control_.get(), &clock_);
  }
  std::string Stats() {
    HttpRequest req;
    std::string body;
    api_->Stats(req, [&](HttpResponse r) {
      EXPECT_EQ(r.status, 200u);
      body = r.body;
    });
    return body.substr(0, body.find(",\"computedAt\""));
  }
  // 3 of every 4 profiles identified: users by userId or email, visitors anonymous.
  void SendPeople(int n) {
    for (int i = 0; i < n; ++i) {
      const std::string who =
          i % 4 == 3 ? fmt::format(R"("anonymousId":"v{}")", i)
          : i % 4 == 2
              ? fmt::format(
                    R"("anonymousId":"e{}","context":{{"traits":{{"email":"p{}@example.com"}}}})",
                    i, i)
              : fmt::format(R"("userId":"u{}")", i);
      sender_->Send(fmt::format(R"({{"type":"track","event":"Seen",{}}})", who));
    }
  }

  testing::TempDir dir_;
  ManualClock clock_{1'767'225'600'000'000};
  std::unique_ptr<EventLog> log_;
  std::unique_ptr<testing::EventSender> sender_;
  std::unique_ptr<ControlStore> control_;
  std::unique_ptr<ProfilePipeline> pipeline_;
  std::unique_ptr<ProfilesApi> api_;
};

TEST_F(ProfileStatsTest, CountsLiveAndIdentifiedProfiles) {
  SendPeople(8);
  // Visitor v3 turns out to be u0: their two profiles merge into one.
  sender_->Send(R"({"type":"identify","anonymousId":"v3","userId":"u0"})");
  Start();
  EXPECT_EQ(Stats(), R"({"profiles":7,"identified":6,"estimate":false)");
  // Reused while fresh, counted again once stale.
  sender_->Send(R"({"type":"track","event":"Seen","anonymousId":"late"})");
  ASSERT_TRUE(pipeline_->CatchUp().ok());
  EXPECT_EQ(Stats(), R"({"profiles":7,"identified":6,"estimate":false)");
  clock_.Advance(31'000'000);
  EXPECT_EQ(Stats(), R"({"profiles":8,"identified":6,"estimate":false)");
}

TEST_F(ProfileStatsTest, EstimatesFromSamplesBeyondExactIds) {
  SendPeople(400);
  Start();
  api_->SetStatsSampling({.exact_ids = 100, .samples = 8, .run = 10, .max_age_us = 0});
  EXPECT_EQ(Stats(), R"({"profiles":400,"identified":300,"estimate":true)");
}

}  // namespace
}  // namespace rapport
