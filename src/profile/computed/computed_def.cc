#include "profile/computed/computed_def.h"

#include <simdjson.h>

#include <array>
#include <optional>
#include <string>
#include <utility>

#include "common/json_describe.h"
#include "common/json_writer.h"

namespace rapport {

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

constexpr std::array<std::string_view, 10> kAggregateNames = {
    "count",          "sum",           "avg",         "min", "max", "first", "last",
    "distinct_count", "most_frequent", "latest_times"};
constexpr std::array<std::string_view, 7> kEventTypeNames = {"",       "track", "identify", "page",
                                                             "screen", "group", "alias"};
constexpr std::array<std::string_view, 10> kWhereOpNames = {
    "eq", "neq", "gt", "gte", "lt", "lte", "exists", "not_exists", "contains", "in"};

constexpr std::string_view kAggregateList =
    "count, sum, avg, min, max, first, last, distinct_count, most_frequent, latest_times";
constexpr std::string_view kEventTypeList = "track, identify, page, screen, group, alias";
constexpr std::string_view kWhereOpList =
    "eq, neq, gt, gte, lt, lte, exists, not_exists, contains, in";
constexpr std::string_view kFieldList =
    "name, type, event, aggregate, keep, property, window_days, where";

// True for "a.b.c": non-empty segments separated by single dots, at most kMaxComputedPathBytes.
bool ValidPath(std::string_view path) {
  if (path.empty() || path.size() > kMaxComputedPathBytes) return false;
  if (path.front() == '.' || path.back() == '.') return false;
  return path.find("..") == std::string_view::npos;
}

bool ValidName(std::string_view name) {
  if (name.empty() || name.size() > kMaxComputedNameChars) return false;
  if (name[0] < 'a' || name[0] > 'z') return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

template <size_t N>
int IndexOf(const std::array<std::string_view, N>& names, std::string_view s) {
  for (size_t i = 0; i < N; ++i) {
    if (!names[i].empty() && names[i] == s) return static_cast<int>(i);
  }
  return -1;
}

std::string Quoted(std::string_view field) { return "\"" + std::string(field) + "\""; }

// Collects the fields of one definition, reporting the first problem with the trait's name.
class DefParser {
 public:
  Result<ComputedDef> Parse(element root) {
    simdjson::dom::object obj;
    if (root.get_object().get(obj) != simdjson::SUCCESS) {
      return Fail("the definition must be a JSON object, got " + DescribeJson(root));
    }
    // The name first, so every later message can say which trait it is about.
    element name;
    if (obj.at_key("name").get(name) != simdjson::SUCCESS) return Fail("\"name\" is required");
    std::string_view name_text;
    if (name.get_string().get(name_text) != simdjson::SUCCESS || !ValidName(name_text)) {
      return Fail(
          "\"name\" must be 1 to 64 characters of a-z, 0-9 and _, starting with a letter, got " +
          DescribeJson(name));
    }
    def_.name = std::string(name_text);
    prefix_ = "computed trait " + JsonString(def_.name) + ": ";

    bool seen[8] = {};
    bool has_aggregate = false;
    bool has_type = false;
    for (simdjson::dom::key_value_pair kv : obj) {
      constexpr std::array<std::string_view, 8> kFields = {
          "name", "type", "event", "aggregate", "property", "window_days", "where", "keep"};
      int field = IndexOf(kFields, kv.key);
      if (field < 0) {
        return Fail("unknown field " + JsonString(TruncateUtf8(kv.key, 64)) +
                    " (fields: " + std::string(kFieldList) + ")");
      }
      if (seen[field]) return Fail("field " + Quoted(kv.key) + " appears twice");
      seen[field] = true;
      Status st;
      switch (field) {
        case 0:
          break;  // read above
        case 1:
          st = ParseType(kv.value);
          has_type = true;
          break;
        case 2:
          st = ParseEvent(kv.value);
          break;
        case 3:
          st = ParseAggregate(kv.value);
          has_aggregate = true;
          break;
        case 4:
          st = ParsePath(kv.value, "property", &def_.property);
          break;
        case 5:
          st = ParseWindow(kv.value);
          break;
        case 6:
          st = ParseWhere(kv.value);
          break;
        case 7:
          st = ParseKeep(kv.value);
          break;
      }
      if (!st.ok()) return st;
    }
    if (!has_aggregate) return Fail("\"aggregate\" is required (one of " + All(kAggregateList));
    if (!def_.event.empty()) {
      if (has_type && def_.type != EventType::kTrack) {
        return Fail(
            "\"event\" selects track events, so \"type\" must be \"track\" or left out, got " +
            JsonString(EventTypeName(def_.type)));
      }
      def_.type = EventType::kTrack;
    }
    if ((def_.aggregate == Aggregate::kLatestTimes) != (def_.keep > 0)) {
      return Fail(def_.keep > 0 ? "\"keep\" is only for \"latest_times\""
                                : "\"keep\" is required for \"latest_times\" (1 to " +
                                      std::to_string(kMaxKeep) + ")");
    }
    switch (def_.aggregate) {
      case Aggregate::kCount:
      case Aggregate::kFirst:
      case Aggregate::kLast:
        break;
      case Aggregate::kLatestTimes:
        if (!def_.property.empty() || def_.windowed()) {
          return Fail(
              "\"latest_times\" keeps event times over all time: leave out \"property\" and "
              "\"window_days\"");
        }
        break;
      default:
        if (def_.property.empty()) {
          return Fail("\"property\" is required for " + JsonString(AggregateName(def_.aggregate)) +
                      " (a dotted path such as \"properties.revenue\")");
        }
    }
    return std::move(def_);
  }

  Status Fail(std::string message) const {
    return Status::InvalidArgument((prefix_.empty() ? "computed trait: " : prefix_) + message);
  }

 private:
  static std::string All(std::string_view list) { return std::string(list) + ")"; }

  Status ParseType(element v) {
    std::string_view s;
    int i = v.get_string().get(s) == simdjson::SUCCESS ? IndexOf(kEventTypeNames, s) : -1;
    if (i < 0) {
      return Fail("\"type\" must be one of " + std::string(kEventTypeList) + ", got " +
                  DescribeJson(v));
    }
    def_.type = static_cast<EventType>(i);
    return Status::OK();
  }

  Status ParseEvent(element v) {
    std::string_view s;
    if (v.get_string().get(s) != simdjson::SUCCESS || s.empty() ||
        s.size() > kMaxComputedEventBytes) {
      return Fail("\"event\" must be a non-empty string of at most 256 bytes, got " +
                  DescribeJson(v));
    }
    def_.event = std::string(s);
    return Status::OK();
  }

  Status ParseAggregate(element v) {
    std::string_view s;
    int i = v.get_string().get(s) == simdjson::SUCCESS ? IndexOf(kAggregateNames, s) : -1;
    if (i < 0) {
      return Fail("\"aggregate\" must be one of " + std::string(kAggregateList) + ", got " +
                  DescribeJson(v));
    }
    def_.aggregate = static_cast<Aggregate>(i);
    return Status::OK();
  }

  Status ParsePath(element v, std::string_view field, std::string* out) {
    std::string_view s;
    if (v.get_string().get(s) != simdjson::SUCCESS || !ValidPath(s)) {
      return Fail(Quoted(field) +
                  " must be a dotted path such as \"properties.revenue\" (names separated by "
                  "single dots, at most 256 bytes), got " +
                  DescribeJson(v));
    }
    *out = std::string(s);
    return Status::OK();
  }

  Status ParseWindow(element v) {
    int64_t days = 0;
    if (v.type() != element_type::INT64 || v.get_int64().get(days) != simdjson::SUCCESS ||
        days < 1 || days > kMaxWindowDays) {
      return Fail("\"window_days\" must be an integer from 1 to 3650, got " + DescribeJson(v));
    }
    def_.window_days = static_cast<int32_t>(days);
    return Status::OK();
  }

  Status ParseKeep(element v) {
    int64_t n = 0;
    if (v.type() != element_type::INT64 || v.get_int64().get(n) != simdjson::SUCCESS || n < 1 ||
        n > kMaxKeep) {
      return Fail("\"keep\" must be an integer from 1 to " + std::to_string(kMaxKeep) + ", got " +
                  DescribeJson(v));
    }
    def_.keep = static_cast<int32_t>(n);
    return Status::OK();
  }

  Status ParseWhere(element v) {
    simdjson::dom::array clauses;
    if (v.get_array().get(clauses) != simdjson::SUCCESS || clauses.size() > kMaxWhereClauses) {
      return Fail("\"where\" must be an array of at most 16 conditions, got " +
                  (v.type() == element_type::ARRAY ? "an array of " + std::to_string(clauses.size())
                                                   : DescribeJson(v)));
    }
    size_t index = 0;
    for (element c : clauses) {
      auto clause = ParseWhereClause(c, "where[" + std::to_string(index++) + "]");
      if (!clause.ok()) return Fail(clause.status().message());
      def_.where.push_back(std::move(*clause));
    }
    return Status::OK();
  }

  ComputedDef def_;
  std::string prefix_;
};

}  // namespace

std::optional<ComputedValue> ScalarValue(element v) {
  switch (v.type()) {
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
      return ComputedValue::Number(v.get_double().value_unsafe());
    case element_type::STRING:
      return ComputedValue::String(std::string(v.get_string().value_unsafe()));
    case element_type::BOOL:
      return ComputedValue::Bool(v.get_bool().value_unsafe());
    case element_type::NULL_VALUE:
      return ComputedValue::Null();
    default:
      return std::nullopt;
  }
}

Result<WhereClause> ParseWhereClause(element c, std::string_view field_name) {
  const std::string field = "\"" + std::string(field_name);  // closed by each message
  auto fail = [](std::string m) { return Status::InvalidArgument(std::move(m)); };
  simdjson::dom::object obj;
  if (c.get_object().get(obj) != simdjson::SUCCESS) {
    return fail(field + "\" must be an object with \"path\", \"op\" and \"value\", got " +
                DescribeJson(c));
  }
  WhereClause clause;
  bool has_path = false, has_op = false, has_value = false;
  element value;
  for (simdjson::dom::key_value_pair kv : obj) {
    bool* seen = kv.key == "path"    ? &has_path
                 : kv.key == "op"    ? &has_op
                 : kv.key == "value" ? &has_value
                                     : nullptr;
    if (seen == nullptr) {
      return fail(field + "\" has an unknown field " + JsonString(TruncateUtf8(kv.key, 64)) +
                  " (fields: path, op, value)");
    }
    if (*seen) return fail(field + "\" has field " + Quoted(kv.key) + " twice");
    *seen = true;
    if (kv.key == "path") {
      std::string_view s;
      if (kv.value.get_string().get(s) != simdjson::SUCCESS || !ValidPath(s)) {
        return fail(field +
                    ".path\" must be a dotted path such as \"properties.revenue\" (names "
                    "separated by single dots, at most 256 bytes), got " +
                    DescribeJson(kv.value));
      }
      clause.path = std::string(s);
    } else if (kv.key == "op") {
      std::string_view s;
      int i = kv.value.get_string().get(s) == simdjson::SUCCESS ? IndexOf(kWhereOpNames, s) : -1;
      if (i < 0) {
        return fail(field + ".op\" must be one of " + std::string(kWhereOpList) + ", got " +
                    DescribeJson(kv.value));
      }
      clause.op = static_cast<WhereOp>(i);
    } else {
      value = kv.value;
    }
  }
  if (!has_path) return fail(field + ".path\" is required");
  if (!has_op) return fail(field + ".op\" is required (one of " + std::string(kWhereOpList) + ")");
  const std::string op = JsonString(WhereOpName(clause.op));
  const std::string value_field = field + ".value\"";
  if (clause.op == WhereOp::kExists || clause.op == WhereOp::kNotExists) {
    if (has_value) return fail(value_field + " must be left out with \"op\": " + op);
    return clause;
  }
  if (!has_value) return fail(value_field + " is required with \"op\": " + op);
  const element_type t = value.type();
  const bool is_number =
      t == element_type::INT64 || t == element_type::UINT64 || t == element_type::DOUBLE;
  switch (clause.op) {
    case WhereOp::kEq:
    case WhereOp::kNeq:
      if (t == element_type::OBJECT || t == element_type::ARRAY) {
        return fail(value_field + " must be a string, number, boolean or null with \"op\": " + op +
                    ", got " + DescribeJson(value));
      }
      break;
    case WhereOp::kContains:
      if (t != element_type::STRING) {
        return fail(value_field + " must be a string with \"op\": " + op + ", got " +
                    DescribeJson(value));
      }
      break;
    case WhereOp::kIn: {
      simdjson::dom::array items;
      const std::string expected = " must be an array of 1 to " + std::to_string(kMaxInValues) +
                                   " strings, numbers, booleans or nulls with \"op\": " + op;
      if (value.get_array().get(items) != simdjson::SUCCESS || items.size() == 0 ||
          items.size() > kMaxInValues) {
        return fail(value_field + expected + ", got " +
                    (t == element_type::ARRAY ? "an array of " + std::to_string(items.size())
                                              : DescribeJson(value)));
      }
      for (element item : items) {
        std::optional<ComputedValue> v = ScalarValue(item);
        if (!v) return fail(value_field + expected + ", got an item that is " + DescribeJson(item));
        clause.values.push_back(std::move(*v));
      }
      return clause;
    }
    default:  // gt, gte, lt, lte
      if (t != element_type::STRING && !is_number) {
        return fail(value_field + " must be a number or a string with \"op\": " + op + ", got " +
                    DescribeJson(value));
      }
  }
  clause.value = *ScalarValue(value);
  return clause;
}

void AppendWhereClauseJson(const WhereClause& c, std::string* out) {
  *out += "{\"path\":";
  AppendJsonString(out, c.path);
  *out += ",\"op\":";
  AppendJsonString(out, WhereOpName(c.op));
  if (c.op == WhereOp::kIn) {
    *out += ",\"value\":[";
    for (size_t i = 0; i < c.values.size(); ++i) {
      if (i > 0) *out += ',';
      c.values[i].AppendJson(out);
    }
    *out += ']';
  } else if (c.value.kind() != ComputedValue::Kind::kMissing) {
    *out += ",\"value\":";
    c.value.AppendJson(out);
  }
  *out += '}';
}

std::string_view AggregateName(Aggregate a) { return kAggregateNames[static_cast<size_t>(a)]; }
std::string_view EventTypeName(EventType t) { return kEventTypeNames[static_cast<size_t>(t)]; }
std::string_view WhereOpName(WhereOp op) { return kWhereOpNames[static_cast<size_t>(op)]; }

Result<ComputedDef> ParseComputedDef(std::string_view json) {
  if (json.size() > kMaxComputedDefBytes) {
    return Status::TooLarge("computed trait: the definition is " + std::to_string(json.size()) +
                            " bytes; the limit is " + std::to_string(kMaxComputedDefBytes));
  }
  simdjson::dom::parser parser;
  element root;
  if (auto err = parser.parse(json.data(), json.size()).get(root); err != simdjson::SUCCESS) {
    return Status::InvalidArgument(std::string("computed trait: not valid JSON: ") +
                                   simdjson::error_message(err));
  }
  return DefParser().Parse(root);
}

std::string ToJson(const ComputedDef& def) {
  std::string out = "{\"name\":";
  AppendJsonString(&out, def.name);
  if (def.type != EventType::kAny) {
    out += ",\"type\":";
    AppendJsonString(&out, EventTypeName(def.type));
  }
  if (!def.event.empty()) {
    out += ",\"event\":";
    AppendJsonString(&out, def.event);
  }
  out += ",\"aggregate\":";
  AppendJsonString(&out, AggregateName(def.aggregate));
  if (def.keep > 0) out += ",\"keep\":" + std::to_string(def.keep);
  if (!def.property.empty()) {
    out += ",\"property\":";
    AppendJsonString(&out, def.property);
  }
  if (def.window_days > 0) out += ",\"window_days\":" + std::to_string(def.window_days);
  if (!def.where.empty()) {
    out += ",\"where\":[";
    for (size_t i = 0; i < def.where.size(); ++i) {
      if (i > 0) out += ',';
      AppendWhereClauseJson(def.where[i], &out);
    }
    out += ']';
  }
  out += '}';
  return out;
}

}  // namespace rapport
