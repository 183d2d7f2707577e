// Config: every setting of `rapport serve`, from defaults, then a TOML file, then environment
// variables (RAPPORT_*), then command-line flags — each later source overrides the earlier.
// Plain data; validation errors name the setting and the source it came from.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace rapport {

// [identity]: the workspace's identifier types and rules (applied by src/identity).
struct IdentityConfig {
  std::vector<std::string> custom_types;                   // custom_types = ["crm_id", ...]
  std::optional<std::vector<std::string>> blocked_values;  // replaces the default list
  std::string phone_country_code = "1";                    // for numbers without one
  std::map<std::string, int64_t> limits;                   // [identity.limits] email = 3
  std::map<std::string, int64_t> priorities;               // [identity.priorities] crm_id = 2
  bool operator==(const IdentityConfig&) const = default;
};

struct Config {
  std::string http = "127.0.0.1:8080";  // [server] http      RAPPORT_HTTP
  std::string data_dir = "./data";      // [server] data      RAPPORT_DATA
  int threads = 0;                      // [server] threads   RAPPORT_THREADS (0: one per core)
  int background_nice = 10;   // [server] background_nice RAPPORT_BACKGROUND_NICE (0-19; 0: off)
  int background_share = 10;  // [server] background_share RAPPORT_BACKGROUND_SHARE: percent of a
                              // core derived state keeps while ingest waits for the cores
                              // (5-100; 100: off; common/pacing.h)
  int partitions = 0;         // [log] partitions   RAPPORT_LOG_PARTITIONS (0: as the log has;
                              // 1 for a new log)
  int64_t segment_mb = 64;    // [log] segment_mb   RAPPORT_LOG_SEGMENT_MB
  int64_t retention_hours = 168;    // [log] retention_hours RAPPORT_LOG_RETENTION_HOURS
  int64_t dedup_window_hours = 24;  // [collect] dedup_window_hours RAPPORT_DEDUP_WINDOW_HOURS
  int64_t dedup_filter_mb = 1024;   // [collect] dedup_filter_mb RAPPORT_DEDUP_FILTER_MB (16-65536)
  int64_t profiles_cache_mb = 0;    // [profiles] cache_mb RAPPORT_PROFILES_CACHE_MB (0: an eighth
                                    // of the machine's memory)
  int64_t warehouse_cache_mb = 0;   // [warehouse] cache_mb RAPPORT_WAREHOUSE_CACHE_MB (0: a quarter
                                    // of the machine's memory)
  std::string log_level = "info";   // [server] log_level RAPPORT_LOG_LEVEL
  bool huge_pages = true;   // [server] huge_pages RAPPORT_HUGE_PAGES: the heap asks for transparent
                            // huge pages (common/huge_pages.h)
  std::string console_dir;  // [server] console RAPPORT_CONSOLE: the built console (web/dist);
                            // "" finds it beside the binary or in ./web/dist
  IdentityConfig identity;  // [identity] (file only)

  // Checks ranges and formats; the message names the offending setting.
  Status Validate() const;
};

struct HostPort {
  std::string host;
  uint16_t port = 0;
};
// "127.0.0.1:8080", "[::1]:8080", "localhost:0".
Result<HostPort> ParseHostPort(std::string_view text);

// Applies the settings present in the TOML file at `path` (unknown keys are an error, so a
// typo is not silently ignored).
Status ApplyConfigFile(const std::string& path, Config* config);
// Applies RAPPORT_* variables read through `getenv` (injectable for tests).
Status ApplyEnvironment(const std::function<const char*(const char*)>& getenv, Config* config);

}  // namespace rapport
