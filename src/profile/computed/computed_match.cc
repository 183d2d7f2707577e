#include "profile/computed/computed_match.h"

#include <optional>
#include <string>

#include "common/json_minify.h"
#include "common/time_format.h"

namespace rapport {

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// The array index a path segment names, if it is 1-9 digits.
std::optional<size_t> ArrayIndex(std::string_view segment) {
  if (segment.empty() || segment.size() > 9) return std::nullopt;
  size_t index = 0;
  for (char c : segment) {
    if (c < '0' || c > '9') return std::nullopt;
    index = index * 10 + static_cast<size_t>(c - '0');
  }
  return index;
}

bool StringFieldIs(element event, std::string_view key, std::string_view want) {
  std::string_view got;
  return event.at_key(key).get_string().get(got) == simdjson::SUCCESS && got == want;
}

// <0, 0, >0 like memcmp, or nullopt when `value` cannot be compared with `want`.
std::optional<int> Compare(const ComputedValue& value, const ComputedValue& want) {
  if (want.kind() == ComputedValue::Kind::kNumber) {
    std::optional<double> x = value.AsNumber();
    if (!x) return std::nullopt;
    return *x < want.number() ? -1 : (*x > want.number() ? 1 : 0);
  }
  if (want.kind() == ComputedValue::Kind::kString) {
    if (value.kind() != ComputedValue::Kind::kString) return std::nullopt;
    int c = std::string_view(value.text()).compare(want.text());
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  return std::nullopt;
}

bool Equal(const ComputedValue& value, const ComputedValue& want) {
  switch (want.kind()) {
    case ComputedValue::Kind::kNull:
      return value.kind() == ComputedValue::Kind::kNull;
    case ComputedValue::Kind::kBool:
      return value.kind() == ComputedValue::Kind::kBool && value.boolean() == want.boolean();
    case ComputedValue::Kind::kNumber:
    case ComputedValue::Kind::kString: {
      std::optional<int> c = Compare(value, want);
      return c && *c == 0;
    }
    default:
      return false;
  }
}

}  // namespace

ComputedValue ValueOf(element e) {
  switch (e.type()) {
    case element_type::NULL_VALUE:
      return ComputedValue::Null();
    case element_type::BOOL:
      return ComputedValue::Bool(e.get_bool().value_unsafe());
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
      return ComputedValue::Number(e.get_double().value_unsafe());
    case element_type::STRING:
      return ComputedValue::String(std::string(e.get_string().value_unsafe()));
    case element_type::OBJECT:
    case element_type::ARRAY:
      return ComputedValue::Json(Minified(e));
  }
  return ComputedValue::Missing();
}

ComputedValue ValueAt(element root, std::string_view path) {
  element cur = root;
  while (true) {
    size_t dot = path.find('.');
    std::string_view segment = path.substr(0, dot);
    element next;
    bool found = false;
    if (cur.type() == element_type::OBJECT) {
      found = cur.at_key(segment).get(next) == simdjson::SUCCESS;
    } else if (cur.type() == element_type::ARRAY) {
      std::optional<size_t> index = ArrayIndex(segment);
      found = index && cur.at(*index).get(next) == simdjson::SUCCESS;
    }
    if (!found) return ComputedValue::Missing();
    cur = next;
    if (dot == std::string_view::npos) return ValueOf(cur);
    path.remove_prefix(dot + 1);
  }
}

bool Holds(const WhereClause& clause, const ComputedValue& value) {
  switch (clause.op) {
    case WhereOp::kExists:
      return value.present();
    case WhereOp::kNotExists:
      return !value.present();
    case WhereOp::kEq:
      return Equal(value, clause.value);
    case WhereOp::kNeq:
      return !Equal(value, clause.value);
    case WhereOp::kIn:
      for (const ComputedValue& v : clause.values) {
        if (Equal(value, v)) return true;
      }
      return false;
    case WhereOp::kContains:
      return value.kind() == ComputedValue::Kind::kString &&
             clause.value.kind() == ComputedValue::Kind::kString &&
             value.text().find(clause.value.text()) != std::string::npos;
    case WhereOp::kGt:
    case WhereOp::kGte:
    case WhereOp::kLt:
    case WhereOp::kLte: {
      std::optional<int> c = Compare(value, clause.value);
      if (!c) return false;
      if (clause.op == WhereOp::kGt) return *c > 0;
      if (clause.op == WhereOp::kGte) return *c >= 0;
      if (clause.op == WhereOp::kLt) return *c < 0;
      return *c <= 0;
    }
  }
  return false;
}

bool Matches(const ComputedDef& def, element event) {
  if (event.type() != element_type::OBJECT) return false;
  if (def.type != EventType::kAny && !StringFieldIs(event, "type", EventTypeName(def.type))) {
    return false;
  }
  if (!def.event.empty() && !StringFieldIs(event, "event", def.event)) return false;
  for (const WhereClause& clause : def.where) {
    if (!Holds(clause, ValueAt(event, clause.path))) return false;
  }
  return true;
}

ComputedValue Extract(const ComputedDef& def, element event, int64_t timestamp_us) {
  if (!def.property.empty()) return ValueAt(event, def.property);
  switch (def.aggregate) {
    case Aggregate::kCount:
    case Aggregate::kLatestTimes:
      return ComputedValue::Bool(true);
    case Aggregate::kFirst:
    case Aggregate::kLast:
      return ComputedValue::String(FormatIso8601(timestamp_us));
    default:
      return ComputedValue::Missing();
  }
}

}  // namespace rapport
