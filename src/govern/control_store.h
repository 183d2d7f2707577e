// ControlStore: the control plane in SQLite — sources (each with a write key), API tokens
// (each with a role), computed-trait, audience and destination definitions, and the marketing
// spend per day, channel and campaign (spend.cc), and saved dashboards (dashboards.cc). Only
// SHA-256 hashes of write keys and tokens are stored; their secret is returned once, at creation (a
// destination's signing secret is stored as is: deliveries need it). Thread-safe (one
// connection behind a mutex; WAL mode so the CLI and a running server can use the same file).
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

struct sqlite3;

namespace rapport {

enum class Role { kAdmin, kMarketer, kAnalyst };
std::string_view RoleName(Role role);
Result<Role> ParseRole(std::string_view name);

struct Source {
  std::string id;  // "src_..." stable identifier, stored with every event
  std::string name;
  int64_t created_at_us = 0;
};

struct Token {
  std::string id;
  Role role = Role::kAnalyst;
  std::string name;
  int64_t created_at_us = 0;
};

struct StoredComputedTrait {
  std::string name;
  std::string definition;  // canonical JSON (validated by the profile subsystem)
  int64_t created_at_us = 0;
};

struct StoredAudience {
  uint64_t id = 0;  // never reused, even after a delete
  std::string name;
  std::string description;
  std::string definition;  // the JSON form of the tree (validated by the audience subsystem)
  int64_t created_at_us = 0;
};

struct StoredDestination {
  std::string name;
  std::string definition;  // canonical JSON with its signing secret (validated by activate)
  int64_t created_at_us = 0;
};

struct StoredJourney {
  uint64_t id = 0;  // never reused, even after a delete
  std::string name;
  std::string definition;  // canonical JSON (validated by activate)
  int64_t created_at_us = 0;
};

// What was paid for marketing on one day (UTC), channel and campaign.
struct StoredSpend {
  int64_t day = 0;       // days since 1970-01-01
  std::string channel;   // non-empty
  std::string campaign;  // "" when the cost is not split by campaign
  double cost = 0;       // finite, >= 0
};

// A saved analytics dashboard: a name and its tiles, kept as the JSON array the API validated.
struct StoredDashboard {
  std::string id;     // "dsh_..." stable identifier
  std::string name;   // unique
  std::string tiles;  // JSON array (validated by the server's DashboardsApi)
  int64_t created_at_us = 0;
  int64_t updated_at_us = 0;
};

template <typename T>
struct WithSecret {
  T item;
  std::string secret;  // shown once; only its hash is kept
};

class ControlStore {
 public:
  // Opens (creating if needed) the database at `path` and applies the schema.
  static Result<std::unique_ptr<ControlStore>> Open(const std::string& path);
  ~ControlStore();

  // A source name is 1-64 characters of [A-Za-z0-9 _.-]; names are unique.
  Result<WithSecret<Source>> CreateSource(std::string_view name, int64_t now_us);
  Result<std::vector<Source>> ListSources();
  Result<Source> SourceByWriteKey(std::string_view write_key);  // kNotFound when unknown
  Result<Source> SourceByName(std::string_view name);
  Result<Source> SourceByIdOrName(std::string_view id_or_name);  // kNotFound when neither

  Result<WithSecret<Token>> CreateToken(Role role, std::string_view name, int64_t now_us);
  Result<std::vector<Token>> ListTokens();
  Result<Token> TokenBySecret(std::string_view secret);  // kNotFound when unknown
  Status DeleteToken(std::string_view id);               // kNotFound when unknown

  // Computed-trait definitions. kAlreadyExists for a taken name unless `replace`.
  Status PutComputedTrait(std::string_view name, std::string_view definition, int64_t now_us,
                          bool replace);
  Result<std::vector<StoredComputedTrait>> ListComputedTraits();  // by name
  Status DeleteComputedTrait(std::string_view name);              // kNotFound when unknown

  // Audience definitions. kAlreadyExists for a taken name.
  Result<StoredAudience> CreateAudience(std::string_view name, std::string_view description,
                                        std::string_view definition, int64_t now_us);
  Result<std::vector<StoredAudience>> ListAudiences();  // by id
  Status DeleteAudience(std::string_view name);         // kNotFound when unknown (and its links)
  // Which destinations an audience's entered/exited are synced to: (audience, destination).
  Result<std::vector<std::pair<std::string, std::string>>> ListAudienceDestinations();
  // Replaces the audience's destinations (kNotFound for an unknown audience).
  Status SetAudienceDestinations(std::string_view audience,
                                 const std::vector<std::string>& destinations);

  // Destination definitions (webhooks). kAlreadyExists for a taken name.
  Status CreateDestination(std::string_view name, std::string_view definition, int64_t now_us);
  Result<std::vector<StoredDestination>> ListDestinations();  // by name
  Status DeleteDestination(std::string_view name);            // kNotFound when unknown

  // Journey definitions. kAlreadyExists for a taken name.
  Result<StoredJourney> CreateJourney(std::string_view name, std::string_view definition,
                                      int64_t now_us);
  Result<std::vector<StoredJourney>> ListJourneys();  // by id
  Status DeleteJourney(std::string_view name);        // kNotFound when unknown

  // Marketing spend, keyed by (day, channel, campaign). PutSpend upserts every row in one
  // transaction: a row already stored gets the new cost (re-importing a file never doubles);
  // one row the table refuses (empty channel, negative or NaN cost) stores none.
  Status PutSpend(const std::vector<StoredSpend>& rows);
  // The days [from_day, to_day] (both included), by day, channel, campaign.
  Result<std::vector<StoredSpend>> ListSpend(int64_t from_day, int64_t to_day);
  // Deletes the days [from_day, to_day] of `channel` ("" = every channel); returns how many rows.
  Result<size_t> DeleteSpend(int64_t from_day, int64_t to_day, std::string_view channel);

  // Dashboards (dashboards.cc). kAlreadyExists for a taken name; kNotFound for an unknown id.
  Result<StoredDashboard> CreateDashboard(std::string_view name, std::string_view tiles,
                                          int64_t now_us);
  Result<std::vector<StoredDashboard>> ListDashboards();  // by name
  Result<StoredDashboard> GetDashboard(std::string_view id);
  // Replaces name and tiles; keeps the id and the creation time.
  Result<StoredDashboard> UpdateDashboard(std::string_view id, std::string_view name,
                                          std::string_view tiles, int64_t now_us);
  Status DeleteDashboard(std::string_view id);

 private:
  explicit ControlStore(sqlite3* db) : db_(db) {}
  Status Exec(const char* sql);
  // Runs `body` in one transaction (mu_ held): committed when it returns OK, rolled back when it
  // or the commit fails. IMMEDIATE: the write lock is taken at BEGIN, so a concurrent writer (the
  // CLI) waits there rather than failing halfway. `what` prefixes a BEGIN or COMMIT failure.
  Status InTransactionLocked(std::string_view what, const std::function<Status()>& body);
  // Deletes the row of `table` with that name (mu_ held); kNotFound names it as `what`.
  Status DeleteNamedLocked(const char* table, const char* what, std::string_view name);

  std::mutex mu_;
  sqlite3* db_;  // owned; closed in the destructor
};

}  // namespace rapport
