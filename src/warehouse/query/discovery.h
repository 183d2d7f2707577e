// Discovery: what the console's pickers list — the events seen in a range (with counts, distinct
// profiles on request, last time seen), the property paths those events carry (how many rows
// have each, with which JSON kinds) and the most frequent values at one path. Spec and exact
// semantics: docs/queries.md (discovery). Run is thread-safe.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "warehouse/query/common.h"
#include "warehouse/row.h"
#include "warehouse/snapshot.h"

namespace rapport::warehouse {

inline constexpr int64_t kDefaultValuesLimit = 50;
inline constexpr int64_t kMaxValuesLimit = 1000;

// {"kind":"events","from","to","profiles":false}
struct EventsSpec {
  TimeRange range;
  bool profiles = false;  // also count distinct profiles (current identities) per event
};

struct EventStats {
  std::string name;  // empty: no name (identify, group, alias; an unnamed page or screen)
  EventType type = EventType::kTrack;
  uint64_t count = 0;
  std::optional<uint64_t> profiles;  // when asked for
  int64_t last_seen = 0;             // the latest event time in range, µs
};

struct EventsResult {
  std::vector<EventStats> events;  // by count (descending), then type, then name
};

// {"kind":"properties","from","to","event"?}
struct PropertiesSpec {
  TimeRange range;
  std::string event;  // empty: every event
};

struct PropertyStats {
  std::string path;
  uint64_t count = 0;              // rows that have the path (null included)
  std::vector<std::string> kinds;  // of "string", "number", "boolean", "null", "object", "array"
};

struct PropertiesResult {
  std::vector<PropertyStats> properties;  // by count (descending), then path
};

// {"kind":"values","from","to","path","event"?,"limit"?}
struct ValuesSpec {
  TimeRange range;
  std::string path;
  std::string event;  // empty: every event
  int64_t limit = kDefaultValuesLimit;
};

struct ValueStats {
  Value value;  // null, false, true, a number, a string or JSON (object/array)
  uint64_t count = 0;
};

struct ValuesResult {
  std::vector<ValueStats> values;  // the top `limit` by count (descending), then by value
  uint64_t other_count = 0;        // rows with any other value
};

Result<EventsSpec> ParseEventsSpec(simdjson::dom::object spec);
Result<EventsResult> RunEvents(const Snapshot& snapshot, const EventsSpec& spec,
                               const QueryOptions& options);
// {"events":[{"name","type","count","profiles"?,"last_seen"}]} (name null when empty)
void AppendEventsJson(const EventsResult& result, const Snapshot& snapshot, std::string* out);
Table EventsTable(const EventsResult& result);

// The paths are those Snapshot::Paths lists for the chunks in range.
Result<PropertiesSpec> ParsePropertiesSpec(simdjson::dom::object spec);
Result<PropertiesResult> RunProperties(const Snapshot& snapshot, const PropertiesSpec& spec,
                                       const QueryOptions& options);
// {"properties":[{"path","count","kinds":[...]}]}
void AppendPropertiesJson(const PropertiesResult& result, const Snapshot& snapshot,
                          std::string* out);
Table PropertiesTable(const PropertiesResult& result);

Result<ValuesSpec> ParseValuesSpec(simdjson::dom::object spec);
Result<ValuesResult> RunValues(const Snapshot& snapshot, const ValuesSpec& spec,
                               const QueryOptions& options);
// {"values":[{"value":..,"count":N}],"other_count":N}
void AppendValuesJson(const ValuesResult& result, const Snapshot& snapshot, std::string* out);
Table ValuesTable(const ValuesResult& result);

}  // namespace rapport::warehouse
