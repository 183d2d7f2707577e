// Trends: how often events happen per period (hour, day, Monday week, calendar month) — a count,
// the distinct profiles (current identities), or the sum/avg/min/max of a numeric property — for
// up to 10 series, optionally broken down by an event property or a profile trait (top `limit`
// values, the rest as "(other)"). Spec and exact semantics: docs/queries.md (trends).
// Run is thread-safe (reads a Snapshot) and uses QueryOptions::threads cores.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "warehouse/query/common.h"
#include "warehouse/snapshot.h"

namespace rapport::warehouse {

inline constexpr size_t kMaxTrendsSeries = 10;
inline constexpr int64_t kMaxTrendsPeriods = 10000;  // periods between "from" and "to"
inline constexpr int64_t kDefaultTrendsLimit = 25;
inline constexpr int64_t kMaxTrendsLimit = 1000;

enum class TrendsMeasure : uint8_t { kCount, kUniqueProfiles, kSum, kAvg, kMin, kMax };
// "count", "unique_profiles", "sum", "avg", "min", "max".
std::string_view TrendsMeasureName(TrendsMeasure m);

struct TrendsSeriesSpec {
  EventFilter filter;
  TrendsMeasure measure = TrendsMeasure::kCount;
  std::string property;  // sum/avg/min/max: the numeric property's path; else empty
};

enum class TrendsBreakdown : uint8_t { kNone, kProperty, kTrait };

struct TrendsSpec {
  TimeRange range;
  Interval interval = Interval::kDay;
  std::vector<TrendsSeriesSpec> series;  // 1..kMaxTrendsSeries
  std::vector<WhereClause> filter;       // added to every series' filter
  TrendsBreakdown breakdown = TrendsBreakdown::kNone;
  std::string breakdown_name;  // kProperty: a path; kTrait: a trait name
  int64_t limit = kDefaultTrendsLimit;
};

// One line of the chart: a series, for one breakdown value when there is a breakdown.
struct TrendsLine {
  size_t series = 0;  // index in TrendsSpec::series
  std::string label;  // "Order Completed · count", "all events · unique_profiles"
  // The breakdown value's text; nullopt: the null group (property null or absent, no trait).
  std::optional<std::string> breakdown;
  bool other = false;  // the values past the first `limit`, together ("(other)")
  // Over the whole range (unique_profiles: distinct profiles, not a sum). nullopt: avg/min/max
  // of no value.
  std::optional<double> total;
  std::vector<std::optional<double>> values;  // per period of TrendsResult::periods
};

struct TrendsResult {
  Interval interval = Interval::kDay;
  std::vector<int64_t> periods;  // every period start from PeriodStart(from) to before "to"
  bool has_breakdown = false;
  // By series; within a series by the first series' total per value (descending), "(other)"
  // last. Without a breakdown: one line per series.
  std::vector<TrendsLine> lines;
};

// {"kind", "from", "to", "interval", "series", "filter", "breakdown", "limit"}; errors name the
// field: `"series[0].measure" must be one of "count", "unique_profiles", ...`.
Result<TrendsSpec> ParseTrendsSpec(simdjson::dom::object spec);
// Fails only when the snapshot does (kCorruption).
Result<TrendsResult> RunTrends(const Snapshot& snapshot, const TrendsSpec& spec,
                               const QueryOptions& options);
// {"interval":"day","series":[{"label","breakdown"?,"total","points":[{"t","value"}]}]}
void AppendTrendsJson(const TrendsResult& result, const Snapshot& snapshot, std::string* out);
// One row per line and period: series, [breakdown,] period, value.
Table TrendsTable(const TrendsResult& result);

// A period start as tables print it: "2024-03-05T14:00" (hour), "2024-03-05" (day, week),
// "2024-03" (month).
std::string PeriodLabel(int64_t period_start, Interval interval);

}  // namespace rapport::warehouse
