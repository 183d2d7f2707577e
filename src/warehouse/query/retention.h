// Retention: of the profiles whose first-ever "start" event falls in a period (their cohort), how
// many did a "return" event 1, 2, ... periods later. Periods are UTC days, weeks (from Monday) or
// calendar months; identities count as their current profile. Spec and exact semantics:
// docs/queries.md (retention). Run is thread-safe (reads a Snapshot).
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "warehouse/query/common.h"
#include "warehouse/snapshot.h"

namespace rapport::warehouse {

inline constexpr int64_t kMaxRetentionPeriods = 100;

struct RetentionSpec {
  TimeRange range;  // cohorts: profiles whose first start event is in it
  EventFilter start;
  EventFilter return_event;
  Interval interval = Interval::kWeek;  // day, week or month
  int64_t periods = 8;                  // cells per cohort, 1..kMaxRetentionPeriods
};

struct RetentionCohort {
  int64_t start_us = 0;  // the period's start
  uint64_t size = 0;
  // [0]: size; [k]: members with a return event in the k-th period after the cohort's; nullopt
  // when that period starts at or after the range's end (not observed yet).
  std::vector<std::optional<uint64_t>> returned;
};

struct RetentionResult {
  Interval interval = Interval::kWeek;
  std::vector<RetentionCohort> cohorts;  // every period from the one holding `from` on
  // [k]: returned[k] summed over the cohorts where it is observed, over their summed sizes;
  // nullopt when those cohorts are empty.
  std::vector<std::optional<double>> average;
};

// {"kind", "from", "to", "start", "return", "interval", "periods"}; errors name the field:
// `"return.type" must be one of ...`.
Result<RetentionSpec> ParseRetentionSpec(simdjson::dom::object spec);
// Fails only when the snapshot does (kCorruption).
Result<RetentionResult> RunRetention(const Snapshot& snapshot, const RetentionSpec& spec,
                                     const QueryOptions& options);
// {"interval":"week","cohorts":[{"start":ISO,"size":N,"returned":[...]}],"average":[...]}
void AppendRetentionJson(const RetentionResult& result, const Snapshot& snapshot, std::string* out);
Table RetentionTable(const RetentionResult& result);

}  // namespace rapport::warehouse
