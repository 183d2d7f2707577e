// Randomized tests of the monoid laws: however events are split between states, in whatever order
// they are added and however the states are merged, the result equals one state fed everything.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "profile/computed/computed_state.h"

namespace rapport {
namespace {

constexpr int64_t kHour = 3'600'000'000;
constexpr int64_t kDay = 24 * kHour;
constexpr int64_t kT0 = 1706702400000000;  // 2024-01-31T12:00:00Z

using V = ComputedValue;

struct Event {
  V value;
  int64_t ts;
  uint64_t seq;
};

ComputedDef MakeDef(Aggregate a, int window_days) {
  ComputedDef d;
  d.name = "t";
  d.aggregate = a;
  d.property = "properties.x";
  d.window_days = window_days;
  return d;
}

std::vector<ComputedDef> AllDefs() {
  std::vector<ComputedDef> defs;
  for (int a = 0; a <= static_cast<int>(Aggregate::kMostFrequent); ++a) {
    for (int window : {0, 1, 30}) defs.push_back(MakeDef(static_cast<Aggregate>(a), window));
  }
  return defs;
}

V RandomValue(std::mt19937_64& rng) {
  static const char* kWords[] = {"a", "b", "c", "Shoes", "Hats", "1", "2.50", "true", "é"};
  switch (rng() % 12) {
    case 0:
      return V();
    case 1:
      return V::Null();
    case 2:
      return V::Bool(rng() % 2);
    case 3:
    case 4:
      return V::Number(static_cast<double>(static_cast<int64_t>(rng() % 101) - 50));
    case 5:
    case 6:  // cents, the typical revenue
      return V::Number(static_cast<double>(static_cast<int64_t>(rng() % 20001) - 10000) / 100);
    case 7: {
      char buf[32];
      std::snprintf(buf, sizeof(buf), "%.2f", static_cast<double>(rng() % 10000) / 100);
      return V::String(buf);  // a numeric string
    }
    case 8:
    case 9:
      return V::String(kWords[rng() % (sizeof(kWords) / sizeof(kWords[0]))]);
    case 10:
      return V::Json(rng() % 2 ? R"({"k":1})" : "[1,2]");
    default:
      return V::Number(1e15 + static_cast<double>(rng() % 1000));
  }
}

std::vector<Event> RandomEvents(std::mt19937_64& rng, size_t n) {
  std::vector<Event> events;
  // A few shared timestamps, so first/last must break ties by seq.
  const int64_t shared[] = {kT0, kT0 - 3 * kDay, kT0 - kHour / 2};
  for (size_t i = 0; i < n; ++i) {
    int64_t ts = rng() % 4 == 0 ? shared[rng() % 3]
                                : kT0 - 40 * kDay + static_cast<int64_t>(rng() % (42 * kDay));
    events.push_back({RandomValue(rng), ts, i + 1});  // seq: log order
  }
  return events;
}

bool IsSumLike(const ComputedDef& def) {
  return def.aggregate == Aggregate::kSum || def.aggregate == Aggregate::kAvg;
}

// Evaluate results agree: exactly, or for sum/avg within 1e-9 relative.
void ExpectSameValue(const ComputedDef& def, const std::string& got, const std::string& want,
                     const std::string& where) {
  if (!IsSumLike(def) || got == want || got == "null" || want == "null") {
    EXPECT_EQ(got, want) << where;
    return;
  }
  const double g = std::stod(got), w = std::stod(want);
  EXPECT_LE(std::fabs(g - w), 1e-9 * std::max({1.0, std::fabs(g), std::fabs(w)}))
      << where << ": " << got << " vs " << want;
}

std::vector<int64_t> Nows(const ComputedState& reference, const ComputedDef& def) {
  std::vector<int64_t> nows = {
      kT0 - 41 * kDay, kT0 - 20 * kDay, kT0 - 10 * kDay + 3 * kHour, kT0 - kDay, kT0, kT0 + kHour,
      kT0 + 3 * kDay,  kT0 + 40 * kDay};
  // Also just before and at each time the result can change.
  int64_t t = kT0 - 41 * kDay;
  for (int i = 0; i < 5; ++i) {
    auto next = reference.NextChange(def, t);
    if (!next) break;
    nows.push_back(*next - 1);
    nows.push_back(*next);
    t = *next;
  }
  return nows;
}

// `got` is the same state as `want`: byte for byte, except that sums may differ in rounding.
void ExpectSameState(const ComputedDef& def, const ComputedState& got, const ComputedState& want,
                     const std::string& where, bool every_now = true) {
  if (!IsSumLike(def)) {
    EXPECT_EQ(got.Encode(), want.Encode()) << where;
    EXPECT_TRUE(got == want) << where;
  } else {
    EXPECT_EQ(got.bucket_count(), want.bucket_count()) << where;
    EXPECT_EQ(got.horizon(), want.horizon()) << where;
    EXPECT_EQ(got.empty(), want.empty()) << where;
  }
  const std::vector<int64_t> nows =
      every_now ? Nows(want, def) : std::vector<int64_t>{kT0, kT0 + 30 * kDay - kHour};
  for (int64_t now : nows) {
    const std::string at = where + " at now=" + std::to_string(now);
    ExpectSameValue(def, got.Evaluate(def, now), want.Evaluate(def, now), at);
    EXPECT_EQ(got.NextChange(def, now), want.NextChange(def, now)) << at;
    EXPECT_EQ(got.Saturated(def, now), want.Saturated(def, now)) << at;
  }
  auto decoded = ComputedState::Decode(got.Encode());
  ASSERT_TRUE(decoded.ok()) << where << ": " << decoded.status().ToString();
  EXPECT_EQ(decoded->Encode(), got.Encode()) << where;
}

ComputedState Feed(const ComputedDef& def, const std::vector<Event>& events) {
  ComputedState s;
  for (const Event& e : events) s.Add(def, e.value, e.ts, e.seq);
  return s;
}

TEST(ComputedStatePropertyTest, SplitShuffledMergedEqualsOneStateFedEverything) {
  std::mt19937_64 rng(20240131);
  for (const ComputedDef& def : AllDefs()) {
    for (int iter = 0; iter < 150; ++iter) {
      const std::string where = ToJson(def) + " iteration " + std::to_string(iter);
      const std::vector<Event> events = RandomEvents(rng, rng() % 60);
      const ComputedState reference = Feed(def, events);

      // Split into three parts, each fed in its own shuffled order.
      std::vector<Event> parts[3];
      for (const Event& e : events) parts[rng() % 3].push_back(e);
      ComputedState s[3];
      for (int i = 0; i < 3; ++i) {
        std::shuffle(parts[i].begin(), parts[i].end(), rng);
        s[i] = Feed(def, parts[i]);
      }
      ComputedState ab_c = s[0];  // (A + B) + C
      ab_c.Merge(def, s[1]);
      ab_c.Merge(def, s[2]);
      ComputedState bc = s[1];  // A + (B + C), in another order
      bc.Merge(def, s[2]);
      ComputedState c_ba = s[2];
      c_ba.Merge(def, s[1]);
      ComputedState a_bc = s[0];
      a_bc.Merge(def, bc);
      ComputedState cb_a = c_ba;  // (C + B) + A
      cb_a.Merge(def, s[0]);
      ExpectSameState(def, ab_c, reference, where + " (A+B)+C");
      ExpectSameState(def, a_bc, reference, where + " A+(B+C)");
      ExpectSameState(def, cb_a, reference, where + " (C+B)+A");

      // Whole shuffled order into one state.
      std::vector<Event> shuffled = events;
      std::shuffle(shuffled.begin(), shuffled.end(), rng);
      ExpectSameState(def, Feed(def, shuffled), reference, where + " shuffled");
      if (HasFailure()) return;
    }
  }
}

TEST(ComputedStatePropertyTest, PruningAnywhereEqualsPruningOnceAtTheLatestTime) {
  std::mt19937_64 rng(7);
  for (const ComputedDef& def : AllDefs()) {
    if (!def.windowed()) continue;
    for (int iter = 0; iter < 100; ++iter) {
      const std::string where = ToJson(def) + " iteration " + std::to_string(iter);
      const std::vector<Event> events = RandomEvents(rng, rng() % 60);
      std::vector<Event> parts[2];
      for (const Event& e : events) parts[rng() % 2].push_back(e);
      int64_t latest = INT64_MIN;
      ComputedState s[2];
      for (int i = 0; i < 2; ++i) {
        std::shuffle(parts[i].begin(), parts[i].end(), rng);
        for (const Event& e : parts[i]) {
          if (rng() % 8 == 0) {  // prune at a random time in between
            const int64_t now = kT0 - 35 * kDay + static_cast<int64_t>(rng() % (36 * kDay));
            s[i].Prune(def, now);
            latest = std::max(latest, now);
          }
          s[i].Add(def, e.value, e.ts, e.seq);
        }
      }
      ComputedState merged = s[0];
      merged.Merge(def, s[1]);
      ComputedState reference = Feed(def, events);
      if (latest != INT64_MIN) reference.Prune(def, latest);
      ExpectSameState(def, merged, reference, where);
      if (HasFailure()) return;
    }
  }
}

TEST(ComputedStatePropertyTest, SaturatedMapsMergeInAnyOrder) {
  std::mt19937_64 rng(99);
  for (Aggregate a : {Aggregate::kDistinctCount, Aggregate::kMostFrequent}) {
    for (int window : {0, 30}) {
      const ComputedDef def = MakeDef(a, window);
      for (int iter = 0; iter < 3; ++iter) {
        const std::string where = ToJson(def) + " iteration " + std::to_string(iter);
        std::vector<Event> events;
        const size_t n = 45'000 + rng() % 4000;
        for (size_t i = 0; i < n; ++i) {
          // About 12,500 distinct texts per hour, with repeats, over three hours: every map
          // (all-time, and each hour bucket of the windowed trait) saturates.
          const uint64_t k = rng() % 40'000;
          V v = k % 3 == 0 ? V::Number(static_cast<double>(k)) : V::String("v" + std::to_string(k));
          events.push_back({v, kT0 + static_cast<int64_t>(rng() % 3) * kHour, i + 1});
        }
        const ComputedState reference = Feed(def, events);
        EXPECT_TRUE(reference.Saturated(def, kT0)) << where;
        std::vector<Event> parts[2];
        for (const Event& e : events) parts[rng() % 2].push_back(e);
        ComputedState s[2];
        for (int i = 0; i < 2; ++i) {
          std::shuffle(parts[i].begin(), parts[i].end(), rng);
          s[i] = Feed(def, parts[i]);
        }
        ComputedState ab = s[0], ba = s[1];
        ab.Merge(def, s[1]);
        ba.Merge(def, s[0]);
        ExpectSameState(def, ab, reference, where + " A+B", false);
        ExpectSameState(def, ba, reference, where + " B+A", false);
        if (HasFailure()) return;
      }
    }
  }
}

TEST(ComputedStatePropertyTest, CompensatedSumsOfCentsPrintTheSameInAnyOrder) {
  // Stronger than the 1e-9 tolerance above: for amounts like prices, the printed sum and average
  // do not depend on the order of Add and Merge at all.
  std::mt19937_64 rng(5);
  for (Aggregate a : {Aggregate::kSum, Aggregate::kAvg}) {
    const ComputedDef def = MakeDef(a, 0);
    for (int iter = 0; iter < 200; ++iter) {
      std::vector<Event> events;
      const size_t n = 1 + rng() % 300;
      for (size_t i = 0; i < n; ++i) {
        const double cents = static_cast<double>(static_cast<int64_t>(rng() % 2'000'001) - 500'000);
        events.push_back({V::Number(cents / 100), kT0, i + 1});
      }
      const std::string want = Feed(def, events).Evaluate(def, kT0);
      for (int k = 0; k < 5; ++k) {
        std::shuffle(events.begin(), events.end(), rng);
        const size_t cut = rng() % (events.size() + 1);
        ComputedState left = Feed(def, {events.begin(), events.begin() + cut});
        ComputedState right = Feed(def, {events.begin() + cut, events.end()});
        right.Merge(def, left);
        ASSERT_EQ(right.Evaluate(def, kT0), want) << AggregateName(a) << " iteration " << iter;
      }
    }
  }
}

TEST(ComputedStatePropertyTest, EncodingIsDeterministic) {
  // Same values added in different orders give the same bytes (the pipeline compares a state
  // rebuilt by replay with the one built incrementally).
  std::mt19937_64 rng(3);
  for (const ComputedDef& def : AllDefs()) {
    if (IsSumLike(def)) continue;  // sums: equal up to rounding only
    const std::vector<Event> events = RandomEvents(rng, 200);
    std::vector<Event> shuffled = events;
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    EXPECT_EQ(Feed(def, shuffled).Encode(), Feed(def, events).Encode()) << ToJson(def);
  }
  // For sums, the same order gives the same bytes.
  const ComputedDef sum = MakeDef(Aggregate::kSum, 30);
  const std::vector<Event> events = RandomEvents(rng, 200);
  EXPECT_EQ(Feed(sum, events).Encode(), Feed(sum, events).Encode());
}

}  // namespace
}  // namespace rapport
