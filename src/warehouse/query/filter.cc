#include "warehouse/query/filter.h"

#include <algorithm>

#include "profile/computed/computed_match.h"

namespace rapport::warehouse {

ComputedValue ValueAtRow(const PropertyColumn* column, size_t row) {
  if (column == nullptr) return ComputedValue::Missing();
  switch (column->kind[row]) {
    case ValueKind::kAbsent:
      return ComputedValue::Missing();
    case ValueKind::kNull:
      return ComputedValue::Null();
    case ValueKind::kFalse:
      return ComputedValue::Bool(false);
    case ValueKind::kTrue:
      return ComputedValue::Bool(true);
    case ValueKind::kNumber:
      return ComputedValue::Number(column->number[row]);
    case ValueKind::kString:
      return ComputedValue::String(std::string(column->text(row)));
    case ValueKind::kJson:
      return ComputedValue::Json(std::string(column->text(row)));
  }
  return ComputedValue::Missing();
}

CompiledFilter::CompiledFilter(const EventFilter& filter, const EventDictionary& events)
    : type_(filter.type), where_(filter.where) {
  if (!filter.event.empty()) {
    event_ = events.Find(filter.event);
    if (!event_) possible_ = false;
  }
  for (const WhereClause& c : where_) {
    if (std::find(paths_.begin(), paths_.end(), c.path) == paths_.end()) paths_.push_back(c.path);
  }
}

void CompiledFilter::ApplyClause(const WhereClause& clause, const Chunk& chunk,
                                 uint8_t* out) const {
  const PropertyColumn* col = chunk.Find(clause.path);
  const size_t n = chunk.rows;
  if (col == nullptr) {
    if (!Holds(clause, ComputedValue::Missing())) std::fill(out, out + n, 0);
    return;
  }
  // Decide once per kind that has no payload, and once per dictionary string.
  uint8_t by_kind[7];
  by_kind[static_cast<int>(ValueKind::kAbsent)] = Holds(clause, ComputedValue::Missing());
  by_kind[static_cast<int>(ValueKind::kNull)] = Holds(clause, ComputedValue::Null());
  by_kind[static_cast<int>(ValueKind::kFalse)] = Holds(clause, ComputedValue::Bool(false));
  by_kind[static_cast<int>(ValueKind::kTrue)] = Holds(clause, ComputedValue::Bool(true));
  std::vector<uint8_t> by_string(col->strings.size(), 0), by_json(col->strings.size(), 0);
  bool strings_done = false;
  for (size_t r = 0; r < n; ++r) {
    if (!out[r]) continue;
    const ValueKind k = col->kind[r];
    if (k == ValueKind::kNumber) {
      out[r] = Holds(clause, ComputedValue::Number(col->number[r]));
    } else if (k == ValueKind::kString || k == ValueKind::kJson) {
      if (!strings_done) {
        for (size_t s = 0; s < col->strings.size(); ++s) {
          by_string[s] = Holds(clause, ComputedValue::String(col->strings[s]));
          by_json[s] = Holds(clause, ComputedValue::Json(col->strings[s]));
        }
        strings_done = true;
      }
      out[r] = (k == ValueKind::kString ? by_string : by_json)[col->code[r]];
    } else {
      out[r] = by_kind[static_cast<int>(k)];
    }
  }
}

void CompiledFilter::Evaluate(const Chunk& chunk, uint8_t* out) const {
  const size_t n = chunk.rows;
  if (!possible_) {
    std::fill(out, out + n, 0);
    return;
  }
  const uint32_t* ev = chunk.event();
  const EventType* ty = chunk.type();
  if (event_ && type_) {
    for (size_t r = 0; r < n; ++r) out[r] = ev[r] == *event_ && ty[r] == *type_;
  } else if (event_) {
    for (size_t r = 0; r < n; ++r) out[r] = ev[r] == *event_;
  } else if (type_) {
    for (size_t r = 0; r < n; ++r) out[r] = ty[r] == *type_;
  } else {
    std::fill(out, out + n, 1);
  }
  for (const WhereClause& clause : where_) ApplyClause(clause, chunk, out);
}

bool CompiledFilter::Matches(const Chunk& chunk, size_t row) const {
  if (!possible_) return false;
  if (event_ && chunk.event()[row] != *event_) return false;
  if (type_ && chunk.type()[row] != *type_) return false;
  for (const WhereClause& clause : where_) {
    if (!Holds(clause, ValueAtRow(chunk.Find(clause.path), row))) return false;
  }
  return true;
}

}  // namespace rapport::warehouse
