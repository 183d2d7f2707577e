// Retention operator tests: a hand-checked table, spec errors, and the operator against a plain
// per-row reference on random snapshots (every interval, short and long ranges, overlapping parts,
// merges, profile 0, sparse ids); plus timings on generated data (printed, never asserted).
#include "warehouse/query/retention.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <map>
#include <random>
#include <set>
#include <tuple>

#include "common/time_format.h"
#include "profile/computed/computed_match.h"
#include "warehouse/memory_snapshot.h"
#include "warehouse/query/funnel.h"
#include "warehouse/query/test_util.h"

namespace rapport::warehouse {
namespace {

using testing::DealIntoParts;
using testing::Ev;
using testing::kSec;
using testing::RefMatches;
using testing::Seq;
using testing::T;

// ---- The reference -----------------------------------------------------------------------------

RetentionResult ReferenceRetention(const std::vector<Row>& rows, const ProfileMap& map,
                                   const RetentionSpec& spec) {
  const Interval in = spec.interval;
  const int64_t first = PeriodStart(spec.range.from_us, in);
  const int64_t cohorts = PeriodsBetween(first, PeriodStart(spec.range.to_us - 1, in), in) + 1;
  auto period = [&](int64_t ts) { return PeriodsBetween(first, PeriodStart(ts, in), in); };
  std::map<uint64_t, int64_t> first_start;
  for (const Row& r : rows) {
    if (r.profile == 0 || !RefMatches(spec.start, r)) continue;
    const uint64_t p = map.Current(r.profile);
    auto it = first_start.find(p);
    if (it == first_start.end() || r.ts < it->second) first_start[p] = r.ts;
  }
  std::map<uint64_t, std::set<int64_t>> returned;  // profile → k
  for (const Row& r : rows) {
    if (r.profile == 0 || !RefMatches(spec.return_event, r)) continue;
    const uint64_t p = map.Current(r.profile);
    auto it = first_start.find(p);
    if (it == first_start.end() || !spec.range.Contains(it->second)) continue;
    const int64_t k = period(r.ts) - period(it->second);
    if (k >= 1 && k < spec.periods) returned[p].insert(k);
  }
  RetentionResult result;
  result.interval = in;
  std::vector<uint64_t> sum(spec.periods, 0), base(spec.periods, 0);
  for (int64_t c = 0; c < cohorts; ++c) {
    RetentionCohort cohort;
    cohort.start_us = AddPeriods(first, c, in);
    for (const auto& [p, ts] : first_start) {
      if (spec.range.Contains(ts) && period(ts) == c) ++cohort.size;
    }
    for (int64_t k = 0; k < spec.periods; ++k) {
      if (AddPeriods(first, c + k, in) >= spec.range.to_us) {
        cohort.returned.push_back(std::nullopt);
        continue;
      }
      uint64_t n = k == 0 ? cohort.size : 0;
      for (const auto& [p, ks] : returned) {
        if (period(first_start[p]) == c && ks.count(k)) ++n;
      }
      cohort.returned.push_back(n);
      sum[k] += n;
      base[k] += cohort.size;
    }
    result.cohorts.push_back(std::move(cohort));
  }
  for (int64_t k = 0; k < spec.periods; ++k) {
    result.average.push_back(base[k] == 0 ? std::nullopt
                                          : std::optional<double>(static_cast<double>(sum[k]) /
                                                                  static_cast<double>(base[k])));
  }
  return result;
}

// ---- Helpers -----------------------------------------------------------------------------------

std::string Json(const RetentionResult& r) {
  std::string out;
  AppendRetentionJson(r, MemorySnapshot({}, {}), &out);
  return out;
}

std::string RunJson(const Snapshot& s, const RetentionSpec& spec, int threads = 2) {
  QueryOptions options;
  options.threads = threads;
  auto r = RunRetention(s, spec, options);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? Json(*r) : "";
}

Result<RetentionSpec> Parse(const std::string& json) {
  static simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(json).get(doc) != simdjson::SUCCESS) return Status::Internal("bad test JSON");
  simdjson::dom::object obj;
  if (doc.get_object().get(obj) != simdjson::SUCCESS) return Status::Internal("not an object");
  return ParseRetentionSpec(obj);
}

RetentionSpec MustParse(const std::string& json) {
  auto spec = Parse(json);
  EXPECT_TRUE(spec.ok()) << spec.status().ToString();
  return spec.ok() ? *spec : RetentionSpec{};
}

// ---- Hand-checked ------------------------------------------------------------------------------

TEST(Retention, HandChecked) {
  std::vector<Row> rows = Seq({
      // Cohort of Jan 1: 1 returns in week 1 (and in week 3, not observed yet).
      Ev(1, T("2024-01-02T10:00:00Z"), "Signed Up"),
      Ev(1, T("2024-01-03T10:00:00Z"), "Page Viewed"),
      Ev(1, T("2024-01-09T10:00:00Z"), "Page Viewed"),
      Ev(1, T("2024-01-23T10:00:00Z"), "Page Viewed"),
      // 2: its first sign-up counts; returns in week 2.
      Ev(2, T("2024-01-01T00:00:00Z"), "Signed Up"),
      Ev(2, T("2024-01-10T00:00:00Z"), "Signed Up"),
      Ev(2, T("2024-01-16T00:00:00Z"), "Page Viewed"),
      // 3: first signed up before the range: in no cohort.
      Ev(3, T("2023-12-28T00:00:00Z"), "Signed Up"),
      Ev(3, T("2024-01-09T00:00:00Z"), "Signed Up"),
      Ev(3, T("2024-01-16T00:00:00Z"), "Page Viewed"),
      // Cohort of Jan 8: 4, and 5 merged into 6 (first sign-up of the two: Jan 10).
      Ev(4, T("2024-01-09T00:00:00Z"), "Signed Up"),
      Ev(4, T("2024-01-15T00:00:00Z"), "Page Viewed"),
      Ev(4, T("2024-01-22T00:00:00Z"), "Page Viewed"),
      Ev(5, T("2024-01-10T00:00:00Z"), "Signed Up"),
      Ev(6, T("2024-01-17T00:00:00Z"), "Signed Up"),
      Ev(6, T("2024-01-18T00:00:00Z"), "Page Viewed"),
      // Cohort of Jan 15: 7, at the range's last second.
      Ev(7, T("2024-01-21T23:59:59Z"), "Signed Up"),
      Ev(7, T("2024-01-25T00:00:00Z"), "Page Viewed"),
      // No profile.
      Ev(0, T("2024-01-02T00:00:00Z"), "Signed Up"),
  });
  MemorySnapshot snap(rows, ProfileMap({{5, 6}}, 7), 2);
  const RetentionSpec spec = MustParse(
      R"({"kind":"retention","from":"2024-01-01","to":"2024-01-22","start":{"event":"Signed Up"},
          "return":{"event":"Page Viewed"},"interval":"week","periods":4})");
  const std::string expected =
      R"({"interval":"week","cohorts":[)"
      R"({"start":"2024-01-01T00:00:00.000Z","size":2,"returned":[2,1,1,null]},)"
      R"({"start":"2024-01-08T00:00:00.000Z","size":2,"returned":[2,2,null,null]},)"
      R"({"start":"2024-01-15T00:00:00.000Z","size":1,"returned":[1,null,null,null]}],)"
      R"("average":[1,0.75,0.5,null]})";
  for (int threads : {1, 2, 3}) EXPECT_EQ(RunJson(snap, spec, threads), expected);
  EXPECT_EQ(Json(ReferenceRetention(rows, snap.profiles(), spec)), expected);
  EXPECT_EQ(RetentionTable(*RunRetention(snap, spec, {})).Render(),
            "cohort      size  week 0  week 1  week 2  week 3\n"
            "----------  ----  ------  ------  ------  ------\n"
            "2024-01-01     2       2       1       1        \n"
            "2024-01-08     2       2       2                \n"
            "2024-01-15     1       1                        \n"
            "average             100%     75%     50%        \n");
}

TEST(Retention, MonthsAndDefaults) {
  std::vector<Row> rows = Seq({
      Ev(1, T("2024-01-31T23:00:00Z"), "Signed Up"),
      Ev(1, T("2024-02-01T01:00:00Z"), "Page Viewed"),
      Ev(1, T("2024-03-31T01:00:00Z"), "Page Viewed"),
      Ev(2, T("2024-02-29T12:00:00Z"), "Signed Up"),
      Ev(2, T("2024-04-01T00:00:00Z"), "Page Viewed"),
  });
  MemorySnapshot snap(rows, ProfileMap());
  RetentionSpec spec = MustParse(R"({"from":"2024-01-01","to":"2024-04-01",
      "start":{"event":"Signed Up"},"return":{"event":"Page Viewed"},"interval":"month"})");
  EXPECT_EQ(spec.periods, 8);
  const std::string expected =
      R"({"interval":"month","cohorts":[)"
      R"({"start":"2024-01-01T00:00:00.000Z","size":1,"returned":[1,1,1,null,null,null,null,null]},)"
      R"({"start":"2024-02-01T00:00:00.000Z","size":1,"returned":[1,0,null,null,null,null,null,null]},)"
      R"({"start":"2024-03-01T00:00:00.000Z","size":0,"returned":[0,null,null,null,null,null,null,null]}],)"
      R"("average":[1,0.5,1,null,null,null,null,null]})";
  EXPECT_EQ(RunJson(snap, spec), expected);
  EXPECT_EQ(Json(ReferenceRetention(rows, snap.profiles(), spec)), expected);
  spec = MustParse(R"({"from":"2024-01-01","to":"2024-04-01","start":{},"return":{}})");
  EXPECT_EQ(spec.interval, Interval::kWeek);
  EXPECT_EQ(spec.periods, 8);
  // Nothing matches: every cohort is empty and the averages are null.
  spec.start.event = "never seen";
  auto r = RunRetention(snap, spec, {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->cohorts.size(), 13u);  // Jan 1 (a Monday) to the week of Mar 25
  for (const auto& c : r->cohorts) EXPECT_EQ(c.size, 0u);
  for (const auto& a : r->average) EXPECT_FALSE(a.has_value());
}

// ---- Spec errors -------------------------------------------------------------------------------

TEST(Retention, SpecErrors) {
  const std::string head = R"({"from":"2024-01-01","to":"2024-02-01",)";
  const std::string filters = R"("start":{"event":"Signed Up"},"return":{"event":"Page Viewed"})";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {head + filters + R"(,"cohort":"x"})",
       R"(the query has an unknown field "cohort" (known: "kind", "from", "to", "start", )"
       R"("return", "interval", "periods"))"},
      {R"({"from":"2024-01-01",)" + filters + "}", R"("to" is required (an ISO-8601 time))"},
      {R"({"from":"2024-01-01","to":"yesterday",)" + filters + "}",
       R"("to": "yesterday" is not an ISO-8601 )"},
      {head + R"("return":{"event":"Page Viewed"}})",
       R"("start" is required (an event filter such as {"event": "Signed Up"}))"},
      {head + R"("start":{"event":"Signed Up"}})",
       R"("return" is required (an event filter such as {"event": "Signed Up"}))"},
      {head + R"("start":{"event":"Signed Up"},"return":"Page Viewed"})",
       R"("return" must be an object)"},
      {head + R"("start":{"event":""},"return":{}})",
       R"("start.event" must be a string of 1 to 256 bytes)"},
      {head + R"("start":{"type":"click"},"return":{}})",
       R"("start.type" must be one of "track", "identify", "page", "screen", "group", "alias")"},
      {head + filters + R"(,"interval":"hour"})",
       R"("interval" must be one of "day", "week", "month", got "hour")"},
      {head + filters + R"(,"interval":7})",
       R"("interval" must be one of "day", "week", "month", got 7)"},
      {head + filters + R"(,"periods":0})",
       R"("periods" must be a whole number from 1 to 100, got 0)"},
      {head + filters + R"(,"periods":101})",
       R"("periods" must be a whole number from 1 to 100, got 101)"},
      {head + filters + R"(,"periods":"8"})", R"("periods" must be a whole number from 1 to 100)"},
      {head + filters + R"(,"periods":2.5})", R"("periods" must be a whole number from 1 to 100)"},
  };
  for (const auto& [json, message] : cases) {
    auto spec = Parse(json);
    ASSERT_FALSE(spec.ok()) << json;
    EXPECT_EQ(spec.status().code(), StatusCode::kInvalidArgument) << json;
    if (message.back() == ' ') {  // a prefix (the rest comes from the time parser)
      EXPECT_EQ(spec.status().message().rfind(message, 0), 0u) << spec.status().message();
    } else {
      EXPECT_EQ(spec.status().message(), message) << json;
    }
  }
  auto spec =
      Parse(head + R"("start":{},"return":{"where":[{"path":"properties.x","op":"near"}]}})");
  ASSERT_FALSE(spec.ok());
  EXPECT_EQ(spec.status().message().rfind(R"("return.where[0].op")", 0), 0u)
      << spec.status().message();
}

// ---- Against the reference ---------------------------------------------------------------------

struct RandomCase {
  std::vector<Row> rows;
  std::vector<std::pair<uint64_t, uint64_t>> merges;
  RetentionSpec spec;
};

// `long_range`: hundreds of days, so that cohorts outnumber what one pass can track per profile.
RandomCase MakeRandomCase(std::mt19937_64& rng, bool long_range) {
  auto pick = [&](int64_t n) { return static_cast<int64_t>(rng() % n); };
  RandomCase c;
  const int64_t base = T("2024-01-03T05:00:00Z");  // a Wednesday
  const int64_t span_days = long_range ? 400 : 10 + pick(120);
  const int profiles = 1 + static_cast<int>(pick(long_range ? 40 : 15));
  const int64_t n = pick(long_range ? 400 : 150);
  const char* names[] = {"S", "R", "X"};
  for (int64_t i = 0; i < n; ++i) {
    Row r;
    r.profile = pick(12) == 0 ? 0 : 1 + pick(profiles);
    r.ts = base + pick(span_days * 24) * 3600 * kSec + (pick(3) == 0 ? pick(3600) * kSec : 0);
    r.seq = rng() >> 1;
    r.type = pick(6) == 0 ? EventType::kPage : EventType::kTrack;
    r.event = names[pick(3)];
    if (pick(2)) r.props.push_back({"properties.x", Value::Number(static_cast<double>(pick(3)))});
    c.rows.push_back(std::move(r));
  }
  for (int i = static_cast<int>(pick(4)); i > 0; --i) {
    c.merges.push_back({1 + pick(profiles), 1 + pick(profiles)});
  }
  const Interval intervals[] = {Interval::kDay, Interval::kWeek, Interval::kMonth};
  c.spec.interval = intervals[pick(3)];
  if (long_range) c.spec.interval = pick(3) ? Interval::kDay : Interval::kWeek;
  c.spec.periods = 1 + pick(pick(4) == 0 ? 100 : 12);
  const int64_t day = 86'400 * kSec;
  c.spec.range.from_us = base - 2 * day + pick(span_days / 2) * day + pick(2) * pick(86'400) * kSec;
  c.spec.range.to_us = c.spec.range.from_us + (1 + pick(span_days)) * day - pick(2) * kSec;
  const int64_t aligned = PeriodStart(c.spec.range.to_us, c.spec.interval) + day;
  if (pick(4) == 0 && aligned > c.spec.range.from_us) c.spec.range.to_us = aligned;
  auto filter = [&]() {
    EventFilter f;
    const int64_t kind = pick(8);
    if (kind < 5) f.event = names[pick(2)];
    if (kind == 5) f.type = EventType::kPage;
    if (kind == 6) f.event = "never seen";
    if (pick(5) == 0) {
      WhereClause w;
      w.path = "properties.x";
      w.op = WhereOp::kGte;
      w.value = ComputedValue::Number(1);
      f.where.push_back(w);
    }
    return f;
  };
  c.spec.start = filter();
  c.spec.return_event = filter();
  return c;
}

RetentionResult CheckAgainstReference(uint64_t seed, bool long_range) {
  std::mt19937_64 rng(seed);
  RandomCase c = MakeRandomCase(rng, long_range);
  ProfileMap map(c.merges, 100);
  RetentionResult ref = ReferenceRetention(c.rows, map, c.spec);
  const std::string expected = Json(ref);
  const size_t chunk_rows = 1 + rng() % 9;
  MemorySnapshot mem(c.rows, map, chunk_rows);
  EXPECT_EQ(RunJson(mem, c.spec, 1 + static_cast<int>(rng() % 3)), expected) << "seed " << seed;
  MemorySnapshot parts(DealIntoParts(c.rows, 1 + static_cast<int>(rng() % 3), seed), map,
                       chunk_rows);
  EXPECT_EQ(RunJson(parts, c.spec, 1 + static_cast<int>(rng() % 3)), expected) << "seed " << seed;
  return ref;
}

TEST(Retention, MatchesReferenceOnRandomData) {
  int members = 0, returns = 0, many_cohorts = 0;
  for (uint64_t seed = 1; seed <= 500; ++seed) {
    const RetentionResult ref = CheckAgainstReference(seed, false);
    uint64_t size = 0, back = 0;
    for (const auto& c : ref.cohorts) {
      size += c.size;
      for (size_t k = 1; k < c.returned.size(); ++k) back += c.returned[k].value_or(0);
    }
    members += size > 0;
    returns += back > 0;
    many_cohorts += ref.cohorts.size() > 16;
  }
  EXPECT_GT(members, 200);  // the random cases reach every part of the answer
  EXPECT_GT(returns, 100);
  EXPECT_GT(many_cohorts, 50);
}

TEST(Retention, MatchesReferenceOverLongRanges) {
  int over_128 = 0;
  for (uint64_t seed = 1000; seed < 1060; ++seed) {
    over_128 += CheckAgainstReference(seed, true).cohorts.size() > 128;
  }
  EXPECT_GT(over_128, 10);
}

TEST(Retention, SparseProfileIds) {
  for (uint64_t seed = 70; seed < 90; ++seed) {
    std::mt19937_64 rng(seed);
    RandomCase c = MakeRandomCase(rng, false);
    for (Row& r : c.rows) {
      if (r.profile != 0) r.profile = (r.profile << 41) + 5;
    }
    ProfileMap map({{(2ull << 41) + 5, (1ull << 41) + 5}}, 0);
    MemorySnapshot mem(c.rows, map, 4);
    EXPECT_EQ(RunJson(mem, c.spec, 2), Json(ReferenceRetention(c.rows, map, c.spec))) << seed;
  }
}

// A snapshot over another whose chunk 1 fails to load (`fail_load`), or whose chunk infos
// understate the profile ids the chunks hold.
class BrokenSnapshot : public Snapshot {
 public:
  BrokenSnapshot(const Snapshot& inner, bool fail_load) : inner_(inner), fail_load_(fail_load) {
    for (size_t i = 0; i < inner.chunk_count(); ++i) {
      infos_.push_back(inner.info(i));
      if (!fail_load) infos_.back().max_profile = 1;
    }
  }
  size_t chunk_count() const override { return infos_.size(); }
  const ChunkInfo& info(size_t i) const override { return infos_[i]; }
  Result<ChunkPtr> Load(size_t i, const std::vector<std::string>& paths) const override {
    if (fail_load_ && i == 1) return Status::Corruption("part 7, block 3: checksum mismatch");
    return inner_.Load(i, paths);
  }
  const EventDictionary& events() const override { return inner_.events(); }
  const ProfileMap& profiles() const override { return inner_.profiles(); }

 private:
  const Snapshot& inner_;
  bool fail_load_;
  std::vector<ChunkInfo> infos_;
};

TEST(Retention, SnapshotFailuresAreReturned) {
  std::vector<Row> rows;
  for (uint64_t p = 1; p <= 20; ++p) {
    rows.push_back(Ev(p, T("2024-01-02T00:00:00Z") + static_cast<int64_t>(p) * kSec, "S"));
    rows.push_back(Ev(p, T("2024-01-09T00:00:00Z") + static_cast<int64_t>(p) * kSec, "R"));
  }
  MemorySnapshot mem(Seq(rows), ProfileMap(), 4);
  const RetentionSpec spec = MustParse(R"({"from":"2024-01-01","to":"2024-02-01",
      "start":{"event":"S"},"return":{"event":"R"}})");
  for (int threads : {1, 2}) {
    QueryOptions options;
    options.threads = threads;
    auto r = RunRetention(BrokenSnapshot(mem, true), spec, options);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
    EXPECT_EQ(r.status().message(), "part 7, block 3: checksum mismatch");
    r = RunRetention(BrokenSnapshot(mem, false), spec, options);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
    EXPECT_NE(r.status().message().find("profile id above"), std::string::npos);
  }
}

}  // namespace
}  // namespace rapport::warehouse
