#include "govern/control_store.h"

#include <sqlite3.h>

#include <fmt/format.h>

#include "common/ids.h"
#include "govern/sqlite_stmt.h"

namespace rapport {
namespace {

constexpr const char* kSchema = R"sql(
PRAGMA journal_mode = WAL;
PRAGMA busy_timeout = 5000;
CREATE TABLE IF NOT EXISTS sources (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  write_key_sha256 TEXT NOT NULL UNIQUE,
  created_at_us INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS tokens (
  id TEXT PRIMARY KEY,
  role TEXT NOT NULL,
  name TEXT NOT NULL,
  secret_sha256 TEXT NOT NULL UNIQUE,
  created_at_us INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS computed_traits (
  name TEXT PRIMARY KEY,
  definition TEXT NOT NULL,
  created_at_us INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS audiences (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  description TEXT NOT NULL,
  definition TEXT NOT NULL,
  created_at_us INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS audience_destinations (
  audience TEXT NOT NULL,
  destination TEXT NOT NULL,
  PRIMARY KEY (audience, destination)
);
CREATE TABLE IF NOT EXISTS destinations (
  name TEXT PRIMARY KEY,
  definition TEXT NOT NULL,
  created_at_us INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS journeys (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  definition TEXT NOT NULL,
  created_at_us INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS spend (
  day INTEGER NOT NULL,
  channel TEXT NOT NULL CHECK (channel <> ''),
  campaign TEXT NOT NULL,
  cost REAL NOT NULL CHECK (cost >= 0),
  PRIMARY KEY (day, channel, campaign)
);
CREATE TABLE IF NOT EXISTS dashboards (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  tiles TEXT NOT NULL,
  created_at_us INTEGER NOT NULL,
  updated_at_us INTEGER NOT NULL
);
)sql";

using govern_internal::Stmt;

Status ValidateName(std::string_view what, std::string_view name) {
  if (name.empty() || name.size() > 64) {
    return Status::InvalidArgument(fmt::format("{} name must be 1 to 64 characters", what));
  }
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == ' ' || c == '_' || c == '.' || c == '-';
    if (!ok) {
      return Status::InvalidArgument(
          fmt::format("{} name may contain only letters, digits, space, '_', '.' and '-'", what));
    }
  }
  return Status::OK();
}

Source ReadSource(Stmt& s) { return Source{s.Text(0), s.Text(1), s.Int(2)}; }

Token ReadToken(Stmt& s) {
  Result<Role> role = ParseRole(s.Text(1));
  return Token{s.Text(0), role.ok() ? *role : Role::kAnalyst, s.Text(2), s.Int(3)};
}

}  // namespace

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kAdmin:
      return "admin";
    case Role::kMarketer:
      return "marketer";
    case Role::kAnalyst:
      return "analyst";
  }
  return "analyst";
}

Result<Role> ParseRole(std::string_view name) {
  if (name == "admin") return Role::kAdmin;
  if (name == "marketer") return Role::kMarketer;
  if (name == "analyst") return Role::kAnalyst;
  return Status::InvalidArgument(
      fmt::format("unknown role \"{}\": use admin, marketer or analyst", name));
}

Result<std::unique_ptr<ControlStore>> ControlStore::Open(const std::string& path) {
  sqlite3* db = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return Status::IOError(fmt::format("cannot open control database {}: {}", path, msg));
  }
  std::unique_ptr<ControlStore> store(new ControlStore(db));  // private constructor
  RETURN_IF_ERROR(store->Exec(kSchema).WithContext("control database " + path));
  return store;
}

ControlStore::~ControlStore() { sqlite3_close(db_); }

Status ControlStore::Exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    return Status::IOError(msg);
  }
  return Status::OK();
}

Status ControlStore::InTransactionLocked(std::string_view what,
                                         const std::function<Status()>& body) {
  RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE").WithContext(what));
  Status s = body();
  if (s.ok()) s = Exec("COMMIT").WithContext(what);
  if (!s.ok()) (void)Exec("ROLLBACK");
  return s;
}

Result<WithSecret<Source>> ControlStore::CreateSource(std::string_view name, int64_t now_us) {
  RETURN_IF_ERROR(ValidateName("source", name));
  WithSecret<Source> out{Source{"src_" + NewSecret("", 9), std::string(name), now_us},
                         NewSecret("wk_", 24)};
  std::lock_guard lock(mu_);
  Stmt s(db_, "INSERT INTO sources(id, name, write_key_sha256, created_at_us) VALUES(?1,?2,?3,?4)");
  RETURN_IF_ERROR(s.prepared());
  s.Bind(1, out.item.id);
  s.Bind(2, name);
  s.Bind(3, Sha256Hex(out.secret));
  s.Bind(4, now_us);
  int rc = s.Step();
  if (rc == SQLITE_CONSTRAINT) {
    return Status::AlreadyExists(fmt::format("a source named \"{}\" already exists", name));
  }
  if (rc != SQLITE_DONE) return Status::IOError("create source: " + s.Error());
  return out;
}

Result<std::vector<Source>> ControlStore::ListSources() {
  std::lock_guard lock(mu_);
  Stmt s(db_, "SELECT id, name, created_at_us FROM sources ORDER BY created_at_us, name");
  RETURN_IF_ERROR(s.prepared());
  std::vector<Source> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) out.push_back(ReadSource(s));
  if (rc != SQLITE_DONE) return Status::IOError("list sources: " + s.Error());
  return out;
}

Result<Source> ControlStore::SourceByWriteKey(std::string_view write_key) {
  std::lock_guard lock(mu_);
  Stmt s(db_, "SELECT id, name, created_at_us FROM sources WHERE write_key_sha256 = ?1");
  RETURN_IF_ERROR(s.prepared());
  s.Bind(1, Sha256Hex(write_key));
  int rc = s.Step();
  if (rc == SQLITE_ROW) return ReadSource(s);
  if (rc == SQLITE_DONE) return Status::NotFound("unknown write key");
  return Status::IOError("look up write key: " + s.Error());
}

Result<Source> ControlStore::SourceByName(std::string_view name) {
  std::lock_guard lock(mu_);
  Stmt s(db_, "SELECT id, name, created_at_us FROM sources WHERE name = ?1");
  RETURN_IF_ERROR(s.prepared());
  s.Bind(1, name);
  int rc = s.Step();
  if (rc == SQLITE_ROW) return ReadSource(s);
  if (rc == SQLITE_DONE) return Status::NotFound(fmt::format("no source named \"{}\"", name));
  return Status::IOError("look up source: " + s.Error());
}

Result<Source> ControlStore::SourceByIdOrName(std::string_view id_or_name) {
  {
    std::lock_guard lock(mu_);
    Stmt s(db_, "SELECT id, name, created_at_us FROM sources WHERE id = ?1");
    RETURN_IF_ERROR(s.prepared());
    s.Bind(1, id_or_name);
    int rc = s.Step();
    if (rc == SQLITE_ROW) return ReadSource(s);
    if (rc != SQLITE_DONE) return Status::IOError("look up source: " + s.Error());
  }
  auto by_name = SourceByName(id_or_name);
  if (by_name.status().code() == StatusCode::kNotFound) {
    return Status::NotFound(fmt::format("no source with id or name \"{}\"", id_or_name));
  }
  return by_name;
}

Result<WithSecret<Token>> ControlStore::CreateToken(Role role, std::string_view name,
                                                    int64_t now_us) {
  if (!name.empty()) RETURN_IF_ERROR(ValidateName("token", name));
  WithSecret<Token> out{Token{"tok_" + NewSecret("", 9), role, std::string(name), now_us},
                        NewSecret("rpt_", 32)};
  std::lock_guard lock(mu_);
  Stmt s(db_,
         "INSERT INTO tokens(id, role, name, secret_sha256, created_at_us) "
         "VALUES(?1,?2,?3,?4,?5)");
  RETURN_IF_ERROR(s.prepared());
  s.Bind(1, out.item.id);
  s.Bind(2, RoleName(role));
  s.Bind(3, name);
  s.Bind(4, Sha256Hex(out.secret));
  s.Bind(5, now_us);
  if (s.Step() != SQLITE_DONE) return Status::IOError("create token: " + s.Error());
  return out;
}

Result<std::vector<Token>> ControlStore::ListTokens() {
  std::lock_guard lock(mu_);
  Stmt s(db_, "SELECT id, role, name, created_at_us FROM tokens ORDER BY created_at_us, id");
  RETURN_IF_ERROR(s.prepared());
  std::vector<Token> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) out.push_back(ReadToken(s));
  if (rc != SQLITE_DONE) return Status::IOError("list tokens: " + s.Error());
  return out;
}

Status ControlStore::DeleteToken(std::string_view id) {
  std::lock_guard lock(mu_);
  Stmt s(db_, "DELETE FROM tokens WHERE id = ?1");
  RETURN_IF_ERROR(s.prepared());
  s.Bind(1, id);
  if (s.Step() != SQLITE_DONE) return Status::IOError("delete token: " + s.Error());
  if (sqlite3_changes(db_) == 0)
    return Status::NotFound(fmt::format("no token with id \"{}\"", id));
  return Status::OK();
}

Result<Token> ControlStore::TokenBySecret(std::string_view secret) {
  std::lock_guard lock(mu_);
  Stmt s(db_, "SELECT id, role, name, created_at_us FROM tokens WHERE secret_sha256 = ?1");
  RETURN_IF_ERROR(s.prepared());
  s.Bind(1, Sha256Hex(secret));
  int rc = s.Step();
  if (rc == SQLITE_ROW) return ReadToken(s);
  if (rc == SQLITE_DONE) return Status::NotFound("unknown token");
  return Status::IOError("look up token: " + s.Error());
}

Status ControlStore::PutComputedTrait(std::string_view name, std::string_view definition,
                                      int64_t now_us, bool replace) {
  std::lock_guard lock(mu_);
  Stmt s(db_, replace ? "INSERT INTO computed_traits(name, definition, created_at_us) "
                        "VALUES(?1,?2,?3) ON CONFLICT(name) DO UPDATE SET definition = ?2"
                      : "INSERT INTO computed_traits(name, definition, created_at_us) "
                        "VALUES(?1,?2,?3)");
  RETURN_IF_ERROR(s.prepared());
  s.Bind(1, name);
  s.Bind(2, definition);
  s.Bind(3, now_us);
  int rc = s.Step();
  if (rc == SQLITE_CONSTRAINT) {
    return Status::AlreadyExists(fmt::format("a computed trait named \"{}\" exists", name));
  }
  if (rc != SQLITE_DONE) return Status::IOError("save computed trait: " + s.Error());
  return Status::OK();
}

Result<std::vector<StoredComputedTrait>> ControlStore::ListComputedTraits() {
  std::lock_guard lock(mu_);
  Stmt s(db_, "SELECT name, definition, created_at_us FROM computed_traits ORDER BY name");
  RETURN_IF_ERROR(s.prepared());
  std::vector<StoredComputedTrait> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) out.push_back({s.Text(0), s.Text(1), s.Int(2)});
  if (rc != SQLITE_DONE) return Status::IOError("list computed traits: " + s.Error());
  return out;
}

Status ControlStore::DeleteNamedLocked(const char* table, const char* what, std::string_view name) {
  Stmt s(db_, fmt::format("DELETE FROM {} WHERE name = ?1", table).c_str());
  RETURN_IF_ERROR(s.prepared());
  s.Bind(1, name);
  if (s.Step() != SQLITE_DONE)
    return Status::IOError(fmt::format("delete {}: {}", what, s.Error()));
  if (sqlite3_changes(db_) == 0) {
    return Status::NotFound(fmt::format("no {} named \"{}\"", what, name));
  }
  return Status::OK();
}

Status ControlStore::DeleteComputedTrait(std::string_view name) {
  std::lock_guard lock(mu_);
  RETURN_IF_ERROR(DeleteNamedLocked("computed_traits", "computed trait", name));
  return Status::OK();
}

Result<StoredAudience> ControlStore::CreateAudience(std::string_view name,
                                                    std::string_view description,
                                                    std::string_view definition, int64_t now_us) {
  std::lock_guard lock(mu_);
  Stmt s(db_,
         "INSERT INTO audiences(name, description, definition, created_at_us) "
         "VALUES(?1,?2,?3,?4)");
  RETURN_IF_ERROR(s.prepared());
  s.Bind(1, name);
  s.Bind(2, description);
  s.Bind(3, definition);
  s.Bind(4, now_us);
  int rc = s.Step();
  if (rc == SQLITE_CONSTRAINT) {
    return Status::AlreadyExists(fmt::format("an audience named \"{}\" exists", name));
  }
  if (rc != SQLITE_DONE) return Status::IOError("save audience: " + s.Error());
  return StoredAudience{static_cast<uint64_t>(sqlite3_last_insert_rowid(db_)), std::string(name),
                        std::string(description), std::string(definition), now_us};
}

Result<std::vector<StoredAudience>> ControlStore::ListAudiences() {
  std::lock_guard lock(mu_);
  Stmt s(db_, "SELECT id, name, description, definition, created_at_us FROM audiences ORDER BY id");
  RETURN_IF_ERROR(s.prepared());
  std::vector<StoredAudience> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) {
    out.push_back({static_cast<uint64_t>(s.Int(0)), s.Text(1), s.Text(2), s.Text(3), s.Int(4)});
  }
  if (rc != SQLITE_DONE) return Status::IOError("list audiences: " + s.Error());
  return out;
}

Status ControlStore::DeleteAudience(std::string_view name) {
  std::lock_guard lock(mu_);
  // One transaction: links left behind by a failure between the two deletes would be picked up
  // by an audience created again under the name.
  return InTransactionLocked("delete audience", [&]() -> Status {
    RETURN_IF_ERROR(DeleteNamedLocked("audiences", "audience", name));
    Stmt links(db_, "DELETE FROM audience_destinations WHERE audience = ?1");
    RETURN_IF_ERROR(links.prepared());
    links.Bind(1, name);
    if (links.Step() != SQLITE_DONE) return Status::IOError("delete audience: " + links.Error());
    return Status::OK();
  });
}

Result<std::vector<std::pair<std::string, std::string>>> ControlStore::ListAudienceDestinations() {
  std::lock_guard lock(mu_);
  Stmt s(db_,
         "SELECT audience, destination FROM audience_destinations ORDER BY audience, destination");
  RETURN_IF_ERROR(s.prepared());
  std::vector<std::pair<std::string, std::string>> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) out.emplace_back(s.Text(0), s.Text(1));
  if (rc != SQLITE_DONE) return Status::IOError("list audience destinations: " + s.Error());
  return out;
}

Status ControlStore::SetAudienceDestinations(std::string_view audience,
                                             const std::vector<std::string>& destinations) {
  std::lock_guard lock(mu_);
  return InTransactionLocked("sync", [&]() -> Status {
    Stmt exists(db_, "SELECT 1 FROM audiences WHERE name = ?1");
    RETURN_IF_ERROR(exists.prepared());
    exists.Bind(1, audience);
    if (exists.Step() != SQLITE_ROW) {
      return Status::NotFound(fmt::format("no audience named \"{}\"", audience));
    }
    Stmt clear(db_, "DELETE FROM audience_destinations WHERE audience = ?1");
    RETURN_IF_ERROR(clear.prepared());
    clear.Bind(1, audience);
    if (clear.Step() != SQLITE_DONE) return Status::IOError("sync: " + clear.Error());
    Stmt add(db_,
             "INSERT OR IGNORE INTO audience_destinations(audience, destination) VALUES(?1,?2)");
    RETURN_IF_ERROR(add.prepared());
    for (const std::string& d : destinations) {
      add.Reset();
      add.Bind(1, audience);
      add.Bind(2, d);
      if (add.Step() != SQLITE_DONE) return Status::IOError("sync: " + add.Error());
    }
    return Status::OK();
  });
}

Status ControlStore::CreateDestination(std::string_view name, std::string_view definition,
                                       int64_t now_us) {
  std::lock_guard lock(mu_);
  Stmt s(db_, "INSERT INTO destinations(name, definition, created_at_us) VALUES(?1,?2,?3)");
  RETURN_IF_ERROR(s.prepared());
  s.Bind(1, name);
  s.Bind(2, definition);
  s.Bind(3, now_us);
  int rc = s.Step();
  if (rc == SQLITE_CONSTRAINT) {
    return Status::AlreadyExists(fmt::format("a destination named \"{}\" exists", name));
  }
  if (rc != SQLITE_DONE) return Status::IOError("save destination: " + s.Error());
  return Status::OK();
}

Result<std::vector<StoredDestination>> ControlStore::ListDestinations() {
  std::lock_guard lock(mu_);
  Stmt s(db_, "SELECT name, definition, created_at_us FROM destinations ORDER BY name");
  RETURN_IF_ERROR(s.prepared());
  std::vector<StoredDestination> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) out.push_back({s.Text(0), s.Text(1), s.Int(2)});
  if (rc != SQLITE_DONE) return Status::IOError("list destinations: " + s.Error());
  return out;
}

Status ControlStore::DeleteDestination(std::string_view name) {
  std::lock_guard lock(mu_);
  RETURN_IF_ERROR(DeleteNamedLocked("destinations", "destination", name));
  return Status::OK();
}

Result<StoredJourney> ControlStore::CreateJourney(std::string_view name,
                                                  std::string_view definition, int64_t now_us) {
  std::lock_guard lock(mu_);
  Stmt s(db_, "INSERT INTO journeys(name, definition, created_at_us) VALUES(?1,?2,?3)");
  RETURN_IF_ERROR(s.prepared());
  s.Bind(1, name);
  s.Bind(2, definition);
  s.Bind(3, now_us);
  int rc = s.Step();
  if (rc == SQLITE_CONSTRAINT) {
    return Status::AlreadyExists(fmt::format("a journey named \"{}\" exists", name));
  }
  if (rc != SQLITE_DONE) return Status::IOError("save journey: " + s.Error());
  return StoredJourney{static_cast<uint64_t>(sqlite3_last_insert_rowid(db_)), std::string(name),
                       std::string(definition), now_us};
}

Result<std::vector<StoredJourney>> ControlStore::ListJourneys() {
  std::lock_guard lock(mu_);
  Stmt s(db_, "SELECT id, name, definition, created_at_us FROM journeys ORDER BY id");
  RETURN_IF_ERROR(s.prepared());
  std::vector<StoredJourney> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) {
    out.push_back({static_cast<uint64_t>(s.Int(0)), s.Text(1), s.Text(2), s.Int(3)});
  }
  if (rc != SQLITE_DONE) return Status::IOError("list journeys: " + s.Error());
  return out;
}

Status ControlStore::DeleteJourney(std::string_view name) {
  std::lock_guard lock(mu_);
  RETURN_IF_ERROR(DeleteNamedLocked("journeys", "journey", name));
  return Status::OK();
}

}  // namespace rapport
