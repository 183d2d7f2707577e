// What every query kind shares: the time range, calendar periods, event filters from JSON, the
// options a run takes, and the plain table the CLI prints. Periods are UTC: an hour, a day, a
// week starting on Monday, a calendar month. Pure functions; thread-safe.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "warehouse/query/filter.h"

namespace rapport::warehouse {

inline constexpr int64_t kHourUs = 3'600'000'000;
inline constexpr int64_t kDayUs = 86'400'000'000;

// [from_us, to_us): event times a query looks at.
struct TimeRange {
  int64_t from_us = 0;
  int64_t to_us = 0;
  bool Contains(int64_t ts) const { return ts >= from_us && ts < to_us; }
};

enum class Interval : uint8_t { kHour, kDay, kWeek, kMonth };
std::string_view IntervalName(Interval i);  // "hour", "day", "week", "month"

// The start of the period holding `ts`, and of the period `n` periods after the one holding it.
int64_t PeriodStart(int64_t ts, Interval interval);
int64_t AddPeriods(int64_t period_start, int64_t n, Interval interval);
// How many whole periods `to_start` is after `from_start` (both period starts).
int64_t PeriodsBetween(int64_t from_start, int64_t to_start, Interval interval);

struct QueryOptions {
  int threads = 0;     // 0: DefaultQueryThreads()
  int64_t now_us = 0;  // the time "now" for defaults (the server's clock)
};

// Readers of a query spec's JSON fields. Errors are kInvalidArgument and start with the field's
// name: `"steps[1].event" must be a string`.
// {"from": ISO-8601, "to": ISO-8601}: both required; from < to; at most 10 years apart.
Result<TimeRange> ParseTimeRange(simdjson::dom::object spec);
// "hour" | "day" | "week" | "month"; `fallback` when the field is absent.
Result<Interval> ParseInterval(simdjson::dom::object spec, std::string_view field,
                               Interval fallback);
// {"event": name, "type": "track"|..., "where": [clauses]}: every member optional.
Result<EventFilter> ParseEventFilter(simdjson::dom::element e, std::string_view field);
// The filter as JSON, in the form ParseEventFilter reads.
void AppendEventFilterJson(const EventFilter& f, std::string* out);
// A whole number in [lo, hi] at `field`; `fallback` when absent.
Result<int64_t> ParseInt(simdjson::dom::object spec, std::string_view field, int64_t lo, int64_t hi,
                         int64_t fallback);
// Fails naming the first member of `spec` that is not in `known`.
Status RejectUnknown(simdjson::dom::object spec, const std::vector<std::string_view>& known,
                     std::string_view where);

// A result as rows of text, for `rapport query`.
struct Table {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
  // Aligned columns (numbers right-aligned), a rule under the header, one line per row.
  std::string Render() const;
};

// A number as the tables print it: integers without a decimal point, else up to 4 decimals.
std::string FormatNumber(double x);

}  // namespace rapport::warehouse
