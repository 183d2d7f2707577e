#include "warehouse/query/trends.h"

#include <algorithm>
#include <utility>

#include "common/json_describe.h"
#include "common/json_writer.h"
#include "common/time_format.h"
#include "profile/computed/computed_value.h"
#include "warehouse/query/trends_scan.h"

namespace rapport::warehouse {

namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;
using trends_internal::Cell;
using trends_internal::GroupDict;
using trends_internal::IsValueMeasure;
using trends_internal::kNullGroup;
using trends_internal::Merged;
using trends_internal::Plan;
using trends_internal::ProfileArray;
using trends_internal::Scan;
using trends_internal::Worker;

constexpr std::string_view kMeasureList =
    "\"count\", \"unique_profiles\", \"sum\", \"avg\", \"min\", \"max\"";

std::string Quote(std::string_view field) { return "\"" + std::string(field) + "\""; }

bool ValidPath(std::string_view path) {
  if (path.empty() || path.size() > kMaxComputedPathBytes) return false;
  if (path.front() == '.' || path.back() == '.') return false;
  return path.find("..") == std::string_view::npos;
}

// ---- Spec ------------------------------------------------------------------------------------

Result<TrendsSeriesSpec> ParseSeries(element e, const std::string& field) {
  object obj;
  if (e.get_object().get(obj) != simdjson::SUCCESS) {
    return Status::InvalidArgument(Quote(field) + " must be an object with \"filter\" and " +
                                   "\"measure\", got " + DescribeJson(e));
  }
  RETURN_IF_ERROR(RejectUnknown(obj, {"filter", "measure", "property"}, field));
  TrendsSeriesSpec s;
  element v;
  if (obj.at_key("filter").get(v) == simdjson::SUCCESS) {
    ASSIGN_OR_RETURN(s.filter, ParseEventFilter(v, field + ".filter"));
  }
  if (obj.at_key("measure").get(v) == simdjson::SUCCESS) {
    std::string_view name;
    bool found = false;
    if (v.get_string().get(name) == simdjson::SUCCESS) {
      for (int m = 0; m <= static_cast<int>(TrendsMeasure::kMax); ++m) {
        if (TrendsMeasureName(static_cast<TrendsMeasure>(m)) == name) {
          s.measure = static_cast<TrendsMeasure>(m);
          found = true;
        }
      }
    }
    if (!found) {
      return Status::InvalidArgument(Quote(field + ".measure") + " must be one of " +
                                     std::string(kMeasureList) + ", got " + DescribeJson(v));
    }
  }
  const bool has_property = obj.at_key("property").get(v) == simdjson::SUCCESS;
  if (IsValueMeasure(s.measure)) {
    if (!has_property) {
      return Status::InvalidArgument(
          Quote(field + ".property") +
          " is required with \"measure\": " + JsonString(TrendsMeasureName(s.measure)));
    }
    std::string_view path;
    if (v.get_string().get(path) != simdjson::SUCCESS || !ValidPath(path)) {
      return Status::InvalidArgument(
          Quote(field + ".property") +
          " must be a dotted path such as \"properties.revenue\" (names separated by single "
          "dots, at most 256 bytes), got " +
          DescribeJson(v));
    }
    s.property = std::string(path);
  } else if (has_property) {
    return Status::InvalidArgument(Quote(field + ".property") +
                                   " applies only to the measures \"sum\", \"avg\", \"min\" and "
                                   "\"max\"");
  }
  return s;
}

Status ParseBreakdown(element e, TrendsSpec* spec) {
  object obj;
  if (e.get_object().get(obj) != simdjson::SUCCESS || obj.size() != 1) {
    return Status::InvalidArgument(
        "\"breakdown\" must be an object with one field, \"property\" or \"trait\", got " +
        DescribeJson(e));
  }
  RETURN_IF_ERROR(RejectUnknown(obj, {"property", "trait"}, "breakdown"));
  element v;
  std::string_view text;
  if (obj.at_key("property").get(v) == simdjson::SUCCESS) {
    if (v.get_string().get(text) != simdjson::SUCCESS || !ValidPath(text)) {
      return Status::InvalidArgument(
          "\"breakdown.property\" must be a dotted path such as \"properties.plan\" (names "
          "separated by single dots, at most 256 bytes), got " +
          DescribeJson(v));
    }
    spec->breakdown = TrendsBreakdown::kProperty;
  } else {
    if (obj.at_key("trait").get(v) != simdjson::SUCCESS ||
        v.get_string().get(text) != simdjson::SUCCESS || !ValidPath(text) ||
        text.size() > kMaxComputedPathBytes - 16) {
      return Status::InvalidArgument(
          "\"breakdown.trait\" must be a trait name such as \"plan\" (at most 240 bytes), got " +
          DescribeJson(v));
    }
    spec->breakdown = TrendsBreakdown::kTrait;
  }
  spec->breakdown_name = std::string(text);
  return Status::OK();
}

// ---- Lines -------------------------------------------------------------------------------------

std::optional<double> ValueOf(const Cell& c, TrendsMeasure m) {
  switch (m) {
    case TrendsMeasure::kCount:
    case TrendsMeasure::kUniqueProfiles:
      return c.n;
    case TrendsMeasure::kSum:
      return c.sum;
    case TrendsMeasure::kAvg:
      if (c.n == 0) return std::nullopt;
      return c.sum / c.n;
    case TrendsMeasure::kMin:
      if (c.n == 0) return std::nullopt;
      return c.min;
    case TrendsMeasure::kMax:
      if (c.n == 0) return std::nullopt;
      return c.max;
  }
  return std::nullopt;
}

std::string Label(const TrendsSeriesSpec& s) {
  return (s.filter.event.empty() ? std::string("all events") : s.filter.event) + " · " +
         std::string(TrendsMeasureName(s.measure));
}

// A line from per-period cells and the whole-range cell.
TrendsLine MakeLine(const TrendsSpec& spec, size_t s, const std::vector<Cell>& cells,
                    std::optional<double> unique_total) {
  const TrendsMeasure m = spec.series[s].measure;
  TrendsLine line;
  line.series = s;
  line.label = Label(spec.series[s]);
  Cell all;
  for (const Cell& c : cells) {
    line.values.push_back(ValueOf(c, m));
    all.Add(c);
  }
  line.total = m == TrendsMeasure::kUniqueProfiles ? unique_total.value_or(0) : ValueOf(all, m);
  return line;
}

void AppendOptionalNumber(const std::optional<double>& x, std::string* out) {
  if (x) {
    AppendJsonNumber(*x, out);
  } else {
    out->append("null");
  }
}

}  // namespace

std::string_view TrendsMeasureName(TrendsMeasure m) {
  switch (m) {
    case TrendsMeasure::kCount:
      return "count";
    case TrendsMeasure::kUniqueProfiles:
      return "unique_profiles";
    case TrendsMeasure::kSum:
      return "sum";
    case TrendsMeasure::kAvg:
      return "avg";
    case TrendsMeasure::kMin:
      return "min";
    case TrendsMeasure::kMax:
      return "max";
  }
  return "count";
}

Result<TrendsSpec> ParseTrendsSpec(object spec) {
  RETURN_IF_ERROR(RejectUnknown(
      spec, {"kind", "from", "to", "interval", "series", "filter", "breakdown", "limit"}, ""));
  TrendsSpec out;
  ASSIGN_OR_RETURN(out.range, ParseTimeRange(spec));
  ASSIGN_OR_RETURN(out.interval, ParseInterval(spec, "interval", Interval::kDay));
  const int64_t first = PeriodStart(out.range.from_us, out.interval);
  const int64_t periods =
      PeriodsBetween(first, PeriodStart(out.range.to_us - 1, out.interval), out.interval) + 1;
  if (periods > kMaxTrendsPeriods) {
    return Status::InvalidArgument("\"interval\" \"" + std::string(IntervalName(out.interval)) +
                                   "\" gives " + std::to_string(periods) +
                                   " periods from \"from\" to \"to\" (at most " +
                                   std::to_string(kMaxTrendsPeriods) + ")");
  }
  element v;
  array items;
  if (spec.at_key("series").get(v) != simdjson::SUCCESS) {
    return Status::InvalidArgument("\"series\" is required (an array of 1 to 10 series)");
  }
  if (v.get_array().get(items) != simdjson::SUCCESS || items.size() == 0 ||
      items.size() > kMaxTrendsSeries) {
    return Status::InvalidArgument("\"series\" must be an array of 1 to 10 series, got " +
                                   DescribeJson(v));
  }
  size_t i = 0;
  for (element e : items) {
    ASSIGN_OR_RETURN(TrendsSeriesSpec s, ParseSeries(e, "series[" + std::to_string(i++) + "]"));
    out.series.push_back(std::move(s));
  }
  if (spec.at_key("filter").get(v) == simdjson::SUCCESS) {
    if (v.get_array().get(items) != simdjson::SUCCESS) {
      return Status::InvalidArgument("\"filter\" must be an array of where clauses, got " +
                                     DescribeJson(v));
    }
    if (items.size() > kMaxWhereClauses) {
      return Status::InvalidArgument("\"filter\" may hold at most 16 clauses");
    }
    i = 0;
    for (element e : items) {
      ASSIGN_OR_RETURN(WhereClause c, ParseWhereClause(e, "filter[" + std::to_string(i++) + "]"));
      out.filter.push_back(std::move(c));
    }
  }
  if (spec.at_key("breakdown").get(v) == simdjson::SUCCESS) {
    RETURN_IF_ERROR(ParseBreakdown(v, &out));
  }
  ASSIGN_OR_RETURN(out.limit, ParseInt(spec, "limit", 1, kMaxTrendsLimit, kDefaultTrendsLimit));
  return out;
}

Result<TrendsResult> RunTrends(const Snapshot& snap, const TrendsSpec& spec,
                               const QueryOptions& options) {
  ASSIGN_OR_RETURN(Plan plan, trends_internal::MakePlan(snap, spec, options));
  TrendsResult result;
  result.interval = spec.interval;
  result.has_breakdown = spec.breakdown != TrendsBreakdown::kNone;
  for (size_t p = 0; p < plan.periods; ++p) {
    result.periods.push_back(AddPeriods(plan.first, static_cast<int64_t>(p), spec.interval));
  }
  GroupDict dict;
  ProfileArray<uint32_t> traits;
  if (spec.breakdown == TrendsBreakdown::kTrait) {
    ASSIGN_OR_RETURN(traits, trends_internal::TraitGroups(plan, &dict));
  }
  const size_t S = spec.series.size();
  const size_t P = plan.periods;
  Scan scan(plan, &dict, &traits, nullptr, std::vector<uint8_t>(S, 1));
  RETURN_IF_ERROR(scan.Run());
  std::vector<Merged> merged;
  for (size_t s = 0; s < S; ++s) {
    merged.push_back(trends_internal::MergeSeries(scan.workers(), s, spec.series[s].measure, P));
  }
  if (!result.has_breakdown) {
    for (size_t s = 0; s < S; ++s) {
      std::vector<Cell> cells(P);
      for (size_t p = 0; p < P; ++p) cells[p] = merged[s].At(0, p);
      auto it = merged[s].totals.find(0);
      result.lines.push_back(
          MakeLine(spec, s, cells, it == merged[s].totals.end() ? 0.0 : double(it->second)));
    }
    return result;
  }

  // Values seen, ranked by the first series' total.
  std::vector<uint8_t> seen(dict.size(), 0);
  for (Worker& w : scan.workers()) {
    for (size_t g = 0; g < w.seen.size() && g < seen.size(); ++g) seen[g] |= w.seen[g];
  }
  const TrendsMeasure m0 = spec.series[0].measure;
  std::vector<Cell> whole(dict.size());
  {
    const Merged& f = merged[0];
    // Dense capacity may run past the values seen (it grows by doubling).
    for (size_t cell = 0; cell < f.dense.size() && cell / P < whole.size(); ++cell) {
      whole[cell / P].Add(f.dense[cell]);
    }
    for (const auto& [cell, c] : f.overflow) {
      if (cell / P < whole.size()) whole[cell / P].Add(c);
    }
  }
  std::vector<uint32_t> ranked;
  std::vector<std::optional<double>> rank_total(dict.size());
  for (uint32_t g = 0; g < seen.size(); ++g) {
    if (!seen[g]) continue;
    ranked.push_back(g);
    if (m0 == TrendsMeasure::kUniqueProfiles) {
      auto it = merged[0].totals.find(g);
      rank_total[g] = it == merged[0].totals.end() ? 0.0 : double(it->second);
    } else {
      rank_total[g] = ValueOf(whole[g], m0);
    }
  }
  std::sort(ranked.begin(), ranked.end(), [&](uint32_t a, uint32_t b) {
    const auto &ta = rank_total[a], &tb = rank_total[b];
    if (ta.has_value() != tb.has_value()) return ta.has_value();
    if (ta && *ta != *tb) return *ta > *tb;
    if ((a == kNullGroup) != (b == kNullGroup)) return b == kNullGroup;
    return dict.text(a) < dict.text(b);
  });
  const size_t kept = std::min<size_t>(ranked.size(), static_cast<size_t>(spec.limit));
  const bool has_other = ranked.size() > kept;
  std::vector<uint8_t> is_kept(dict.size(), 0);
  for (size_t k = 0; k < kept; ++k) is_kept[ranked[k]] = 1;

  // "(other)" for unique_profiles needs its own distinct count: a second scan, values remapped.
  std::vector<Merged> other_unique(S);
  std::vector<uint8_t> rescan(S, 0);
  bool any_rescan = false;
  for (size_t s = 0; s < S; ++s) {
    rescan[s] = has_other && spec.series[s].measure == TrendsMeasure::kUniqueProfiles;
    any_rescan = any_rescan || rescan[s];
  }
  if (any_rescan) {
    std::vector<uint32_t> remap(dict.size(), static_cast<uint32_t>(kept));
    for (size_t k = 0; k < kept; ++k) remap[ranked[k]] = static_cast<uint32_t>(k);
    remap.push_back(static_cast<uint32_t>(kept));  // back(): the other group (also for new ids)
    Scan again(plan, &dict, &traits, &remap, rescan);
    RETURN_IF_ERROR(again.Run());
    for (size_t s = 0; s < S; ++s) {
      if (rescan[s]) {
        other_unique[s] =
            trends_internal::MergeSeries(again.workers(), s, spec.series[s].measure, P);
      }
    }
  }

  for (size_t s = 0; s < S; ++s) {
    const Merged& ms = merged[s];
    for (size_t k = 0; k < kept; ++k) {
      const uint32_t g = ranked[k];
      std::vector<Cell> cells(P);
      for (size_t p = 0; p < P; ++p) cells[p] = ms.At(g, p);
      auto it = ms.totals.find(g);
      TrendsLine line = MakeLine(spec, s, cells, it == ms.totals.end() ? 0.0 : double(it->second));
      if (g != kNullGroup) line.breakdown = dict.text(g);
      result.lines.push_back(std::move(line));
    }
    if (!has_other) continue;
    std::vector<Cell> cells(P);
    std::optional<double> unique_total;
    if (rescan[s]) {
      const Merged& mo = other_unique[s];
      for (size_t p = 0; p < P; ++p) cells[p] = mo.At(kept, p);
      auto it = mo.totals.find(kept);
      unique_total = it == mo.totals.end() ? 0.0 : double(it->second);
    } else {
      for (size_t cell = 0; cell < ms.dense.size(); ++cell) {
        const size_t g = cell / P;
        if (g < seen.size() && seen[g] && !is_kept[g]) cells[cell % P].Add(ms.dense[cell]);
      }
      for (const auto& [cell, c] : ms.overflow) {
        const size_t g = cell / P;
        if (g < seen.size() && seen[g] && !is_kept[g]) cells[cell % P].Add(c);
      }
    }
    TrendsLine line = MakeLine(spec, s, cells, unique_total);
    line.other = true;
    line.breakdown = "(other)";
    result.lines.push_back(std::move(line));
  }
  return result;
}

void AppendTrendsJson(const TrendsResult& result, const Snapshot& snapshot, std::string* out) {
  *out += "{\"interval\":";
  AppendJsonString(out, IntervalName(result.interval));
  *out += ",\"series\":[";
  for (size_t i = 0; i < result.lines.size(); ++i) {
    const TrendsLine& line = result.lines[i];
    if (i) out->push_back(',');
    *out += "{\"label\":";
    AppendJsonString(out, line.label);
    if (result.has_breakdown) {
      *out += ",\"breakdown\":";
      if (line.breakdown) {
        AppendJsonString(out, *line.breakdown);
      } else {
        *out += "null";
      }
    }
    *out += ",\"total\":";
    AppendOptionalNumber(line.total, out);
    *out += ",\"points\":[";
    for (size_t p = 0; p < line.values.size() && p < result.periods.size(); ++p) {
      if (p) out->push_back(',');
      *out += "{\"t\":\"";
      AppendIso8601(result.periods[p], out);
      *out += "\",\"value\":";
      AppendOptionalNumber(line.values[p], out);
      out->push_back('}');
    }
    *out += "]}";
  }
  *out += "]}";
}

std::string PeriodLabel(int64_t period_start, Interval interval) {
  const std::string iso = FormatIso8601(period_start);
  switch (interval) {
    case Interval::kHour:
      return iso.substr(0, 16);
    case Interval::kDay:
    case Interval::kWeek:
      return iso.substr(0, 10);
    case Interval::kMonth:
      return iso.substr(0, 7);
  }
  return iso;
}

Table TrendsTable(const TrendsResult& result) {
  Table t;
  t.columns = {"series"};
  if (result.has_breakdown) t.columns.push_back("breakdown");
  t.columns.push_back(std::string(IntervalName(result.interval)));
  t.columns.push_back("value");
  for (const TrendsLine& line : result.lines) {
    for (size_t p = 0; p < line.values.size() && p < result.periods.size(); ++p) {
      std::vector<std::string> row = {line.label};
      if (result.has_breakdown) row.push_back(line.breakdown.value_or("(null)"));
      row.push_back(PeriodLabel(result.periods[p], result.interval));
      row.push_back(line.values[p] ? FormatNumber(*line.values[p]) : "");
      t.rows.push_back(std::move(row));
    }
  }
  return t;
}

}  // namespace rapport::warehouse
