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

// Dense indexes for the profiles a query meets: a stored profile id maps to the index of its
// current identity (ProfileMap::Current), so per-profile state lives in plain arrays. With the
// usual dense ids the index is the id itself; very sparse ids (beyond what an array indexed by id
// could hold) are ranked instead. Either way indexes grow with ids, so rows sorted by profile
// stay sorted by index except for merged-away ids ("moved"). Index 0: no profile. Shared with
// retention.
class DenseProfiles {
 public:
  struct Index {
    uint32_t index;  // of the current identity; 0 for profile 0
    bool moved;      // the id was merged away: `index` is not its own
  };

  // `chunks`: the chunk indexes the query will read (sparse ids are gathered from them).
  static Result<DenseProfiles> Build(const Snapshot& snapshot, const std::vector<size_t>& chunks,
                                     int threads);
  size_t size() const { return size_; }  // indexes are < size()
  Index Lookup(uint64_t stored) const {
    if (stored < direct_limit_) {
      if (redirect_.empty()) return {static_cast<uint32_t>(stored), false};
      const uint32_t current = redirect_[stored];
      return {current, current != stored};
    }
    return LookupSparse(stored);
  }
  uint32_t Map(uint64_t stored) const { return Lookup(stored).index; }
  // Every stored id is its own index (no merges, dense ids): callers may skip Lookup.
  bool identity() const { return direct_limit_ > 0 && redirect_.empty(); }
  // Whether the chunk's ids are within what Build saw in the chunk infos (its last row holds
  // its largest id: rows are sorted by profile). Callers fail with kCorruption otherwise.
  bool Covers(const Chunk& chunk) const {
    return direct_limit_ == 0 || chunk.rows == 0 || chunk.profile()[chunk.rows - 1] < direct_limit_;
  }

 private:
  Index LookupSparse(uint64_t stored) const;

  size_t size_ = 1;
  uint64_t direct_limit_ = 0;             // ids below it map through redirect_ (or to themselves)
  std::vector<uint32_t> redirect_;        // by stored id (only when the profile map has merges)
  std::vector<uint64_t> sparse_ids_;      // sparse mode: the ids seen and their survivors, sorted
  std::vector<uint32_t> sparse_current_;  // by position: 1 + position of the survivor
};

}  // namespace rapport::warehouse
