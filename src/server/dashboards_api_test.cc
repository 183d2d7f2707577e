// DashboardsApi's handlers called directly: a dashboard saved, listed, read, replaced and
// deleted; tiles kept minified with their query and view; and every bad body answered 400 with
// the field at fault (nothing stored), a taken name 409, an unknown id 404.
#include "server/dashboards_api.h"

#include <gtest/gtest.h>

#include <string>

#include "common/temp_dir.h"

namespace rapport {
namespace {

class DashboardsApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    control_ = std::move(*ControlStore::Open(dir_.Sub("control.db")));
    api_ = std::make_unique<DashboardsApi>(control_.get(), &clock_);
  }

  HttpResponse Call(void (DashboardsApi::*handler)(HttpRequest&, Responder), std::string id,
                    std::string body = "") {
    HttpRequest req;
    if (!id.empty()) req.params["id"] = std::move(id);
    req.body = std::move(body);
    HttpResponse out;
    (api_.get()->*handler)(req, [&](HttpResponse r) { out = std::move(r); });
    return out;
  }
  // The id in a dashboard answer.
  static std::string IdOf(const std::string& body) {
    const size_t at = body.find("\"id\":\"") + 6;
    return body.substr(at, body.find('"', at) - at);
  }

  testing::TempDir dir_;
  ManualClock clock_{1'767'225'600'000'000};  // 2026-01-01T00:00:00Z
  std::unique_ptr<ControlStore> control_;
  std::unique_ptr<DashboardsApi> api_;
};

constexpr const char* kFunnelTile =
    R"({"title":"Signup funnel","query":{ "kind":"funnel", "steps":[{"event":"Signed Up"}] },)"
    R"("view":{"chart":"funnel"}})";

TEST_F(DashboardsApiTest, SavesListsReadsReplacesAndDeletes) {
  HttpResponse created = Call(&DashboardsApi::Create, "",
                              std::string(R"({"name":"Growth","tiles":[)") + kFunnelTile + "]}");
  ASSERT_EQ(created.status, 201u) << created.body;
  const std::string id = IdOf(created.body);
  EXPECT_EQ(
      created.body,
      R"({"id":")" + id +
          R"(","name":"Growth","tiles":[{"title":"Signup funnel","query":{"kind":"funnel",)"
          R"("steps":[{"event":"Signed Up"}]},"view":{"chart":"funnel"}}],)"
          R"("createdAt":"2026-01-01T00:00:00.000Z","updatedAt":"2026-01-01T00:00:00.000Z"})");

  HttpResponse list = Call(&DashboardsApi::List, "");
  EXPECT_EQ(list.status, 200u);
  EXPECT_EQ(list.body, "{\"dashboards\":[" + created.body + "]}");
  EXPECT_EQ(Call(&DashboardsApi::Get, id).body, created.body);

  clock_.Advance(60'000'000);
  HttpResponse replaced = Call(&DashboardsApi::Update, id, R"x({"name":"Growth (weekly)"})x");
  ASSERT_EQ(replaced.status, 200u) << replaced.body;
  EXPECT_NE(replaced.body.find(R"x("name":"Growth (weekly)","tiles":[],)x"), std::string::npos)
      << replaced.body;
  EXPECT_NE(replaced.body.find(R"("updatedAt":"2026-01-01T00:01:00.000Z")"), std::string::npos);
  EXPECT_NE(replaced.body.find(R"("createdAt":"2026-01-01T00:00:00.000Z")"), std::string::npos);

  EXPECT_EQ(Call(&DashboardsApi::Delete, id).status, 204u);
  EXPECT_EQ(Call(&DashboardsApi::Get, id).status, 404u);
  EXPECT_EQ(Call(&DashboardsApi::Delete, id).status, 404u);
  EXPECT_EQ(Call(&DashboardsApi::Update, id, R"({"name":"x"})").status, 404u);
}

TEST_F(DashboardsApiTest, TakenNameIsAConflict) {
  ASSERT_EQ(Call(&DashboardsApi::Create, "", R"({"name":"A"})").status, 201u);
  HttpResponse again = Call(&DashboardsApi::Create, "", R"({"name":"A","tiles":[]})");
  EXPECT_EQ(again.status, 409u);
  EXPECT_NE(again.body.find("already exists"), std::string::npos) << again.body;
}

TEST_F(DashboardsApiTest, BadBodiesNameTheFieldAndStoreNothing) {
  const std::string long_name(101, 'n');
  const std::string big_query = R"({"kind":"trends","pad":")" + std::string(16 * 1024, 'x') + "\"}";
  struct Case {
    std::string body;
    std::string message;
  } cases[] = {
      {"not json", "must be a JSON object"},
      {"[]", "must be a JSON object"},
      {R"({"tiles":[]})", "name: missing"},
      {R"({"name":""})", "name: needs 1 to 100 characters"},
      {R"({"name":")" + long_name + "\"}", "name: needs 1 to 100 characters"},
      {R"({"name":7})", "name: must be a string"},
      {R"({"name":"a","color":"red"})", "unknown field \\\"color\\\""},
      {R"({"name":"a","tiles":{}})", "tiles: must be an array"},
      {R"({"name":"a","tiles":[1]})", "tiles[0]: must be an object"},
      {R"({"name":"a","tiles":[{"query":{"kind":"trends"}}]})", "tiles[0].title: needs 1"},
      {R"({"name":"a","tiles":[{"title":"t"}]})", "tiles[0].query: missing"},
      {R"({"name":"a","tiles":[{"title":"t","query":{"steps":[]}}]})",
       "tiles[0].query: must be a query object with a \\\"kind\\\""},
      {R"({"name":"a","tiles":[{"title":"t","query":)" + big_query + "}]}", "tiles[0].query: 16"},
      {R"({"name":"a","tiles":[{"title":"t","query":{"kind":"x"},"view":[]}]})",
       "tiles[0].view: must be an object"},
      {R"({"name":"a","tiles":[{"title":"t","query":{"kind":"x"},"size":2}]})",
       "tiles[0]: unknown field \\\"size\\\""},
  };
  for (const Case& c : cases) {
    HttpResponse r = Call(&DashboardsApi::Create, "", c.body);
    EXPECT_EQ(r.status, 400u) << c.body;
    EXPECT_NE(r.body.find(c.message), std::string::npos) << c.body << " -> " << r.body;
  }
  std::string tiles;
  for (size_t i = 0; i <= DashboardsApi::kMaxTiles; ++i) {
    tiles += std::string(i ? "," : "") + R"({"title":"t","query":{"kind":"trends"}})";
  }
  HttpResponse many = Call(&DashboardsApi::Create, "", R"({"name":"a","tiles":[)" + tiles + "]}");
  EXPECT_EQ(many.status, 400u);
  EXPECT_NE(many.body.find("25 tiles is over the limit of 24"), std::string::npos) << many.body;
  EXPECT_EQ(control_->ListDashboards()->size(), 0u);
}

TEST_F(DashboardsApiTest, TitleLimitCountsCharactersNotBytes) {
  std::string title;
  for (int i = 0; i < 200; ++i) title += "é";  // 400 bytes, 200 characters
  HttpResponse r =
      Call(&DashboardsApi::Create, "",
           R"({"name":"ü","tiles":[{"title":")" + title + R"(","query":{"kind":"trends"}}]})");
  EXPECT_EQ(r.status, 201u) << r.body;
}

}  // namespace
}  // namespace rapport
