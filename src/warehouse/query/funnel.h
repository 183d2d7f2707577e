// Funnel: how many profiles went through an ordered list of steps within a conversion window —
// the level of ClickHouse's windowFunnel(window) (default mode) per current identity, counted per
// step, with times between steps and an optional breakdown by a property of the first step.
// Spec and exact semantics: docs/queries.md (funnels). Run is thread-safe (reads a Snapshot).
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "warehouse/chunk.h"
#include "warehouse/query/common.h"
#include "warehouse/snapshot.h"

namespace rapport::warehouse {

inline constexpr size_t kMaxFunnelSteps = 16;
inline constexpr size_t kFunnelBreakdownValues = 25;  // values shown; the rest are "(other)"

struct FunnelSpec {
  TimeRange range;
  std::vector<EventFilter> steps;  // 2..kMaxFunnelSteps
  int64_t window_us = 0;           // a chain's last step is at most this long after its first
  std::string breakdown;           // property path of the step-1 event; empty: no breakdown
};

struct FunnelStep {
  std::string name;    // the step's event, or "any event" / "any page event"
  uint64_t count = 0;  // profiles that reached at least this step
  // Median over those profiles of the time from the previous step (null for step 1 or nobody).
  std::optional<double> median_seconds_from_previous;
};

struct FunnelBucket {
  int64_t le_seconds = 0;  // profiles whose time to convert is in (previous bound, le_seconds]
  uint64_t count = 0;
};

struct FunnelGroup {
  std::optional<std::string> value;  // the breakdown value's text; nullopt: the property is absent
  bool other = false;                // the values past the first kFunnelBreakdownValues, summed
  std::vector<FunnelStep> steps;
};

struct FunnelResult {
  std::vector<FunnelStep> steps;
  std::optional<double> median_seconds_to_convert;  // over profiles that reached the last step
  std::vector<FunnelBucket> time_to_convert;
  bool has_breakdown = false;
  std::vector<FunnelGroup> breakdown;  // by step-1 count, descending; then null; then "(other)"
};

// {"kind", "from", "to", "steps", "window", "breakdown"}; errors name the field:
// `"steps[1].event" must be a string of 1 to 256 bytes`.
Result<FunnelSpec> ParseFunnelSpec(simdjson::dom::object spec);
// Fails only when the snapshot does (kCorruption).
Result<FunnelResult> RunFunnel(const Snapshot& snapshot, const FunnelSpec& spec,
                               const QueryOptions& options);
// {"steps":[...],"time_to_convert":{...}[,"breakdown":[...]]}
void AppendFunnelJson(const FunnelResult& result, const Snapshot& snapshot, std::string* out);
Table FunnelTable(const FunnelResult& result);

}  // namespace rapport::warehouse
