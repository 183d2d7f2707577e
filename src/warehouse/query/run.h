// RunQuery: one entry point for every query kind — parses a JSON spec ({"kind": "trends" |
// "funnel" | "retention" | "paths" | "events" | "properties" | "values", ...}), runs it on a
// snapshot and renders the result as JSON (for the API) and as a table (for `rapport query`).
// Errors: kInvalidArgument naming the field for a bad spec, kCorruption from damaged data.
// Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "warehouse/query/common.h"
#include "warehouse/snapshot.h"

namespace rapport::warehouse {

struct QueryOutput {
  std::string kind;
  std::string json;  // the result object
  Table table;
};

inline constexpr size_t kMaxQuerySpecBytes = 256 * 1024;

Result<QueryOutput> RunQuery(const Snapshot& snapshot, std::string_view spec,
                             const QueryOptions& options);

}  // namespace rapport::warehouse
