// Row: one event as the warehouse stores it, before it is columnized — the input of the part
// writer and of in-memory snapshots (and of the reference implementations in tests).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "warehouse/chunk.h"

namespace rapport::warehouse {

struct Value {
  ValueKind kind = ValueKind::kAbsent;
  double number = 0;  // kNumber
  std::string text;   // kString; kJson (minified)

  static Value Null() { return {ValueKind::kNull, 0, {}}; }
  static Value Bool(bool b) { return {b ? ValueKind::kTrue : ValueKind::kFalse, 0, {}}; }
  static Value Number(double x) { return {ValueKind::kNumber, x, {}}; }
  static Value String(std::string s) { return {ValueKind::kString, 0, std::move(s)}; }
  static Value Json(std::string s) { return {ValueKind::kJson, 0, std::move(s)}; }
  bool operator==(const Value&) const = default;
};

struct Row {
  int64_t ts = 0;
  uint64_t seq = 0;
  uint64_t profile = 0;
  EventType type = EventType::kTrack;
  std::string event;  // track: `event`; page/screen: `name` (may be empty); else empty
  std::vector<std::pair<std::string, Value>> props;  // by path; paths unique, any order
  bool operator==(const Row&) const = default;
};

// Day number (days since 1970-01-01 UTC) of a time in µs; floor for times before 1970.
inline int64_t DayOf(int64_t ts_us) {
  constexpr int64_t kDayUs = 86'400'000'000;
  return ts_us >= 0 ? ts_us / kDayUs : -((-ts_us + kDayUs - 1) / kDayUs);
}

}  // namespace rapport::warehouse
