#include "warehouse/query/retention.h"

#include <algorithm>
#include <limits>

#include "common/json_describe.h"
#include "common/json_writer.h"
#include "common/time_format.h"
#include "profile/computed/computed_value.h"
#include "warehouse/query/dense_profiles.h"
#include "warehouse/query/parallel.h"
#include "warehouse/row.h"

namespace rapport::warehouse {

namespace {

using simdjson::dom::element;
using simdjson::dom::object;

// A profile's first start event, as a code that orders like the time: 0 before `from`, 1 + c in
// cohort c, kNoStart for none before `to` (later ones never make a member).
constexpr uint16_t kNoStart = std::numeric_limits<uint16_t>::max();

// What a run needs to know about the calendar.
struct Plan {
  int64_t from = 0, to = 0;
  int64_t first = 0;    // start of the first cohort's period (the one holding `from`)
  int64_t cohorts = 0;  // periods from `first` up to the one holding `to - 1`
  int64_t periods = 0;
  int64_t ret_begin = 0, ret_end = 0;  // return events that can fill an observed cell k >= 1
  int64_t day0 = 0;
  std::vector<int32_t> period_of_day;  // day - day0 → period index, for [first, ret_end)

  int32_t Period(int64_t ts) const { return period_of_day[DayOf(ts) - day0]; }
};

Plan MakePlan(const RetentionSpec& spec) {
  Plan plan;
  plan.from = spec.range.from_us;
  plan.to = spec.range.to_us;
  plan.periods = spec.periods;
  plan.first = PeriodStart(plan.from, spec.interval);
  const int64_t last = PeriodStart(plan.to - 1, spec.interval);
  plan.cohorts = PeriodsBetween(plan.first, last, spec.interval) + 1;
  plan.ret_begin = AddPeriods(plan.first, 1, spec.interval);
  plan.ret_end = AddPeriods(last, 1, spec.interval);
  plan.day0 = DayOf(plan.first);
  plan.period_of_day.resize(DayOf(plan.ret_end) - plan.day0);
  int64_t begin = plan.first;
  for (int32_t c = 0; c < plan.cohorts; ++c) {
    const int64_t end = AddPeriods(begin, 1, spec.interval);
    for (int64_t d = DayOf(begin); d < DayOf(end); ++d) plan.period_of_day[d - plan.day0] = c;
    begin = end;
  }
  return plan;
}

struct Context {
  const Snapshot* snapshot;
  const Plan* plan;
  const DenseProfiles* profiles;
  CompiledFilter start, ret;
  std::vector<std::string> paths;
  std::vector<size_t> chunks;
  int threads;
};

// Counts per cohort: sizes[c] and cells[c * periods + k].
struct Tally {
  std::vector<uint64_t> sizes, cells;
};

constexpr int BitsOf(uint16_t) { return 16; }
constexpr int BitsOf(uint32_t) { return 32; }
constexpr int BitsOf(uint64_t) { return 64; }
constexpr int BitsOf(unsigned __int128) { return 128; }

template <typename F>
void ForEachBit(uint64_t b, int base, F&& f) {
  while (b != 0) {
    f(base + __builtin_ctzll(b));
    b &= b - 1;
  }
}

template <typename Bits, typename F>
void ForEachBit(Bits b, F&& f) {
  ForEachBit(static_cast<uint64_t>(b), 0, f);
  if constexpr (BitsOf(Bits{}) > 64) ForEachBit(static_cast<uint64_t>(b >> 64), 64, f);
}

// The rows r with hit[r] set, in order, into `rows` (sized for every row); returns how many.
// Without a branch per row, so that the loads of the rows that follow overlap: hits of a rare
// event are far apart, and a mispredicted branch per hit would wait for each cache miss alone.
size_t Hits(const uint8_t* hit, size_t n, uint32_t* rows) {
  size_t m = 0;
  for (size_t r = 0; r < n; ++r) {
    rows[m] = static_cast<uint32_t>(r);
    m += hit[r] != 0;
  }
  return m;
}

// Lowers the start code of each profile with a matching row of one chunk (`rows`: Hits).
template <typename LookupFn>
void MarkStarts(const Chunk& chunk, const uint32_t* rows, size_t m, const Plan& plan,
                const LookupFn& lookup, uint16_t* code) {
  const int64_t* ts = chunk.ts();
  const uint64_t* prof = chunk.profile();
  // The usual cases: the chunk (one day) is all before `from`, or all in one period of the range.
  int32_t same = -1;
  if (chunk.max_ts < plan.from) {
    same = 0;
  } else if (chunk.min_ts >= plan.from && chunk.max_ts < plan.to &&
             plan.Period(chunk.min_ts) == plan.Period(chunk.max_ts)) {
    same = 1 + plan.Period(chunk.min_ts);
  }
  if (same >= 0) {
    const uint16_t v = static_cast<uint16_t>(same);
    for (size_t i = 0; i < m; ++i) {
      uint16_t& c = code[lookup(prof[rows[i]])];
      c = std::min(c, v);
    }
    return;
  }
  for (size_t i = 0; i < m; ++i) {
    const int64_t t = ts[rows[i]];
    const uint16_t v = t < plan.from ? 0
                       : t < plan.to ? static_cast<uint16_t>(1 + plan.Period(t))
                                     : kNoStart;
    uint16_t& c = code[lookup(prof[rows[i]])];
    c = std::min(c, v);
  }
}

// Sets the return bits of each profile with a matching row of one chunk (`rows`: Hits):
// absolute periods, or (kAbsolute false) periods after the profile's cohort from `merged` codes.
template <typename Bits, bool kAbsolute, typename LookupFn>
void MarkReturns(const Chunk& chunk, const uint32_t* rows, size_t m, const Plan& plan,
                 const uint16_t* merged, const LookupFn& lookup, Bits* b) {
  const int64_t* ts = chunk.ts();
  const uint64_t* prof = chunk.profile();
  auto relative = [&](uint32_t p, int32_t a) {
    const int32_t k = a + 1 - merged[p];  // merged: 1 + cohort; 0 and kNoStart make no member
    const bool valid = (merged[p] != 0) & (k >= 1) & (k < plan.periods);
    return static_cast<Bits>(static_cast<Bits>(valid) << (valid ? k : 0));
  };
  if (chunk.min_ts >= plan.ret_begin && chunk.max_ts < plan.ret_end &&
      plan.Period(chunk.min_ts) == plan.Period(chunk.max_ts)) {
    // The usual case (a chunk holds one day): one period for all rows.
    const int32_t a = plan.Period(chunk.min_ts);
    for (size_t i = 0; i < m; ++i) {
      const uint32_t p = lookup(prof[rows[i]]);
      if constexpr (kAbsolute) {
        b[p] |= Bits{1} << a;
      } else {
        b[p] |= relative(p, a);
      }
    }
    return;
  }
  for (size_t i = 0; i < m; ++i) {
    const int64_t t = ts[rows[i]];
    if (t < plan.ret_begin || t >= plan.ret_end) continue;
    const uint32_t p = lookup(prof[rows[i]]);
    if constexpr (kAbsolute) {
      b[p] |= Bits{1} << plan.Period(t);
    } else {
      b[p] |= relative(p, plan.Period(t));
    }
  }
}

// Per-profile state in dense arrays, one set per worker (merged per profile range at the end).
// `absolute`: one pass; bit a of a profile = a return event in period a (needs cohorts <= width).
// Otherwise two passes: first starts, then bit k = a return k periods after the profile's cohort.
template <typename Bits>
Status Count(const Context& cx, bool absolute, Tally* total) {
  const Plan& plan = *cx.plan;
  const size_t n_profiles = cx.profiles->size();
  const size_t workers = static_cast<size_t>(cx.threads);
  std::vector<std::vector<uint16_t>> code(workers);
  std::vector<std::vector<Bits>> bits(workers);
  std::vector<std::vector<uint8_t>> hit(workers);
  std::vector<std::vector<uint32_t>> hit_rows(workers);
  std::vector<uint16_t> merged;  // two passes: the codes, merged after the first

  auto scan = [&](bool starts, bool returns) {
    return ParallelChunks(cx.chunks.size(), cx.threads, [&](int w, size_t i) -> Status {
      const ChunkInfo& info = cx.snapshot->info(cx.chunks[i]);
      const bool do_start = starts && cx.start.possible() && info.min_ts < plan.to;
      const bool do_return = returns && cx.ret.possible() && info.max_ts >= plan.ret_begin &&
                             info.min_ts < plan.ret_end;
      if (!do_start && !do_return) return Status::OK();
      ASSIGN_OR_RETURN(ChunkPtr chunk, cx.snapshot->Load(cx.chunks[i], cx.paths));
      if (!cx.profiles->Covers(*chunk)) {
        return Status::Corruption("warehouse chunk " + std::to_string(cx.chunks[i]) +
                                  " holds a profile id above its footer's maximum");
      }
      std::vector<uint8_t>& h = hit[w];
      h.resize(chunk->rows);
      std::vector<uint32_t>& rows = hit_rows[w];
      rows.resize(chunk->rows);
      auto identity = [](uint64_t stored) { return static_cast<uint32_t>(stored); };
      auto lookup = [&](uint64_t stored) { return cx.profiles->Map(stored); };
      const bool direct = cx.profiles->identity();
      if (do_start) {
        if (code[w].empty()) code[w].assign(n_profiles, kNoStart);
        cx.start.Evaluate(*chunk, h.data());
        const size_t m = Hits(h.data(), chunk->rows, rows.data());
        if (direct) {
          MarkStarts(*chunk, rows.data(), m, plan, identity, code[w].data());
        } else {
          MarkStarts(*chunk, rows.data(), m, plan, lookup, code[w].data());
        }
      }
      if (do_return) {
        if (bits[w].empty()) bits[w].assign(n_profiles, 0);
        cx.ret.Evaluate(*chunk, h.data());
        const size_t m = Hits(h.data(), chunk->rows, rows.data());
        if constexpr (BitsOf(Bits{}) == 128) {
          if (!absolute) {
            if (direct) {
              MarkReturns<Bits, false>(*chunk, rows.data(), m, plan, merged.data(), identity,
                                       bits[w].data());
            } else {
              MarkReturns<Bits, false>(*chunk, rows.data(), m, plan, merged.data(), lookup,
                                       bits[w].data());
            }
            return Status::OK();
          }
        }
        if (direct) {
          MarkReturns<Bits, true>(*chunk, rows.data(), m, plan, nullptr, identity, bits[w].data());
        } else {
          MarkReturns<Bits, true>(*chunk, rows.data(), m, plan, nullptr, lookup, bits[w].data());
        }
      }
      return Status::OK();
    });
  };
  auto slice = [&](size_t s, size_t* lo, size_t* hi) {
    *lo = n_profiles * s / workers;
    *hi = n_profiles * (s + 1) / workers;
  };
  auto min_code = [&](size_t p) {
    uint16_t c = kNoStart;
    for (const auto& cw : code) {
      if (!cw.empty()) c = std::min(c, cw[p]);
    }
    return c;
  };

  if (absolute) {
    RETURN_IF_ERROR(scan(true, true));
  } else {
    RETURN_IF_ERROR(scan(true, false));
    merged.assign(n_profiles, kNoStart);
    RETURN_IF_ERROR(ParallelChunks(workers, cx.threads, [&](int, size_t s) {
      size_t lo, hi;
      slice(s, &lo, &hi);
      for (size_t p = lo; p < hi; ++p) merged[p] = min_code(p);
      return Status::OK();
    }));
    code.clear();
    RETURN_IF_ERROR(scan(false, true));
  }

  const size_t cells = static_cast<size_t>(plan.cohorts * plan.periods);
  std::vector<Tally> tallies(workers);
  RETURN_IF_ERROR(ParallelChunks(workers, cx.threads, [&](int, size_t s) {
    Tally& t = tallies[s];
    t.sizes.assign(plan.cohorts, 0);
    t.cells.assign(cells, 0);
    Bits keep = 0;  // bits 0..periods-2: cells 1..periods-1
    for (int64_t k = 1; k < plan.periods && k - 1 < BitsOf(Bits{}); ++k) {
      keep |= Bits{1} << (k - 1);
    }
    size_t lo, hi;
    slice(s, &lo, &hi);
    for (size_t p = std::max<size_t>(lo, 1); p < hi; ++p) {  // index 0: no profile
      const uint16_t c = absolute ? min_code(p) : merged[p];
      if (c == 0 || c == kNoStart) continue;
      const int cohort = c - 1;
      ++t.sizes[cohort];
      Bits b = 0;
      for (const auto& bw : bits) {
        if (!bw.empty()) b |= bw[p];
      }
      const int shift = absolute ? cohort + 1 : 1;
      b = shift < BitsOf(Bits{}) ? static_cast<Bits>(b >> shift) & keep : 0;
      uint64_t* row = t.cells.data() + static_cast<size_t>(cohort) * plan.periods;
      ForEachBit(b, [&](int i) { ++row[i + 1]; });
    }
    return Status::OK();
  }));
  total->sizes.assign(plan.cohorts, 0);
  total->cells.assign(cells, 0);
  for (const Tally& t : tallies) {
    for (size_t c = 0; c < t.sizes.size(); ++c) total->sizes[c] += t.sizes[c];
    for (size_t c = 0; c < cells; ++c) total->cells[c] += t.cells[c];
  }
  return Status::OK();
}

Result<EventFilter> RequiredFilter(object spec, std::string_view field) {
  element e;
  if (spec.at_key(field).get(e) != simdjson::SUCCESS) {
    return Status::InvalidArgument("\"" + std::string(field) +
                                   "\" is required (an event filter such as "
                                   "{\"event\": \"Signed Up\"})");
  }
  return ParseEventFilter(e, field);
}

}  // namespace

Result<RetentionSpec> ParseRetentionSpec(object spec) {
  RETURN_IF_ERROR(
      RejectUnknown(spec, {"kind", "from", "to", "start", "return", "interval", "periods"}, ""));
  RetentionSpec out;
  ASSIGN_OR_RETURN(out.range, ParseTimeRange(spec));
  ASSIGN_OR_RETURN(out.start, RequiredFilter(spec, "start"));
  ASSIGN_OR_RETURN(out.return_event, RequiredFilter(spec, "return"));
  element e;
  if (spec.at_key("interval").get(e) == simdjson::SUCCESS) {
    std::string_view name;
    bool found = false;
    if (e.get_string().get(name) == simdjson::SUCCESS) {
      for (Interval i : {Interval::kDay, Interval::kWeek, Interval::kMonth}) {
        if (IntervalName(i) == name) {
          out.interval = i;
          found = true;
        }
      }
    }
    if (!found) {
      return Status::InvalidArgument(
          "\"interval\" must be one of \"day\", \"week\", \"month\", got " + DescribeJson(e));
    }
  }
  ASSIGN_OR_RETURN(out.periods, ParseInt(spec, "periods", 1, kMaxRetentionPeriods, 8));
  return out;
}

Result<RetentionResult> RunRetention(const Snapshot& snapshot, const RetentionSpec& spec,
                                     const QueryOptions& options) {
  if (spec.interval == Interval::kHour || spec.periods < 1 || spec.periods > kMaxRetentionPeriods ||
      spec.range.from_us >= spec.range.to_us) {
    return Status::InvalidArgument("retention: interval, periods or range out of bounds");
  }
  const Plan plan = MakePlan(spec);
  Context cx{&snapshot,
             &plan,
             nullptr,
             CompiledFilter(spec.start, snapshot.events()),
             CompiledFilter(spec.return_event, snapshot.events()),
             {},
             {},
             options.threads > 0 ? options.threads : DefaultQueryThreads()};
  for (const CompiledFilter* f : {&cx.start, &cx.ret}) {
    for (const std::string& p : f->paths()) {
      if (std::find(cx.paths.begin(), cx.paths.end(), p) == cx.paths.end()) cx.paths.push_back(p);
    }
  }
  const bool returns = plan.periods > 1 && plan.cohorts > 1 && cx.ret.possible();
  if (cx.start.possible()) {
    for (size_t i = 0; i < snapshot.chunk_count(); ++i) {
      const ChunkInfo& info = snapshot.info(i);
      if (info.rows == 0) continue;
      if (info.min_ts < plan.to ||
          (returns && info.max_ts >= plan.ret_begin && info.min_ts < plan.ret_end)) {
        cx.chunks.push_back(i);
      }
    }
  }
  ASSIGN_OR_RETURN(DenseProfiles profiles, DenseProfiles::Build(snapshot, cx.chunks, cx.threads));
  cx.profiles = &profiles;

  Tally tally;
  if (plan.cohorts <= 16) {
    RETURN_IF_ERROR(Count<uint16_t>(cx, true, &tally));
  } else if (plan.cohorts <= 32) {
    RETURN_IF_ERROR(Count<uint32_t>(cx, true, &tally));
  } else if (plan.cohorts <= 64) {
    RETURN_IF_ERROR(Count<uint64_t>(cx, true, &tally));
  } else if (plan.cohorts <= 128) {
    RETURN_IF_ERROR(Count<unsigned __int128>(cx, true, &tally));
  } else {
    RETURN_IF_ERROR(Count<unsigned __int128>(cx, false, &tally));
  }

  RetentionResult result;
  result.interval = spec.interval;
  std::vector<uint64_t> returned(plan.periods, 0), base(plan.periods, 0);
  int64_t start = plan.first;
  for (int64_t c = 0; c < plan.cohorts; ++c) {
    RetentionCohort cohort;
    cohort.start_us = start;
    cohort.size = tally.sizes[c];
    for (int64_t k = 0; k < plan.periods; ++k) {
      if (c + k >= plan.cohorts) {  // the period starts at or after `to`
        cohort.returned.push_back(std::nullopt);
        continue;
      }
      const uint64_t n = k == 0 ? cohort.size : tally.cells[c * plan.periods + k];
      cohort.returned.push_back(n);
      returned[k] += n;
      base[k] += cohort.size;
    }
    result.cohorts.push_back(std::move(cohort));
    start = AddPeriods(start, 1, spec.interval);
  }
  for (int64_t k = 0; k < plan.periods; ++k) {
    if (base[k] == 0) {
      result.average.push_back(std::nullopt);
    } else {
      result.average.push_back(static_cast<double>(returned[k]) / static_cast<double>(base[k]));
    }
  }
  return result;
}

void AppendRetentionJson(const RetentionResult& result, const Snapshot& snapshot,
                         std::string* out) {
  *out += "{\"interval\":";
  AppendJsonString(out, IntervalName(result.interval));
  *out += ",\"cohorts\":[";
  for (size_t c = 0; c < result.cohorts.size(); ++c) {
    const RetentionCohort& cohort = result.cohorts[c];
    if (c) out->push_back(',');
    *out += "{\"start\":\"";
    AppendIso8601(cohort.start_us, out);
    *out += "\",\"size\":" + std::to_string(cohort.size) + ",\"returned\":[";
    for (size_t k = 0; k < cohort.returned.size(); ++k) {
      if (k) out->push_back(',');
      *out += cohort.returned[k] ? std::to_string(*cohort.returned[k]) : "null";
    }
    *out += "]}";
  }
  *out += "],\"average\":[";
  for (size_t k = 0; k < result.average.size(); ++k) {
    if (k) out->push_back(',');
    if (result.average[k]) {
      AppendJsonNumber(*result.average[k], out);
    } else {
      *out += "null";
    }
  }
  *out += "]}";
}

Table RetentionTable(const RetentionResult& result) {
  Table table;
  table.columns = {"cohort", "size"};
  for (size_t k = 0; k < result.average.size(); ++k) {
    table.columns.push_back(std::string(IntervalName(result.interval)) + " " + std::to_string(k));
  }
  for (const RetentionCohort& cohort : result.cohorts) {
    std::vector<std::string> row = {FormatIso8601(cohort.start_us).substr(0, 10),
                                    std::to_string(cohort.size)};
    for (const auto& n : cohort.returned) row.push_back(n ? std::to_string(*n) : "");
    table.rows.push_back(std::move(row));
  }
  std::vector<std::string> avg = {"average", ""};
  for (const auto& a : result.average) avg.push_back(a ? FormatNumber(*a * 100) + "%" : "");
  table.rows.push_back(std::move(avg));
  return table;
}

}  // namespace rapport::warehouse
