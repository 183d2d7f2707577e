#include "warehouse/query/common.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "common/json_writer.h"
#include "common/time_format.h"
#include "profile/computed/computed_value.h"

namespace rapport::warehouse {

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Civil date ↔ days since 1970-01-01 (Howard Hinnant's algorithms).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = FloorDiv(y, 400);
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, int64_t* m, int64_t* d) {
  z += 719468;
  const int64_t era = FloorDiv(z, 146097);
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp + (mp < 10 ? 3 : -9);
  *y = yoe + era * 400 + (*m <= 2);
}

std::string Quote(std::string_view field) { return "\"" + std::string(field) + "\""; }

// Characters a terminal shows for UTF-8 text (continuation bytes do not count).
size_t DisplayWidth(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// A cell printed right-aligned: a decimal number, maybe a percentage, "-" or nothing (dates
// such as "2024-01-31" are text).
bool LooksNumeric(std::string_view v) {
  if (v.empty() || v == "-") return true;
  if (v.back() == '%') v.remove_suffix(1);
  return ParseDecimal(v).has_value();
}

}  // namespace

std::string_view IntervalName(Interval i) {
  switch (i) {
    case Interval::kHour:
      return "hour";
    case Interval::kDay:
      return "day";
    case Interval::kWeek:
      return "week";
    case Interval::kMonth:
      return "month";
  }
  return "day";
}

int64_t PeriodStart(int64_t ts, Interval interval) {
  switch (interval) {
    case Interval::kHour:
      return FloorDiv(ts, kHourUs) * kHourUs;
    case Interval::kDay:
      return FloorDiv(ts, kDayUs) * kDayUs;
    case Interval::kWeek: {
      // 1970-01-01 was a Thursday: Monday-based weeks start 3 days earlier (day -3).
      const int64_t day = FloorDiv(ts, kDayUs);
      return (FloorDiv(day + 3, 7) * 7 - 3) * kDayUs;
    }
    case Interval::kMonth: {
      int64_t y, m, d;
      CivilFromDays(FloorDiv(ts, kDayUs), &y, &m, &d);
      return DaysFromCivil(y, m, 1) * kDayUs;
    }
  }
  return ts;
}

int64_t AddPeriods(int64_t period_start, int64_t n, Interval interval) {
  switch (interval) {
    case Interval::kHour:
      return period_start + n * kHourUs;
    case Interval::kDay:
      return period_start + n * kDayUs;
    case Interval::kWeek:
      return period_start + n * 7 * kDayUs;
    case Interval::kMonth: {
      int64_t y, m, d;
      CivilFromDays(FloorDiv(period_start, kDayUs), &y, &m, &d);
      const int64_t months = y * 12 + (m - 1) + n;
      return DaysFromCivil(FloorDiv(months, 12), months - FloorDiv(months, 12) * 12 + 1, 1) *
             kDayUs;
    }
  }
  return period_start;
}

int64_t PeriodsBetween(int64_t from_start, int64_t to_start, Interval interval) {
  switch (interval) {
    case Interval::kHour:
      return FloorDiv(to_start - from_start, kHourUs);
    case Interval::kDay:
      return FloorDiv(to_start - from_start, kDayUs);
    case Interval::kWeek:
      return FloorDiv(to_start - from_start, 7 * kDayUs);
    case Interval::kMonth: {
      int64_t y1, m1, d1, y2, m2, d2;
      CivilFromDays(FloorDiv(from_start, kDayUs), &y1, &m1, &d1);
      CivilFromDays(FloorDiv(to_start, kDayUs), &y2, &m2, &d2);
      return (y2 * 12 + m2) - (y1 * 12 + m1);
    }
  }
  return 0;
}

Result<TimeRange> ParseTimeRange(object spec) {
  TimeRange range;
  for (auto [name, out] : {std::pair<std::string_view, int64_t*>{"from", &range.from_us},
                           std::pair<std::string_view, int64_t*>{"to", &range.to_us}}) {
    element e;
    if (spec.at_key(name).get(e) != simdjson::SUCCESS) {
      return Status::InvalidArgument(Quote(name) + " is required (an ISO-8601 time)");
    }
    std::string_view text;
    if (e.get_string().get(text) != simdjson::SUCCESS) {
      return Status::InvalidArgument(Quote(name) + " must be an ISO-8601 time string");
    }
    auto t = ParseIso8601(text);
    if (!t.ok()) {
      return Status::InvalidArgument(Quote(name) + ": " + t.status().message());
    }
    *out = *t;
  }
  if (range.from_us >= range.to_us) {
    return Status::InvalidArgument("\"from\" must be before \"to\"");
  }
  if (range.to_us - range.from_us > 3653 * kDayUs) {
    return Status::InvalidArgument("\"from\" and \"to\" may be at most 10 years apart");
  }
  return range;
}

Result<Interval> ParseInterval(object spec, std::string_view field, Interval fallback) {
  element e;
  if (spec.at_key(field).get(e) != simdjson::SUCCESS) return fallback;
  std::string_view text;
  if (e.get_string().get(text) == simdjson::SUCCESS) {
    for (Interval i : {Interval::kHour, Interval::kDay, Interval::kWeek, Interval::kMonth}) {
      if (IntervalName(i) == text) return i;
    }
  }
  return Status::InvalidArgument(Quote(field) +
                                 " must be one of \"hour\", \"day\", \"week\", \"month\"");
}

Result<EventFilter> ParseEventFilter(element e, std::string_view field) {
  object obj;
  if (e.get_object().get(obj) != simdjson::SUCCESS) {
    return Status::InvalidArgument(Quote(field) + " must be an object");
  }
  RETURN_IF_ERROR(RejectUnknown(obj, {"event", "type", "where"}, field));
  EventFilter f;
  element v;
  if (obj.at_key("event").get(v) == simdjson::SUCCESS) {
    std::string_view name;
    if (v.get_string().get(name) != simdjson::SUCCESS || name.empty() || name.size() > 256) {
      return Status::InvalidArgument(Quote(std::string(field) + ".event") +
                                     " must be a string of 1 to 256 bytes");
    }
    f.event = std::string(name);
  }
  if (obj.at_key("type").get(v) == simdjson::SUCCESS) {
    std::string_view name;
    if (v.get_string().get(name) == simdjson::SUCCESS) f.type = EventTypeFromName(name);
    if (!f.type) {
      return Status::InvalidArgument(
          Quote(std::string(field) + ".type") +
          " must be one of \"track\", \"identify\", \"page\", \"screen\", \"group\", \"alias\"");
    }
  }
  if (obj.at_key("where").get(v) == simdjson::SUCCESS) {
    simdjson::dom::array clauses;
    if (v.get_array().get(clauses) != simdjson::SUCCESS) {
      return Status::InvalidArgument(Quote(std::string(field) + ".where") + " must be an array");
    }
    size_t i = 0;
    for (element c : clauses) {
      if (i == kMaxWhereClauses) {
        return Status::InvalidArgument(Quote(std::string(field) + ".where") +
                                       " may hold at most 16 clauses");
      }
      ASSIGN_OR_RETURN(WhereClause clause, ParseWhereClause(c, std::string(field) + ".where[" +
                                                                   std::to_string(i) + "]"));
      f.where.push_back(std::move(clause));
      ++i;
    }
  }
  return f;
}

void AppendEventFilterJson(const EventFilter& f, std::string* out) {
  out->push_back('{');
  bool first = true;
  auto sep = [&] {
    if (!first) out->push_back(',');
    first = false;
  };
  if (!f.event.empty()) {
    sep();
    *out += "\"event\":";
    AppendJsonString(out, f.event);
  }
  if (f.type) {
    sep();
    *out += "\"type\":";
    AppendJsonString(out, EventTypeName(*f.type));
  }
  if (!f.where.empty()) {
    sep();
    *out += "\"where\":[";
    for (size_t i = 0; i < f.where.size(); ++i) {
      if (i) out->push_back(',');
      AppendWhereClauseJson(f.where[i], out);
    }
    out->push_back(']');
  }
  out->push_back('}');
}

Result<int64_t> ParseInt(object spec, std::string_view field, int64_t lo, int64_t hi,
                         int64_t fallback) {
  element e;
  if (spec.at_key(field).get(e) != simdjson::SUCCESS) return fallback;
  int64_t v = 0;
  double d = 0;
  if (e.get_int64().get(v) != simdjson::SUCCESS) {
    if (e.get_double().get(d) != simdjson::SUCCESS || d != std::floor(d) || d < -9e18 || d > 9e18) {
      return Status::InvalidArgument(Quote(field) + " must be a whole number from " +
                                     std::to_string(lo) + " to " + std::to_string(hi));
    }
    v = static_cast<int64_t>(d);
  }
  if (v < lo || v > hi) {
    return Status::InvalidArgument(Quote(field) + " must be a whole number from " +
                                   std::to_string(lo) + " to " + std::to_string(hi) + ", got " +
                                   std::to_string(v));
  }
  return v;
}

Status RejectUnknown(object spec, const std::vector<std::string_view>& known,
                     std::string_view where) {
  for (auto field : spec) {
    if (std::find(known.begin(), known.end(), field.key) == known.end()) {
      std::string list;
      for (auto k : known) list += (list.empty() ? "" : ", ") + Quote(k);
      return Status::InvalidArgument((where.empty() ? std::string("the query") : Quote(where)) +
                                     " has an unknown field " + Quote(field.key) +
                                     " (known: " + list + ")");
    }
  }
  return Status::OK();
}

std::string FormatNumber(double x) {
  if (std::isfinite(x) && x == std::floor(x) && std::fabs(x) < 1e15) {
    return std::to_string(static_cast<int64_t>(x));
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4f", x);
  std::string s = buf;
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

std::string Table::Render() const {
  std::vector<size_t> width(columns.size(), 0);
  std::vector<bool> numeric(columns.size(), true);
  for (size_t c = 0; c < columns.size(); ++c) width[c] = DisplayWidth(columns[c]);
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size() && c < columns.size(); ++c) {
      width[c] = std::max(width[c], DisplayWidth(row[c]));
      if (!LooksNumeric(row[c])) numeric[c] = false;
    }
  }
  std::string out;
  auto cell = [&](const std::string& v, size_t c) {
    const std::string pad(width[c] - std::min(width[c], DisplayWidth(v)), ' ');
    out += numeric[c] ? pad + v : v + pad;
    out += c + 1 < columns.size() ? "  " : "";
  };
  for (size_t c = 0; c < columns.size(); ++c) cell(columns[c], c);
  out += '\n';
  for (size_t c = 0; c < columns.size(); ++c) {
    out += std::string(width[c], '-') + (c + 1 < columns.size() ? "  " : "");
  }
  out += '\n';
  for (const auto& row : rows) {
    for (size_t c = 0; c < columns.size(); ++c) cell(c < row.size() ? row[c] : "", c);
    out += '\n';
  }
  return out;
}

}  // namespace rapport::warehouse
