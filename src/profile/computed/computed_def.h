// ComputedDef: the definition of a computed trait (which events, which value, which aggregate,
// which window), parsed strictly from the JSON of `POST /api/v1/computed-traits` and written back
// in one canonical form. Pure functions, thread-safe. Limits: name ≤ 64 chars, paths ≤ 256 bytes,
// ≤ 16 `where` clauses, window 1..3650 days, definition ≤ 64 KiB. Field reference:
// docs/computed-traits.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "common/status.h"
#include "profile/computed/computed_value.h"

namespace rapport {

enum class Aggregate : uint8_t {
  kCount,
  kSum,
  kAvg,
  kMin,
  kMax,
  kFirst,
  kLast,
  kDistinctCount,
  kMostFrequent,
  kLatestTimes,  // the event times of the `keep` latest matching events, newest first
};

// Event types a definition can select; kAny when neither "type" nor "event" is given.
enum class EventType : uint8_t { kAny, kTrack, kIdentify, kPage, kScreen, kGroup, kAlias };

enum class WhereOp : uint8_t {
  kEq,
  kNeq,
  kGt,
  kGte,
  kLt,
  kLte,
  kExists,
  kNotExists,
  kContains,
  kIn,  // the value equals one of `values` (as eq compares)
};

struct WhereClause {
  std::string path;  // dotted path from the event's root, e.g. "properties.currency"
  WhereOp op = WhereOp::kExists;
  ComputedValue value;  // missing for exists / not_exists / in; else null, bool, number or string
  std::vector<ComputedValue> values;  // in: 1..kMaxInValues scalars (null, bool, number, string)

  friend bool operator==(const WhereClause&, const WhereClause&) = default;
};

struct ComputedDef {
  std::string name;                  // [a-z][a-z0-9_]{0,63}
  EventType type = EventType::kAny;  // kTrack whenever `event` is set
  std::string event;                 // empty: any event name
  Aggregate aggregate = Aggregate::kCount;
  std::string property;            // empty: none (count: every event; first/last: timestamp)
  int32_t window_days = 0;         // 0: all time; else 1..3650
  int32_t keep = 0;                // latest_times only: 1..kMaxKeep; else 0
  std::vector<WhereClause> where;  // all must hold

  bool windowed() const { return window_days > 0; }
  int64_t window_us() const { return int64_t{window_days} * 86'400'000'000; }

  friend bool operator==(const ComputedDef&, const ComputedDef&) = default;
};

inline constexpr size_t kMaxComputedDefBytes = 65536;
inline constexpr size_t kMaxComputedNameChars = 64;
inline constexpr size_t kMaxComputedPathBytes = 256;
inline constexpr size_t kMaxComputedEventBytes = 256;
inline constexpr size_t kMaxWhereClauses = 16;
inline constexpr size_t kMaxInValues = 256;
inline constexpr int32_t kMaxWindowDays = 3650;
inline constexpr int32_t kMaxKeep = 1001;

// "count", "most_frequent", ...; "track", "page", ... ("" for kAny); "eq", "not_exists", ...
std::string_view AggregateName(Aggregate a);
std::string_view EventTypeName(EventType t);
std::string_view WhereOpName(WhereOp op);

// Parses and validates one definition. kInvalidArgument names the field and the reason
// (`computed trait "x": "window_days" must be an integer from 1 to 3650, got 0`); kTooLarge over
// kMaxComputedDefBytes.
Result<ComputedDef> ParseComputedDef(std::string_view json);

// One `where` clause from its JSON object ({"path", "op", "value"}; "in" takes an array of
// scalars). kInvalidArgument messages start with `field` (e.g. `"where[2].op" must be ...`).
Result<WhereClause> ParseWhereClause(simdjson::dom::element clause, std::string_view field);
// A JSON scalar (null, boolean, number, string) as a value; nullopt for objects and arrays.
std::optional<ComputedValue> ScalarValue(simdjson::dom::element v);

// The clause as canonical JSON: {"path":..,"op":..[,"value":..]}.
void AppendWhereClauseJson(const WhereClause& clause, std::string* out);

// Canonical JSON: keys in the order name, type, event, aggregate, keep, property, window_days,
// where (absent ones left out; "type" written whenever it is not kAny). ParseComputedDef(ToJson(d))
// == d for every parsed d.
std::string ToJson(const ComputedDef& def);

}  // namespace rapport
