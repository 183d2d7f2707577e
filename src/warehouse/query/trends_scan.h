// Internals of the trends operator: the parallel scan that accumulates every series per worker
// (dense cells value × period, distinct profiles by change detection within parts and exact
// bitmaps or sorted keys elsewhere), breakdown values, profile traits. Only trends.cc and the
// sibling operators use it; thread-safety as noted per class.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/status.h"
#include "warehouse/query/common.h"
#include "warehouse/query/parallel.h"
#include "warehouse/query/trends.h"
#include "warehouse/snapshot.h"

namespace rapport::warehouse::trends_internal {

inline constexpr uint32_t kNullGroup = 0;  // property null or absent; no trait
inline constexpr uint32_t kFalseGroup = 1;
inline constexpr uint32_t kTrueGroup = 2;
inline constexpr uint32_t kUnset = std::numeric_limits<uint32_t>::max();
// Dense accumulator cells (value × period) per series and worker; values past it use a hash map.
inline constexpr size_t kDenseCells = size_t{1} << 18;
// Bitmaps over profiles used for exact distinct counts, per query.
inline constexpr size_t kBitmapBudgetBytes = size_t{128} << 20;
// Per-profile arrays are dense up to this many ids (ProfileMap::max_id), else hash maps.
inline constexpr uint64_t kMaxDenseProfiles = uint64_t{1} << 27;
inline constexpr double kInf = std::numeric_limits<double>::infinity();

inline bool IsValueMeasure(TrendsMeasure m) {
  return m == TrendsMeasure::kSum || m == TrendsMeasure::kAvg || m == TrendsMeasure::kMin ||
         m == TrendsMeasure::kMax;
}

// Breakdown values (their text) ↔ dense group ids, shared by the workers of one query. Id 0 is
// the null group; "false" and "true" are 1 and 2.
class GroupDict {
 public:
  GroupDict() {
    for (std::string_view t : {"", "false", "true"}) {
      texts_.emplace_back(t);
      if (!t.empty()) ids_.emplace(std::string(t), static_cast<uint32_t>(texts_.size() - 1));
    }
    size_ = texts_.size();
  }
  std::mutex& mu() { return mu_; }
  uint32_t InternLocked(std::string_view text) {
    auto [it, fresh] = ids_.try_emplace(std::string(text), static_cast<uint32_t>(texts_.size()));
    if (fresh) {
      texts_.emplace_back(text);
      size_.store(texts_.size(), std::memory_order_release);
    }
    return it->second;
  }
  size_t size() const { return size_.load(std::memory_order_acquire); }
  const std::string& text(uint32_t id) const { return texts_[id]; }  // after the scans

 private:
  std::mutex mu_;
  std::vector<std::string> texts_;
  std::unordered_map<std::string, uint32_t> ids_;
  std::atomic<size_t> size_{0};
};

// The group of each row of one column of one chunk: dictionary codes and numbers are interned
// once per chunk (one lock), not once per row.
class ColumnGroups {
 public:
  // Interns the values of the rows needed (`need` nullptr: every row); rows not needed get
  // some group without anything new being interned for them.
  void Prepare(const PropertyColumn& col, size_t rows, const uint8_t* need, GroupDict* dict);
  // out[r] = the group of row r, for every row.
  void Fill(uint32_t* out) const;
  // The group of a row that does not hold a number (text through its code, others by kind).
  uint32_t OfText(ValueKind k, uint32_t code) const {
    static constexpr uint32_t kByKind[] = {kNullGroup, kNullGroup, kFalseGroup, kTrueGroup,
                                           kNullGroup, kNullGroup, kNullGroup};
    const bool text = k == ValueKind::kString || k == ValueKind::kJson;
    return text ? code_[code] : kByKind[static_cast<int>(k)];
  }
  bool any_number() const { return any_number_; }
  const PropertyColumn& column() const { return *col_; }

 private:
  const PropertyColumn* col_ = nullptr;
  size_t rows_ = 0;
  bool any_number_ = false;
  std::vector<uint32_t> code_;  // by dictionary code
  std::vector<uint32_t> number_rows_;
  std::unordered_map<double, uint32_t> numbers_;
};

// ---- Distinct counting --------------------------------------------------------------------------

// Exact distinct (profile, cell) pairs, one instance per worker: a bitmap over profiles for the
// first `bitmap_cells` cells (allocated when first used), sorted key lists for the rest.
class DistinctCounter {
 public:
  void Init(uint64_t profile_bound, size_t bitmap_cells) {
    bound_ = profile_bound;
    words_ = (profile_bound + 63) / 64;
    bitmap_cells_ = words_ == 0 ? 0 : bitmap_cells;
  }
  void Insert(uint64_t profile, uint64_t cell) {
    if (cell < bitmaps_.size() && profile < bound_ && !bitmaps_[cell].empty()) {
      bitmaps_[cell][profile >> 6] |= uint64_t{1} << (profile & 63);
    } else {
      InsertSlow(profile, cell);
    }
  }
  // The bitmap of `cell` (profiles below bound()), or nullptr when the cell keeps keys.
  uint64_t* Bitmap(uint64_t cell);
  uint64_t bound() const { return bound_; }
  // Distinct profiles per cell over the counters of every worker.
  static std::unordered_map<uint64_t, uint64_t> Count(const std::vector<DistinctCounter*>& parts);

 private:
  void InsertSlow(uint64_t profile, uint64_t cell);

  uint64_t bound_ = 0;
  size_t words_ = 0;
  size_t bitmap_cells_ = 0;
  std::vector<std::vector<uint64_t>> bitmaps_;       // by cell; empty until used
  std::vector<std::pair<uint64_t, uint64_t>> keys_;  // (cell, profile)
};

// ---- Accumulation ------------------------------------------------------------------------------

struct Cell {
  double n = 0;  // events (count), values (sum/avg/min/max), profiles (unique_profiles)
  double sum = 0;
  double min = kInf;
  double max = -kInf;
  void Add(const Cell& o) {
    n += o.n;
    sum += o.sum;
    min = std::min(min, o.min);
    max = std::max(max, o.max);
  }
};

struct SeriesAcc {
  size_t groups = 0;  // dense groups allocated: cells g * periods + p for g < groups
  std::vector<double> n, sum, min, max;
  std::unordered_map<uint64_t, Cell> overflow;  // cells of groups >= `groups`
  DistinctCounter period_exact, totals;         // unique_profiles
  std::vector<uint32_t> stamp_cell, stamp_group;
};

struct Worker {
  std::vector<SeriesAcc> series;
  std::vector<uint8_t> seen;  // by group: a row of some series had it
  std::vector<uint8_t> mask, in_range;
  std::vector<uint32_t> period, group, hist, starts;
  std::vector<double> string_value;
  bool one_period = false;  // every row of the chunk in range is in period p0 (period[] unset)
  uint32_t p0 = 0;
  bool all_rows = false;  // the current series matches every row (mask may be unset)
  ColumnGroups column_groups;
  bool group_pending = false;  // group[] still to be filled from column_groups (FillGroups)
  uint32_t stamp = 0;
};

// The period and group of a chunk's rows, whichever way Periods and Groups left them.
struct RowIndex {
  RowIndex(const Worker& w, bool has_groups)
      : period(w.one_period ? nullptr : w.period.data()),
        group(has_groups ? w.group.data() : nullptr),
        p0(w.p0) {}
  uint32_t operator()(size_t r) const { return period ? period[r] : p0; }
  uint32_t Group(size_t r) const { return group ? group[r] : 0; }

  const uint32_t* period;
  const uint32_t* group;
  uint32_t p0;
};

// A stored profile id's current identity and whether it is Touched (ProfileMap), memoized per
// query in a dense array so the map's hash tables are asked once per id rather than once per
// row. Thread-safe: workers may fill the memo concurrently (they store the same value).
class ProfileResolver {
 public:
  // `bound`: stored ids below it are memoized (others ask the map every time).
  ProfileResolver(const ProfileMap& map, uint64_t bound) : map_(&map), identity_(map.empty()) {
    if (!map.empty() && bound <= kMaxDenseProfiles) {
      size_ = bound;
      memo_.reset(new std::atomic<uint64_t>[bound]());
    }
  }
  bool identity() const { return identity_; }
  // The current id of `stored` (not 0); *touched: ProfileMap::Touched(stored).
  uint64_t Resolve(uint64_t stored, bool* touched) const {
    if (identity_) {
      *touched = false;
      return stored;
    }
    if (stored < size_) {
      const uint64_t e = memo_[stored].load(std::memory_order_relaxed);
      if (e != 0) {
        *touched = e & 1;
        return e >> 1;
      }
    }
    return ResolveSlow(stored, touched);
  }

 private:
  uint64_t ResolveSlow(uint64_t stored, bool* touched) const;

  const ProfileMap* map_;
  bool identity_;
  uint64_t size_ = 0;
  std::unique_ptr<std::atomic<uint64_t>[]> memo_;  // (current << 1 | touched); 0: not yet
};

// What every pass of one query shares.
struct Plan {
  const Snapshot* snapshot = nullptr;
  const TrendsSpec* spec = nullptr;
  int threads = 1;
  int64_t first = 0;  // PeriodStart(from)
  size_t periods = 0;
  std::vector<CompiledFilter> filters;  // by series, with the spec's filter added
  std::vector<uint8_t> match_all;       // by series: the filter is empty (every row matches)
  std::vector<std::string> paths;       // columns to load
  std::vector<size_t> chunks;           // chunks that may hold rows in range
  std::vector<uint8_t> exact;           // by chunk: distinct counts by change detection are unsafe
  std::vector<uint8_t> front, back;     // by chunk: its first / last profile continues a neighbour
  uint64_t profile_bound = 1;           // every current profile id is below it
  std::shared_ptr<const ProfileResolver> profiles;
  size_t dense_groups_cap = 1;
  size_t bitmap_cells = 0;  // per DistinctCounter
};

// Per-profile values, dense for the usual small ids.
template <typename T>
class ProfileArray {
 public:
  ProfileArray() = default;
  ProfileArray(uint64_t bound, T init) : init_(init) {
    if (bound <= kMaxDenseProfiles) dense_.assign(bound, init);
  }
  T& at(uint64_t id) {
    if (id < dense_.size()) return dense_[id];
    return sparse_.try_emplace(id, init_).first->second;
  }
  T get(uint64_t id) const {
    if (id < dense_.size()) return dense_[id];
    auto it = sparse_.find(id);
    return it == sparse_.end() ? init_ : it->second;
  }
  template <typename F>
  void ForEach(F&& f) const {
    for (size_t i = 0; i < dense_.size(); ++i) f(uint64_t{i}, dense_[i]);
    for (const auto& [id, v] : sparse_) f(id, v);
  }

 private:
  T init_{};
  std::vector<T> dense_;
  std::unordered_map<uint64_t, T> sparse_;
};

// One scan over the chunks in range, accumulating every active series per worker.
class Scan {
 public:
  Scan(const Plan& plan, GroupDict* dict, const ProfileArray<uint32_t>* traits,
       const std::vector<uint32_t>* remap, std::vector<uint8_t> active)
      : plan_(plan), dict_(dict), traits_(traits), remap_(remap), active_(std::move(active)) {}

  Status Run() {
    workers_.resize(plan_.threads);
    for (Worker& w : workers_) {
      w.series.resize(plan_.spec->series.size());
      for (size_t s = 0; s < w.series.size(); ++s) {
        if (!active_[s] || plan_.spec->series[s].measure != TrendsMeasure::kUniqueProfiles) {
          continue;
        }
        w.series[s].period_exact.Init(plan_.profile_bound, plan_.bitmap_cells);
        w.series[s].totals.Init(plan_.profile_bound, plan_.bitmap_cells);
      }
    }
    return ParallelChunks(plan_.chunks.size(), plan_.threads, [&](int w, size_t k) {
      return ProcessChunk(workers_[w], plan_.chunks[k]);
    });
  }

  std::vector<Worker>& workers() { return workers_; }

 private:
  Status ProcessChunk(Worker& w, size_t index);
  void Periods(const Chunk& c, Worker& w) const;
  void Groups(const Chunk& c, Worker& w) const;
  void FillGroups(Worker& w) const;
  void EnsureGroups(SeriesAcc& acc, TrendsMeasure m, size_t groups) const;
  void ResetStamps(Worker& w) const;
  void Count(Worker& w, SeriesAcc& acc, size_t n, size_t groups) const;
  void Values(const Chunk& c, Worker& w, SeriesAcc& acc, const std::string& property) const;
  void Unique(const Chunk& c, size_t index, Worker& w, SeriesAcc& acc) const;

  const Plan& plan_;
  GroupDict* dict_;
  const ProfileArray<uint32_t>* traits_;
  const std::vector<uint32_t>* remap_;  // global group → final group (nullptr: identity)
  std::vector<uint8_t> active_;
  std::vector<Worker> workers_;
};

// One series' accumulators over all workers.
struct Merged {
  size_t groups = 0;
  size_t periods = 0;
  std::vector<Cell> dense;
  std::unordered_map<uint64_t, Cell> overflow;
  std::unordered_map<uint64_t, uint64_t> totals;  // unique_profiles: by group

  Cell At(uint64_t g, size_t p) const {
    if (g < groups) return dense[g * periods + p];
    auto it = overflow.find(g * periods + p);
    return it == overflow.end() ? Cell{} : it->second;
  }
  void AddCell(uint64_t cell, const Cell& c) {
    if (cell / periods < groups) {
      dense[cell].Add(c);
    } else {
      overflow[cell].Add(c);
    }
  }
};

// One series' accumulators summed over the workers (exact distinct counts included).
Merged MergeSeries(std::vector<Worker>& workers, size_t s, TrendsMeasure m, size_t periods);

// Chunks in range, filters, exactness flags and limits for one query.
Result<Plan> MakePlan(const Snapshot& snap, const TrendsSpec& spec, const QueryOptions& options);
// The group of each current profile's trait (spec.breakdown_name); see docs/queries.md.
Result<ProfileArray<uint32_t>> TraitGroups(const Plan& plan, GroupDict* dict);

}  // namespace rapport::warehouse::trends_internal
