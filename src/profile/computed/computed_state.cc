#include "profile/computed/computed_state.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <iterator>
#include <limits>
#include <utility>
#include <vector>

#include "common/json_writer.h"
#include "common/time_format.h"

namespace rapport {

namespace {

// Neumaier's compensated summation: `*sum + *comp` carries the rounding error of each step.
void NeumaierAdd(double* sum, double* comp, double x) {
  const double t = *sum + x;
  if (std::fabs(*sum) >= std::fabs(x)) {
    *comp += (*sum - t) + x;
  } else {
    *comp += (x - t) + *sum;
  }
  *sum = t;
}

// Counts saturate at 2^64 - 1 rather than wrap to 0 (a partial counted 0 would be empty).
// Saturating addition is still associative and commutative, so the state stays order-free.
uint64_t AddCount(uint64_t a, uint64_t b) {
  return b > std::numeric_limits<uint64_t>::max() - a ? std::numeric_limits<uint64_t>::max()
                                                      : a + b;
}

bool IsNumeric(Aggregate a) {
  return a == Aggregate::kSum || a == Aggregate::kAvg || a == Aggregate::kMin ||
         a == Aggregate::kMax;
}

bool IsPick(Aggregate a) { return a == Aggregate::kFirst || a == Aggregate::kLast; }

bool IsMap(Aggregate a) { return a == Aggregate::kDistinctCount || a == Aggregate::kMostFrequent; }

// A total order on values, so first/last ties on (timestamp, seq) still resolve one way.
int CompareValues(const ComputedValue& a, const ComputedValue& b) {
  if (a.kind() != b.kind()) return a.kind() < b.kind() ? -1 : 1;
  switch (a.kind()) {
    case ComputedValue::Kind::kBool:
      return static_cast<int>(a.boolean()) - static_cast<int>(b.boolean());
    case ComputedValue::Kind::kNumber:
      return a.number() < b.number() ? -1 : (a.number() > b.number() ? 1 : 0);
    case ComputedValue::Kind::kString:
    case ComputedValue::Kind::kJson: {
      int c = a.text().compare(b.text());
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    default:
      return 0;
  }
}

}  // namespace

int64_t HourOf(int64_t timestamp_us) {
  int64_t q = timestamp_us / ComputedState::kHourUs;
  if (timestamp_us % ComputedState::kHourUs < 0) --q;
  return q;
}

int64_t HourExpiry(int64_t hour, int64_t window_us) {
  const __int128 t = static_cast<__int128>(hour) * ComputedState::kHourUs + window_us;
  if (t > std::numeric_limits<int64_t>::max()) return std::numeric_limits<int64_t>::max();
  if (t < std::numeric_limits<int64_t>::min()) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(t);
}

bool ComputedState::Compatible(const ComputedDef& def) const {
  return !aggregate_ || (*aggregate_ == def.aggregate && windowed_ == def.windowed());
}

void ComputedState::Reset() { *this = ComputedState(); }

void ComputedState::Adopt(const ComputedDef& def) {
  if (!Compatible(def)) Reset();
  if (!aggregate_) {
    aggregate_ = def.aggregate;
    windowed_ = def.windowed();
  }
}

void ComputedState::PruneTo(const ComputedDef& def, int64_t horizon) {
  // Expiry grows with the hour, so the buckets that cannot count form a prefix of the map.
  auto it = hours_.begin();
  while (it != hours_.end() && HourExpiry(it->first, def.window_us()) <= horizon) ++it;
  hours_.erase(hours_.begin(), it);
}

void ComputedState::Add(const ComputedDef& def, const ComputedValue& value, int64_t timestamp_us,
                        uint64_t seq) {
  // Work out what the value contributes before touching the state, so a value that contributes
  // nothing leaves an empty state empty and creates no bucket.
  const Aggregate a = def.aggregate;
  std::optional<double> number;
  std::optional<std::string> key;
  if (IsNumeric(a)) {
    number = value.AsNumber();
    if (!number) return;
  } else if (IsMap(a)) {
    key = CanonicalText(value);
    if (!key) return;
  } else if (!value.present()) {
    return;  // count, first, last, latest_times
  }
  Adopt(def);
  Partial* p = &total_;
  if (windowed_) {
    const int64_t hour = HourOf(timestamp_us);
    if (horizon_ && HourExpiry(hour, def.window_us()) <= *horizon_) return;  // too old to count
    p = &hours_[hour];
  }
  switch (a) {
    case Aggregate::kCount:
      p->n = AddCount(p->n, 1);
      return;
    case Aggregate::kSum:
    case Aggregate::kAvg:
      p->n = AddCount(p->n, 1);
      NeumaierAdd(&p->sum, &p->comp, *number);
      return;
    case Aggregate::kMin:
    case Aggregate::kMax:
      if (p->n == 0 || (a == Aggregate::kMin ? *number < p->extreme : *number > p->extreme)) {
        p->extreme = *number;
      }
      p->n = AddCount(p->n, 1);
      return;
    case Aggregate::kFirst:
    case Aggregate::kLast: {
      Partial candidate;
      candidate.has_pick = true;
      candidate.pick_ts = timestamp_us;
      candidate.pick_seq = seq;
      candidate.pick = value;
      MergePartial(a, p, candidate);
      return;
    }
    case Aggregate::kDistinctCount:
      AddKey(p, std::move(*key), Entry{});
      return;
    case Aggregate::kLatestTimes:
      AddTime(p, timestamp_us, static_cast<size_t>(def.keep));
      return;
    case Aggregate::kMostFrequent:
      AddKey(p, std::move(*key),
             Entry{1, value.kind() == ComputedValue::Kind::kString   ? kKindString
                      : value.kind() == ComputedValue::Kind::kNumber ? kKindNumber
                                                                     : kKindBool});
      return;
  }
}

void ComputedState::AddTime(Partial* p, int64_t ts, size_t keep) {
  std::vector<int64_t>& t = p->times;
  auto it = std::upper_bound(t.begin(), t.end(), ts, std::greater<int64_t>());
  if (keep == 0 || static_cast<size_t>(it - t.begin()) >= keep) return;  // older than all kept
  t.insert(it, ts);
  if (t.size() > keep) t.resize(keep);
}

void ComputedState::MergePartial(Aggregate a, Partial* into, const Partial& from, size_t keep) {
  switch (a) {
    case Aggregate::kLatestTimes: {
      std::vector<int64_t> merged(into->times.size() + from.times.size());
      std::merge(into->times.begin(), into->times.end(), from.times.begin(), from.times.end(),
                 merged.begin(), std::greater<int64_t>());
      if (merged.size() > keep) merged.resize(keep);
      into->times = std::move(merged);
      return;
    }
    case Aggregate::kCount:
      into->n = AddCount(into->n, from.n);
      return;
    case Aggregate::kSum:
    case Aggregate::kAvg:
      into->n = AddCount(into->n, from.n);
      NeumaierAdd(&into->sum, &into->comp, from.sum);
      into->comp += from.comp;
      return;
    case Aggregate::kMin:
    case Aggregate::kMax:
      if (from.n > 0 && (into->n == 0 || (a == Aggregate::kMin ? from.extreme < into->extreme
                                                               : from.extreme > into->extreme))) {
        into->extreme = from.extreme;
      }
      into->n = AddCount(into->n, from.n);
      return;
    case Aggregate::kFirst:
    case Aggregate::kLast: {
      if (!from.has_pick) return;
      bool better = !into->has_pick;
      if (!better) {
        int c = from.pick_ts != into->pick_ts     ? (from.pick_ts < into->pick_ts ? -1 : 1)
                : from.pick_seq != into->pick_seq ? (from.pick_seq < into->pick_seq ? -1 : 1)
                                                  : CompareValues(from.pick, into->pick);
        better = a == Aggregate::kFirst ? c < 0 : c > 0;
      }
      if (better) {
        into->has_pick = true;
        into->pick_ts = from.pick_ts;
        into->pick_seq = from.pick_seq;
        into->pick = from.pick;
      }
      return;
    }
    case Aggregate::kDistinctCount:
    case Aggregate::kMostFrequent: {
      for (const auto& [text, e] : from.values) AddKey(into, text, e);
      into->saturated = into->saturated || from.saturated;
      return;
    }
  }
}

void ComputedState::AddKey(Partial* p, std::string text, const Entry& e) {
  // Keep exactly the kMaxTrackedValues smallest texts seen. A text among the smallest of all is
  // never displaced, so its count is exact, and which texts are kept does not depend on the order
  // or grouping of Add and Merge calls.
  auto it = p->values.lower_bound(text);
  if (it != p->values.end() && it->first == text) {
    it->second.count = AddCount(it->second.count, e.count);
    it->second.kinds |= e.kinds;
    return;
  }
  if (p->values.size() >= kMaxTrackedValues) {
    p->saturated = true;
    if (it == p->values.end()) return;  // larger than everything kept in a full map
    auto last = std::prev(p->values.end());
    if (it == last) it = p->values.end();  // the hint must not be the erased node
    p->values.erase(last);
  }
  p->values.emplace_hint(it, std::move(text), e);
}

bool ComputedState::PartialEmpty(Aggregate a, const Partial& p) {
  if (IsPick(a)) return !p.has_pick;
  if (IsMap(a)) return p.values.empty();
  if (a == Aggregate::kLatestTimes) return p.times.empty();
  return p.n == 0;
}

void ComputedState::Merge(const ComputedDef& def, const ComputedState& other) {
  if (!Compatible(def)) Reset();
  if (other.empty() || !other.Compatible(def)) return;
  if (&other == this) {
    const ComputedState copy = other;
    Merge(def, copy);
    return;
  }
  if (empty()) {
    *this = other;
    return;
  }
  if (!windowed_) {
    MergePartial(*aggregate_, &total_, other.total_, static_cast<size_t>(def.keep));
    if (PartialEmpty(*aggregate_, total_)) Reset();  // keep 0: nothing may stay
    return;
  }
  if (other.horizon_ && (!horizon_ || *other.horizon_ > *horizon_)) horizon_ = other.horizon_;
  for (const auto& [hour, p] : other.hours_) MergePartial(*aggregate_, &hours_[hour], p);
  if (horizon_) PruneTo(def, *horizon_);
}

void ComputedState::Prune(const ComputedDef& def, int64_t now_us) {
  if (!Compatible(def)) Reset();
  if (!def.windowed()) return;
  Adopt(def);
  if (!horizon_ || now_us > *horizon_) horizon_ = now_us;
  PruneTo(def, *horizon_);
}

std::vector<const ComputedState::Partial*> ComputedState::Live(const ComputedDef& def,
                                                               int64_t now_us) const {
  std::vector<const Partial*> live;
  if (empty() || !Compatible(def)) return live;
  if (!windowed_) {
    live.push_back(&total_);
    return live;
  }
  // Buckets are in hour order and expiry grows with the hour: skip the expired prefix.
  auto it = hours_.begin();
  while (it != hours_.end() && HourExpiry(it->first, def.window_us()) <= now_us) ++it;
  for (; it != hours_.end(); ++it) live.push_back(&it->second);
  return live;
}

std::string ComputedState::Evaluate(const ComputedDef& def, int64_t now_us) const {
  const std::vector<const Partial*> live = Live(def, now_us);
  const Aggregate a = def.aggregate;
  std::string out;
  switch (a) {
    case Aggregate::kCount: {
      uint64_t n = 0;
      for (const Partial* p : live) n = AddCount(n, p->n);
      return std::to_string(n);
    }
    case Aggregate::kLatestTimes: {
      out = "[";
      for (const Partial* p : live) {
        for (int64_t ts : p->times) {
          if (out.size() > 1) out += ',';
          AppendJsonString(&out, FormatIso8601(ts));
        }
      }
      return out + "]";
    }
    case Aggregate::kSum:
    case Aggregate::kAvg: {
      uint64_t n = 0;
      double sum = 0, comp = 0;
      for (const Partial* p : live) {
        n = AddCount(n, p->n);
        NeumaierAdd(&sum, &comp, p->sum);
        comp += p->comp;
      }
      if (a == Aggregate::kAvg && n == 0) return "null";
      const double total = sum + comp;
      AppendJsonNumber(a == Aggregate::kAvg ? total / static_cast<double>(n) : total, &out);
      return out;
    }
    case Aggregate::kMin:
    case Aggregate::kMax:
    case Aggregate::kFirst:
    case Aggregate::kLast: {
      Partial folded;
      for (const Partial* p : live) MergePartial(a, &folded, *p);
      if (PartialEmpty(a, folded)) return "null";
      if (IsPick(a)) return folded.pick.ToJson();
      AppendJsonNumber(folded.extreme, &out);
      return out;
    }
    case Aggregate::kDistinctCount: {
      if (live.size() == 1) return std::to_string(live[0]->values.size());
      std::vector<std::string_view> texts;
      for (const Partial* p : live) {
        for (const auto& kv : p->values) texts.push_back(kv.first);
      }
      std::sort(texts.begin(), texts.end());
      return std::to_string(std::unique(texts.begin(), texts.end()) - texts.begin());
    }
    case Aggregate::kMostFrequent: {
      // Texts in ascending order, so the first of equal counts (the smallest text) wins.
      std::string_view best_text;
      Entry best;
      auto consider = [&](std::string_view text, const Entry& e) {
        if (e.count > best.count) {
          best_text = text;
          best = e;
        }
      };
      if (live.size() == 1) {
        for (const auto& [text, e] : live[0]->values) consider(text, e);
      } else {
        // Sum counts per text over the live buckets (views into them: no copies).
        std::map<std::string_view, Entry> merged;
        for (const Partial* p : live) {
          for (const auto& [text, e] : p->values) {
            Entry& m = merged[text];
            m.count = AddCount(m.count, e.count);
            m.kinds |= e.kinds;
          }
        }
        for (const auto& [text, e] : merged) consider(text, e);
      }
      if (best.count == 0) return "null";
      if (best.kinds & kKindString) {
        AppendJsonString(&out, best_text);
      } else {
        out.append(best_text);  // a number's canonical text, or true / false: valid JSON
      }
      return out;
    }
  }
  return "null";
}

std::optional<int64_t> ComputedState::NextChange(const ComputedDef& def, int64_t now_us) const {
  if (!def.windowed() || empty() || !Compatible(def)) return std::nullopt;
  for (const auto& kv : hours_) {
    const int64_t expiry = HourExpiry(kv.first, def.window_us());
    if (expiry > now_us) return expiry;
  }
  return std::nullopt;
}

const std::vector<int64_t>& ComputedState::LatestTimes(const ComputedDef& def) const {
  static const std::vector<int64_t> kNone;
  if (def.aggregate != Aggregate::kLatestTimes || empty() || !Compatible(def)) return kNone;
  return total_.times;
}

bool ComputedState::Saturated(const ComputedDef& def, int64_t now_us) const {
  for (const Partial* p : Live(def, now_us)) {
    if (p->saturated) return true;
  }
  return false;
}

}  // namespace rapport
