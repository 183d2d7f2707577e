// SpendApi's handlers called directly: the upload forms by Content-Type, the answers' JSON, GET's
// range and channel totals, DELETE's required range, and the reader the models get.
#include "server/spend_api.h"

#include <cstdint>

#include <gtest/gtest.h>

#include "common/temp_dir.h"
#include "import/spend_parse.h"

namespace rapport {
namespace {

class SpendApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    control_ = std::move(*ControlStore::Open(dir_.Sub("control.db")));
    api_ = std::make_unique<SpendApi>(control_.get());
  }

  HttpResponse Call(void (SpendApi::*handler)(HttpRequest&, Responder), std::string query,
                    std::string body = "", std::string content_type = "") {
    HttpRequest req;
    req.query = std::move(query);
    req.body = std::move(body);
    if (!content_type.empty()) req.headers.emplace_back("content-type", content_type);
    HttpResponse out;
    (api_.get()->*handler)(req, [&](HttpResponse r) { out = std::move(r); });
    return out;
  }
  HttpResponse Post(std::string body, std::string content_type) {
    return Call(&SpendApi::Import, "", std::move(body), std::move(content_type));
  }

  testing::TempDir dir_;
  std::unique_ptr<ControlStore> control_;
  std::unique_ptr<SpendApi> api_;
};

constexpr const char* kCsv =
    "date,channel,campaign,cost\n"
    "2026-01-30,Paid Search,brand,0.1\n"
    "2026-01-31,Paid Search,generic,0.2\n"
    "2026-01-31,Email,,5\n";

TEST_F(SpendApiTest, ImportsEachFormByContentType) {
  HttpResponse csv = Post(kCsv, "text/csv; charset=utf-8");
  EXPECT_EQ(csv.status, 200u) << csv.body;
  EXPECT_EQ(csv.body,
            R"({"imported":3,"days":2,"from":"2026-01-30","to":"2026-01-31","cost":5.3})");
  HttpResponse json =
      Post(R"({"rows":[{"date":"2026-02-01","channel":"Email","cost":1}]})", "application/json");
  EXPECT_EQ(json.status, 200u) << json.body;
  HttpResponse lines = Post(R"({"date":"2026-02-02","channel":"Email","cost":2})"
                            "\n",
                            "application/x-ndjson");
  EXPECT_EQ(lines.status, 200u) << lines.body;
  EXPECT_EQ(control_->ListSpend(INT64_MIN, INT64_MAX)->size(), 5u);

  HttpResponse form = Post(kCsv, "application/x-www-form-urlencoded");
  EXPECT_EQ(form.status, 400u);
  EXPECT_NE(form.body.find("text/csv"), std::string::npos) << form.body;
  HttpResponse bad = Post("date,channel,cost\n2026-01-01,Email,-1\n", "text/csv");
  EXPECT_EQ(bad.status, 400u);
  EXPECT_NE(bad.body.find("line 2: cost \\\"-1\\\" is negative"), std::string::npos) << bad.body;
  EXPECT_EQ(control_->ListSpend(INT64_MIN, INT64_MAX)->size(), 5u);
}

TEST_F(SpendApiTest, ListsARangeWithChannelTotals) {
  ASSERT_EQ(Post(kCsv, "text/csv").status, 200u);
  HttpResponse all = Call(&SpendApi::List, "");
  EXPECT_EQ(all.status, 200u);
  EXPECT_EQ(
      all.body,
      R"({"rows":[{"date":"2026-01-30","channel":"Paid Search","campaign":"brand","cost":0.1},)"
      R"({"date":"2026-01-31","channel":"Email","campaign":"","cost":5},)"
      R"({"date":"2026-01-31","channel":"Paid Search","campaign":"generic","cost":0.2}],)"
      R"("channels":[{"channel":"Email","cost":5},{"channel":"Paid Search","cost":0.3}],)"
      R"("cost":5.3,"truncated":false})");
  HttpResponse day = Call(&SpendApi::List, "from=2026-01-31&to=2026-01-31&channel=Paid%20Search");
  EXPECT_EQ(day.body,
            R"({"rows":[{"date":"2026-01-31","channel":"Paid Search","campaign":"generic",)"
            R"("cost":0.2}],"channels":[{"channel":"Paid Search","cost":0.2}],"cost":0.2,)"
            R"("truncated":false})");
  EXPECT_EQ(Call(&SpendApi::List, "from=2026-02-01").body,
            R"({"rows":[],"channels":[],"cost":0,"truncated":false})");
  HttpResponse bad = Call(&SpendApi::List, "from=2026-02-30");
  EXPECT_EQ(bad.status, 400u);
  EXPECT_NE(bad.body.find("from: date \\\"2026-02-30\\\" is not a calendar date"),
            std::string::npos)
      << bad.body;
  EXPECT_EQ(Call(&SpendApi::List, "from=2026-02-02&to=2026-02-01").status, 400u);
}

TEST_F(SpendApiTest, DeleteNeedsBothEnds) {
  ASSERT_EQ(Post(kCsv, "text/csv").status, 200u);
  for (const char* q : {"", "from=2026-01-01", "to=2026-02-01"}) {
    HttpResponse r = Call(&SpendApi::Delete, q);
    EXPECT_EQ(r.status, 400u) << q;
    EXPECT_NE(r.body.find("both from and to"), std::string::npos) << r.body;
  }
  EXPECT_EQ(Call(&SpendApi::Delete, "from=2026-01-31&to=2026-01-31&channel=Email").body,
            R"({"deleted":1})");
  EXPECT_EQ(Call(&SpendApi::Delete, "from=2026-01-01&to=2026-01-31").body, R"({"deleted":2})");
  EXPECT_TRUE(control_->ListSpend(INT64_MIN, INT64_MAX)->empty());
}

TEST_F(SpendApiTest, TheModelsReaderSeesTheStoredRows) {
  ASSERT_EQ(Post(kCsv, "text/csv").status, 200u);
  insight::SpendReader reader = MakeSpendReader(control_.get());
  auto rows = reader(*ParseSpendDay("2026-01-31"), *ParseSpendDay("2026-12-31"));
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].day, *ParseSpendDay("2026-01-31"));
  EXPECT_EQ((*rows)[0].channel, "Email");
  EXPECT_EQ((*rows)[0].campaign, "");
  EXPECT_EQ((*rows)[0].cost, 5.0);
  EXPECT_EQ((*rows)[1].campaign, "generic");
}

}  // namespace
}  // namespace rapport
