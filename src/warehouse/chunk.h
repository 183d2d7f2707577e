// Chunk: a block of warehouse rows decoded into parallel arrays, the unit every query operator
// reads. Within one part, rows are sorted by (profile, ts, seq); a chunk never spans parts.
// Property columns are "variant" columns: per row a kind, a number and a dictionary code.
// A Chunk is immutable once built and safe to read from several threads.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace rapport::warehouse {

// The Segment call type of a row.
enum class EventType : uint8_t { kTrack = 0, kIdentify, kPage, kScreen, kGroup, kAlias };
inline constexpr int kEventTypes = 6;
std::string_view EventTypeName(EventType t);
// The type named "track", "identify", ...; nullopt for any other text.
std::optional<EventType> EventTypeFromName(std::string_view name);

// What one row holds at one property path.
enum class ValueKind : uint8_t {
  kAbsent = 0,  // the path is not in the event
  kNull,
  kFalse,
  kTrue,
  kNumber,  // number[row]
  kString,  // strings[code[row]]
  kJson,    // strings[code[row]]: a minified JSON array or object
};

struct PropertyColumn {
  std::string path;                  // e.g. "properties.revenue", "context.campaign.source"
  std::vector<ValueKind> kind;       // per row
  std::vector<double> number;        // per row; 0 unless kNumber
  std::vector<uint32_t> code;        // per row; 0 unless kString or kJson
  std::vector<std::string> strings;  // this column's dictionary (codes index it)

  std::string_view text(size_t row) const { return strings[code[row]]; }
};

// The columns every row has, decoded.
struct FixedColumns {
  std::vector<int64_t> ts;        // event time (the Segment `timestamp`), µs since the epoch, UTC
  std::vector<uint64_t> seq;      // log position, unique: (append time µs << 8) | log partition
  std::vector<uint64_t> profile;  // profile id when the event was stored (0: none); map it
                                  // through ProfileMap to the profile's current identity
  std::vector<uint32_t> event;    // event-name id in the EventDictionary; 0 = no name
  std::vector<EventType> type;
};

struct Chunk {
  size_t rows = 0;
  int64_t min_ts = 0, max_ts = 0;
  std::shared_ptr<const FixedColumns> fixed;
  // The property columns the reader asked for that exist in this chunk, sorted by path
  // ("userId", "anonymousId", "messageId", "properties.*", "context.*").
  std::vector<std::shared_ptr<const PropertyColumn>> columns;

  const int64_t* ts() const { return fixed->ts.data(); }
  const uint64_t* seq() const { return fixed->seq.data(); }
  const uint64_t* profile() const { return fixed->profile.data(); }
  const uint32_t* event() const { return fixed->event.data(); }
  const EventType* type() const { return fixed->type.data(); }
  // The column for `path`, or nullptr when no row of this chunk has it (or it was not asked for).
  const PropertyColumn* Find(std::string_view path) const;
};

using ChunkPtr = std::shared_ptr<const Chunk>;

// Event names, warehouse-wide and append-only: an id never changes meaning. Id 0 is "no name"
// (identify, group, alias); page and screen rows use their `name` when they have one.
class EventDictionary {
 public:
  EventDictionary() { names_.emplace_back(); }
  uint32_t Intern(std::string_view name);                     // adds when new
  std::optional<uint32_t> Find(std::string_view name) const;  // without adding
  std::string_view Name(uint32_t id) const { return names_[id]; }
  size_t size() const { return names_.size(); }  // ids are 0..size()-1
  const std::vector<std::string>& names() const { return names_; }

 private:
  std::vector<std::string> names_;
  std::unordered_map<std::string, uint32_t> ids_;
};

}  // namespace rapport::warehouse
