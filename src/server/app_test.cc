// The server as a whole, in-process: real HTTP, real log on disk with injected faults, and the
// access-control matrix over every registered route.
#include "server/app.h"

#include <sodium.h>

#include <filesystem>
#include <map>

#include <gtest/gtest.h>

#include "common/fault_injection_env.h"
#include "common/temp_dir.h"
#include "govern/control_store.h"
#include "server/router.h"
#include "server/test_client.h"

namespace rapport {
namespace {

using testing::TestClient;

class AppTest : public ::testing::Test {
 protected:
  void SetUp() override {
    {
      auto store = ControlStore::Open(dir_.Sub("control.db"));
      ASSERT_TRUE(store.ok());
      write_key_ = (*store)->CreateSource("web", 1)->secret;
      for (Role r : {Role::kAdmin, Role::kMarketer, Role::kAnalyst}) {
        tokens_[r] = (*store)->CreateToken(r, "", 1)->secret;
      }
    }
    Config c;
    c.data_dir = dir_.path();
    c.http = "127.0.0.1:0";
    c.threads = 2;
    c.partitions = 2;
    auto app = App::Open(c, nullptr, &env_);
    ASSERT_TRUE(app.ok()) << app.status().ToString();
    app_ = std::move(*app);
    ASSERT_TRUE(app_->Start().ok());
    client_ = std::make_unique<TestClient>(app_->port());
  }
  void TearDown() override {
    client_.reset();
    app_.reset();
  }

  TestClient::Response Track(const std::string& message_id) {
    return client_->Send("POST", "/v1/track",
                         "{\"userId\":\"u1\",\"event\":\"E\",\"messageId\":\"" + message_id + "\"}",
                         {{"Authorization", "Basic " + Base64(write_key_ + ":")}});
  }
  TestClient::Response Api(const std::string& method, const std::string& target,
                           const std::string& bearer, const std::string& body = "") {
    std::vector<std::pair<std::string, std::string>> h;
    if (!bearer.empty()) h.emplace_back("Authorization", "Bearer " + bearer);
    return client_->Send(method, target, body, h);
  }
  static std::string Base64(const std::string& s) {
    std::string out(sodium_base64_ENCODED_LEN(s.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(s.data()),
                      s.size(), sodium_base64_VARIANT_ORIGINAL);
    out.resize(out.find('\0'));
    return out;
  }
  int CountEvents() {
    auto res = Api("GET", "/api/v1/events?limit=1000", tokens_[Role::kAdmin]);
    EXPECT_EQ(res.result_int(), 200u);
    int n = 0;
    for (size_t pos = 0; (pos = res.body().find("\"messageId\"", pos)) != std::string::npos; ++pos)
      ++n;
    return n;
  }

  testing::TempDir dir_;
  FaultInjectionEnv env_;
  std::string write_key_;
  std::map<Role, std::string> tokens_;
  std::unique_ptr<App> app_;
  std::unique_ptr<TestClient> client_;
};

TEST_F(AppTest, DuplicateMessageIdStoredOnce) {
  EXPECT_EQ(Track("m1").result_int(), 200u);
  EXPECT_EQ(Track("m1").result_int(), 200u);
  EXPECT_EQ(Track("m2").result_int(), 200u);
  EXPECT_EQ(CountEvents(), 2);
}

TEST_F(AppTest, TokenBatchIntoASourceByNameOrId) {
  const std::string body =
      R"({"writeKey":"ignored","batch":[{"type":"track","userId":"u","event":"Imported"}]})";
  EXPECT_EQ(Api("POST", "/api/v1/sources/web/batch", tokens_[Role::kMarketer], body).result_int(),
            200u);
  auto missing = Api("POST", "/api/v1/sources/nope/batch", tokens_[Role::kAdmin], body);
  EXPECT_EQ(missing.result_int(), 404u);
  EXPECT_NE(missing.body().find(R"(no source with id or name \"nope\")"), std::string::npos)
      << missing.body();
  auto bad = Api("POST", "/api/v1/sources/web/batch", tokens_[Role::kAdmin],
                 R"({"batch":[{"type":"track","userId":"u"}]})");
  EXPECT_EQ(bad.result_int(), 400u);
  EXPECT_NE(bad.body().find("batch[0]"), std::string::npos) << bad.body();
  EXPECT_EQ(CountEvents(), 1);
}

TEST_F(AppTest, DiskFullAnswers503ThenRecoversWithoutRestart) {
  ASSERT_EQ(Track("before").result_int(), 200u);
  env_.SetSpaceLimit(0);
  auto res = Track("during");
  EXPECT_EQ(res.result_int(), 503u);
  EXPECT_EQ(res[boost::beast::http::field::retry_after], "1");
  EXPECT_NE(res.body().find("\"error\":\"unavailable\""), std::string::npos) << res.body();
  EXPECT_NE(res.body().find("disk is full"), std::string::npos) << res.body();
  env_.SetSpaceLimit(std::nullopt);
  EXPECT_EQ(Track("during").result_int(), 200u);  // the retry is not a duplicate: it was not stored
  EXPECT_EQ(Track("after").result_int(), 200u);
  EXPECT_EQ(CountEvents(), 3);
}

TEST_F(AppTest, FsyncFailureAnswers503AndStoresNothing) {
  env_.FailSyncs(true);
  auto res = Track("x");
  EXPECT_EQ(res.result_int(), 503u);
  EXPECT_NE(res.body().find("retry later"), std::string::npos) << res.body();
  env_.FailSyncs(false);
  EXPECT_EQ(CountEvents(), 0);
  EXPECT_EQ(Track("x").result_int(), 200u);
  EXPECT_EQ(CountEvents(), 1);
}

TEST_F(AppTest, EveryTokenRouteCheckedForEveryRole) {
  int checked = 0;
  for (const Route* route : app_->router()->routes()) {
    if (route->access != Access::kToken) continue;
    if (route->pattern == "/api/v1/events/stream") continue;  // streams; covered in blackbox
    std::string target = route->pattern;
    std::string body = route->method == "POST" ? "{}" : "";
    SCOPED_TRACE(route->method + " " + target);
    EXPECT_EQ(Api(route->method, target, "").result_int(), 401u);
    EXPECT_EQ(Api(route->method, target, "rpt_not_a_token").result_int(), 401u);
    EXPECT_EQ(Api(route->method, target, write_key_).result_int(), 401u);  // keys never open /api
    for (auto& [role, token] : tokens_) {
      bool allowed = false;
      for (Role r : route->roles) allowed |= r == role;
      unsigned status = Api(route->method, target, token, body).result_int();
      if (allowed) {
        EXPECT_NE(status, 401u);
        EXPECT_NE(status, 403u);
      } else {
        EXPECT_EQ(status, 403u) << RoleName(role);
      }
    }
    ++checked;
  }
  EXPECT_GE(checked, 6);
}

TEST_F(AppTest, ReadyAndHealthAndMetrics) {
  EXPECT_EQ(client_->Send("GET", "/healthz").result_int(), 200u);
  EXPECT_EQ(client_->Send("GET", "/readyz").result_int(), 200u);
  ASSERT_EQ(Track("m").result_int(), 200u);
  auto res = client_->Send("GET", "/metrics");
  EXPECT_NE(res.body().find("rapport_events_accepted_total 1"), std::string::npos) << res.body();
  EXPECT_NE(res.body().find("rapport_log_fsync_seconds_count"), std::string::npos);
}

}  // namespace
}  // namespace rapport
