#include "govern/control_store.h"

#include "common/temp_dir.h"

#include <filesystem>
#include <fstream>
#include <iterator>

#include <gtest/gtest.h>
#include <sqlite3.h>

namespace rapport {
namespace {

class ControlStoreTest : public ::testing::Test {
 protected:
  std::string DbPath() const { return dir_.Sub("control.db"); }

  testing::TempDir dir_;
};

TEST_F(ControlStoreTest, SourceCreatedAndFoundByKeyAcrossReopen) {
  std::string key, id;
  {
    auto store = ControlStore::Open(DbPath());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto created = (*store)->CreateSource("website", 1000);
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    key = created->secret;
    id = created->item.id;
    EXPECT_EQ(key.rfind("wk_", 0), 0u);
  }
  auto store = ControlStore::Open(DbPath());
  ASSERT_TRUE(store.ok());
  auto found = (*store)->SourceByWriteKey(key);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->id, id);
  EXPECT_EQ(found->name, "website");
  EXPECT_EQ((*store)->SourceByWriteKey(key + "x").status().code(), StatusCode::kNotFound);
  auto by_name = (*store)->SourceByName("website");
  ASSERT_TRUE(by_name.ok());
  EXPECT_EQ(by_name->id, id);
}

TEST_F(ControlStoreTest, DuplicateAndInvalidSourceNames) {
  auto store = ControlStore::Open(DbPath());
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->CreateSource("app", 1).ok());
  auto again = (*store)->CreateSource("app", 2);
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(again.status().message(), "a source named \"app\" already exists");
  EXPECT_EQ((*store)->CreateSource("", 3).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ((*store)->CreateSource("a/b", 3).status().code(), StatusCode::kInvalidArgument);
  auto list = (*store)->ListSources();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
}

TEST_F(ControlStoreTest, TokensKeepOnlyHashes) {
  auto store = ControlStore::Open(DbPath());
  ASSERT_TRUE(store.ok());
  auto tok = (*store)->CreateToken(Role::kMarketer, "ci", 5);
  ASSERT_TRUE(tok.ok());
  auto found = (*store)->TokenBySecret(tok->secret);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->role, Role::kMarketer);
  EXPECT_EQ(found->id, tok->item.id);
  EXPECT_EQ((*store)->TokenBySecret("rpt_nope").status().code(), StatusCode::kNotFound);
  store->reset();
  // The secret itself is nowhere in the database file.
  std::string raw;
  for (const char* suffix : {"", "-wal"}) {
    std::ifstream in(DbPath() + suffix, std::ios::binary);
    raw.append(std::istreambuf_iterator<char>(in), {});
  }
  EXPECT_EQ(raw.find(tok->secret), std::string::npos);
}

TEST_F(ControlStoreTest, DeletedTokenNoLongerOpens) {
  auto store = ControlStore::Open(DbPath());
  ASSERT_TRUE(store.ok());
  auto keep = (*store)->CreateToken(Role::kAdmin, "keep", 1);
  auto gone = (*store)->CreateToken(Role::kAdmin, "gone", 2);
  ASSERT_TRUE(keep.ok() && gone.ok());
  ASSERT_TRUE((*store)->DeleteToken(gone->item.id).ok());
  EXPECT_EQ((*store)->TokenBySecret(gone->secret).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE((*store)->TokenBySecret(keep->secret).ok());
  EXPECT_EQ((*store)->DeleteToken(gone->item.id).code(), StatusCode::kNotFound);
  EXPECT_EQ((*store)->ListTokens()->size(), 1u);
}

TEST_F(ControlStoreTest, Destinations) {
  auto store = ControlStore::Open(DbPath());
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->CreateDestination("crm", R"({"name":"crm"})", 7).ok());
  ASSERT_TRUE((*store)->CreateDestination("ads", R"({"name":"ads"})", 8).ok());
  EXPECT_EQ((*store)->CreateDestination("crm", "{}", 9).code(), StatusCode::kAlreadyExists);
  auto list = (*store)->ListDestinations();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].name, "ads");
  EXPECT_EQ((*list)[1].definition, R"({"name":"crm"})");
  EXPECT_EQ((*list)[1].created_at_us, 7);
  ASSERT_TRUE((*store)->DeleteDestination("crm").ok());
  EXPECT_EQ((*store)->DeleteDestination("crm").code(), StatusCode::kNotFound);
  EXPECT_EQ((*store)->ListDestinations()->size(), 1u);
}

// Runs `sql` on the database file through a connection of its own (as another process could).
void ExecRaw(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &err);
  std::string msg = err ? err : "";
  sqlite3_free(err);
  sqlite3_close(db);
  ASSERT_EQ(rc, SQLITE_OK) << msg;
}

TEST_F(ControlStoreTest, DeletingAnAudienceTakesItsLinksOrNothing) {
  auto store = ControlStore::Open(DbPath());
  ASSERT_TRUE(store.ok());
  ControlStore& c = **store;
  ASSERT_TRUE(c.CreateAudience("vip", "", "traits.plan = \"pro\"", 1).ok());
  ASSERT_TRUE(c.CreateAudience("churn", "", "traits.plan = \"free\"", 2).ok());
  ASSERT_TRUE(c.SetAudienceDestinations("vip", {"crm", "ads"}).ok());
  ASSERT_TRUE(c.SetAudienceDestinations("churn", {"crm"}).ok());
  using Links = std::vector<std::pair<std::string, std::string>>;

  // The links cannot be deleted: the audience must stay too (no half-done delete).
  ExecRaw(DbPath(),
          "CREATE TRIGGER keep_links BEFORE DELETE ON audience_destinations "
          "BEGIN SELECT RAISE(FAIL, 'links are kept'); END");
  Status failed = c.DeleteAudience("vip");
  EXPECT_EQ(failed.code(), StatusCode::kIOError) << failed.ToString();
  auto audiences = c.ListAudiences();
  ASSERT_TRUE(audiences.ok());
  EXPECT_EQ(audiences->size(), 2u);
  EXPECT_EQ(*c.ListAudienceDestinations(),
            (Links{{"churn", "crm"}, {"vip", "ads"}, {"vip", "crm"}}));

  ExecRaw(DbPath(), "DROP TRIGGER keep_links");
  ASSERT_TRUE(c.DeleteAudience("vip").ok());
  EXPECT_EQ(*c.ListAudienceDestinations(), (Links{{"churn", "crm"}}));
  EXPECT_EQ(c.DeleteAudience("vip").code(), StatusCode::kNotFound);
  EXPECT_EQ(*c.ListAudienceDestinations(), (Links{{"churn", "crm"}}));
  // Created again under the name, it starts with no destinations.
  ASSERT_TRUE(c.CreateAudience("vip", "", "traits.plan = \"pro\"", 3).ok());
  EXPECT_EQ(*c.ListAudienceDestinations(), (Links{{"churn", "crm"}}));
}

TEST(RoleTest, ParseAndName) {
  for (Role r : {Role::kAdmin, Role::kMarketer, Role::kAnalyst}) {
    auto parsed = ParseRole(RoleName(r));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, r);
  }
  EXPECT_EQ(ParseRole("root").status().message(),
            "unknown role \"root\": use admin, marketer or analyst");
}

}  // namespace
}  // namespace rapport
