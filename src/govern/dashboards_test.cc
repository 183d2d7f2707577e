// The ControlStore's dashboards: ids are stable and unique, names unique (on create and on
// rename), updates replace name and tiles but keep the creation time, unknown ids are kNotFound,
// and dashboards survive a reopen.
#include <gtest/gtest.h>

#include "common/temp_dir.h"
#include "govern/control_store.h"

namespace rapport {
namespace {

class DashboardStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }
  void Reopen() {
    store_.reset();
    auto opened = ControlStore::Open(dir_.Sub("control.db"));
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(*opened);
  }
  testing::TempDir dir_;
  std::unique_ptr<ControlStore> store_;
};

TEST_F(DashboardStoreTest, CreateListGetUpdateDelete) {
  auto weekly = store_->CreateDashboard("Weekly", "[]", 1000);
  ASSERT_TRUE(weekly.ok()) << weekly.status().ToString();
  EXPECT_EQ(weekly->id.rfind("dsh_", 0), 0u);
  auto acq = store_->CreateDashboard("Acquisition", R"([{"title":"t","query":{}}])", 2000);
  ASSERT_TRUE(acq.ok());
  EXPECT_NE(weekly->id, acq->id);

  auto all = store_->ListDashboards();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].name, "Acquisition");  // by name
  EXPECT_EQ((*all)[1].tiles, "[]");

  auto updated = store_->UpdateDashboard(weekly->id, "Weekly KPIs", "[1]", 5000);
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_EQ(updated->id, weekly->id);
  EXPECT_EQ(updated->name, "Weekly KPIs");
  EXPECT_EQ(updated->tiles, "[1]");
  EXPECT_EQ(updated->created_at_us, 1000);
  EXPECT_EQ(updated->updated_at_us, 5000);

  Reopen();
  auto read = store_->GetDashboard(weekly->id);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->name, "Weekly KPIs");
  EXPECT_EQ(read->tiles, "[1]");

  ASSERT_TRUE(store_->DeleteDashboard(weekly->id).ok());
  EXPECT_EQ(store_->GetDashboard(weekly->id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->DeleteDashboard(weekly->id).code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->ListDashboards()->size(), 1u);
}

TEST_F(DashboardStoreTest, NamesAreUniqueOnCreateAndRename) {
  auto a = store_->CreateDashboard("A", "[]", 1);
  auto b = store_->CreateDashboard("B", "[]", 1);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(store_->CreateDashboard("A", "[]", 2).status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->UpdateDashboard(b->id, "A", "[]", 2).status().code(),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->GetDashboard(b->id)->name, "B");  // the failed rename changed nothing
  EXPECT_TRUE(store_->UpdateDashboard(a->id, "A", "[2]", 3).ok());  // its own name is fine
  EXPECT_EQ(store_->UpdateDashboard("dsh_nope", "C", "[]", 3).status().code(),
            StatusCode::kNotFound);
}

}  // namespace
}  // namespace rapport
