// ComputedState: one computed trait's aggregate for one profile; hourly buckets when windowed.
// A commutative monoid: the state and its bytes depend only on the values added and the latest
// Prune time, never on the order of Add/Merge calls (sums up to rounding). Not thread-safe; no
// I/O. Maps hold ≤ 10,000 values per bucket; counts saturate at 2^64 - 1. Format:
// docs/formats/computed-state.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "profile/computed/computed_def.h"
#include "profile/computed/computed_value.h"

namespace rapport {

class ComputedState {
 public:
  // Values tracked per map before it saturates (see Saturated).
  static constexpr size_t kMaxTrackedValues = 10000;
  static constexpr int64_t kHourUs = 3'600'000'000;

  // An empty state: no values, the identity of Merge, compatible with every definition.
  ComputedState() = default;

  // Adds the value Extract returned for one matching event at `timestamp_us` (event time, any
  // order); `seq` (unique, increasing in log order) only breaks first/last ties. Missing and null
  // values are ignored; numeric aggregates also ignore values AsNumber cannot read, and
  // distinct_count/most_frequent ignore objects and arrays. A windowed trait drops the value when
  // its hour can no longer count at the horizon (the latest Prune time).
  void Add(const ComputedDef& def, const ComputedValue& value, int64_t timestamp_us, uint64_t seq);
  // Folds in another profile's state: the result is what Add-ing every value of both would give.
  void Merge(const ComputedDef& def, const ComputedState& other);
  // Windowed traits: records `now_us` as the horizon (if later) and drops hour buckets that cannot
  // count at or after it. No effect on all-time traits.
  void Prune(const ComputedDef& def, int64_t now_us);

  // The value as JSON text (docs/computed-traits.md): count/distinct_count an integer; sum a
  // number; avg/min/max a number or null; first/last/most_frequent the value or null. A windowed
  // trait counts an event while hour_start(event) + window > now_us.
  std::string Evaluate(const ComputedDef& def, int64_t now_us) const;
  // The earliest time > now_us at which Evaluate can change without a new event (when the oldest
  // counting hour bucket expires); nullopt for all-time traits or when nothing counts.
  std::optional<int64_t> NextChange(const ComputedDef& def, int64_t now_us) const;
  // True when a distinct_count/most_frequent map that counts at now_us saw more than
  // kMaxTrackedValues distinct values: it then keeps exactly the kMaxTrackedValues smallest (by
  // canonical text, byte order), so distinct_count is a lower bound.
  bool Saturated(const ComputedDef& def, int64_t now_us) const;

  // latest_times: the kept event times, newest first (empty for other aggregates).
  const std::vector<int64_t>& LatestTimes(const ComputedDef& def) const;

  // A state built for another aggregate, or windowed vs all-time, is incompatible: Evaluate reads
  // it as empty, and Add/Merge/Prune first reset it to empty. The empty state fits any definition.
  bool Compatible(const ComputedDef& def) const;
  bool empty() const { return !aggregate_.has_value(); }
  // The aggregate and windowing the state was built for (nullopt / false when empty).
  std::optional<Aggregate> aggregate() const { return aggregate_; }
  bool windowed() const { return windowed_; }
  size_t bucket_count() const { return hours_.size(); }
  std::optional<int64_t> horizon() const { return horizon_; }

  // Compact, deterministic bytes (version 1): equal states give equal bytes.
  std::string Encode() const;
  // The same bytes in place of *encoded's (its capacity reused).
  void EncodeTo(std::string* encoded) const;
  // kCorruption ("computed state: <what> at byte N") for anything Encode would not write.
  static Result<ComputedState> Decode(std::string_view bytes);

  friend bool operator==(const ComputedState&, const ComputedState&) = default;

 private:
  struct Entry {
    uint64_t count = 0;  // most_frequent only (0 for distinct_count)
    uint8_t kinds = 0;   // most_frequent only: kKind* bits of the kinds seen with this text
    friend bool operator==(const Entry&, const Entry&) = default;
  };
  // The partial aggregate of one hour (or of all time); only the fields of its aggregate are used.
  struct Partial {
    uint64_t n = 0;         // count: events; sum/avg/min/max: numeric values
    double sum = 0;         // sum/avg: Neumaier sum, with
    double comp = 0;        // its running compensation
    double extreme = 0;     // min/max, valid when n > 0
    bool has_pick = false;  // first/last: the chosen value and its order key
    int64_t pick_ts = 0;
    uint64_t pick_seq = 0;
    ComputedValue pick;
    std::map<std::string, Entry> values;  // distinct_count/most_frequent, by canonical text
    std::vector<int64_t> times;           // latest_times: newest first, at most `keep`
    bool saturated = false;
    friend bool operator==(const Partial&, const Partial&) = default;
  };
  static constexpr uint8_t kKindString = 1, kKindNumber = 2, kKindBool = 4;

  friend class ComputedStateCodec;

  void Reset();
  // Makes the state fit `def`: adopts it when empty, resets first when incompatible.
  void Adopt(const ComputedDef& def);
  void PruneTo(const ComputedDef& def, int64_t horizon);
  static bool AddToPartial(Aggregate a, Partial* p, const ComputedValue& value, int64_t ts,
                           uint64_t seq);
  static void MergePartial(Aggregate a, Partial* into, const Partial& from, size_t keep = 0);
  // latest_times: inserts `ts` keeping the `keep` newest (duplicates count separately).
  static void AddTime(Partial* p, int64_t ts, size_t keep);
  // Counts `text` in a distinct_count / most_frequent map, within kMaxTrackedValues.
  static void AddKey(Partial* p, std::string text, const Entry& e);
  static bool PartialEmpty(Aggregate a, const Partial& p);
  // The partials that count at now_us (none when empty or incompatible).
  std::vector<const Partial*> Live(const ComputedDef& def, int64_t now_us) const;

  std::optional<Aggregate> aggregate_;  // nullopt: empty
  bool windowed_ = false;
  std::optional<int64_t> horizon_;    // windowed: the latest Prune time
  Partial total_;                     // all-time traits
  std::map<int64_t, Partial> hours_;  // windowed traits: hour number (UTC, floor) → partial
};

// floor(timestamp_us / 1 hour), the bucket an event falls in.
int64_t HourOf(int64_t timestamp_us);
// hour_start + window: the first time at which that hour's events no longer count (saturating).
int64_t HourExpiry(int64_t hour, int64_t window_us);

}  // namespace rapport
