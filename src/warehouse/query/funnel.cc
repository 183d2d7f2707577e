#include "warehouse/query/funnel.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <unordered_map>

#include "common/json_describe.h"
#include "common/json_writer.h"
#include "profile/computed/computed_value.h"
#include "warehouse/query/dense_profiles.h"
#include "warehouse/query/parallel.h"

namespace rapport::warehouse {

namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

constexpr int64_t kUnset = std::numeric_limits<int64_t>::min();
constexpr uint32_t kNullValue = std::numeric_limits<uint32_t>::max();
constexpr uint32_t kUnmapped = kNullValue - 1;
constexpr double kSecondUs = 1e6;

std::string Quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

int ThreadsOf(const QueryOptions& options) {
  return options.threads > 0 ? options.threads : DefaultQueryThreads();
}

bool ValidPath(std::string_view path) {
  if (path.empty() || path.size() > kMaxComputedPathBytes) return false;
  if (path.front() == '.' || path.back() == '.') return false;
  return path.find("..") == std::string_view::npos;
}

// A whole number in [lo, hi] (an integral double is accepted too).
bool ReadWhole(element e, int64_t lo, int64_t hi, int64_t* out) {
  int64_t v = 0;
  double d = 0;
  if (e.get_int64().get(v) != simdjson::SUCCESS) {
    if (e.get_double().get(d) != simdjson::SUCCESS ||
        d != static_cast<double>(static_cast<int64_t>(d))) {
      return false;
    }
    v = static_cast<int64_t>(d);
  }
  if (v < lo || v > hi) return false;
  *out = v;
  return true;
}

Result<int64_t> ParseWindow(object spec) {
  static constexpr std::string_view kForms =
      "{\"days\": 1..3650}, {\"hours\": 1..87600} or {\"seconds\": 1..315360000}";
  element e;
  if (spec.at_key("window").get(e) != simdjson::SUCCESS) {
    return Status::InvalidArgument("\"window\" is required: " + std::string(kForms));
  }
  object w;
  if (e.get_object().get(w) != simdjson::SUCCESS) {
    return Status::InvalidArgument("\"window\" must be " + std::string(kForms) + ", got " +
                                   DescribeJson(e));
  }
  RETURN_IF_ERROR(RejectUnknown(w, {"days", "hours", "seconds"}, "window"));
  if (w.size() != 1) {
    return Status::InvalidArgument(
        "\"window\" must hold exactly one of \"days\", \"hours\", "
        "\"seconds\"");
  }
  struct Unit {
    std::string_view name;
    int64_t max;
    int64_t us;
  };
  for (const Unit& u : {Unit{"days", 3650, kDayUs}, Unit{"hours", 87600, kHourUs},
                        Unit{"seconds", 315'360'000, 1'000'000}}) {
    element v;
    if (w.at_key(u.name).get(v) != simdjson::SUCCESS) continue;
    int64_t n = 0;
    if (!ReadWhole(v, 1, u.max, &n)) {
      return Status::InvalidArgument(Quote("window." + std::string(u.name)) +
                                     " must be a whole number from 1 to " + std::to_string(u.max) +
                                     ", got " + DescribeJson(v));
    }
    return n * u.us;
  }
  return Status::Internal("unreachable");
}

// ---- The per-profile state machine ----

// What the state machines of one thread add up.
struct Tally {
  std::vector<uint64_t> level_count;             // profiles by highest level (1-based)
  std::vector<std::vector<int64_t>> gaps;        // [j]: step j-1 → j of each profile reaching j
  std::vector<std::vector<uint32_t>> gap_value;  // breakdown value of each gap's profile
  std::vector<int64_t> convert;                  // first → last step, converting profiles
  std::vector<uint64_t> profile_value;           // breakdown: (value << 8) | level
};

// windowFunnel's level of one profile, in one pass over its events in time order. For each
// level j it keeps the chain reaching j with the latest first step (and, among those, the
// earliest arrival): start_[j] and the times of the chain's steps chain_[j][0..j].
class Machine {
 public:
  Machine(size_t steps, int64_t window, bool breakdown)
      : k_(static_cast<int>(steps)), window_(window), breakdown_(breakdown) {}

  // `ts` sorted ascending; `value` may be null (no breakdown).
  void Run(const int64_t* ts, const uint16_t* mask, const uint32_t* value, size_t n, Tally* tally) {
    int top = 0;  // levels reached so far (start_[0..top-1] set)
    for (int j = 0; j < k_; ++j) start_[j] = kUnset;
    size_t i = 0;
    while (i < n) {
      const int64_t t = ts[i];
      uint32_t m = 0, v = kNullValue;
      do {
        m |= mask[i];
        if (value != nullptr && (mask[i] & 1) && value[i] < v) v = value[i];
        ++i;
      } while (i < n && ts[i] == t);
      // Highest level first: each update reads the level below as it was before this group.
      // Only the steps this group matches, among those a chain could reach (j <= top).
      const int reach = std::min(top, k_ - 1);
      uint32_t todo = m & ((2u << reach) - 2);
      while (todo != 0) {
        const int j = 31 - __builtin_clz(todo);
        todo &= ~(1u << j);
        const int64_t s = start_[j - 1];
        if (s <= start_[j] || t - s > window_) continue;  // start_[j-1] is set: j <= top
        start_[j] = s;
        value_[j] = value_[j - 1];
        std::memcpy(chain_[j], chain_[j - 1], sizeof(chain_[j]));  // fixed size: no call
        chain_[j][j] = t;
        if (j + 1 > top) top = j + 1;
      }
      if (m & 1) {
        start_[0] = t;
        value_[0] = v;
        chain_[0][0] = t;
        if (top == 0) top = 1;
      }
    }
    if (top == 0) return;
    ++tally->level_count[top];
    const int64_t* chain = chain_[top - 1];
    for (int j = 1; j < top; ++j) {
      tally->gaps[j].push_back(chain[j] - chain[j - 1]);
      if (breakdown_) tally->gap_value[j].push_back(value_[top - 1]);
    }
    if (top == k_) tally->convert.push_back(chain[k_ - 1] - chain[0]);
    if (breakdown_) tally->profile_value.push_back(uint64_t{value_[top - 1]} << 8 | top);
  }

 private:
  int k_;
  int64_t window_;
  bool breakdown_;
  int64_t start_[kMaxFunnelSteps];
  uint32_t value_[kMaxFunnelSteps];
  int64_t chain_[kMaxFunnelSteps][kMaxFunnelSteps];
};

// ---- Scanning ----

// The rows of one chunk that match some step (ts in range, a profile), in chunk order: first
// `main` records, in profile order (the chunk's own), then `moved` ones stored from the end of
// the arrays (rows of merged-away ids: their survivor's index is out of that order).
struct ChunkRecords {
  size_t main = 0, moved = 0, capacity = 0;
  std::unique_ptr<uint32_t[]> profile;
  std::unique_ptr<int64_t[]> ts;
  std::unique_ptr<uint16_t[]> mask;   // bit j: matches step j
  std::unique_ptr<uint32_t[]> value;  // breakdown value (worker-local id) where bit 0 is set
  int worker = 0;

  void Allocate(size_t n, bool with_value) {  // left uninitialized
    capacity = n;
    profile.reset(new uint32_t[n]);
    ts.reset(new int64_t[n]);
    mask.reset(new uint16_t[n]);
    if (with_value) value.reset(new uint32_t[n]);
  }
  size_t MovedAt(size_t i) const { return capacity - 1 - i; }  // the i-th moved record
};

// Breakdown values met by one worker: text → worker-local id.
struct ValueDictionary {
  std::unordered_map<std::string, uint32_t> ids;
  std::vector<std::string> texts;
  uint32_t Intern(std::string_view text) {
    auto [it, fresh] = ids.try_emplace(std::string(text), static_cast<uint32_t>(texts.size()));
    if (fresh) texts.emplace_back(text);
    return it->second;
  }
};

struct Worker {
  std::vector<uint16_t> mask;
  std::vector<uint8_t> hit;
  std::vector<uint32_t> code_to_value;
  ValueDictionary values;
  // One bucket of profiles at a time: its records sorted by profile.
  std::vector<uint32_t> count;
  std::vector<int64_t> ts, ts_buf;
  std::vector<uint16_t> bucket_mask, mask_buf;
  std::vector<uint32_t> value, value_buf;
  std::vector<uint32_t> order;
};

// The value id of a number or boolean at row r of `column` (texts are resolved by code).
uint32_t ScalarValue(const PropertyColumn& column, size_t r, Worker* w) {
  const ValueKind kind = column.kind[r];
  if (kind == ValueKind::kNumber) return w->values.Intern(FormatJsonNumber(column.number[r]));
  return w->values.Intern(kind == ValueKind::kTrue ? "true" : "false");
}

// Appends the kept rows of a chunk (a step bit set, ts in range, a profile) to `out` (see
// ChunkRecords; sized for every row with a step bit), with the breakdown value of step-1 rows.
template <bool kBreakdown, typename LookupFn>
void EmitRecords(const Chunk& chunk, const uint16_t* mask, const TimeRange& range,
                 const PropertyColumn* column, const LookupFn& lookup, Worker* w,
                 ChunkRecords* out) {
  const size_t n = chunk.rows;
  const int64_t* ts = chunk.ts();
  const uint64_t* prof = chunk.profile();
  uint32_t* out_profile = out->profile.get();
  int64_t* out_ts = out->ts.get();
  uint16_t* out_mask = out->mask.get();
  uint32_t* out_value = out->value.get();  // breakdown: first the row, then the value
  size_t o = 0, back = out->capacity;
  for (size_t r = 0; r < n; ++r) {
    const uint16_t m = mask[r];
    const int64_t t = ts[r];
    const DenseProfiles::Index id = lookup(prof[r]);
    const bool keep = (m != 0) & (id.index != 0) & (t >= range.from_us) & (t < range.to_us);
    size_t at = o;
    if (id.moved) [[unlikely]] {
      if (!keep) continue;
      at = --back;
    } else {
      o += keep;
    }
    out_profile[at] = id.index;
    out_ts[at] = t;
    out_mask[at] = m;
    if constexpr (kBreakdown) out_value[at] = static_cast<uint32_t>(r);
  }
  out->main = o;
  out->moved = out->capacity - back;
  if constexpr (kBreakdown) {
    // The value of each step-1 record (other records keep anything), strings interned once per
    // chunk. No branch on the kind: whether a row has the property is as random as the data.
    if (column == nullptr) {
      for (size_t i = 0; i < o; ++i) out_value[i] = kNullValue;
      for (size_t i = back; i < out->capacity; ++i) out_value[i] = kNullValue;
      return;
    }
    const ValueKind* kinds = column->kind.data();
    const uint32_t* codes = column->code.data();
    w->code_to_value.assign(std::max<size_t>(1, column->strings.size()), kUnmapped);
    uint32_t* to_value = w->code_to_value.data();
    auto resolve = [&](size_t i) {
      const uint32_t r = out_value[i];
      const ValueKind kind = kinds[r];
      const uint32_t code = codes[r];
      const bool step1 = (out_mask[i] & 1) != 0;
      const bool text = step1 & ((kind == ValueKind::kString) | (kind == ValueKind::kJson));
      uint32_t v = to_value[code];
      if (text & (v == kUnmapped)) [[unlikely]] {
        v = w->values.Intern(column->strings[code]);
        to_value = w->code_to_value.data();
        to_value[code] = v;
      }
      v = text ? v : kNullValue;
      if (step1 & (kind >= ValueKind::kFalse) & (kind <= ValueKind::kNumber)) [[unlikely]] {
        v = ScalarValue(*column, r, w);
      }
      out_value[i] = v;
    };
    for (size_t i = 0; i < o; ++i) resolve(i);
    for (size_t i = back; i < out->capacity; ++i) resolve(i);
  }
}

Status BeyondFooter(size_t chunk) {
  return Status::Corruption("warehouse chunk " + std::to_string(chunk) +
                            " holds a profile id above its footer's maximum");
}

double MedianSeconds(std::vector<int64_t>* v) {
  const size_t n = v->size();
  auto mid = v->begin() + n / 2;
  std::nth_element(v->begin(), mid, v->end());
  double m = static_cast<double>(*mid);
  if (n % 2 == 0) m = (m + static_cast<double>(*std::max_element(v->begin(), mid))) / 2;
  return m / kSecondUs;
}

std::string StepName(const EventFilter& f) {
  if (!f.event.empty()) return f.event;
  if (f.type) return "any " + std::string(EventTypeName(*f.type)) + " event";
  return "any event";
}

// Steps with counts from profiles by highest level, and medians from gaps per step.
std::vector<FunnelStep> MakeSteps(const FunnelSpec& spec, const std::vector<uint64_t>& by_level,
                                  std::vector<std::vector<int64_t>>* gaps) {
  const size_t k = spec.steps.size();
  std::vector<FunnelStep> steps(k);
  uint64_t at_least = 0;
  for (size_t j = k; j-- > 0;) {
    at_least += by_level[j + 1];
    steps[j].name = StepName(spec.steps[j]);
    steps[j].count = at_least;
    if (j > 0 && !(*gaps)[j].empty())
      steps[j].median_seconds_from_previous = MedianSeconds(&(*gaps)[j]);
  }
  return steps;
}

}  // namespace

// ---- Spec ----

Result<FunnelSpec> ParseFunnelSpec(object spec) {
  RETURN_IF_ERROR(RejectUnknown(spec, {"kind", "from", "to", "steps", "window", "breakdown"}, ""));
  FunnelSpec out;
  ASSIGN_OR_RETURN(out.range, ParseTimeRange(spec));
  element e;
  const std::string steps_form =
      "an array of 2 to " + std::to_string(kMaxFunnelSteps) + " event filters";
  if (spec.at_key("steps").get(e) != simdjson::SUCCESS) {
    return Status::InvalidArgument("\"steps\" is required (" + steps_form + ")");
  }
  array steps;
  if (e.get_array().get(steps) != simdjson::SUCCESS || steps.size() < 2 ||
      steps.size() > kMaxFunnelSteps) {
    return Status::InvalidArgument(
        "\"steps\" must be " + steps_form + ", got " +
        (e.is_array() ? "an array of " + std::to_string(e.get_array().size()) : DescribeJson(e)));
  }
  size_t i = 0;
  for (element step : steps) {
    ASSIGN_OR_RETURN(EventFilter f, ParseEventFilter(step, "steps[" + std::to_string(i) + "]"));
    out.steps.push_back(std::move(f));
    ++i;
  }
  ASSIGN_OR_RETURN(out.window_us, ParseWindow(spec));
  if (spec.at_key("breakdown").get(e) == simdjson::SUCCESS) {
    object b;
    if (e.get_object().get(b) != simdjson::SUCCESS) {
      return Status::InvalidArgument("\"breakdown\" must be an object {\"property\": path}, got " +
                                     DescribeJson(e));
    }
    RETURN_IF_ERROR(RejectUnknown(b, {"property"}, "breakdown"));
    element p;
    std::string_view path;
    if (b.at_key("property").get(p) != simdjson::SUCCESS) {
      return Status::InvalidArgument("\"breakdown.property\" is required");
    }
    if (p.get_string().get(path) != simdjson::SUCCESS || !ValidPath(path)) {
      return Status::InvalidArgument(
          "\"breakdown.property\" must be a dotted path such as \"context.campaign.source\" "
          "(names separated by single dots, at most 256 bytes), got " +
          DescribeJson(p));
    }
    out.breakdown = std::string(path);
  }
  return out;
}

// ---- Run ----

Result<FunnelResult> RunFunnel(const Snapshot& snapshot, const FunnelSpec& spec,
                               const QueryOptions& options) {
  const int threads = ThreadsOf(options);
  const size_t k = spec.steps.size();
  if (k < 2 || k > kMaxFunnelSteps) {
    return Status::InvalidArgument("a funnel has 2 to 16 steps");
  }
  const bool breakdown = !spec.breakdown.empty();
  const TimeRange range = spec.range;

  std::vector<CompiledFilter> filters;
  std::vector<std::string> paths;
  for (const EventFilter& f : spec.steps) {
    filters.emplace_back(f, snapshot.events());
    for (const std::string& p : filters.back().paths()) {
      if (std::find(paths.begin(), paths.end(), p) == paths.end()) paths.push_back(p);
    }
  }
  if (breakdown && std::find(paths.begin(), paths.end(), spec.breakdown) == paths.end()) {
    paths.push_back(spec.breakdown);
  }
  std::vector<size_t> chunks;
  if (filters[0].possible()) {  // nobody enters a funnel whose first step cannot match
    for (size_t i = 0; i < snapshot.chunk_count(); ++i) {
      const ChunkInfo& info = snapshot.info(i);
      if (info.rows > 0 && info.max_ts >= range.from_us && info.min_ts < range.to_us) {
        chunks.push_back(i);
      }
    }
  }
  ASSIGN_OR_RETURN(DenseProfiles profiles, DenseProfiles::Build(snapshot, chunks, threads));

  // Step bits by (event id, type); steps with `where` clauses are then decided per row.
  const uint32_t n_events = static_cast<uint32_t>(snapshot.events().size());
  std::vector<uint16_t> table((n_events + 1) * 8,
                              0);  // the last event: ids beyond the dictionary
  std::vector<size_t> where_steps;
  for (size_t j = 0; j < k; ++j) {
    const EventFilter& f = spec.steps[j];
    if (!filters[j].possible()) continue;
    const uint16_t bit = static_cast<uint16_t>(1u << j);
    std::optional<uint32_t> only;
    if (!f.event.empty()) only = snapshot.events().Find(f.event);
    for (uint32_t e = only.value_or(0); e < (only ? *only + 1 : n_events); ++e) {
      for (int t = 0; t < kEventTypes; ++t) {
        if (!f.type || static_cast<int>(*f.type) == t) table[e * 8 + t] |= bit;
      }
    }
    if (!f.where.empty()) where_steps.push_back(j);
  }

  // 1. Each chunk's rows that match a step (ts in range, a profile), with their step mask.
  std::vector<ChunkRecords> records(chunks.size());
  std::vector<Worker> workers(static_cast<size_t>(threads));
  RETURN_IF_ERROR(ParallelChunks(chunks.size(), threads, [&](int wi, size_t ci) -> Status {
    ASSIGN_OR_RETURN(ChunkPtr chunk, snapshot.Load(chunks[ci], paths));
    if (!profiles.Covers(*chunk)) return BeyondFooter(chunks[ci]);
    Worker& w = workers[wi];
    const size_t n = chunk->rows;
    const uint32_t* ev = chunk->event();
    const EventType* ty = chunk->type();
    w.mask.resize(n);
    uint16_t* mask = w.mask.data();
    size_t candidates = 0;
    for (size_t r = 0; r < n; ++r) {
      mask[r] = table[std::min(ev[r], n_events) * 8 + static_cast<uint8_t>(ty[r])];
    }
    for (size_t j : where_steps) {
      w.hit.resize(n);
      filters[j].Evaluate(*chunk, w.hit.data());
      const uint16_t bit = static_cast<uint16_t>(1u << j);
      const uint8_t* hit = w.hit.data();
      for (size_t r = 0; r < n; ++r) mask[r] = (mask[r] & ~bit) | (hit[r] ? bit : 0);
    }
    for (size_t r = 0; r < n; ++r) candidates += mask[r] != 0;
    ChunkRecords& out = records[ci];
    out.worker = wi;
    out.Allocate(candidates + 1, breakdown);
    const PropertyColumn* column = breakdown ? chunk->Find(spec.breakdown) : nullptr;
    auto identity = [](uint64_t stored) {
      return DenseProfiles::Index{static_cast<uint32_t>(stored), false};
    };
    auto lookup = [&](uint64_t stored) { return profiles.Lookup(stored); };
    if (breakdown) {
      if (profiles.identity()) {
        EmitRecords<true>(*chunk, mask, range, column, identity, &w, &out);
      } else {
        EmitRecords<true>(*chunk, mask, range, column, lookup, &w, &out);
      }
    } else if (profiles.identity()) {
      EmitRecords<false>(*chunk, mask, range, column, identity, &w, &out);
    } else {
      EmitRecords<false>(*chunk, mask, range, column, lookup, &w, &out);
    }
    return Status::OK();
  }));

  // Breakdown values: one dictionary sorted by text, so a smaller id is a smaller text.
  std::vector<std::string> texts;
  std::vector<std::vector<uint32_t>> remap(workers.size());
  if (breakdown) {
    for (const Worker& w : workers) {
      texts.insert(texts.end(), w.values.texts.begin(), w.values.texts.end());
    }
    std::sort(texts.begin(), texts.end());
    texts.erase(std::unique(texts.begin(), texts.end()), texts.end());
    for (size_t wi = 0; wi < workers.size(); ++wi) {
      for (const std::string& t : workers[wi].values.texts) {
        remap[wi].push_back(
            static_cast<uint32_t>(std::lower_bound(texts.begin(), texts.end(), t) - texts.begin()));
      }
    }
  }

  // 2. Buckets of consecutive profiles, small enough for their records to stay in cache. A
  // bucket's records are a run of each chunk's main records plus the moved records of its
  // profiles.
  uint64_t total = 0, moved = 0;
  for (const ChunkRecords& r : records) {
    total += r.main + r.moved;
    moved += r.moved;
  }
  const size_t n_profiles = profiles.size();
  size_t width = static_cast<size_t>(
      std::max<uint64_t>(256, n_profiles * uint64_t{32768} / std::max<uint64_t>(total, 1)));
  width = std::max<size_t>(1, std::min(width, (n_profiles + 4 * threads - 1) / (4 * threads)));
  const size_t buckets = (n_profiles + width - 1) / width;
  std::vector<std::vector<std::pair<uint32_t, uint32_t>>> moved_of(moved ? buckets : 0);
  for (size_t ci = 0; ci < records.size() && moved; ++ci) {
    for (size_t i = 0; i < records[ci].moved; ++i) {
      const size_t at = records[ci].MovedAt(i);
      moved_of[records[ci].profile[at] / width].push_back(
          {static_cast<uint32_t>(ci), static_cast<uint32_t>(at)});
    }
  }

  // Where each bucket's run starts in each chunk (one sequential pass per chunk), kept for the
  // buckets the chunk's profiles span only (a chunk of a big part spans few).
  struct Runs {
    size_t first = 0;              // bucket of starts[0]
    std::vector<uint32_t> starts;  // for buckets first, first + 1, ..., and the end
    std::pair<uint32_t, uint32_t> Of(size_t b, size_t main) const {
      if (b < first) return {0, 0};
      if (b + 1 >= first + starts.size()) return {static_cast<uint32_t>(main), main};
      return {starts[b - first], starts[b - first + 1]};
    }
  };
  std::vector<Runs> runs(records.size());
  RETURN_IF_ERROR(ParallelChunks(records.size(), threads, [&](int, size_t ci) {
    const ChunkRecords& rec = records[ci];
    if (rec.main == 0) return Status::OK();
    Runs& run = runs[ci];
    run.first = rec.profile[0] / width;
    const size_t last = rec.profile[rec.main - 1] / width;
    uint32_t i = 0;
    for (size_t b = run.first; b <= last; ++b) {
      run.starts.push_back(i);
      const uint64_t end = (b + 1) * width;
      while (i < rec.main && rec.profile[i] < end) ++i;
    }
    run.starts.push_back(i);
    return Status::OK();
  }));
  // 3. Per bucket: a counting sort by profile (stable: chunk order, which is time order but for
  // overlapping parts), then the state machine of each profile.
  std::vector<Tally> tallies(static_cast<size_t>(threads));
  for (Tally& tally : tallies) {
    tally.level_count.assign(k + 1, 0);
    tally.gaps.resize(k);
    tally.gap_value.resize(k);
  }
  RETURN_IF_ERROR(ParallelChunks(buckets, threads, [&](int wi, size_t b) {
    Worker& w = workers[wi];
    const uint32_t lo = static_cast<uint32_t>(b * width);
    const uint32_t hi = static_cast<uint32_t>(std::min(n_profiles, (b + 1) * width));
    std::vector<uint32_t>& cnt = w.count;
    cnt.assign(hi - lo, 0);
    size_t n = 0;
    for (size_t ci = 0; ci < records.size(); ++ci) {
      const uint32_t* p = records[ci].profile.get();
      const auto [begin, end] = runs[ci].Of(b, records[ci].main);
      for (uint32_t i = begin; i < end; ++i) ++cnt[p[i] - lo];
      n += end - begin;
    }
    if (moved) {
      for (const auto& [ci, at] : moved_of[b]) ++cnt[records[ci].profile[at] - lo];
      n += moved_of[b].size();
    }
    if (n == 0) return Status::OK();
    uint32_t at = 0;
    for (uint32_t& c : cnt) {  // cnt[q]: where profile lo + q starts; after the scatter, ends
      const uint32_t c0 = c;
      c = at;
      at += c0;
    }
    w.ts.resize(n);
    w.bucket_mask.resize(n);
    if (breakdown) w.value.resize(n);
    auto put = [&](const ChunkRecords& rec, size_t i) {
      const uint32_t pos = cnt[rec.profile[i] - lo]++;
      w.ts[pos] = rec.ts[i];
      w.bucket_mask[pos] = rec.mask[i];
      if (breakdown) {
        w.value[pos] = (rec.mask[i] & 1) && rec.value[i] != kNullValue
                           ? remap[rec.worker][rec.value[i]]
                           : kNullValue;
      }
    };
    for (size_t ci = 0; ci < records.size(); ++ci) {
      const auto [begin, end] = runs[ci].Of(b, records[ci].main);
      for (uint32_t i = begin; i < end; ++i) put(records[ci], i);
    }
    if (moved) {
      for (const auto& [ci, i] : moved_of[b]) put(records[ci], i);
    }
    Machine machine(k, spec.window_us, breakdown);
    for (uint32_t q = 0, begin = 0; q < hi - lo; begin = cnt[q++]) {
      const size_t count = cnt[q] - begin;
      if (count == 0) continue;
      const int64_t* ts = w.ts.data() + begin;
      const uint16_t* mask = w.bucket_mask.data() + begin;
      const uint32_t* value = breakdown ? w.value.data() + begin : nullptr;
      if (count == 1) {  // most profiles: level 1 or 0, nothing to chain
        if (mask[0] & 1) {
          ++tallies[wi].level_count[1];
          if (breakdown) tallies[wi].profile_value.push_back(uint64_t{value[0]} << 8 | 1);
        }
        continue;
      }
      size_t r = 1;
      while (r < count && ts[r] >= ts[r - 1]) ++r;
      if (r < count) {  // parts of one day overlapped: put this profile's events in time order
        w.order.resize(count);
        for (uint32_t i = 0; i < count; ++i) w.order[i] = i;
        std::sort(w.order.begin(), w.order.end(),
                  [&](uint32_t x, uint32_t y) { return ts[x] < ts[y]; });
        w.ts_buf.resize(count);
        w.mask_buf.resize(count);
        w.value_buf.resize(count);
        for (size_t i = 0; i < count; ++i) {
          w.ts_buf[i] = ts[w.order[i]];
          w.mask_buf[i] = mask[w.order[i]];
          if (value != nullptr) w.value_buf[i] = value[w.order[i]];
        }
        ts = w.ts_buf.data();
        mask = w.mask_buf.data();
        if (value != nullptr) value = w.value_buf.data();
      }
      machine.Run(ts, mask, value, count, &tallies[wi]);
    }
    return Status::OK();
  }));

  // 4. Totals, medians, time to convert and the breakdown.
  FunnelResult result;
  std::vector<uint64_t> by_level(k + 1, 0);
  std::vector<std::vector<int64_t>> gaps(k);
  std::vector<std::vector<uint32_t>> gap_value(k);
  std::vector<int64_t> convert;
  for (Tally& t : tallies) {
    for (size_t l = 0; l <= k; ++l) by_level[l] += t.level_count[l];
    for (size_t j = 1; j < k; ++j) {
      gaps[j].insert(gaps[j].end(), t.gaps[j].begin(), t.gaps[j].end());
      gap_value[j].insert(gap_value[j].end(), t.gap_value[j].begin(), t.gap_value[j].end());
    }
    convert.insert(convert.end(), t.convert.begin(), t.convert.end());
  }
  // Group the gaps of the breakdown before MakeSteps reorders them.
  std::vector<FunnelGroup> groups;
  std::vector<uint32_t> group_of;
  std::vector<std::vector<uint64_t>> group_levels;
  std::vector<std::vector<std::vector<int64_t>>> group_gaps;
  if (breakdown) {
    result.has_breakdown = true;
    std::vector<uint64_t> entered(texts.size() + 1, 0);  // last: null
    auto slot = [&](uint32_t v) { return v == kNullValue ? texts.size() : v; };
    for (const Tally& t : tallies) {
      for (uint64_t pv : t.profile_value) ++entered[slot(static_cast<uint32_t>(pv >> 8))];
    }
    std::vector<uint32_t> ranked;
    for (uint32_t v = 0; v < texts.size(); ++v) {
      if (entered[v] > 0) ranked.push_back(v);
    }
    std::sort(ranked.begin(), ranked.end(), [&](uint32_t a, uint32_t b) {
      return entered[a] != entered[b] ? entered[a] > entered[b] : a < b;
    });
    group_of.assign(texts.size() + 1, 0);
    const size_t shown = std::min(ranked.size(), kFunnelBreakdownValues);
    for (size_t g = 0; g < shown; ++g) {
      group_of[ranked[g]] = static_cast<uint32_t>(groups.size());
      groups.push_back({texts[ranked[g]], false, {}});
    }
    if (entered[texts.size()] > 0) {
      group_of[texts.size()] = static_cast<uint32_t>(groups.size());
      groups.push_back({std::nullopt, false, {}});
    }
    if (ranked.size() > shown) {
      for (size_t g = shown; g < ranked.size(); ++g) {
        group_of[ranked[g]] = static_cast<uint32_t>(groups.size());
      }
      groups.push_back({std::string("(other)"), true, {}});
    }
    group_levels.assign(groups.size(), std::vector<uint64_t>(k + 1, 0));
    group_gaps.assign(groups.size(), std::vector<std::vector<int64_t>>(k));
    for (const Tally& t : tallies) {
      for (uint64_t pv : t.profile_value) {
        ++group_levels[group_of[slot(static_cast<uint32_t>(pv >> 8))]][pv & 0xff];
      }
    }
    for (size_t j = 1; j < k; ++j) {
      for (size_t i = 0; i < gaps[j].size(); ++i) {
        group_gaps[group_of[slot(gap_value[j][i])]][j].push_back(gaps[j][i]);
      }
    }
    for (size_t g = 0; g < groups.size(); ++g) {
      groups[g].steps = MakeSteps(spec, group_levels[g], &group_gaps[g]);
    }
    result.breakdown = std::move(groups);
  }
  result.steps = MakeSteps(spec, by_level, &gaps);
  if (!convert.empty()) result.median_seconds_to_convert = MedianSeconds(&convert);
  static constexpr int64_t kBounds[] = {10,      60,      300,     900,      3600,
                                        14400,   86400,   259200,  604800,   1209600,
                                        2592000, 5184000, 7776000, 15552000, 31536000};
  const int64_t window_s = (spec.window_us + 999'999) / 1'000'000;
  for (int64_t b : kBounds) {
    if (b < window_s) result.time_to_convert.push_back({b, 0});
  }
  result.time_to_convert.push_back({window_s, 0});
  for (int64_t c : convert) {
    for (FunnelBucket& b : result.time_to_convert) {
      if (c <= b.le_seconds * 1'000'000) {
        ++b.count;
        break;
      }
    }
  }
  return result;
}

}  // namespace rapport::warehouse
