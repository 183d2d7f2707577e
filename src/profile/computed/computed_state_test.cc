#include "profile/computed/computed_state.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

namespace rapport {
namespace {

constexpr int64_t kHour = 3'600'000'000;
constexpr int64_t kDay = 24 * kHour;
constexpr int64_t kT0 = 1706702400000000;  // 2024-01-31T12:00:00Z, an hour start

ComputedDef Def(std::string_view json) {
  auto r = ParseComputedDef(json);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : ComputedDef{};
}

ComputedDef DefOf(std::string_view aggregate, int window_days = 0) {
  std::string json =
      R"({"name":"t","aggregate":")" + std::string(aggregate) + R"(","property":"properties.x")";
  if (window_days > 0) json += ",\"window_days\":" + std::to_string(window_days);
  return Def(json + "}");
}

using V = ComputedValue;

// Adds values at increasing seq, all at time `ts` unless given per value.
struct Feeder {
  ComputedState state;
  uint64_t seq = 0;
  void Add(const ComputedDef& def, const V& v, int64_t ts = kT0) { state.Add(def, v, ts, ++seq); }
};

TEST(ComputedStateTest, EmptyStateEvaluatesToTheZeroOfEachAggregate) {
  ComputedState s;
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(s.Evaluate(DefOf("count"), kT0), "0");
  EXPECT_EQ(s.Evaluate(DefOf("sum"), kT0), "0");
  EXPECT_EQ(s.Evaluate(DefOf("avg"), kT0), "null");
  EXPECT_EQ(s.Evaluate(DefOf("min"), kT0), "null");
  EXPECT_EQ(s.Evaluate(DefOf("max"), kT0), "null");
  EXPECT_EQ(s.Evaluate(DefOf("first"), kT0), "null");
  EXPECT_EQ(s.Evaluate(DefOf("last"), kT0), "null");
  EXPECT_EQ(s.Evaluate(DefOf("distinct_count"), kT0), "0");
  EXPECT_EQ(s.Evaluate(DefOf("most_frequent"), kT0), "null");
  EXPECT_EQ(s.Evaluate(DefOf("count", 30), kT0), "0");
  EXPECT_FALSE(s.NextChange(DefOf("count", 30), kT0).has_value());
}

TEST(ComputedStateTest, CountIgnoresMissingAndNull) {
  const ComputedDef def = DefOf("count");
  Feeder f;
  f.Add(def, V::Bool(true));
  f.Add(def, V::String("x"));
  f.Add(def, V::Json("{}"));
  f.Add(def, V::Number(0));
  f.Add(def, V::Null());
  f.Add(def, V());
  EXPECT_EQ(f.state.Evaluate(def, kT0), "4");
}

TEST(ComputedStateTest, ValuesThatContributeNothingLeaveTheStateEmpty) {
  ComputedState s;
  s.Add(DefOf("sum"), V::String("n/a"), kT0, 1);
  s.Add(DefOf("count"), V::Null(), kT0, 2);
  s.Add(DefOf("distinct_count"), V::Json("[1]"), kT0, 3);
  s.Add(DefOf("last"), V(), kT0, 4);
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(s.Encode(), std::string("\x01\x00", 2));
}

TEST(ComputedStateTest, Sum) {
  const ComputedDef def = DefOf("sum");
  Feeder f;
  f.Add(def, V::Number(40));
  f.Add(def, V::String("2.5"));  // a numeric string counts
  f.Add(def, V::String("2.5 EUR"));
  f.Add(def, V::Bool(true));
  f.Add(def, V::Null());
  EXPECT_EQ(f.state.Evaluate(def, kT0), "42.5");
  f.Add(def, V::Number(-42.5));
  EXPECT_EQ(f.state.Evaluate(def, kT0), "0");
}

TEST(ComputedStateTest, SumIsCompensated) {
  const ComputedDef def = DefOf("sum");
  Feeder f;
  for (int i = 0; i < 10; ++i) f.Add(def, V::Number(0.1));
  EXPECT_EQ(f.state.Evaluate(def, kT0), "1");  // naive summation gives 0.9999999999999999
  Feeder g;
  g.Add(def, V::Number(1e16));
  for (int i = 0; i < 100; ++i) g.Add(def, V::Number(1));
  g.Add(def, V::Number(-1e16));
  EXPECT_EQ(g.state.Evaluate(def, kT0), "100");
  Feeder h;
  h.Add(def, V::Number(9007199254740990.0));
  h.Add(def, V::Number(1));
  EXPECT_EQ(h.state.Evaluate(def, kT0), "9007199254740991");
}

TEST(ComputedStateTest, SumBeyondDoubleRangeIsNull) {
  const ComputedDef def = DefOf("sum");
  Feeder f;
  f.Add(def, V::Number(1.5e308));
  f.Add(def, V::Number(1.5e308));
  EXPECT_EQ(f.state.Evaluate(def, kT0), "null");
  auto back = ComputedState::Decode(f.state.Encode());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->Encode(), f.state.Encode());
  EXPECT_EQ(back->Evaluate(def, kT0), "null");
}

TEST(ComputedStateTest, Avg) {
  const ComputedDef def = DefOf("avg");
  Feeder f;
  f.Add(def, V::String("x"));
  EXPECT_EQ(f.state.Evaluate(def, kT0), "null");
  f.Add(def, V::Number(1));
  f.Add(def, V::Number(2));
  EXPECT_EQ(f.state.Evaluate(def, kT0), "1.5");
  f.Add(def, V::String("3"));
  EXPECT_EQ(f.state.Evaluate(def, kT0), "2");
}

TEST(ComputedStateTest, MinMax) {
  const ComputedDef min = DefOf("min"), max = DefOf("max");
  Feeder a, b;
  for (const V& v : {V::Number(3), V::String("-1.5"), V::Number(10), V::String("big")}) {
    a.Add(min, v);
    b.Add(max, v);
  }
  EXPECT_EQ(a.state.Evaluate(min, kT0), "-1.5");
  EXPECT_EQ(b.state.Evaluate(max, kT0), "10");
}

TEST(ComputedStateTest, FirstAndLastFollowEventTimeThenSeq) {
  const ComputedDef first = DefOf("first"), last = DefOf("last");
  ComputedState f, l;
  // Arrives out of order: the event at kT0 - 1 h arrives last.
  struct In {
    V v;
    int64_t ts;
    uint64_t seq;
  };
  const std::vector<In> ins = {{V::String("b"), kT0, 10},
                               {V::String("c"), kT0 + kHour, 11},
                               {V::Null(), kT0 + 2 * kHour, 12},  // ignored
                               {V::String("tie-later-seq"), kT0 + kHour, 13},
                               {V::String("a"), kT0 - kHour, 14}};
  for (const In& in : ins) {
    f.Add(first, in.v, in.ts, in.seq);
    l.Add(last, in.v, in.ts, in.seq);
  }
  EXPECT_EQ(f.Evaluate(first, kT0), "\"a\"");
  EXPECT_EQ(l.Evaluate(last, kT0), "\"tie-later-seq\"");
}

TEST(ComputedStateTest, FirstLastKeepTheValueKind) {
  const ComputedDef last = DefOf("last");
  Feeder f;
  f.Add(last, V::Number(2.5), kT0);
  EXPECT_EQ(f.state.Evaluate(last, kT0), "2.5");
  f.Add(last, V::Json(R"({"source":"x"})"), kT0 + 1);
  EXPECT_EQ(f.state.Evaluate(last, kT0), R"({"source":"x"})");
  f.Add(last, V::Bool(false), kT0 + 2);
  EXPECT_EQ(f.state.Evaluate(last, kT0), "false");
  f.Add(last, V::String("quote\"d"), kT0 + 3);
  EXPECT_EQ(f.state.Evaluate(last, kT0), R"("quote\"d")");
}

TEST(ComputedStateTest, DistinctCountComparesCanonicalText) {
  const ComputedDef def = DefOf("distinct_count");
  Feeder f;
  for (const V& v : {V::Number(1), V::Number(1.0), V::String("1"), V::String("1.0"), V::Bool(true),
                     V::String("true"), V::Null(), V::Json("{}"), V()}) {
    f.Add(def, v);
  }
  EXPECT_EQ(f.state.Evaluate(def, kT0), "3");  // "1", "1.0", "true"
}

TEST(ComputedStateTest, MostFrequent) {
  const ComputedDef def = DefOf("most_frequent");
  Feeder f;
  f.Add(def, V::String("Shoes"));
  f.Add(def, V::String("Hats"));
  EXPECT_EQ(f.state.Evaluate(def, kT0), "\"Hats\"");  // a tie: the smaller text
  f.Add(def, V::String("Shoes"));
  EXPECT_EQ(f.state.Evaluate(def, kT0), "\"Shoes\"");
  Feeder n;
  n.Add(def, V::Number(5));
  n.Add(def, V::Number(5.0));
  n.Add(def, V::Number(7));
  EXPECT_EQ(n.state.Evaluate(def, kT0), "5");  // a number, printed as one
  n.Add(def, V::String("5"));
  EXPECT_EQ(n.state.Evaluate(def, kT0), "\"5\"");  // also seen as a string: shown as one
  Feeder b;
  b.Add(def, V::Bool(false));
  EXPECT_EQ(b.state.Evaluate(def, kT0), "false");
}

TEST(ComputedStateTest, LongStringsAreTrackedByTheirFirst256Bytes) {
  const ComputedDef def = DefOf("distinct_count");
  Feeder f;
  f.Add(def, V::String(std::string(256, 'a') + "x"));
  f.Add(def, V::String(std::string(256, 'a') + "y"));
  f.Add(def, V::String(std::string(255, 'a')));
  EXPECT_EQ(f.state.Evaluate(def, kT0), "2");
  const ComputedDef mf = DefOf("most_frequent");
  Feeder g;
  g.Add(mf, V::String(std::string(300, 'z')));
  EXPECT_EQ(g.state.Evaluate(mf, kT0), "\"" + std::string(256, 'z') + "\"");
}

// "v00042": texts whose byte order is their numeric order.
V Padded(int i) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "v%05d", i);
  return V::String(buf);
}

TEST(ComputedStateTest, SaturationKeepsTheSmallestValues) {
  const ComputedDef def = DefOf("distinct_count");
  const ComputedDef mf = DefOf("most_frequent");
  Feeder f, g;
  // Largest first, so the small ones must displace them.
  for (int i = 10'004; i >= 0; --i) {
    f.Add(def, Padded(i));
    g.Add(mf, Padded(i));
  }
  g.Add(mf, Padded(10'004));  // beyond the kept values: not counted
  g.Add(mf, Padded(10'004));
  g.Add(mf, Padded(10));
  EXPECT_EQ(f.state.Evaluate(def, kT0), "10000");
  EXPECT_TRUE(f.state.Saturated(def, kT0));
  EXPECT_EQ(g.state.Evaluate(mf, kT0), "\"v00010\"");
  EXPECT_TRUE(g.state.Saturated(mf, kT0));
  // Numbers are compared by their text too: "-1" sorts before "0".
  Feeder h;
  for (int i = 0; i < 10'000; ++i) h.Add(def, V::Number(i));
  EXPECT_FALSE(h.state.Saturated(def, kT0));
  h.Add(def, V::Number(5));
  EXPECT_FALSE(h.state.Saturated(def, kT0));
  h.Add(def, V::Number(-1));
  EXPECT_TRUE(h.state.Saturated(def, kT0));
  EXPECT_EQ(h.state.Evaluate(def, kT0), "10000");
}

TEST(ComputedStateTest, WindowCountsAnEventWhileItsHourStartPlusWindowIsAfterNow) {
  const ComputedDef def = DefOf("count", 1);
  Feeder f;
  f.Add(def, V::Bool(true), kT0 + 30 * 60'000'000LL);  // 12:30, hour 12:00
  f.Add(def, V::Bool(true), kT0 + 2 * kHour);          // 14:00
  EXPECT_EQ(f.state.Evaluate(def, kT0 + kHour), "2");
  EXPECT_EQ(f.state.Evaluate(def, kT0 + kDay - 1), "2");
  EXPECT_EQ(f.state.Evaluate(def, kT0 + kDay), "1");  // 12:00 + 24 h: the 12:30 event is out
  EXPECT_EQ(f.state.Evaluate(def, kT0 + kDay + 2 * kHour - 1), "1");
  EXPECT_EQ(f.state.Evaluate(def, kT0 + kDay + 2 * kHour), "0");
  EXPECT_EQ(f.state.NextChange(def, kT0 + kHour), kT0 + kDay);
  EXPECT_EQ(f.state.NextChange(def, kT0 + kDay), kT0 + kDay + 2 * kHour);
  EXPECT_EQ(f.state.NextChange(def, kT0 + kDay + 2 * kHour), std::nullopt);
  EXPECT_EQ(f.state.bucket_count(), 2u);
  // Events in the future count too (a clock ahead); they expire later.
  f.Add(def, V::Bool(true), kT0 + 3 * kDay);
  EXPECT_EQ(f.state.Evaluate(def, kT0), "3");
}

TEST(ComputedStateTest, NegativeTimesUseFloorHours) {
  EXPECT_EQ(HourOf(0), 0);
  EXPECT_EQ(HourOf(kHour - 1), 0);
  EXPECT_EQ(HourOf(-1), -1);
  EXPECT_EQ(HourOf(-kHour), -1);
  EXPECT_EQ(HourOf(-kHour - 1), -2);
  EXPECT_EQ(HourExpiry(-1, kDay), kDay - kHour);
  EXPECT_EQ(HourExpiry(HourOf(INT64_MAX), kDay), INT64_MAX);
  EXPECT_EQ(HourExpiry(HourOf(INT64_MIN), 0), INT64_MIN);
}

TEST(ComputedStateTest, PruneDropsExpiredHoursAndRemembersTheHorizon) {
  const ComputedDef def = DefOf("sum", 1);
  Feeder f;
  f.Add(def, V::Number(1), kT0);
  f.Add(def, V::Number(2), kT0 + kHour);
  f.Add(def, V::Number(4), kT0 + 5 * kHour);
  f.state.Prune(def, kT0 + kDay + kHour);  // hours 12:00 and 13:00 can no longer count
  EXPECT_EQ(f.state.bucket_count(), 1u);
  EXPECT_EQ(f.state.horizon(), kT0 + kDay + kHour);
  EXPECT_EQ(f.state.Evaluate(def, kT0 + kDay + kHour), "4");
  // A late event for an hour that can no longer count is dropped when added.
  f.Add(def, V::Number(100), kT0 + kHour + 59 * 60'000'000LL);
  EXPECT_EQ(f.state.bucket_count(), 1u);
  f.Add(def, V::Number(8), kT0 + 2 * kHour);  // still counts at the horizon
  EXPECT_EQ(f.state.Evaluate(def, kT0 + kDay + kHour), "12");
  // An earlier Prune does not move the horizon back.
  f.state.Prune(def, kT0);
  EXPECT_EQ(f.state.horizon(), kT0 + kDay + kHour);
  f.state.Prune(def, kT0 + 10 * kDay);
  EXPECT_EQ(f.state.bucket_count(), 0u);
  EXPECT_EQ(f.state.Evaluate(def, kT0 + 10 * kDay), "0");
  EXPECT_FALSE(f.state.empty());  // it still remembers the horizon
}

TEST(ComputedStateTest, PruneIsANoOpForAllTimeTraits) {
  const ComputedDef def = DefOf("count");
  Feeder f;
  f.Add(def, V::Bool(true), kT0 - 1000 * kDay);
  f.state.Prune(def, kT0);
  EXPECT_EQ(f.state.Evaluate(def, kT0), "1");
  EXPECT_FALSE(f.state.horizon().has_value());
  ComputedState empty;
  empty.Prune(def, kT0);
  EXPECT_TRUE(empty.empty());
  EXPECT_FALSE(f.state.NextChange(def, kT0).has_value());
}

TEST(ComputedStateTest, WindowedAggregatesCombineLiveHours) {
  const int64_t now = kT0 + 2 * kDay;
  struct In {
    V v;
    int64_t ts;
  };
  // Two days ago (expired for a 1-day window), and within the last day.
  const std::vector<In> ins = {{V::String("old"), kT0},
                               {V::String("b"), kT0 + kDay + 2 * kHour},
                               {V::String("a"), kT0 + kDay + 3 * kHour},
                               {V::String("b"), kT0 + kDay + 4 * kHour}};
  struct Want {
    const char* aggregate;
    const char* now;   // at kT0 + 2 days: only the last three values count
    const char* then;  // at kT0: everything counts
  };
  for (const Want& w : std::vector<Want>{{"first", "\"b\"", "\"old\""},
                                         {"last", "\"b\"", "\"b\""},
                                         {"distinct_count", "2", "3"},
                                         {"most_frequent", "\"b\"", "\"b\""},
                                         {"count", "3", "4"}}) {
    const ComputedDef def = DefOf(w.aggregate, 1);
    Feeder f;
    for (const In& in : ins) f.Add(def, in.v, in.ts);
    EXPECT_EQ(f.state.Evaluate(def, now), w.now) << w.aggregate;
    EXPECT_EQ(f.state.Evaluate(def, kT0), w.then) << w.aggregate;
  }
  const ComputedDef avg = DefOf("avg", 1), max = DefOf("max", 1);
  Feeder a, m;
  for (auto [x, ts] : std::vector<std::pair<double, int64_t>>{
           {100, kT0}, {1, kT0 + kDay + kHour}, {2, kT0 + kDay + 2 * kHour}}) {
    a.Add(avg, V::Number(x), ts);
    m.Add(max, V::Number(x), ts);
  }
  EXPECT_EQ(a.state.Evaluate(avg, now), "1.5");
  EXPECT_EQ(m.state.Evaluate(max, now), "2");
  EXPECT_EQ(a.state.Evaluate(avg, now + kDay), "null");
  EXPECT_EQ(m.state.Evaluate(max, now + kDay), "null");
}

TEST(ComputedStateTest, SaturationIsPerHourInAWindow) {
  const ComputedDef def = DefOf("distinct_count", 30);
  Feeder f;
  for (int i = 0; i < 10'000; ++i) f.Add(def, V::Number(i), kT0);
  for (int i = 10'000; i < 15'000; ++i) f.Add(def, V::Number(i), kT0 + kHour);
  EXPECT_EQ(f.state.Evaluate(def, kT0 + kHour), "15000");
  EXPECT_FALSE(f.state.Saturated(def, kT0 + kHour));
  f.Add(def, V::Number(-1), kT0);
  EXPECT_TRUE(f.state.Saturated(def, kT0 + kHour));
  EXPECT_FALSE(f.state.Saturated(def, kT0 + 30 * kDay));  // the saturated hour no longer counts
}

TEST(ComputedStateTest, IncompatibleDefinitionsReset) {
  const ComputedDef count = DefOf("count"), sum = DefOf("sum"), count7 = DefOf("count", 7);
  Feeder f;
  f.Add(count, V::Number(5));
  EXPECT_TRUE(f.state.Compatible(count));
  EXPECT_FALSE(f.state.Compatible(sum));
  EXPECT_FALSE(f.state.Compatible(count7));
  EXPECT_EQ(f.state.Evaluate(sum, kT0), "0");     // read as empty
  EXPECT_EQ(f.state.Evaluate(count7, kT0), "0");  // likewise
  f.Add(sum, V::Number(5));                       // reset, then added
  EXPECT_EQ(f.state.Evaluate(sum, kT0), "5");
  EXPECT_EQ(f.state.Evaluate(count, kT0), "0");
  ComputedState other;
  other.Add(count, V::Number(1), kT0, 1);
  f.state.Merge(sum, other);  // an incompatible other is ignored
  EXPECT_EQ(f.state.Evaluate(sum, kT0), "5");
  f.state.Merge(count, other);  // this one is now the incompatible one: reset first
  EXPECT_EQ(f.state.Evaluate(count, kT0), "1");
}

TEST(ComputedStateTest, MergeWithEmptyAndWithItself) {
  const ComputedDef def = DefOf("sum", 7);
  Feeder f;
  f.Add(def, V::Number(2), kT0);
  f.Add(def, V::Number(3), kT0 + kHour);
  const ComputedState before = f.state;
  f.state.Merge(def, ComputedState());
  EXPECT_EQ(f.state, before);
  ComputedState empty;
  empty.Merge(def, before);
  EXPECT_EQ(empty, before);
  f.state.Merge(def, f.state);  // every value twice
  EXPECT_EQ(f.state.Evaluate(def, kT0), "10");
}

TEST(ComputedStateTest, MergeTakesTheLaterHorizon) {
  const ComputedDef def = DefOf("count", 1);
  ComputedState a, b;
  a.Add(def, V::Bool(true), kT0, 1);
  a.Add(def, V::Bool(true), kT0 + 5 * kHour, 2);
  b.Prune(def, kT0 + kDay + kHour);
  EXPECT_EQ(b.horizon(), kT0 + kDay + kHour);
  a.Merge(def, b);
  EXPECT_EQ(a.horizon(), kT0 + kDay + kHour);
  EXPECT_EQ(a.bucket_count(), 1u);
}

TEST(ComputedStateTest, LatestTimesKeepsTheNewestInAnyOrder) {
  const ComputedDef def = Def(R"({"name":"t","aggregate":"latest_times","keep":3})");
  const std::vector<int64_t> times = {kT0 + 5, kT0 + 1, kT0 + 9, kT0 + 9, kT0 + 3, kT0 - 7};
  ComputedState forward, backward, merged, part;
  for (size_t i = 0; i < times.size(); ++i) {
    forward.Add(def, V::Bool(true), times[i], i + 1);
    backward.Add(def, V::Bool(true), times[times.size() - 1 - i], i + 1);
    (i % 2 ? part : merged).Add(def, V::Bool(true), times[i], i + 1);
  }
  merged.Merge(def, part);
  EXPECT_EQ(forward.LatestTimes(def), (std::vector<int64_t>{kT0 + 9, kT0 + 9, kT0 + 5}));
  EXPECT_EQ(forward, backward);
  EXPECT_EQ(forward, merged);
  EXPECT_EQ(forward.Encode(), merged.Encode());
  auto decoded = ComputedState::Decode(forward.Encode());
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, forward);
  EXPECT_EQ(
      forward.Evaluate(def, kT0),
      R"(["2024-01-31T12:00:00.000Z","2024-01-31T12:00:00.000Z","2024-01-31T12:00:00.000Z"])");
  EXPECT_EQ(ComputedState().Evaluate(def, kT0), "[]");
  // Negative times (before 1970) round-trip too.
  ComputedState old;
  old.Add(def, V::Bool(true), -5 * kDay, 1);
  old.Add(def, V::Bool(true), -9 * kDay, 2);
  auto old_decoded = ComputedState::Decode(old.Encode());
  ASSERT_TRUE(old_decoded.ok());
  EXPECT_EQ(old_decoded->LatestTimes(def), (std::vector<int64_t>{-5 * kDay, -9 * kDay}));
}

// A definition that keeps nothing (keep 0 is refused by the parser, but a state may meet one in
// code) merges to the empty state, which still encodes: found by computed_fuzz.
TEST(ComputedStateTest, LatestTimesMergedUnderKeepZeroIsEmpty) {
  const ComputedDef def = Def(R"({"name":"t","aggregate":"latest_times","keep":3})");
  ComputedState a, b;
  a.Add(def, V::Bool(true), kT0, 1);
  b.Add(def, V::Bool(true), kT0 + 1, 2);
  ComputedDef none = def;
  none.keep = 0;
  a.Merge(none, b);
  EXPECT_TRUE(a.empty());
  auto decoded = ComputedState::Decode(a.Encode());
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_TRUE(decoded->empty());
}

}  // namespace
}  // namespace rapport
