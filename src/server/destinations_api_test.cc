#include "server/destinations_api.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include "common/temp_dir.h"

namespace rapport {
namespace {

using testing::TempDir;

// The handlers called directly (routing and roles are the Router's, tested there); the dispatcher
// is not started, so what is enqueued stays queued.
class DestinationsApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    control_ = std::move(*ControlStore::Open(dir_.Sub("control.db")));
    OutboxOptions options;
    options.dir = dir_.Sub("outbox");
    options.clock = &clock_;
    outbox_ = std::move(*Outbox::Open(options));
    dispatcher_ = std::make_unique<Dispatcher>(outbox_.get(), DispatcherOptions{});
    catalog_ = std::make_unique<DestinationCatalog>(control_.get(), outbox_.get(),
                                                    dispatcher_.get(), &clock_);
    ASSERT_TRUE(catalog_->Load().ok());
    api_ = std::make_unique<DestinationsApi>(catalog_.get(), outbox_.get(), dispatcher_.get(),
                                             &clock_);
  }

  using Method = void (DestinationsApi::*)(HttpRequest&, Responder);
  HttpResponse Call(Method m, std::map<std::string, std::string> params = {}, std::string body = "",
                    std::string query = "") {
    HttpRequest req;
    req.params = std::move(params);
    req.body = std::move(body);
    req.query = std::move(query);
    HttpResponse out;
    (api_.get()->*m)(req, [&](HttpResponse r) { out = std::move(r); });
    return out;
  }

  simdjson::dom::element Parse(const HttpResponse& r) {
    simdjson::dom::element e;
    EXPECT_EQ(parser_.parse(r.body).get(e), simdjson::SUCCESS) << r.body;
    return e;
  }

  // Hands the queued items out and gives them up, as the dispatcher would after a 4xx.
  void DeadLetterAll(const std::string& name) {
    auto items = outbox_->TakeDue(name, clock_.NowMicros() + 1, 100);
    ASSERT_TRUE(items.ok());
    for (const OutboxItem& item : *items) {
      ASSERT_TRUE(
          outbox_->DeadLetter(name, item.id, 1, "HTTP 400: no", 400, clock_.NowMicros()).ok());
    }
  }

  TempDir dir_;
  ManualClock clock_{1'700'000'000'000'000};
  std::unique_ptr<ControlStore> control_;
  std::unique_ptr<Outbox> outbox_;
  std::unique_ptr<Dispatcher> dispatcher_;
  std::unique_ptr<DestinationCatalog> catalog_;
  std::unique_ptr<DestinationsApi> api_;
  simdjson::dom::parser parser_;
};

constexpr char kCrm[] =
    R"({"name":"crm","url":"http://127.0.0.1:9/hook","headers":{"Authorization":"Bearer abcdefghijkl"},)"
    R"("template":"{\"e\":{{event.event}}}","purpose":"Advertising"})";

TEST_F(DestinationsApiTest, CreateShowsTheSecretOnceAndGetMasksHeaders) {
  HttpResponse created = Call(&DestinationsApi::Create, {}, kCrm);
  ASSERT_EQ(created.status, 201u) << created.body;
  auto c = Parse(created);
  std::string_view secret = c["definition"]["secret"].get_string().value();
  EXPECT_TRUE(secret.starts_with("whsec_"));
  EXPECT_EQ(c["definition"]["headers"]["Authorization"].get_string().value(),
            "Bearer abcdefghijkl");
  EXPECT_EQ(c["definition"]["purpose"].get_string().value(), "Advertising");
  EXPECT_EQ(c["health"]["state"].get_string().value(), "up");
  EXPECT_EQ(c["health"]["queued"].get_uint64().value(), 0u);

  HttpResponse got = Call(&DestinationsApi::Get, {{"name", "crm"}});
  ASSERT_EQ(got.status, 200u);
  EXPECT_EQ(got.body.find(secret), std::string::npos);
  auto g = Parse(got);
  EXPECT_EQ(g["definition"]["headers"]["Authorization"].get_string().value(), "****ijkl");
  EXPECT_EQ(g["definition"]["rate_limit_per_second"].get_int64().value(), 100);
  EXPECT_TRUE(g["health"]["lastError"].is_null());

  HttpResponse list = Call(&DestinationsApi::List);
  ASSERT_EQ(list.status, 200u);
  EXPECT_EQ(list.body.find(secret), std::string::npos);
  EXPECT_EQ(Parse(list)["destinations"].get_array().size(), 1u);

  HttpResponse again = Call(&DestinationsApi::Create, {}, kCrm);
  EXPECT_EQ(again.status, 409u);
  HttpResponse bad =
      Call(&DestinationsApi::Create, {}, R"({"name":"x","url":"http://h/","concurrency":0})");
  EXPECT_EQ(bad.status, 400u);
  EXPECT_EQ(bad.body,
            R"({"error":"invalid_argument","message":"destination \"x\": \"concurrency\" must )"
            R"(be an integer from 1 to 256, got 0"})");
  EXPECT_EQ(Call(&DestinationsApi::Get, {{"name", "nope"}}).status, 404u);
}

TEST_F(DestinationsApiTest, TestEnqueuesARenderedSample) {
  ASSERT_EQ(Call(&DestinationsApi::Create, {}, kCrm).status, 201u);
  HttpResponse r = Call(&DestinationsApi::Test, {{"name", "crm"}});
  ASSERT_EQ(r.status, 202u) << r.body;
  auto t = Parse(r);
  EXPECT_EQ(t["body"].get_string().value(), R"({"e":"Rapport Test"})");
  EXPECT_EQ(t["id"].get_uint64().value(), 1u);
  auto g = Parse(Call(&DestinationsApi::Get, {{"name", "crm"}}));
  EXPECT_EQ(g["health"]["queued"].get_uint64().value(), 1u);
  EXPECT_EQ(g["health"]["oldestQueuedAt"].get_string().value(), "2023-11-14T22:13:20.000Z");
  EXPECT_EQ(Call(&DestinationsApi::Test, {{"name", "nope"}}).status, 404u);
}

TEST_F(DestinationsApiTest, DeadLettersListReplayDelete) {
  ASSERT_EQ(Call(&DestinationsApi::Create, {}, kCrm).status, 201u);
  ASSERT_TRUE(catalog_
                  ->Send("crm", {{"a", "p1", R"({"event":{"event":"A"}})", "journey:3"},
                                 {"b", "p2", R"({"event":{"event":"B"}})", ""},
                                 {"c", "p3", R"({"event":{"event":"C"}})", ""}})
                  .ok());
  DeadLetterAll("crm");

  HttpResponse page = Call(&DestinationsApi::DeadLetters, {{"name", "crm"}}, "", "limit=2");
  ASSERT_EQ(page.status, 200u) << page.body;
  auto p = Parse(page);
  auto items = p["deadLetters"].get_array().value();
  ASSERT_EQ(items.size(), 2u);
  auto first = items.at(0).value();
  EXPECT_EQ(first["id"].get_uint64().value(), 1u);
  EXPECT_EQ(first["idempotencyKey"].get_string().value(), "a");
  EXPECT_EQ(first["profileKey"].get_string().value(), "p1");
  EXPECT_EQ(first["flow"].get_string().value(), "journey:3");
  EXPECT_EQ(first["attempts"].get_int64().value(), 1);
  EXPECT_EQ(first["lastStatus"].get_int64().value(), 400);
  EXPECT_EQ(first["lastError"].get_string().value(), "HTTP 400: no");
  EXPECT_EQ(first["body"].get_string().value(), R"({"e":"A"})");
  EXPECT_EQ(p["next"].get_uint64().value(), 2u);
  auto rest = Parse(Call(&DestinationsApi::DeadLetters, {{"name", "crm"}}, "", "after=2"));
  EXPECT_EQ(rest["deadLetters"].get_array().size(), 1u);
  EXPECT_TRUE(rest["next"].is_null());

  EXPECT_EQ(Call(&DestinationsApi::DeadLetters, {{"name", "crm"}}, "", "limit=0").status, 400u);
  EXPECT_EQ(Call(&DestinationsApi::DeadLetters, {{"name", "crm"}}, "", "after=x").status, 400u);
  EXPECT_EQ(Call(&DestinationsApi::DeadLetters, {{"name", "nope"}}).status, 404u);

  for (std::string body : {"", "[]", "{}", R"({"all":false})", R"({"ids":[]})", R"({"ids":[-1]})",
                           R"({"ids":[1],"all":true})", R"({"id":[1]})"}) {
    HttpResponse r = Call(&DestinationsApi::Replay, {{"name", "crm"}}, body);
    EXPECT_EQ(r.status, 400u) << body << " " << r.body;
  }
  HttpResponse one = Call(&DestinationsApi::Replay, {{"name", "crm"}}, R"({"ids":[1,"2",99]})");
  ASSERT_EQ(one.status, 200u) << one.body;
  EXPECT_EQ(one.body, R"({"replayed":2})");
  EXPECT_EQ(Call(&DestinationsApi::DeleteDeadLetter, {{"name", "crm"}, {"id", "3"}}).status, 200u);
  EXPECT_EQ(Call(&DestinationsApi::DeleteDeadLetter, {{"name", "crm"}, {"id", "3"}}).status, 404u);
  EXPECT_EQ(Call(&DestinationsApi::DeleteDeadLetter, {{"name", "crm"}, {"id", "x"}}).status, 400u);
  DeadLetterAll("crm");
  HttpResponse all = Call(&DestinationsApi::Replay, {{"name", "crm"}}, R"({"all":true})");
  EXPECT_EQ(all.body, R"({"replayed":2})");
  auto g = Parse(Call(&DestinationsApi::Get, {{"name", "crm"}}));
  EXPECT_EQ(g["health"]["queued"].get_uint64().value(), 2u);
  EXPECT_EQ(g["health"]["deadLetters"].get_uint64().value(), 0u);
  EXPECT_EQ(g["health"]["deadLettered"].get_uint64().value(), 5u);
}

TEST_F(DestinationsApiTest, Delete) {
  ASSERT_EQ(Call(&DestinationsApi::Create, {}, kCrm).status, 201u);
  HttpResponse r = Call(&DestinationsApi::Delete, {{"name", "crm"}});
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body, R"({"deleted":true})");
  EXPECT_EQ(Call(&DestinationsApi::Delete, {{"name", "crm"}}).status, 404u);
  EXPECT_EQ(Call(&DestinationsApi::Get, {{"name", "crm"}}).status, 404u);
}

}  // namespace
}  // namespace rapport
