#include "activate/catalog.h"

#include <gtest/gtest.h>

#include "activate/signature.h"
#include "activate/test_receiver.h"
#include "common/temp_dir.h"

namespace rapport {
namespace {

using namespace std::chrono_literals;
using testing::ReceivedRequest;
using testing::TempDir;
using testing::TestReceiver;
using testing::WaitFor;

class CatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(receiver_.Start());
    Open();
  }
  void TearDown() override { Close(); }

  void Open() {
    auto control = ControlStore::Open(dir_.Sub("control.db"));
    ASSERT_TRUE(control.ok()) << control.status().ToString();
    control_ = std::move(*control);
    OutboxOptions options;
    options.dir = dir_.Sub("outbox");
    auto outbox = Outbox::Open(options);
    ASSERT_TRUE(outbox.ok()) << outbox.status().ToString();
    outbox_ = std::move(*outbox);
    DispatcherOptions dispatcher_options;
    dispatcher_options.tick = 5ms;
    dispatcher_ = std::make_unique<Dispatcher>(outbox_.get(), dispatcher_options);
    catalog_ = std::make_unique<DestinationCatalog>(control_.get(), outbox_.get(),
                                                    dispatcher_.get(), nullptr);
    ASSERT_TRUE(catalog_->Load().ok());
    ASSERT_TRUE(dispatcher_->Start().ok());
  }

  void Close() {
    catalog_.reset();
    dispatcher_.reset();
    outbox_.reset();
    control_.reset();
  }

  std::string Json(const std::string& name, const std::string& extra = "") {
    return R"({"name":")" + name + R"(","url":")" + receiver_.url() + "\"" + extra + "}";
  }

  TestReceiver receiver_;
  TempDir dir_;
  std::unique_ptr<ControlStore> control_;
  std::unique_ptr<Outbox> outbox_;
  std::unique_ptr<Dispatcher> dispatcher_;
  std::unique_ptr<DestinationCatalog> catalog_;
};

TEST_F(CatalogTest, CreateGeneratesASecretAndDelivers) {
  auto def = catalog_->Create(Json("crm", R"(,"purpose":"Advertising")"));
  ASSERT_TRUE(def.ok()) << def.status().ToString();
  EXPECT_TRUE(def->secret.starts_with("whsec_"));
  EXPECT_GE(def->secret.size(), 40u);
  EXPECT_EQ(catalog_->Get("crm")->purpose, "Advertising");
  EXPECT_EQ(catalog_->Create(Json("crm")).status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(catalog_->Create(R"({"name":"x","url":"gopher://h"})").status().message(),
            "destination \"x\": \"url\": must start with http:// or https://");
  // A given secret is kept.
  auto ads = catalog_->Create(Json("ads", R"(,"secret":"my-own-secret-1234")"));
  ASSERT_TRUE(ads.ok());
  EXPECT_EQ(ads->secret, "my-own-secret-1234");
  std::vector<std::string> names;
  for (const DestinationDef& d : catalog_->List()) names.push_back(d.name);
  EXPECT_EQ(names, (std::vector<std::string>{"ads", "crm"}));

  ASSERT_TRUE(catalog_->Send("crm", {{"k1", "p1", R"({"a":1})", ""}}).ok());
  ASSERT_TRUE(WaitFor([&] { return outbox_->Stats("crm")->delivered == 1; }));
  ReceivedRequest r = receiver_.requests().at(0);
  EXPECT_EQ(r.body, R"({"a":1})");  // no template: the context is the body
  EXPECT_TRUE(VerifySignature(def->secret, r.Header("x-rapport-timestamp"), r.body,
                              r.Header("x-rapport-signature")));
}

TEST_F(CatalogTest, SendRendersTheTemplate) {
  ASSERT_TRUE(catalog_
                  ->Create(Json("crm", R"(,"template":"{\"email\":{{profile.traits.email}},)"
                                       R"(\"audience\":{{audience.name}},\"x\":{{nope}}}")"))
                  .ok());
  std::vector<uint64_t> ids;
  ASSERT_TRUE(catalog_
                  ->Send("crm",
                         {{"k1", "p1",
                           R"({"profile":{"traits":{"email":"ada@example.com"}},)"
                           R"("audience":{"name":"vip"}})",
                           ""},
                          {"k2", "p2", R"({"profile":{"traits":{"email":"b\"o"}}})", ""}},
                         &ids)
                  .ok());
  EXPECT_EQ(ids, (std::vector<uint64_t>{1, 2}));
  ASSERT_TRUE(WaitFor([&] { return outbox_->Stats("crm")->delivered == 2; }));
  std::map<std::string, std::string> bodies;
  for (const ReceivedRequest& r : receiver_.requests())
    bodies[r.Header("idempotency-key")] = r.body;
  EXPECT_EQ(bodies["k1"], R"({"email":"ada@example.com","audience":"vip","x":null})");
  EXPECT_EQ(bodies["k2"], R"({"email":"b\"o","audience":null,"x":null})");
  // A context that is not JSON fails the whole call; nothing is enqueued.
  Status s = catalog_->Send("crm", {{"k3", "p1", "{}", ""}, {"k4", "p1", "nope", ""}});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "destination \"crm\": message 1 (k4): template context: not valid JSON");
  EXPECT_EQ(outbox_->Stats("crm")->queued, 0u);
  EXPECT_EQ(catalog_->Send("nope", {}).code(), StatusCode::kNotFound);
}

TEST_F(CatalogTest, SendTestDeliversASample) {
  ASSERT_TRUE(catalog_->Create(Json("crm", R"(,"template":"{\"e\":{{event.event}}}")")).ok());
  auto test = catalog_->SendTest("crm");
  ASSERT_TRUE(test.ok()) << test.status().ToString();
  EXPECT_EQ(test->body, R"({"e":"Rapport Test"})");
  EXPECT_TRUE(test->idempotency_key.starts_with("test-"));
  ASSERT_TRUE(WaitFor([&] { return receiver_.count() == 1; }));
  EXPECT_EQ(receiver_.requests()[0].body, R"({"e":"Rapport Test"})");
}

TEST_F(CatalogTest, DeleteRemovesQueueAndDefinitionAndLoadRestores) {
  ASSERT_TRUE(catalog_->Create(Json("crm", R"(,"concurrency":2)")).ok());
  ASSERT_TRUE(catalog_->Create(Json("ads")).ok());
  ASSERT_TRUE(catalog_->Delete("ads").ok());
  EXPECT_EQ(catalog_->Delete("ads").code(), StatusCode::kNotFound);
  EXPECT_FALSE(catalog_->Get("ads"));
  EXPECT_EQ(outbox_->Destinations(), std::vector<std::string>{"crm"});
  // A queue with no definition (as a crash in the middle of a delete would leave it).
  ASSERT_TRUE(outbox_->AddDestination("orphan").ok());
  Close();
  Open();
  EXPECT_EQ(catalog_->Get("crm")->concurrency, 2);
  EXPECT_FALSE(catalog_->Get("ads"));
  EXPECT_EQ(outbox_->Destinations(), std::vector<std::string>{"crm"});
  ASSERT_TRUE(catalog_->Send("crm", {{"k", "", "{}", ""}}).ok());
  ASSERT_TRUE(WaitFor([&] { return outbox_->Stats("crm")->delivered == 1; }));
}

}  // namespace
}  // namespace rapport
