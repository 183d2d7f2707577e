#include "warehouse/query/trends_scan.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <tuple>

#include "profile/computed/computed_value.h"
#include "warehouse/query/parallel.h"
#include "warehouse/row.h"

namespace rapport::warehouse::trends_internal {

void ColumnGroups::Prepare(const PropertyColumn& col, size_t rows, const uint8_t* need,
                           GroupDict* dict) {
  col_ = &col;
  rows_ = rows;
  const size_t strings = col.strings.size();
  code_.assign(std::max<size_t>(strings, 1), kUnset);  // non-text rows have code 0
  any_number_ = false;
  for (size_t r = 0; r < rows; ++r) any_number_ |= col.kind[r] == ValueKind::kNumber;
  if (strings > 0) {
    // Intern the dictionary's strings (only those of needed rows when some rows are not).
    if (need != nullptr) {
      for (size_t r = 0; r < rows; ++r) {
        const ValueKind k = col.kind[r];
        if (need[r] && (k == ValueKind::kString || k == ValueKind::kJson)) code_[col.code[r]] = 0;
      }
    }
    std::lock_guard<std::mutex> lock(dict->mu());
    for (size_t c = 0; c < strings; ++c) {
      if (need == nullptr || code_[c] == 0) code_[c] = dict->InternLocked(col.strings[c]);
    }
  }
  for (uint32_t& g : code_) g = g == kUnset ? kNullGroup : g;  // rows nobody asks about
  number_rows_.clear();
  numbers_.clear();
  if (!any_number_) return;
  for (size_t r = 0; r < rows; ++r) {
    if (col.kind[r] == ValueKind::kNumber && (need == nullptr || need[r])) {
      number_rows_.push_back(static_cast<uint32_t>(r));
      numbers_.try_emplace(col.number[r], kUnset);
    }
  }
  std::lock_guard<std::mutex> lock(dict->mu());
  for (auto& [x, id] : numbers_) id = dict->InternLocked(FormatJsonNumber(x));
}

void ColumnGroups::Fill(uint32_t* out) const {
  const ValueKind* kind = col_->kind.data();
  const uint32_t* code = col_->code.data();
  for (size_t r = 0; r < rows_; ++r) out[r] = OfText(kind[r], code[r]);
  for (uint32_t r : number_rows_) out[r] = numbers_.find(col_->number[r])->second;
}

void DistinctCounter::InsertSlow(uint64_t profile, uint64_t cell) {
  if (cell < bitmap_cells_ && profile < bound_) {
    if (cell >= bitmaps_.size()) bitmaps_.resize(cell + 1);
    auto& b = bitmaps_[cell];
    if (b.empty()) b.assign(words_, 0);
    b[profile >> 6] |= uint64_t{1} << (profile & 63);
  } else {
    keys_.push_back({cell, profile});
  }
}

uint64_t* DistinctCounter::Bitmap(uint64_t cell) {
  if (cell >= bitmap_cells_) return nullptr;
  if (cell >= bitmaps_.size()) bitmaps_.resize(cell + 1);
  auto& b = bitmaps_[cell];
  if (b.empty()) b.assign(words_, 0);
  return b.data();
}

uint64_t ProfileResolver::ResolveSlow(uint64_t stored, bool* touched) const {
  *touched = map_->Touched(stored);
  const uint64_t current = *touched ? map_->Current(stored) : stored;  // untouched: never moved
  if (stored < size_) {
    memo_[stored].store(current << 1 | (*touched ? 1 : 0), std::memory_order_relaxed);
  }
  return current;
}

std::unordered_map<uint64_t, uint64_t> DistinctCounter::Count(
    const std::vector<DistinctCounter*>& parts) {
  std::unordered_map<uint64_t, uint64_t> out;
  if (parts.empty()) return out;
  size_t cells = 0;
  for (DistinctCounter* p : parts) cells = std::max(cells, p->bitmaps_.size());
  std::vector<uint64_t> merged;
  for (size_t c = 0; c < cells; ++c) {
    merged.clear();
    for (DistinctCounter* p : parts) {
      if (c >= p->bitmaps_.size() || p->bitmaps_[c].empty()) continue;
      const auto& b = p->bitmaps_[c];
      if (merged.empty()) {
        merged = b;
      } else {
        for (size_t w = 0; w < b.size(); ++w) merged[w] |= b[w];
      }
    }
    uint64_t n = 0;
    for (uint64_t w : merged) n += std::popcount(w);
    if (n) out[c] += n;
  }
  std::vector<std::pair<uint64_t, uint64_t>> keys;
  for (DistinctCounter* p : parts) keys.insert(keys.end(), p->keys_.begin(), p->keys_.end());
  std::sort(keys.begin(), keys.end());
  for (size_t i = 0; i < keys.size(); ++i) {
    if (i == 0 || keys[i] != keys[i - 1]) ++out[keys[i].first];
  }
  return out;
}

Result<ProfileArray<uint32_t>> TraitGroups(const Plan& plan, GroupDict* dict) {
  const Snapshot& snap = *plan.snapshot;
  const std::string trait_path = "traits." + plan.spec->breakdown_name;
  const std::string context_path = "context.traits." + plan.spec->breakdown_name;
  const std::vector<std::string> paths = {context_path, trait_path};
  // The latest value per current profile: identify/group `traits.<name>` (priority 1) before
  // `context.traits.<name>` (priority 0), then by (ts, seq).
  struct Best {
    int64_t ts = std::numeric_limits<int64_t>::min();
    uint64_t seq = 0;
    uint32_t group = kUnset;
    uint8_t priority = 0;
    bool Before(uint8_t p, int64_t t, uint64_t s) const {
      return group == kUnset || std::tie(priority, ts, seq) < std::tie(p, t, s);
    }
  };
  struct TraitWorker {
    ProfileArray<Best> best;  // by current profile
    bool init = false;
    ColumnGroups columns;
    std::vector<uint32_t> tg, cg;
  };
  std::vector<TraitWorker> workers(plan.threads);
  const ProfileResolver& profiles = *plan.profiles;
  RETURN_IF_ERROR(ParallelChunks(snap.chunk_count(), plan.threads, [&](int w, size_t i) -> Status {
    ASSIGN_OR_RETURN(ChunkPtr c, snap.Load(i, paths));
    const PropertyColumn* tc = c->Find(trait_path);
    const PropertyColumn* cc = c->Find(context_path);
    if (tc == nullptr && cc == nullptr) return Status::OK();
    TraitWorker& tw = workers[w];
    if (!tw.init) {
      tw.best = ProfileArray<Best>(plan.profile_bound, Best{});
      tw.init = true;
    }
    const size_t n = c->rows;
    if (tc) {
      tw.columns.Prepare(*tc, n, nullptr, dict);
      tw.tg.resize(n);
      tw.columns.Fill(tw.tg.data());
    }
    if (cc) {
      tw.columns.Prepare(*cc, n, nullptr, dict);
      tw.cg.resize(n);
      tw.columns.Fill(tw.cg.data());
    }
    const uint64_t* prof = c->profile();
    const int64_t* ts = c->ts();
    const uint64_t* seq = c->seq();
    const EventType* type = c->type();
    uint64_t last = 0, cur = 0;
    for (size_t r = 0; r < n; ++r) {
      const bool has_trait = tc && tc->kind[r] != ValueKind::kAbsent &&
                             (type[r] == EventType::kIdentify || type[r] == EventType::kGroup);
      const bool has_context = cc && cc->kind[r] != ValueKind::kAbsent;
      if (prof[r] == 0 || !(has_trait || has_context)) continue;
      if (prof[r] != last) {
        bool touched;
        last = prof[r];
        cur = profiles.Resolve(last, &touched);
      }
      Best& b = tw.best.at(cur);
      const uint8_t priority = has_trait ? 1 : 0;
      if (b.Before(priority, ts[r], seq[r])) {
        b = {ts[r], seq[r], has_trait ? tw.tg[r] : tw.cg[r], priority};
      }
    }
    return Status::OK();
  }));
  // Fold every worker's latest values into the first one's.
  TraitWorker* into = nullptr;
  for (TraitWorker& tw : workers) {
    if (!tw.init) continue;
    if (into == nullptr) {
      into = &tw;
      continue;
    }
    tw.best.ForEach([&](uint64_t id, const Best& b) {
      if (b.group == kUnset) return;
      Best& t = into->best.at(id);
      if (t.Before(b.priority, b.ts, b.seq)) t = b;
    });
  }
  ProfileArray<uint32_t> out(plan.profile_bound, kNullGroup);
  if (into == nullptr) return out;
  into->best.ForEach([&](uint64_t id, const Best& b) {
    if (b.group != kUnset) out.at(id) = b.group;
  });
  return out;
}

void Scan::Periods(const Chunk& c, Worker& w) const {
  const TimeRange& range = plan_.spec->range;
  const Interval iv = plan_.spec->interval;
  const int64_t lo = std::max(c.min_ts, range.from_us);
  const int64_t hi = std::min(c.max_ts, range.to_us - 1);
  const int64_t first = plan_.first;
  auto index = [&](int64_t ts) {
    return static_cast<uint32_t>(PeriodsBetween(first, PeriodStart(ts, iv), iv));
  };
  const uint32_t p_lo = index(lo);
  w.one_period = p_lo == index(hi);
  w.p0 = p_lo;
  if (w.one_period) return;  // period[] is not filled: every row in range is in p0
  w.period.resize(c.rows);
  uint32_t* out = w.period.data();
  const int64_t* ts = c.ts();
  // Rows outside the range get a meaningless period: their masks are 0.
  switch (iv) {
    case Interval::kHour:
      for (size_t r = 0; r < c.rows; ++r) out[r] = static_cast<uint32_t>((ts[r] - first) / kHourUs);
      return;
    case Interval::kDay:
      for (size_t r = 0; r < c.rows; ++r) out[r] = static_cast<uint32_t>((ts[r] - first) / kDayUs);
      return;
    case Interval::kWeek:
      for (size_t r = 0; r < c.rows; ++r) {
        out[r] = static_cast<uint32_t>((ts[r] - first) / (7 * kDayUs));
      }
      return;
    case Interval::kMonth: {
      int64_t begin = 1, end = 0;  // the cached period [begin, end)
      uint32_t p = 0;
      for (size_t r = 0; r < c.rows; ++r) {
        if (ts[r] < range.from_us || ts[r] >= range.to_us) continue;
        if (ts[r] < begin || ts[r] >= end) {
          begin = PeriodStart(ts[r], iv);
          end = AddPeriods(begin, 1, iv);
          p = static_cast<uint32_t>(PeriodsBetween(first, begin, iv));
        }
        out[r] = p;
      }
      return;
    }
  }
}

void Scan::Groups(const Chunk& c, Worker& w) const {
  w.group_pending = false;
  if (plan_.spec->breakdown == TrendsBreakdown::kNone) return;  // group[] is not filled: all 0
  w.group.resize(c.rows);
  uint32_t* out = w.group.data();
  const TimeRange& range = plan_.spec->range;
  const uint8_t* need =
      c.min_ts >= range.from_us && c.max_ts < range.to_us ? nullptr : w.in_range.data();
  if (plan_.spec->breakdown == TrendsBreakdown::kProperty) {
    if (const PropertyColumn* col = c.Find(plan_.spec->breakdown_name)) {
      // Values are interned now; group[] is filled when a loop asks (FillGroups), since a
      // histogram can read the column directly.
      w.column_groups.Prepare(*col, c.rows, need, dict_);
      w.group_pending = true;
    } else {
      std::fill(out, out + c.rows, kNullGroup);
    }
  } else {
    const uint64_t* prof = c.profile();
    uint64_t last = 0;
    uint32_t g = kNullGroup;
    for (size_t r = 0; r < c.rows; ++r) {
      if (prof[r] != last) {
        bool touched;
        last = prof[r];
        g = last == 0 ? kNullGroup : traits_->get(plan_.profiles->Resolve(last, &touched));
      }
      out[r] = g;
    }
  }
  if (remap_ != nullptr) {
    FillGroups(w);
    const uint32_t other = remap_->back();
    for (size_t r = 0; r < c.rows; ++r) {
      out[r] = out[r] < remap_->size() ? (*remap_)[out[r]] : other;
    }
  }
}

void Scan::FillGroups(Worker& w) const {
  if (!w.group_pending) return;
  w.column_groups.Fill(w.group.data());
  w.group_pending = false;
}

void Scan::EnsureGroups(SeriesAcc& acc, TrendsMeasure m, size_t groups) const {
  groups = std::min(groups, plan_.dense_groups_cap);
  if (groups <= acc.groups) return;
  groups = std::min(plan_.dense_groups_cap, std::max(groups, acc.groups * 2));
  const size_t cells = groups * plan_.periods;
  acc.n.resize(cells, 0);
  if (IsValueMeasure(m)) {
    acc.sum.resize(cells, 0);
    acc.min.resize(cells, kInf);
    acc.max.resize(cells, -kInf);
  }
  if (m == TrendsMeasure::kUniqueProfiles) {
    acc.stamp_cell.resize(cells, 0);
    acc.stamp_group.resize(groups, 0);
  }
  acc.groups = groups;
}

void Scan::ResetStamps(Worker& w) const {
  for (SeriesAcc& acc : w.series) {
    std::fill(acc.stamp_cell.begin(), acc.stamp_cell.end(), 0);
    std::fill(acc.stamp_group.begin(), acc.stamp_group.end(), 0);
  }
  w.stamp = 1;
}

void Scan::Count(Worker& w, SeriesAcc& acc, size_t n, size_t groups) const {
  const size_t P = plan_.periods;
  const uint8_t* mask = w.mask.data();
  uint8_t* seen = w.seen.data();
  double* cnt = acc.n.data();
  const size_t dense = acc.groups;
  if (w.one_period && groups == 1) {
    size_t k = 0;
    for (size_t r = 0; r < n; ++r) k += mask[r];
    if (k) {
      cnt[w.p0] += static_cast<double>(k);
      seen[0] = 1;
    }
    return;
  }
  if (w.one_period && groups <= std::max<size_t>(n, 4096)) {
    // A histogram of the chunk's groups, branch-free; two halves (even and odd rows) so that
    // runs of one value do not wait on the previous increment.
    w.hist.assign(2 * groups, 0);
    uint32_t* h = w.hist.data();
    if (w.group_pending && !w.column_groups.any_number()) {
      // Straight from the column: no group[] written and read back.
      const ColumnGroups& cg = w.column_groups;
      const ValueKind* kind = cg.column().kind.data();
      const uint32_t* code = cg.column().code.data();
      for (size_t r = 0; r + 1 < n; r += 2) {
        h[cg.OfText(kind[r], code[r])] += mask[r];
        h[groups + cg.OfText(kind[r + 1], code[r + 1])] += mask[r + 1];
      }
      if (n % 2) h[cg.OfText(kind[n - 1], code[n - 1])] += mask[n - 1];
    } else {
      FillGroups(w);
      const uint32_t* group = w.group.data();
      for (size_t r = 0; r + 1 < n; r += 2) {
        h[group[r]] += mask[r];
        h[groups + group[r + 1]] += mask[r + 1];
      }
      if (n % 2) h[group[n - 1]] += mask[n - 1];
    }
    const size_t p = w.p0;
    for (size_t g = 0; g < groups; ++g) {
      const uint32_t k = h[g] + h[groups + g];
      if (k == 0) continue;
      seen[g] = 1;
      if (g < dense) {
        cnt[g * P + p] += k;
      } else {
        acc.overflow[g * P + p].n += k;
      }
    }
    return;
  }
  FillGroups(w);
  const RowIndex rows(w, plan_.spec->breakdown != TrendsBreakdown::kNone);
  for (size_t r = 0; r < n; ++r) {
    if (!mask[r]) continue;
    const uint32_t g = rows.Group(r);
    seen[g] = 1;
    if (g < dense) {
      cnt[g * P + rows(r)] += 1;
    } else {
      acc.overflow[uint64_t{g} * P + rows(r)].n += 1;
    }
  }
}

void Scan::Values(const Chunk& c, Worker& w, SeriesAcc& acc, const std::string& property) const {
  FillGroups(w);
  const size_t P = plan_.periods;
  const uint8_t* mask = w.mask.data();
  const RowIndex rows(w, plan_.spec->breakdown != TrendsBreakdown::kNone);
  uint8_t* seen = w.seen.data();
  const size_t dense = acc.groups;
  const PropertyColumn* col = c.Find(property);
  if (col == nullptr) {
    for (size_t r = 0; r < c.rows; ++r) {
      if (mask[r]) seen[rows.Group(r)] = 1;
    }
    return;
  }
  // Numeric strings count as numbers (as computed traits read them).
  w.string_value.resize(col->strings.size());
  for (size_t i = 0; i < col->strings.size(); ++i) {
    w.string_value[i] = ParseDecimal(col->strings[i]).value_or(std::nan(""));
  }
  double* cnt = acc.n.data();
  double* sum = acc.sum.data();
  double* mn = acc.min.data();
  double* mx = acc.max.data();
  for (size_t r = 0; r < c.rows; ++r) {
    if (!mask[r]) continue;
    const uint32_t g = rows.Group(r);
    seen[g] = 1;
    double x;
    const ValueKind k = col->kind[r];
    if (k == ValueKind::kNumber) {
      x = col->number[r];
    } else if (k == ValueKind::kString) {
      x = w.string_value[col->code[r]];
      if (std::isnan(x)) continue;
    } else {
      continue;
    }
    if (g < dense) {
      const size_t cell = g * P + rows(r);
      cnt[cell] += 1;
      sum[cell] += x;
      mn[cell] = std::min(mn[cell], x);
      mx[cell] = std::max(mx[cell], x);
    } else {
      acc.overflow[uint64_t{g} * P + rows(r)].Add(Cell{1, x, x, x});
    }
  }
}

// Distinct profiles: a (profile, period) counts once per run of its rows when all its rows of
// the period are in this run (change detection); else it goes to the exact counter.
void Scan::Unique(const Chunk& c, size_t index, Worker& w, SeriesAcc& acc) const {
  FillGroups(w);
  const size_t n = c.rows;
  const size_t P = plan_.periods;
  const uint8_t* mask = w.mask.data();
  const RowIndex rows(w, plan_.spec->breakdown != TrendsBreakdown::kNone);
  uint8_t* seen = w.seen.data();
  double* cnt = acc.n.data();
  const size_t dense = acc.groups;
  const ProfileResolver& profiles = *plan_.profiles;
  const uint64_t* prof = c.profile();
  const bool chunk_exact = plan_.exact[index];
  // Stored ids whose rows continue in the neighbouring chunk of the part (0: none).
  const uint64_t front = plan_.front[index] ? prof[0] : 0;
  const uint64_t back = plan_.back[index] ? prof[n - 1] : 0;
  uint64_t run = 0, cur = 0;
  bool exact = false;
  auto start_run = [&](uint64_t stored) {
    bool touched;
    run = stored;
    cur = profiles.Resolve(stored, &touched);
    exact = chunk_exact || touched || stored == front || stored == back;
  };
  if (plan_.spec->breakdown == TrendsBreakdown::kNone) {
    uint64_t* total_bits = acc.totals.Bitmap(0);  // nullptr: the counter keeps keys instead
    const uint64_t bits_bound = total_bits ? acc.totals.bound() : 0;
    auto add_total = [&] {
      if (cur < bits_bound) {
        total_bits[cur >> 6] |= uint64_t{1} << (cur & 63);
      } else {
        acc.totals.Insert(cur, 0);
      }
    };
    if (w.one_period && profiles.identity() && !chunk_exact && total_bits != nullptr) {
      // The common case, branch-free: the rows where a profile's run starts are gathered
      // (stream compaction), each is one profile in the period, except the runs shared with a
      // neighbouring chunk, which go to the exact counter.
      w.starts.resize(n);
      uint32_t* starts = w.starts.data();
      size_t k = 0;
      uint64_t prev = 0;
      uint8_t any = 0;
      if (w.all_rows) {
        for (size_t r = 0; r < n; ++r) {
          const uint64_t p = prof[r];
          starts[k] = static_cast<uint32_t>(r);
          k += (p != prev) & (p != 0);
          prev = p;
        }
        any = n > 0;
      } else {
        for (size_t r = 0; r < n; ++r) {
          const uint64_t p = prof[r];
          const uint8_t m = mask[r];
          starts[k] = static_cast<uint32_t>(r);
          k += m & (p != prev) & (p != 0);
          prev = m ? p : prev;
          any |= m;
        }
      }
      uint64_t fast = k;
      for (size_t i = 0; i < k; ++i) {
        const uint64_t p = prof[starts[i]];
        const bool shared = (i == 0 && p == front) || (i + 1 == k && p == back);
        if (shared) {
          acc.period_exact.Insert(p, w.p0);
          --fast;
        }
        if (p < bits_bound) {
          total_bits[p >> 6] |= uint64_t{1} << (p & 63);
        } else {
          acc.totals.Insert(p, 0);
        }
      }
      cnt[w.p0] += static_cast<double>(fast);
      if (any) seen[0] = 1;
      return;
    }
    if (w.one_period) {
      // One period: a profile counts once per run.
      uint64_t fast = 0;
      auto row = [&](size_t r) {
        const uint64_t stored = prof[r];
        if (stored == run || stored == 0) return;
        start_run(stored);
        add_total();
        if (exact) {
          acc.period_exact.Insert(cur, w.p0);
        } else {
          ++fast;
        }
      };
      bool any = false;
      if (w.all_rows) {
        for (size_t r = 0; r < n; ++r) row(r);
        any = n > 0;
      } else {
        for (size_t r = 0; r < n; ++r) {
          if (mask[r]) row(r), any = true;
        }
      }
      cnt[w.p0] += static_cast<double>(fast);
      if (any) seen[0] = 1;
      return;
    }
    // Within a run, periods only grow (rows are sorted by ts). Counts gather in `pending` for
    // period `pending_p` (a register, not a store per run).
    uint32_t last_p = kUnset, pending_p = kUnset;
    uint64_t pending = 0;
    bool any = false;
    for (size_t r = 0; r < n; ++r) {
      if (!w.all_rows && !mask[r]) continue;
      any = true;
      const uint64_t stored = prof[r];
      if (stored == 0) continue;
      if (stored != run) {
        start_run(stored);
        last_p = kUnset;
        add_total();
      }
      const uint32_t p = rows(r);
      if (p == last_p) continue;
      last_p = p;
      if (exact) {
        acc.period_exact.Insert(cur, p);
      } else if (p == pending_p) {
        ++pending;
      } else {
        if (pending) cnt[pending_p] += static_cast<double>(pending);
        pending_p = p;
        pending = 1;
      }
    }
    if (pending) cnt[pending_p] += static_cast<double>(pending);
    if (any) seen[0] = 1;
    return;
  }
  // With a breakdown: a (value, period) cell counts once per run (stamps). When the chunk has a
  // single period, counts gather in a histogram by value first.
  const bool histogram = w.one_period && dense <= std::max<size_t>(n, 4096);
  uint32_t* hist = nullptr;
  if (histogram) {
    w.hist.assign(dense, 0);
    hist = w.hist.data();
  }
  uint32_t* stamp_cell = acc.stamp_cell.data();
  uint32_t* stamp_group = acc.stamp_group.data();
  for (size_t r = 0; r < n; ++r) {
    if (!mask[r]) continue;
    const uint32_t g = rows.Group(r);
    seen[g] = 1;  // rows without a profile count as events of the value, never as profiles
    const uint64_t stored = prof[r];
    if (stored == 0) continue;
    if (stored != run) {
      start_run(stored);
      if (++w.stamp == 0) ResetStamps(w);
    }
    const uint64_t cell = uint64_t{g} * P + rows(r);
    if (g >= dense) {
      acc.period_exact.Insert(cur, cell);
      acc.totals.Insert(cur, g);
      continue;
    }
    if (stamp_cell[cell] != w.stamp) {
      stamp_cell[cell] = w.stamp;
      if (exact) {
        acc.period_exact.Insert(cur, cell);
      } else if (histogram) {
        ++hist[g];
      } else {
        cnt[cell] += 1;
      }
    }
    if (stamp_group[g] != w.stamp) {
      stamp_group[g] = w.stamp;
      acc.totals.Insert(cur, g);
    }
  }
  if (histogram) {
    for (size_t g = 0; g < dense; ++g) {
      if (hist[g]) cnt[g * P + w.p0] += hist[g];
    }
  }
}

Status Scan::ProcessChunk(Worker& w, size_t index) {
  ASSIGN_OR_RETURN(ChunkPtr chunk, plan_.snapshot->Load(index, plan_.paths));
  const Chunk& c = *chunk;
  const size_t n = c.rows;
  if (n == 0) return Status::OK();
  const TimeRange& range = plan_.spec->range;
  const bool partial = c.min_ts < range.from_us || c.max_ts >= range.to_us;
  if (partial) {
    w.in_range.resize(n);
    const int64_t* ts = c.ts();
    for (size_t r = 0; r < n; ++r) w.in_range[r] = range.Contains(ts[r]);
  }
  Periods(c, w);
  Groups(c, w);
  const size_t groups = remap_ != nullptr                                 ? remap_->back() + 1
                        : plan_.spec->breakdown == TrendsBreakdown::kNone ? 1
                                                                          : dict_->size();
  if (w.seen.size() < groups) w.seen.resize(std::max(groups, w.seen.size() * 2), 0);
  w.mask.resize(n);
  const bool rows_have_groups = plan_.spec->breakdown != TrendsBreakdown::kNone;
  for (size_t s = 0; s < plan_.spec->series.size(); ++s) {
    const CompiledFilter& filter = plan_.filters[s];
    if (!active_[s] || !filter.possible()) continue;
    const TrendsSeriesSpec& ss = plan_.spec->series[s];
    // Every row matches: loops that can skip the mask do (the others get a mask of ones).
    w.all_rows = plan_.match_all[s] && !partial;
    if (w.all_rows && ss.measure == TrendsMeasure::kCount && !rows_have_groups && w.one_period) {
      w.series[s].n.resize(std::max(w.series[s].n.size(), plan_.periods), 0);
      w.series[s].groups = std::max<size_t>(w.series[s].groups, 1);
      w.series[s].n[w.p0] += static_cast<double>(n);
      w.seen[0] = 1;
      continue;
    }
    if (!(w.all_rows && ss.measure == TrendsMeasure::kUniqueProfiles && !rows_have_groups)) {
      filter.Evaluate(c, w.mask.data());
      if (partial) {
        for (size_t r = 0; r < n; ++r) w.mask[r] &= w.in_range[r];
      }
    }
    SeriesAcc& acc = w.series[s];
    EnsureGroups(acc, ss.measure, groups);
    switch (ss.measure) {
      case TrendsMeasure::kCount:
        Count(w, acc, n, groups);
        break;
      case TrendsMeasure::kUniqueProfiles:
        Unique(c, index, w, acc);
        break;
      default:
        Values(c, w, acc, ss.property);
    }
  }
  return Status::OK();
}

Result<Plan> MakePlan(const Snapshot& snap, const TrendsSpec& spec, const QueryOptions& options) {
  Plan plan;
  plan.snapshot = &snap;
  plan.spec = &spec;
  plan.threads = options.threads > 0 ? options.threads : DefaultQueryThreads();
  plan.first = PeriodStart(spec.range.from_us, spec.interval);
  plan.periods = static_cast<size_t>(
      PeriodsBetween(plan.first, PeriodStart(spec.range.to_us - 1, spec.interval), spec.interval) +
      1);
  auto add_path = [&](const std::string& p) {
    if (!p.empty() && std::find(plan.paths.begin(), plan.paths.end(), p) == plan.paths.end()) {
      plan.paths.push_back(p);
    }
  };
  bool any_unique = false;
  for (const TrendsSeriesSpec& s : spec.series) {
    EventFilter f = s.filter;
    f.where.insert(f.where.end(), spec.filter.begin(), spec.filter.end());
    plan.filters.emplace_back(f, snap.events());
    plan.match_all.push_back(f.event.empty() && !f.type && f.where.empty());
    for (const std::string& p : plan.filters.back().paths()) add_path(p);
    add_path(s.property);
    any_unique = any_unique || s.measure == TrendsMeasure::kUniqueProfiles;
  }
  if (spec.breakdown == TrendsBreakdown::kProperty) add_path(spec.breakdown_name);
  const size_t count = snap.chunk_count();
  plan.exact.assign(count, 0);
  plan.front.assign(count, 0);
  plan.back.assign(count, 0);
  uint64_t bound = snap.profiles().max_id();
  for (size_t i = 0; i < count; ++i) {
    const ChunkInfo& info = snap.info(i);
    bound = std::max(bound, info.max_profile);
    if (info.rows > 0 && info.max_ts >= spec.range.from_us && info.min_ts < spec.range.to_us) {
      plan.chunks.push_back(i);
    }
    if (i > 0 && snap.info(i - 1).part == info.part &&
        snap.info(i - 1).max_profile == info.min_profile) {
      plan.front[i] = 1;
      plan.back[i - 1] = 1;
    }
  }
  plan.profile_bound = bound + 1;
  plan.profiles = std::make_shared<ProfileResolver>(snap.profiles(), plan.profile_bound);
  if (any_unique) {
    // Change detection counts a (profile, period) once only when all its rows are in one part:
    // periods within a day, days with a single part, chunks within their day.
    const bool within_day = spec.interval == Interval::kHour || spec.interval == Interval::kDay;
    for (size_t i = 0; i < count;) {
      size_t j = i;
      bool several_parts = false;
      while (j < count && snap.info(j).day == snap.info(i).day) {
        several_parts = several_parts || snap.info(j).part != snap.info(i).part;
        ++j;
      }
      for (size_t k = i; k < j; ++k) {
        const ChunkInfo& info = snap.info(k);
        const bool in_day = DayOf(info.min_ts) == info.day && DayOf(info.max_ts) == info.day;
        plan.exact[k] = !within_day || several_parts || !in_day;
      }
      i = j;
    }
    size_t counters = 0;
    for (const TrendsSeriesSpec& s : spec.series) {
      counters += s.measure == TrendsMeasure::kUniqueProfiles ? 2 : 0;
    }
    const size_t bitmap_bytes = (plan.profile_bound + 63) / 64 * 8;
    plan.bitmap_cells =
        plan.profile_bound <= kMaxDenseProfiles
            ? kBitmapBudgetBytes / (bitmap_bytes * counters * static_cast<size_t>(plan.threads))
            : 0;
  }
  plan.dense_groups_cap = std::max<size_t>(1, kDenseCells / plan.periods);
  return plan;
}

Merged MergeSeries(std::vector<Worker>& workers, size_t s, TrendsMeasure m, size_t periods) {
  Merged out;
  out.periods = periods;
  for (Worker& w : workers) out.groups = std::max(out.groups, w.series[s].groups);
  out.dense.assign(out.groups * periods, Cell{});
  for (Worker& w : workers) {
    const SeriesAcc& acc = w.series[s];
    for (size_t cell = 0; cell < acc.n.size(); ++cell) {
      Cell c;
      c.n = acc.n[cell];
      if (IsValueMeasure(m)) {
        c.sum = acc.sum[cell];
        c.min = acc.min[cell];
        c.max = acc.max[cell];
      }
      out.dense[cell].Add(c);
    }
    for (const auto& [cell, c] : acc.overflow) out.AddCell(cell, c);
  }
  if (m == TrendsMeasure::kUniqueProfiles) {
    std::vector<DistinctCounter*> exact, totals;
    for (Worker& w : workers) {
      exact.push_back(&w.series[s].period_exact);
      totals.push_back(&w.series[s].totals);
    }
    for (const auto& [cell, k] : DistinctCounter::Count(exact)) {
      out.AddCell(cell, Cell{static_cast<double>(k)});
    }
    out.totals = DistinctCounter::Count(totals);
  }
  return out;
}

}  // namespace rapport::warehouse::trends_internal
