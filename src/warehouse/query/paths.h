// Paths: what profiles do after their first event matching `start` (or before their last event
// matching `end`) — per current identity, the next `steps` events in (ts, seq) order as nodes,
// aggregated into a Sankey chart (nodes per step, links between steps, the top `limit` links per
// step). Spec and exact semantics: docs/queries.md (paths). Run is thread-safe.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "warehouse/query/common.h"
#include "warehouse/snapshot.h"

namespace rapport::warehouse {

inline constexpr int64_t kMaxPathSteps = 10;
inline constexpr int64_t kDefaultPathSteps = 5;
inline constexpr int64_t kDefaultPathLimit = 20;
inline constexpr int64_t kMaxPathLimit = 200;

struct PathsSpec {
  TimeRange range;
  EventFilter anchor;     // `start` or `end`
  bool from_end = false;  // true: `end` was given (paths leading to the anchor)
  int steps = kDefaultPathSteps;
  int limit = kDefaultPathLimit;  // links kept per step
  bool collapse_repeats = true;   // consecutive events with the same node name count once
};

struct PathsNode {
  int step = 0;        // 0..steps; start: the anchor is step 0; end: the anchor is step `steps`
  std::string name;    // "Order Completed", "page: Pricing", "identify", "(end)", "(other)"
  uint64_t count = 0;  // profiles at this node
};

struct PathsLink {
  int step = 0;  // the source's step; the target is at step + 1
  std::string source, target;
  uint64_t count = 0;
};

struct PathsResult {
  std::vector<PathsNode> nodes;  // by step, then count (descending), then name
  std::vector<PathsLink> links;  // by step, then count (descending), then source, target
  uint64_t profiles = 0;         // profiles with an anchor event in the range
};

// {"kind", "from", "to", "start" | "end", "steps", "limit", "collapse_repeats"}.
Result<PathsSpec> ParsePathsSpec(simdjson::dom::object spec);
// Fails only when the snapshot does (kCorruption).
Result<PathsResult> RunPaths(const Snapshot& snapshot, const PathsSpec& spec,
                             const QueryOptions& options);
// {"nodes":[{"id":"1:Product Viewed","step":1,"name":..,"count":..}],"links":[{"source":"0:..",
// "target":"1:..","count":..}],"profiles":N}
void AppendPathsJson(const PathsResult& result, const Snapshot& snapshot, std::string* out);
// One row per link: step, from, to, profiles.
Table PathsTable(const PathsResult& result);

}  // namespace rapport::warehouse
