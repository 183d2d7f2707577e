// The ControlStore's spend table: upserts replace, one transaction per PutSpend, ranges include
// both ends, data survives a reopen, and a database made before the table existed gets it.
#include <sqlite3.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <climits>
#include <cmath>

#include "common/temp_dir.h"
#include "govern/control_store.h"

namespace rapport {
namespace {

class SpendStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = ControlStore::Open(DbPath());
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(*opened);
  }
  std::string DbPath() const { return dir_.Sub("control.db"); }
  std::vector<StoredSpend> All() {
    auto rows = store_->ListSpend(INT64_MIN, INT64_MAX);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    return rows.ok() ? *rows : std::vector<StoredSpend>{};
  }

  testing::TempDir dir_;
  std::unique_ptr<ControlStore> store_;
};

MATCHER_P4(Spend, day, channel, campaign, cost, "") {
  return arg.day == day && arg.channel == channel && arg.campaign == campaign && arg.cost == cost;
}

TEST_F(SpendStoreTest, UpsertReplacesTheCostOfTheSameKey) {
  ASSERT_TRUE(store_->PutSpend({{10, "Paid Search", "brand", 120.5}, {10, "Email", "", 3}}).ok());
  ASSERT_TRUE(store_->PutSpend({{10, "Paid Search", "brand", 99}, {11, "Email", "", 4}}).ok());
  EXPECT_THAT(All(), ::testing::ElementsAre(Spend(10, "Email", "", 3.0),
                                            Spend(10, "Paid Search", "brand", 99.0),
                                            Spend(11, "Email", "", 4.0)));
  // The same rows again: replaced, not doubled.
  ASSERT_TRUE(store_->PutSpend({{10, "Paid Search", "brand", 99}, {11, "Email", "", 4}}).ok());
  EXPECT_EQ(All().size(), 3u);
}

TEST_F(SpendStoreTest, OneBadRowStoresNothing) {
  ASSERT_TRUE(store_->PutSpend({{1, "Email", "", 1}}).ok());
  Status bad =
      store_->PutSpend({{1, "Email", "", 50}, {2, "Social", "", 5}, {3, "Social", "", -1}});
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.message().find("spend row 3"), std::string::npos) << bad.message();
  EXPECT_THAT(All(), ::testing::ElementsAre(Spend(1, "Email", "", 1.0)));  // not 50
  EXPECT_EQ(store_->PutSpend({{4, "", "", 1}}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->PutSpend({{4, "Email", "", std::nan("")}}).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(All().size(), 1u);
  // The store is usable after a rollback.
  ASSERT_TRUE(store_->PutSpend({{2, "Social", "", 5}}).ok());
  EXPECT_EQ(All().size(), 2u);
}

TEST_F(SpendStoreTest, RangesIncludeBothEndsAndDeleteByChannel) {
  ASSERT_TRUE(store_
                  ->PutSpend({{-1, "Email", "", 1},
                              {0, "Email", "", 2},
                              {5, "Email", "a", 3},
                              {5, "Social", "", 4},
                              {6, "Social", "", 5}})
                  .ok());
  auto mid = store_->ListSpend(0, 5);
  ASSERT_TRUE(mid.ok());
  EXPECT_THAT(*mid, ::testing::ElementsAre(Spend(0, "Email", "", 2.0), Spend(5, "Email", "a", 3.0),
                                           Spend(5, "Social", "", 4.0)));
  EXPECT_TRUE(store_->ListSpend(7, 100)->empty());
  EXPECT_TRUE(store_->ListSpend(5, 4)->empty());  // from after to: nothing

  auto social = store_->DeleteSpend(5, 6, "Social");
  ASSERT_TRUE(social.ok());
  EXPECT_EQ(*social, 2u);
  auto none = store_->DeleteSpend(5, 6, "Social");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, 0u);
  auto all = store_->DeleteSpend(-1, 0, "");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(*all, 2u);
  EXPECT_THAT(All(), ::testing::ElementsAre(Spend(5, "Email", "a", 3.0)));
}

TEST_F(SpendStoreTest, ReopenKeepsTheRows) {
  ASSERT_TRUE(store_->PutSpend({{20000, "Paid Social", "spring sale", 0.1}}).ok());
  store_.reset();
  auto reopened = ControlStore::Open(DbPath());
  ASSERT_TRUE(reopened.ok());
  store_ = std::move(*reopened);
  EXPECT_THAT(All(), ::testing::ElementsAre(Spend(20000, "Paid Social", "spring sale", 0.1)));
}

TEST(SpendSchemaTest, ADatabaseFromBeforeSpendGetsTheTable) {
  testing::TempDir dir;
  const std::string path = dir.Sub("old.db");
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "CREATE TABLE sources (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, "
                         "write_key_sha256 TEXT NOT NULL UNIQUE, created_at_us INTEGER NOT NULL);"
                         "INSERT INTO sources VALUES('src_1','web','h',1);",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto store = ControlStore::Open(path);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ASSERT_TRUE((*store)->PutSpend({{1, "Email", "", 2}}).ok());
  EXPECT_EQ((*store)->ListSpend(0, 1)->size(), 1u);
  EXPECT_EQ((*store)->ListSources()->size(), 1u);
}

}  // namespace
}  // namespace rapport
