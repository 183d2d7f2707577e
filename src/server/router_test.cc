#include "server/router.h"

#include "common/temp_dir.h"

#include <filesystem>

#include <gtest/gtest.h>

namespace rapport {
namespace {

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(*ControlStore::Open(dir_.Sub("control.db")));
    auth_ = std::make_unique<Authenticator>(store_.get(), &clock_);
    router_ = std::make_unique<Router>(auth_.get(), &metrics_);
    auto echo = [](HttpRequest& req, Responder respond) {
      respond(HttpResponse::Json(200, "{\"id\":\"" + req.params["id"] + "\"}"));
    };
    router_->Add(
        {"GET", "/api/v1/things/{id}", Access::kToken, {Role::kAdmin, Role::kAnalyst}, echo});
    router_->Add({"POST", "/api/v1/things", Access::kToken, {Role::kAdmin}, echo});
    router_->Add({"POST", "/v1/track", Access::kIngest, {}, echo});
    admin_ = (*store_->CreateToken(Role::kAdmin, "", 1)).secret;
    marketer_ = (*store_->CreateToken(Role::kMarketer, "", 1)).secret;
  }

  HttpResponse Call(std::string method, std::string path, std::string bearer = "") {
    HttpRequest req;
    req.method = std::move(method);
    req.path = std::move(path);
    if (!bearer.empty()) req.headers.emplace_back("authorization", "Bearer " + bearer);
    HttpResponse out;
    router_->Dispatch(req, [&](HttpResponse r) { out = std::move(r); });
    return out;
  }

  testing::TempDir dir_;
  ManualClock clock_{1};
  Registry metrics_;
  std::unique_ptr<ControlStore> store_;
  std::unique_ptr<Authenticator> auth_;
  std::unique_ptr<Router> router_;
  std::string admin_, marketer_;
};

TEST_F(RouterTest, PathParamsAndRoles) {
  HttpResponse r = Call("GET", "/api/v1/things/42", admin_);
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body, "{\"id\":\"42\"}");
  r = Call("GET", "/api/v1/things/42", marketer_);
  EXPECT_EQ(r.status, 403u);
  EXPECT_NE(r.body.find(
                "the marketer role may not GET /api/v1/things/{id}; allowed roles: admin, analyst"),
            std::string::npos)
      << r.body;
  EXPECT_EQ(Call("GET", "/api/v1/things/42").status, 401u);
  EXPECT_EQ(Call("GET", "/api/v1/things/42", "rpt_wrong").status, 401u);
}

TEST_F(RouterTest, NotFoundMethodNotAllowedAndPreflight) {
  HttpResponse r = Call("GET", "/nope");
  EXPECT_EQ(r.status, 404u);
  EXPECT_EQ(r.body, "{\"error\":\"not_found\",\"message\":\"no such endpoint: GET /nope\"}");
  r = Call("GET", "/v1/track");
  EXPECT_EQ(r.status, 405u);
  r = Call("OPTIONS", "/v1/track");
  EXPECT_EQ(r.status, 204u);
  bool methods = false;
  for (auto& [k, v] : r.headers) {
    methods |= k == "Access-Control-Allow-Methods" && v.find("POST") != std::string::npos;
  }
  EXPECT_TRUE(r.cors && methods);
  // No CORS on the management API.
  r = Call("OPTIONS", "/api/v1/things");
  EXPECT_EQ(r.status, 405u);
}

TEST_F(RouterTest, TheFallbackAnswersOnlyUnmatchedGetsOutsideTheApi) {
  router_->SetFallback([](HttpRequest& req, Responder respond) {
    respond(HttpResponse::Json(200, "{\"console\":\"" + req.path + "\"}"));
  });
  EXPECT_EQ(Call("GET", "/").body, "{\"console\":\"/\"}");
  EXPECT_EQ(Call("GET", "/assets/app.js").body, "{\"console\":\"/assets/app.js\"}");
  EXPECT_EQ(Call("GET", "/api/v1/nope", admin_).status, 404u);  // the API keeps its 404s
  EXPECT_EQ(Call("GET", "/v1/nope").status, 404u);
  EXPECT_EQ(Call("GET", "/v1/track").status, 405u);
  EXPECT_EQ(Call("POST", "/").status, 404u);
  EXPECT_EQ(Call("GET", "/api/v1/things/7", admin_).body, "{\"id\":\"7\"}");
}

TEST_F(RouterTest, CountsResponsesByRouteAndStatus) {
  Call("GET", "/api/v1/things/1", admin_);
  Call("GET", "/api/v1/things/2", admin_);
  Call("GET", "/api/v1/things/3", marketer_);
  std::string text = metrics_.Render();
  EXPECT_NE(
      text.find("rapport_http_requests_total{route=\"/api/v1/things/{id}\",status=\"200\"} 2"),
      std::string::npos)
      << text;
  EXPECT_NE(
      text.find("rapport_http_requests_total{route=\"/api/v1/things/{id}\",status=\"403\"} 1"),
      std::string::npos);
}

}  // namespace
}  // namespace rapport
