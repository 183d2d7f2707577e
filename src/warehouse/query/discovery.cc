#include "warehouse/query/discovery.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "common/json_describe.h"
#include "common/json_writer.h"
#include "common/time_format.h"
#include "profile/computed/computed_value.h"
#include "warehouse/query/parallel.h"
#include "warehouse/query/trends_scan.h"

namespace rapport::warehouse {

namespace {

using simdjson::dom::element;
using simdjson::dom::object;
using trends_internal::DistinctCounter;

int Threads(const QueryOptions& options) {
  return options.threads > 0 ? options.threads : DefaultQueryThreads();
}

bool InRange(const ChunkInfo& info, const TimeRange& range) {
  return info.rows > 0 && info.max_ts >= range.from_us && info.min_ts < range.to_us;
}

std::vector<size_t> ChunksInRange(const Snapshot& snap, const TimeRange& range) {
  std::vector<size_t> out;
  for (size_t i = 0; i < snap.chunk_count(); ++i) {
    if (InRange(snap.info(i), range)) out.push_back(i);
  }
  return out;
}

bool ValidPath(std::string_view path) {
  if (path.empty() || path.size() > kMaxComputedPathBytes) return false;
  if (path.front() == '.' || path.back() == '.') return false;
  return path.find("..") == std::string_view::npos;
}

// The optional "event" member: an event name.
Status ParseEventName(object spec, std::string* out) {
  element v;
  if (spec.at_key("event").get(v) != simdjson::SUCCESS) return Status::OK();
  std::string_view name;
  if (v.get_string().get(name) != simdjson::SUCCESS || name.empty() || name.size() > 256) {
    return Status::InvalidArgument("\"event\" must be a string of 1 to 256 bytes, got " +
                                   DescribeJson(v));
  }
  *out = std::string(name);
  return Status::OK();
}

// Rows of a chunk in range and (when `filter`) matching it, as a 0/1 mask.
void RowMask(const Chunk& c, const TimeRange& range, const CompiledFilter* filter,
             std::vector<uint8_t>* mask) {
  mask->resize(c.rows);
  uint8_t* m = mask->data();
  if (filter != nullptr) {
    filter->Evaluate(c, m);
  } else {
    std::fill(m, m + c.rows, 1);
  }
  if (c.min_ts < range.from_us || c.max_ts >= range.to_us) {
    const int64_t* ts = c.ts();
    for (size_t r = 0; r < c.rows; ++r) m[r] &= range.Contains(ts[r]);
  }
}

enum KindBit : uint8_t {
  kBitString = 1,
  kBitNumber = 2,
  kBitBoolean = 4,
  kBitNull = 8,
  kBitObject = 16,
  kBitArray = 32
};

uint8_t KindBitOf(const PropertyColumn& col, size_t r) {
  switch (col.kind[r]) {
    case ValueKind::kString:
      return kBitString;
    case ValueKind::kNumber:
      return kBitNumber;
    case ValueKind::kTrue:
    case ValueKind::kFalse:
      return kBitBoolean;
    case ValueKind::kNull:
      return kBitNull;
    case ValueKind::kJson: {
      const std::string_view t = col.text(r);
      return !t.empty() && t[0] == '[' ? kBitArray : kBitObject;
    }
    default:
      return 0;
  }
}

int ValueRank(const Value& v) { return static_cast<int>(v.kind); }

}  // namespace

// ---- Events
// --------------------------------------------------------------------------------------

Result<EventsSpec> ParseEventsSpec(object spec) {
  RETURN_IF_ERROR(RejectUnknown(spec, {"kind", "from", "to", "profiles"}, ""));
  EventsSpec out;
  ASSIGN_OR_RETURN(out.range, ParseTimeRange(spec));
  element v;
  if (spec.at_key("profiles").get(v) == simdjson::SUCCESS &&
      v.get_bool().get(out.profiles) != simdjson::SUCCESS) {
    return Status::InvalidArgument("\"profiles\" must be true or false, got " + DescribeJson(v));
  }
  return out;
}

Result<EventsResult> RunEvents(const Snapshot& snap, const EventsSpec& spec,
                               const QueryOptions& options) {
  const int threads = Threads(options);
  const size_t E = snap.events().size();
  const size_t keys = kEventTypes * E;
  const std::vector<size_t> chunks = ChunksInRange(snap, spec.range);
  const ProfileMap& map = snap.profiles();
  uint64_t bound = map.max_id();
  for (size_t i : chunks) bound = std::max(bound, snap.info(i).max_profile);
  ++bound;
  const trends_internal::ProfileResolver profiles(map, bound);
  const size_t bitmap_bytes = (bound + 63) / 64 * 8;
  const size_t bitmap_cells =
      bound <= trends_internal::kMaxDenseProfiles
          ? trends_internal::kBitmapBudgetBytes / (bitmap_bytes * static_cast<size_t>(threads))
          : 0;
  struct Worker {
    std::vector<uint64_t> count;
    std::vector<int64_t> last;
    std::vector<uint32_t> stamp;
    uint32_t run = 0;
    DistinctCounter profiles;
    std::vector<uint8_t> mask;
  };
  std::vector<Worker> workers(threads);
  for (Worker& w : workers) {
    w.count.assign(keys, 0);
    w.last.assign(keys, INT64_MIN);
    if (spec.profiles) {
      w.stamp.assign(keys, 0);
      w.profiles.Init(bound, bitmap_cells);
    }
  }
  RETURN_IF_ERROR(ParallelChunks(chunks.size(), threads, [&](int wi, size_t k) -> Status {
    ASSIGN_OR_RETURN(ChunkPtr chunk, snap.Load(chunks[k], {}));
    const Chunk& c = *chunk;
    Worker& w = workers[wi];
    RowMask(c, spec.range, nullptr, &w.mask);
    const uint8_t* mask = w.mask.data();
    const int64_t* ts = c.ts();
    const EventType* type = c.type();
    const uint32_t* event = c.event();
    const uint64_t* prof = c.profile();
    uint64_t run = 0, cur = 0;
    for (size_t r = 0; r < c.rows; ++r) {
      if (!mask[r]) continue;
      const size_t key = static_cast<size_t>(type[r]) * E + event[r];
      ++w.count[key];
      w.last[key] = std::max(w.last[key], ts[r]);
      if (!spec.profiles || prof[r] == 0) continue;
      if (prof[r] != run) {
        run = prof[r];
        bool touched;
        cur = profiles.Resolve(run, &touched);
        if (++w.run == 0) {
          std::fill(w.stamp.begin(), w.stamp.end(), 0);
          w.run = 1;
        }
      }
      if (w.stamp[key] != w.run) {
        w.stamp[key] = w.run;
        w.profiles.Insert(cur, key);
      }
    }
    return Status::OK();
  }));
  EventsResult result;
  std::unordered_map<uint64_t, uint64_t> distinct;
  if (spec.profiles) {
    std::vector<DistinctCounter*> parts;
    for (Worker& w : workers) parts.push_back(&w.profiles);
    distinct = DistinctCounter::Count(parts);
  }
  for (size_t key = 0; key < keys; ++key) {
    EventStats s;
    s.last_seen = INT64_MIN;
    for (const Worker& w : workers) {
      s.count += w.count[key];
      s.last_seen = std::max(s.last_seen, w.last[key]);
    }
    if (s.count == 0) continue;
    s.type = static_cast<EventType>(key / E);
    s.name = std::string(snap.events().Name(static_cast<uint32_t>(key % E)));
    if (spec.profiles) {
      auto it = distinct.find(key);
      s.profiles = it == distinct.end() ? 0 : it->second;
    }
    result.events.push_back(std::move(s));
  }
  std::sort(result.events.begin(), result.events.end(), [](const auto& a, const auto& b) {
    return std::make_tuple(-static_cast<double>(a.count), a.type, a.name) <
           std::make_tuple(-static_cast<double>(b.count), b.type, b.name);
  });
  return result;
}

void AppendEventsJson(const EventsResult& result, const Snapshot& snapshot, std::string* out) {
  *out += "{\"events\":[";
  for (size_t i = 0; i < result.events.size(); ++i) {
    const EventStats& e = result.events[i];
    if (i) out->push_back(',');
    *out += "{\"name\":";
    if (e.name.empty()) {
      *out += "null";
    } else {
      AppendJsonString(out, e.name);
    }
    *out += ",\"type\":";
    AppendJsonString(out, EventTypeName(e.type));
    *out += ",\"count\":" + std::to_string(e.count);
    if (e.profiles) *out += ",\"profiles\":" + std::to_string(*e.profiles);
    *out += ",\"last_seen\":\"";
    AppendIso8601(e.last_seen, out);
    *out += "\"}";
  }
  *out += "]}";
}

Table EventsTable(const EventsResult& result) {
  Table t;
  const bool profiles = !result.events.empty() && result.events[0].profiles.has_value();
  t.columns = {"event", "type", "count"};
  if (profiles) t.columns.push_back("profiles");
  t.columns.push_back("last seen");
  for (const EventStats& e : result.events) {
    std::vector<std::string> row = {e.name.empty() ? "(no name)" : e.name,
                                    std::string(EventTypeName(e.type)), std::to_string(e.count)};
    if (profiles) row.push_back(std::to_string(e.profiles.value_or(0)));
    row.push_back(FormatIso8601(e.last_seen));
    t.rows.push_back(std::move(row));
  }
  return t;
}

// ---- Properties
// ----------------------------------------------------------------------------------

Result<PropertiesSpec> ParsePropertiesSpec(object spec) {
  RETURN_IF_ERROR(RejectUnknown(spec, {"kind", "from", "to", "event"}, ""));
  PropertiesSpec out;
  ASSIGN_OR_RETURN(out.range, ParseTimeRange(spec));
  RETURN_IF_ERROR(ParseEventName(spec, &out.event));
  return out;
}

Result<PropertiesResult> RunProperties(const Snapshot& snap, const PropertiesSpec& spec,
                                       const QueryOptions& options) {
  const int threads = Threads(options);
  EventFilter f;
  f.event = spec.event;
  const CompiledFilter filter(f, snap.events());
  PropertiesResult result;
  if (!filter.possible()) return result;
  const std::vector<size_t> chunks = ChunksInRange(snap, spec.range);
  struct Stats {
    uint64_t count = 0;
    uint8_t kinds = 0;
  };
  struct Worker {
    std::unordered_map<std::string, Stats> paths;
    std::vector<uint8_t> mask;
  };
  std::vector<Worker> workers(threads);
  RETURN_IF_ERROR(ParallelChunks(chunks.size(), threads, [&](int wi, size_t k) -> Status {
    ASSIGN_OR_RETURN(ChunkPtr chunk, snap.Load(chunks[k], snap.Paths(chunks[k])));
    const Chunk& c = *chunk;
    Worker& w = workers[wi];
    RowMask(c, spec.range, spec.event.empty() ? nullptr : &filter, &w.mask);
    for (const auto& col : c.columns) {
      Stats s;
      for (size_t r = 0; r < c.rows; ++r) {
        if (!w.mask[r] || col->kind[r] == ValueKind::kAbsent) continue;
        ++s.count;
        s.kinds |= KindBitOf(*col, r);
      }
      if (s.count == 0) continue;
      Stats& into = w.paths[col->path];
      into.count += s.count;
      into.kinds |= s.kinds;
    }
    return Status::OK();
  }));
  std::map<std::string, Stats> all;
  for (Worker& w : workers) {
    for (const auto& [path, s] : w.paths) {
      Stats& into = all[path];
      into.count += s.count;
      into.kinds |= s.kinds;
    }
  }
  static constexpr std::pair<uint8_t, const char*> kNames[] = {
      {kBitString, "string"}, {kBitNumber, "number"}, {kBitBoolean, "boolean"},
      {kBitNull, "null"},     {kBitObject, "object"}, {kBitArray, "array"}};
  for (const auto& [path, s] : all) {
    PropertyStats p;
    p.path = path;
    p.count = s.count;
    for (const auto& [bit, name] : kNames) {
      if (s.kinds & bit) p.kinds.push_back(name);
    }
    result.properties.push_back(std::move(p));
  }
  std::stable_sort(result.properties.begin(), result.properties.end(),
                   [](const auto& a, const auto& b) { return a.count > b.count; });
  return result;
}

void AppendPropertiesJson(const PropertiesResult& result, const Snapshot& snapshot,
                          std::string* out) {
  *out += "{\"properties\":[";
  for (size_t i = 0; i < result.properties.size(); ++i) {
    const PropertyStats& p = result.properties[i];
    if (i) out->push_back(',');
    *out += "{\"path\":";
    AppendJsonString(out, p.path);
    *out += ",\"count\":" + std::to_string(p.count) + ",\"kinds\":[";
    for (size_t k = 0; k < p.kinds.size(); ++k) {
      if (k) out->push_back(',');
      AppendJsonString(out, p.kinds[k]);
    }
    *out += "]}";
  }
  *out += "]}";
}

Table PropertiesTable(const PropertiesResult& result) {
  Table t;
  t.columns = {"path", "count", "kinds"};
  for (const PropertyStats& p : result.properties) {
    std::string kinds;
    for (const std::string& k : p.kinds) kinds += (kinds.empty() ? "" : ", ") + k;
    t.rows.push_back({p.path, std::to_string(p.count), kinds});
  }
  return t;
}

// ---- Values
// --------------------------------------------------------------------------------------

Result<ValuesSpec> ParseValuesSpec(object spec) {
  RETURN_IF_ERROR(RejectUnknown(spec, {"kind", "from", "to", "path", "event", "limit"}, ""));
  ValuesSpec out;
  ASSIGN_OR_RETURN(out.range, ParseTimeRange(spec));
  element v;
  std::string_view path;
  if (spec.at_key("path").get(v) != simdjson::SUCCESS) {
    return Status::InvalidArgument(
        "\"path\" is required (a property path such as "
        "\"properties.plan\")");
  }
  if (v.get_string().get(path) != simdjson::SUCCESS || !ValidPath(path)) {
    return Status::InvalidArgument(
        "\"path\" must be a dotted path such as \"properties.plan\" (names separated by single "
        "dots, at most 256 bytes), got " +
        DescribeJson(v));
  }
  out.path = std::string(path);
  RETURN_IF_ERROR(ParseEventName(spec, &out.event));
  ASSIGN_OR_RETURN(out.limit, ParseInt(spec, "limit", 1, kMaxValuesLimit, kDefaultValuesLimit));
  return out;
}

Result<ValuesResult> RunValues(const Snapshot& snap, const ValuesSpec& spec,
                               const QueryOptions& options) {
  const int threads = Threads(options);
  EventFilter f;
  f.event = spec.event;
  const CompiledFilter filter(f, snap.events());
  ValuesResult result;
  if (!filter.possible()) return result;
  const std::vector<size_t> chunks = ChunksInRange(snap, spec.range);
  struct Worker {
    std::unordered_map<std::string, uint64_t> strings, json;
    std::unordered_map<double, uint64_t> numbers;
    uint64_t nulls = 0, falses = 0, trues = 0;
    std::vector<uint8_t> mask;
    std::vector<uint64_t> by_code;
  };
  std::vector<Worker> workers(threads);
  const std::vector<std::string> paths = {spec.path};
  RETURN_IF_ERROR(ParallelChunks(chunks.size(), threads, [&](int wi, size_t k) -> Status {
    ASSIGN_OR_RETURN(ChunkPtr chunk, snap.Load(chunks[k], paths));
    const Chunk& c = *chunk;
    const PropertyColumn* col = c.Find(spec.path);
    if (col == nullptr) return Status::OK();
    Worker& w = workers[wi];
    RowMask(c, spec.range, spec.event.empty() ? nullptr : &filter, &w.mask);
    // Strings and JSON counted by dictionary code first: one map update per distinct value.
    const size_t codes = col->strings.size();
    w.by_code.assign(2 * codes, 0);
    for (size_t r = 0; r < c.rows; ++r) {
      if (!w.mask[r]) continue;
      switch (col->kind[r]) {
        case ValueKind::kNull:
          ++w.nulls;
          break;
        case ValueKind::kFalse:
          ++w.falses;
          break;
        case ValueKind::kTrue:
          ++w.trues;
          break;
        case ValueKind::kNumber:
          ++w.numbers[col->number[r] == 0 ? 0.0 : col->number[r]];
          break;
        case ValueKind::kString:
          ++w.by_code[col->code[r]];
          break;
        case ValueKind::kJson:
          ++w.by_code[codes + col->code[r]];
          break;
        default:
          break;
      }
    }
    for (size_t code = 0; code < codes; ++code) {
      if (w.by_code[code]) w.strings[col->strings[code]] += w.by_code[code];
      if (w.by_code[codes + code]) w.json[col->strings[code]] += w.by_code[codes + code];
    }
    return Status::OK();
  }));
  Worker all;
  for (Worker& w : workers) {
    for (const auto& [s, n] : w.strings) all.strings[s] += n;
    for (const auto& [s, n] : w.json) all.json[s] += n;
    for (const auto& [x, n] : w.numbers) all.numbers[x] += n;
    all.nulls += w.nulls;
    all.falses += w.falses;
    all.trues += w.trues;
  }
  std::vector<ValueStats> values;
  if (all.nulls) values.push_back({Value::Null(), all.nulls});
  if (all.falses) values.push_back({Value::Bool(false), all.falses});
  if (all.trues) values.push_back({Value::Bool(true), all.trues});
  for (const auto& [x, n] : all.numbers) values.push_back({Value::Number(x), n});
  for (const auto& [s, n] : all.strings) values.push_back({Value::String(s), n});
  for (const auto& [s, n] : all.json) values.push_back({Value::Json(s), n});
  std::sort(values.begin(), values.end(), [](const ValueStats& a, const ValueStats& b) {
    if (a.count != b.count) return a.count > b.count;
    if (a.value.kind != b.value.kind) return ValueRank(a.value) < ValueRank(b.value);
    if (a.value.number != b.value.number) return a.value.number < b.value.number;
    return a.value.text < b.value.text;
  });
  for (size_t i = 0; i < values.size(); ++i) {
    if (i < static_cast<size_t>(spec.limit)) {
      result.values.push_back(std::move(values[i]));
    } else {
      result.other_count += values[i].count;
    }
  }
  return result;
}

namespace {

void AppendValue(const Value& v, std::string* out) {
  switch (v.kind) {
    case ValueKind::kFalse:
      *out += "false";
      return;
    case ValueKind::kTrue:
      *out += "true";
      return;
    case ValueKind::kNumber:
      AppendJsonNumber(v.number, out);
      return;
    case ValueKind::kString:
      AppendJsonString(out, v.text);
      return;
    case ValueKind::kJson:
      *out += v.text;
      return;
    default:
      *out += "null";
  }
}

}  // namespace

void AppendValuesJson(const ValuesResult& result, const Snapshot& snapshot, std::string* out) {
  *out += "{\"values\":[";
  for (size_t i = 0; i < result.values.size(); ++i) {
    if (i) out->push_back(',');
    *out += "{\"value\":";
    AppendValue(result.values[i].value, out);
    *out += ",\"count\":" + std::to_string(result.values[i].count) + "}";
  }
  *out += "],\"other_count\":" + std::to_string(result.other_count) + "}";
}

Table ValuesTable(const ValuesResult& result) {
  Table t;
  t.columns = {"value", "count"};
  for (const ValueStats& v : result.values) {
    std::string text;
    if (v.value.kind == ValueKind::kString) {
      text = v.value.text;
    } else {
      AppendValue(v.value, &text);
    }
    t.rows.push_back({text, std::to_string(v.count)});
  }
  if (result.other_count) t.rows.push_back({"(other)", std::to_string(result.other_count)});
  return t;
}

}  // namespace rapport::warehouse
