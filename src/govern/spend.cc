// The ControlStore's marketing spend (table `spend`, see control_store.cc's schema): upserted in
// one transaction per import, read and deleted by day range. Validation of what users send is the
// parser's (import/spend_parse.h); the table's CHECKs are the last line of defence.
#include <sqlite3.h>

#include <fmt/format.h>

#include "govern/control_store.h"
#include "govern/sqlite_stmt.h"

namespace rapport {

using govern_internal::Stmt;

Status ControlStore::PutSpend(const std::vector<StoredSpend>& rows) {
  std::lock_guard lock(mu_);
  return InTransactionLocked("save spend", [&]() -> Status {
    Stmt s(db_,
           "INSERT INTO spend(day, channel, campaign, cost) VALUES(?1,?2,?3,?4) "
           "ON CONFLICT(day, channel, campaign) DO UPDATE SET cost = excluded.cost");
    RETURN_IF_ERROR(s.prepared());
    for (size_t i = 0; i < rows.size(); ++i) {
      const StoredSpend& r = rows[i];
      s.Reset();
      s.Bind(1, r.day);
      s.Bind(2, r.channel);
      s.Bind(3, r.campaign);
      s.Bind(4, r.cost);
      const int rc = s.Step();
      if (rc == SQLITE_CONSTRAINT) {
        return Status::InvalidArgument(fmt::format(
            "spend row {} (channel \"{}\", cost {}): needs a channel and a cost of 0 or more; "
            "nothing was saved",
            i + 1, r.channel, r.cost));
      }
      if (rc != SQLITE_DONE) return Status::IOError("save spend: " + s.Error());
    }
    return Status::OK();
  });
}

Result<std::vector<StoredSpend>> ControlStore::ListSpend(int64_t from_day, int64_t to_day) {
  std::lock_guard lock(mu_);
  Stmt s(db_,
         "SELECT day, channel, campaign, cost FROM spend WHERE day BETWEEN ?1 AND ?2 "
         "ORDER BY day, channel, campaign");
  RETURN_IF_ERROR(s.prepared());
  s.Bind(1, from_day);
  s.Bind(2, to_day);
  std::vector<StoredSpend> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) {
    out.push_back({s.Int(0), s.Text(1), s.Text(2), s.Double(3)});
  }
  if (rc != SQLITE_DONE) return Status::IOError("list spend: " + s.Error());
  return out;
}

Result<size_t> ControlStore::DeleteSpend(int64_t from_day, int64_t to_day,
                                         std::string_view channel) {
  std::lock_guard lock(mu_);
  Stmt s(db_, "DELETE FROM spend WHERE day BETWEEN ?1 AND ?2 AND (?3 = '' OR channel = ?3)");
  RETURN_IF_ERROR(s.prepared());
  s.Bind(1, from_day);
  s.Bind(2, to_day);
  s.Bind(3, channel);
  if (s.Step() != SQLITE_DONE) return Status::IOError("delete spend: " + s.Error());
  return static_cast<size_t>(sqlite3_changes(db_));
}

}  // namespace rapport
