// The ControlStore's saved dashboards (table `dashboards`, see control_store.cc's schema): a
// unique name and the tiles as one JSON text. What a tile may hold is the server's to validate
// (server/dashboards_api.h); here a dashboard is a row with an id that never changes.
#include <sqlite3.h>

#include <fmt/format.h>

#include "common/ids.h"
#include "govern/control_store.h"
#include "govern/sqlite_stmt.h"

namespace rapport {
namespace {

using govern_internal::Stmt;

constexpr const char* kColumns = "id, name, tiles, created_at_us, updated_at_us";

StoredDashboard Row(Stmt& s) { return {s.Text(0), s.Text(1), s.Text(2), s.Int(3), s.Int(4)}; }

Status NoDashboard(std::string_view id) {
  return Status::NotFound(fmt::format("no dashboard with id \"{}\"", id));
}

Status NameTaken(std::string_view name) {
  return Status::AlreadyExists(fmt::format("a dashboard named \"{}\" already exists", name));
}

}  // namespace

Result<StoredDashboard> ControlStore::CreateDashboard(std::string_view name, std::string_view tiles,
                                                      int64_t now_us) {
  std::lock_guard lock(mu_);
  StoredDashboard d{NewSecret("dsh_", 9), std::string(name), std::string(tiles), now_us, now_us};
  Stmt s(db_, fmt::format("INSERT INTO dashboards({}) VALUES(?1,?2,?3,?4,?5)", kColumns).c_str());
  RETURN_IF_ERROR(s.prepared());
  s.Bind(1, d.id);
  s.Bind(2, d.name);
  s.Bind(3, d.tiles);
  s.Bind(4, d.created_at_us);
  s.Bind(5, d.updated_at_us);
  const int rc = s.Step();
  if (rc == SQLITE_CONSTRAINT) return NameTaken(name);
  if (rc != SQLITE_DONE) return Status::IOError("create dashboard: " + s.Error());
  return d;
}

Result<std::vector<StoredDashboard>> ControlStore::ListDashboards() {
  std::lock_guard lock(mu_);
  Stmt s(db_, fmt::format("SELECT {} FROM dashboards ORDER BY name", kColumns).c_str());
  RETURN_IF_ERROR(s.prepared());
  std::vector<StoredDashboard> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) out.push_back(Row(s));
  if (rc != SQLITE_DONE) return Status::IOError("list dashboards: " + s.Error());
  return out;
}

Result<StoredDashboard> ControlStore::GetDashboard(std::string_view id) {
  std::lock_guard lock(mu_);
  Stmt s(db_, fmt::format("SELECT {} FROM dashboards WHERE id = ?1", kColumns).c_str());
  RETURN_IF_ERROR(s.prepared());
  s.Bind(1, id);
  const int rc = s.Step();
  if (rc == SQLITE_ROW) return Row(s);
  if (rc != SQLITE_DONE) return Status::IOError("read dashboard: " + s.Error());
  return NoDashboard(id);
}

Result<StoredDashboard> ControlStore::UpdateDashboard(std::string_view id, std::string_view name,
                                                      std::string_view tiles, int64_t now_us) {
  std::lock_guard lock(mu_);
  Stmt s(db_, fmt::format("UPDATE dashboards SET name = ?2, tiles = ?3, updated_at_us = ?4 "
                          "WHERE id = ?1 RETURNING {}",
                          kColumns)
                  .c_str());
  RETURN_IF_ERROR(s.prepared());
  s.Bind(1, id);
  s.Bind(2, name);
  s.Bind(3, tiles);
  s.Bind(4, now_us);
  const int rc = s.Step();
  if (rc == SQLITE_ROW) {
    StoredDashboard d = Row(s);
    if (s.Step() != SQLITE_DONE) return Status::IOError("update dashboard: " + s.Error());
    return d;
  }
  if (rc == SQLITE_CONSTRAINT) return NameTaken(name);
  if (rc != SQLITE_DONE) return Status::IOError("update dashboard: " + s.Error());
  return NoDashboard(id);
}

Status ControlStore::DeleteDashboard(std::string_view id) {
  std::lock_guard lock(mu_);
  Stmt s(db_, "DELETE FROM dashboards WHERE id = ?1");
  RETURN_IF_ERROR(s.prepared());
  s.Bind(1, id);
  if (s.Step() != SQLITE_DONE) return Status::IOError("delete dashboard: " + s.Error());
  if (sqlite3_changes(db_) == 0) return NoDashboard(id);
  return Status::OK();
}

}  // namespace rapport
