#include "warehouse/query/trends.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <tuple>

#include "common/time_format.h"
#include "profile/computed/computed_match.h"
#include "warehouse/memory_snapshot.h"
#include "warehouse/query/test_util.h"
#include "warehouse/row.h"

namespace rapport::warehouse {

namespace {

using testing::AllRows;
using testing::MakePartsSnapshot;
using testing::MakeRandomData;
using testing::ParseError;
using testing::Prop;
using testing::RandomData;
using testing::RefMatches;

using testing::T;

TrendsSpec MustParse(const std::string& json) {
  simdjson::dom::parser parser;
  auto r = ParseTrendsSpec(parser.parse(json).get_object().value());
  EXPECT_TRUE(r.ok()) << json << ": " << r.status().ToString();
  return r.ok() ? *r : TrendsSpec{};
}

std::string Error(const std::string& json) {
  return ParseError(json, [](simdjson::dom::object o) { return ParseTrendsSpec(o).status(); });
}

std::string Json(const Snapshot& snap, const std::string& spec_json, int threads = 2) {
  TrendsSpec spec = MustParse(spec_json);
  auto r = RunTrends(snap, spec, QueryOptions{threads, 0});
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  std::string out;
  if (r.ok()) AppendTrendsJson(*r, snap, &out);
  return out;
}

// ---- The reference: one row at a time, sets and maps -------------------------------------------

std::optional<std::string> GroupText(const Value* v) {
  if (v == nullptr) return std::nullopt;
  switch (v->kind) {
    case ValueKind::kString:
    case ValueKind::kJson:
      return v->text;
    case ValueKind::kNumber:
      return FormatJsonNumber(v->number);
    case ValueKind::kTrue:
      return "true";
    case ValueKind::kFalse:
      return "false";
    default:
      return std::nullopt;
  }
}

struct RefCell {
  double n = 0, sum = 0, min = INFINITY, max = -INFINITY;
  std::set<uint64_t> profiles;
  void Add(const RefCell& o) {
    n += o.n;
    sum += o.sum;
    min = std::min(min, o.min);
    max = std::max(max, o.max);
    profiles.insert(o.profiles.begin(), o.profiles.end());
  }
};

std::optional<double> RefValue(const RefCell& c, TrendsMeasure m) {
  switch (m) {
    case TrendsMeasure::kCount:
      return c.n;
    case TrendsMeasure::kUniqueProfiles:
      return static_cast<double>(c.profiles.size());
    case TrendsMeasure::kSum:
      return c.sum;
    case TrendsMeasure::kAvg:
      return c.n ? std::optional<double>(c.sum / c.n) : std::nullopt;
    case TrendsMeasure::kMin:
      return c.n ? std::optional<double>(c.min) : std::nullopt;
    case TrendsMeasure::kMax:
      return c.n ? std::optional<double>(c.max) : std::nullopt;
  }
  return std::nullopt;
}

TrendsResult RefTrends(const std::vector<Row>& rows, const ProfileMap& map,
                       const TrendsSpec& spec) {
  TrendsResult out;
  out.interval = spec.interval;
  out.has_breakdown = spec.breakdown != TrendsBreakdown::kNone;
  const int64_t first = PeriodStart(spec.range.from_us, spec.interval);
  const int64_t P =
      PeriodsBetween(first, PeriodStart(spec.range.to_us - 1, spec.interval), spec.interval) + 1;
  for (int64_t p = 0; p < P; ++p) out.periods.push_back(AddPeriods(first, p, spec.interval));
  // Traits: latest identify/group `traits.<name>`, else latest `context.traits.<name>`.
  std::map<uint64_t, std::tuple<int, int64_t, uint64_t, std::optional<std::string>>> trait;
  if (spec.breakdown == TrendsBreakdown::kTrait) {
    for (const Row& r : rows) {
      if (r.profile == 0) continue;
      const uint64_t cur = map.Current(r.profile);
      const Value* t = Prop(r, "traits." + spec.breakdown_name);
      const Value* c = Prop(r, "context.traits." + spec.breakdown_name);
      for (auto [v, prio] : {std::pair{t, 1}, std::pair{c, 0}}) {
        if (v == nullptr) continue;
        if (prio == 1 && r.type != EventType::kIdentify && r.type != EventType::kGroup) continue;
        auto key = std::make_tuple(prio, r.ts, r.seq, GroupText(v));
        auto it = trait.find(cur);
        if (it == trait.end() ||
            std::make_tuple(std::get<0>(it->second), std::get<1>(it->second),
                            std::get<2>(it->second)) < std::make_tuple(prio, r.ts, r.seq)) {
          trait[cur] = key;
        }
      }
    }
  }
  using Group = std::optional<std::string>;
  const size_t S = spec.series.size();
  std::vector<std::map<Group, std::vector<RefCell>>> cells(S);
  std::set<Group> seen;
  for (size_t s = 0; s < S; ++s) {
    EventFilter f = spec.series[s].filter;
    f.where.insert(f.where.end(), spec.filter.begin(), spec.filter.end());
    for (const Row& r : rows) {
      if (!spec.range.Contains(r.ts) || !RefMatches(f, r)) continue;
      const uint64_t cur = r.profile == 0 ? 0 : map.Current(r.profile);
      Group g;
      if (spec.breakdown == TrendsBreakdown::kProperty) g = GroupText(Prop(r, spec.breakdown_name));
      if (spec.breakdown == TrendsBreakdown::kTrait && cur != 0 && trait.count(cur)) {
        g = std::get<3>(trait[cur]);
      }
      seen.insert(g);
      auto& v = cells[s][g];
      v.resize(P);
      RefCell& cell = v[PeriodsBetween(first, PeriodStart(r.ts, spec.interval), spec.interval)];
      switch (spec.series[s].measure) {
        case TrendsMeasure::kCount:
          cell.n += 1;
          break;
        case TrendsMeasure::kUniqueProfiles:
          if (cur != 0) cell.profiles.insert(cur);
          break;
        default: {
          std::optional<double> x =
              testing::ToComputed(Prop(r, spec.series[s].property)).AsNumber();
          if (x) cell.Add(RefCell{1, *x, *x, *x, {}});
        }
      }
    }
  }
  auto total = [&](size_t s, const std::vector<Group>& groups) {
    RefCell all;
    for (const Group& g : groups) {
      auto it = cells[s].find(g);
      if (it == cells[s].end()) continue;
      for (const RefCell& c : it->second) all.Add(c);
    }
    return RefValue(all, spec.series[s].measure);
  };
  auto line = [&](size_t s, const std::vector<Group>& groups) {
    TrendsLine l;
    l.series = s;
    l.label = (spec.series[s].filter.event.empty() ? "all events" : spec.series[s].filter.event) +
              " · " + std::string(TrendsMeasureName(spec.series[s].measure));
    l.total = total(s, groups);
    for (int64_t p = 0; p < P; ++p) {
      RefCell c;
      for (const Group& g : groups) {
        auto it = cells[s].find(g);
        if (it != cells[s].end()) c.Add(it->second[p]);
      }
      l.values.push_back(RefValue(c, spec.series[s].measure));
    }
    return l;
  };
  if (!out.has_breakdown) {
    for (size_t s = 0; s < S; ++s) out.lines.push_back(line(s, {Group{}}));
    return out;
  }
  std::vector<Group> ranked(seen.begin(), seen.end());
  std::sort(ranked.begin(), ranked.end(), [&](const Group& a, const Group& b) {
    const auto ta = total(0, {a}), tb = total(0, {b});
    if (ta.has_value() != tb.has_value()) return ta.has_value();
    if (ta && *ta != *tb) return *ta > *tb;
    if (a.has_value() != b.has_value()) return a.has_value();
    return a < b;
  });
  const size_t kept = std::min<size_t>(ranked.size(), spec.limit);
  for (size_t s = 0; s < S; ++s) {
    for (size_t k = 0; k < kept; ++k) {
      TrendsLine l = line(s, {ranked[k]});
      l.breakdown = ranked[k];
      out.lines.push_back(std::move(l));
    }
    if (ranked.size() > kept) {
      TrendsLine l = line(s, std::vector<Group>(ranked.begin() + kept, ranked.end()));
      l.breakdown = "(other)";
      l.other = true;
      out.lines.push_back(std::move(l));
    }
  }
  return out;
}

bool Near(const std::optional<double>& a, const std::optional<double>& b) {
  if (a.has_value() != b.has_value()) return false;
  return !a || std::fabs(*a - *b) <= 1e-9 * std::max(1.0, std::fabs(*b));
}

void ExpectSame(const TrendsResult& got, const TrendsResult& want, const std::string& what) {
  ASSERT_EQ(got.periods, want.periods) << what;
  ASSERT_EQ(got.lines.size(), want.lines.size()) << what;
  for (size_t i = 0; i < got.lines.size(); ++i) {
    const TrendsLine &g = got.lines[i], &w = want.lines[i];
    const std::string at = what + " line " + std::to_string(i) + " " + w.label + " [" +
                           w.breakdown.value_or("null") + "]";
    ASSERT_EQ(g.label, w.label) << at;
    ASSERT_EQ(g.breakdown, w.breakdown) << at;
    ASSERT_EQ(g.other, w.other) << at;
    ASSERT_TRUE(Near(g.total, w.total))
        << at << " total " << g.total.value_or(-999) << " want " << w.total.value_or(-999);
    ASSERT_EQ(g.values.size(), w.values.size()) << at;
    for (size_t p = 0; p < g.values.size(); ++p) {
      ASSERT_TRUE(Near(g.values[p], w.values[p]))
          << at << " period " << p << ": " << g.values[p].value_or(-999) << " want "
          << w.values[p].value_or(-999);
    }
  }
}

// ---- Hand-checked ----------------------------------------------------------------------------

Row Ev(std::string_view iso, uint64_t profile, std::string event,
       std::vector<std::pair<std::string, Value>> props = {}, EventType type = EventType::kTrack) {
  static uint64_t seq = 0;
  Row r;
  r.ts = T(iso);
  r.seq = ++seq;
  r.profile = profile;
  r.type = type;
  r.event = std::move(event);
  r.props = std::move(props);
  return r;
}

std::vector<Row> ShopRows() {
  auto ch = [](const char* c) {
    return std::pair<std::string, Value>("properties.channel", Value::String(c));
  };
  auto rev = [](double x) {
    return std::pair<std::string, Value>("properties.revenue", Value::Number(x));
  };
  return {
      Ev("2024-01-01T10:00:00Z", 1, "Signed Up", {ch("web")}),
      Ev("2024-01-01T11:00:00Z", 1, "Order Completed", {ch("web"), rev(10)}),
      Ev("2024-01-02T09:00:00Z", 1, "Order Completed", {ch("ads"), rev(30)}),
      Ev("2024-01-01T12:00:00Z", 2, "Signed Up", {ch("ads")}),
      Ev("2024-01-03T08:00:00Z", 2, "Order Completed", {ch("ads"), rev(5)}),
      Ev("2024-01-02T10:00:00Z", 0, "Order Completed", {rev(100)}),
      Ev("2023-12-31T23:00:00Z", 2, "Order Completed", {ch("ads"), rev(1)}),  // before "from"
  };
}

std::string Points(std::initializer_list<const char*> values) {
  std::string out;
  int day = 1;
  for (const char* v : values) {
    out += std::string(out.empty() ? "" : ",") + "{\"t\":\"2024-01-0" + std::to_string(day++) +
           "T00:00:00.000Z\",\"value\":" + v + "}";
  }
  return "[" + out + "]";
}

TEST(TrendsTest, CountsUniqueProfilesAndValuesByDay) {
  MemorySnapshot snap(ShopRows(), ProfileMap(), 2);
  EXPECT_EQ(
      Json(snap,
           R"({"kind":"trends","from":"2024-01-01","to":"2024-01-04","series":[
               {"filter":{"event":"Order Completed"}},
               {"filter":{"event":"Order Completed"},"measure":"unique_profiles"},
               {"filter":{"event":"Order Completed"},"measure":"sum","property":"properties.revenue"},
               {"filter":{"event":"Signed Up"},"measure":"avg","property":"properties.revenue"}]})"),
      R"({"interval":"day","series":[)"
      R"({"label":"Order Completed · count","total":4,"points":)" +
          Points({"1", "2", "1"}) +
          R"(},{"label":"Order Completed · unique_profiles","total":2,"points":)" +
          Points({"1", "1", "1"}) + R"(},{"label":"Order Completed · sum","total":145,"points":)" +
          Points({"10", "130", "5"}) + R"(},{"label":"Signed Up · avg","total":null,"points":)" +
          Points({"null", "null", "null"}) + "}]}");
}

TEST(TrendsTest, BreakdownByPropertyWithOther) {
  MemorySnapshot snap(ShopRows(), ProfileMap(), 3);
  const std::string series =
      R"("series":[{"filter":{"event":"Order Completed"}},
                   {"filter":{"event":"Order Completed"},"measure":"unique_profiles"}],
         "breakdown":{"property":"properties.channel"})";
  // ads: 2 orders (profiles 1 and 2); web: 1 (profile 1); null: 1 (profile 0, not a profile).
  EXPECT_EQ(Json(snap, R"({"from":"2024-01-01","to":"2024-01-04",)" + series + "}"),
            R"({"interval":"day","series":[)"
            R"({"label":"Order Completed · count","breakdown":"ads","total":2,"points":)" +
                Points({"0", "1", "1"}) +
                R"(},{"label":"Order Completed · count","breakdown":"web","total":1,"points":)" +
                Points({"1", "0", "0"}) +
                R"(},{"label":"Order Completed · count","breakdown":null,"total":1,"points":)" +
                Points({"0", "1", "0"}) +
                R"(},{"label":"Order Completed · unique_profiles","breakdown":"ads","total":2,)"
                R"("points":)" +
                Points({"0", "1", "1"}) +
                R"(},{"label":"Order Completed · unique_profiles","breakdown":"web","total":1,)"
                R"("points":)" +
                Points({"1", "0", "0"}) +
                R"(},{"label":"Order Completed · unique_profiles","breakdown":null,"total":0,)"
                R"("points":)" +
                Points({"0", "0", "0"}) + "}]}");
  EXPECT_EQ(Json(snap, R"({"from":"2024-01-01","to":"2024-01-04","limit":1,)" + series + "}"),
            R"({"interval":"day","series":[)"
            R"({"label":"Order Completed · count","breakdown":"ads","total":2,"points":)" +
                Points({"0", "1", "1"}) +
                R"j(},{"label":"Order Completed · count","breakdown":"(other)","total":2,)j"
                R"("points":)" +
                Points({"1", "1", "0"}) +
                R"(},{"label":"Order Completed · unique_profiles","breakdown":"ads","total":2,)"
                R"("points":)" +
                Points({"0", "1", "1"}) +
                R"j(},{"label":"Order Completed · unique_profiles","breakdown":"(other)",)j"
                R"("total":1,"points":)" +
                Points({"1", "0", "0"}) + "}]}");
}

TEST(TrendsTest, WeeksMonthsTraitsAndMerges) {
  std::vector<Row> rows = ShopRows();
  rows.push_back(Ev("2024-01-01T09:00:00Z", 1, "", {{"traits.plan", Value::String("pro")}},
                    EventType::kIdentify));
  rows.push_back(Ev("2024-01-02T09:00:00Z", 2, "", {{"traits.plan", Value::String("free")}},
                    EventType::kIdentify));
  rows.push_back(Ev("2024-01-05T09:00:00Z", 2, "", {{"traits.plan", Value::String("pro")}},
                    EventType::kIdentify));  // after the range: still the latest trait
  rows.push_back(Ev("2024-01-01T00:00:00Z", 3, "Order Completed",
                    {{"context.traits.plan", Value::String("team")}}));
  MemorySnapshot snap(rows, ProfileMap(), 4);
  // 2024-01-01 is a Monday: one week, one month.
  EXPECT_EQ(Json(snap, R"({"from":"2024-01-01","to":"2024-01-04","interval":"week","series":[
                 {"filter":{"event":"Order Completed"},"measure":"unique_profiles"},
                 {"filter":{"event":"Order Completed"},"measure":"max","property":"properties.revenue"}],
                 "breakdown":{"trait":"plan"}})"),
            R"({"interval":"week","series":[)"
            R"({"label":"Order Completed · unique_profiles","breakdown":"pro","total":2,)"
            R"("points":[{"t":"2024-01-01T00:00:00.000Z","value":2}]},)"
            R"({"label":"Order Completed · unique_profiles","breakdown":"team","total":1,)"
            R"("points":[{"t":"2024-01-01T00:00:00.000Z","value":1}]},)"
            R"({"label":"Order Completed · unique_profiles","breakdown":null,"total":0,)"
            R"("points":[{"t":"2024-01-01T00:00:00.000Z","value":0}]},)"
            R"({"label":"Order Completed · max","breakdown":"pro","total":30,)"
            R"("points":[{"t":"2024-01-01T00:00:00.000Z","value":30}]},)"
            R"({"label":"Order Completed · max","breakdown":"team","total":null,)"
            R"("points":[{"t":"2024-01-01T00:00:00.000Z","value":null}]},)"
            R"({"label":"Order Completed · max","breakdown":null,"total":100,)"
            R"("points":[{"t":"2024-01-01T00:00:00.000Z","value":100}]}]})");
  // Profile 2 merged into 1: one profile orders on three days.
  MemorySnapshot merged(rows, ProfileMap({{2, 1}}, 3), 4);
  EXPECT_EQ(Json(merged, R"({"from":"2023-12-01","to":"2024-02-01","interval":"month","series":[
                 {"filter":{"event":"Order Completed"},"measure":"unique_profiles"}]})"),
            R"({"interval":"month","series":[{"label":"Order Completed · unique_profiles",)"
            R"("total":2,"points":[{"t":"2023-12-01T00:00:00.000Z","value":1},)"
            R"({"t":"2024-01-01T00:00:00.000Z","value":2}]}]})");
}

TEST(TrendsTest, FilterAppliesToEverySeriesAndTable) {
  MemorySnapshot snap(ShopRows(), ProfileMap(), 100);
  TrendsSpec spec = MustParse(R"({"from":"2024-01-01","to":"2024-01-03","series":[
      {"filter":{"event":"Order Completed"}},{"measure":"count"}],
      "filter":[{"path":"properties.channel","op":"eq","value":"web"}]})");
  auto r = RunTrends(snap, spec, QueryOptions{1, 0});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(TrendsTable(*r).Render(),
            "series                   day         value\n"
            "-----------------------  ----------  -----\n"
            "Order Completed · count  2024-01-01      1\n"
            "Order Completed · count  2024-01-02      0\n"
            "all events · count       2024-01-01      2\n"
            "all events · count       2024-01-02      0\n");
  EXPECT_EQ(PeriodLabel(T("2024-03-05T14:00:00Z"), Interval::kHour), "2024-03-05T14:00");
  EXPECT_EQ(PeriodLabel(T("2024-03-01"), Interval::kMonth), "2024-03");
}

TEST(TrendsTest, SpecErrors) {
  const std::string range = R"("from":"2024-01-01","to":"2024-01-08")";
  auto with = [&](const std::string& rest) { return Error("{" + range + "," + rest + "}"); };
  EXPECT_EQ(with(R"("series":[{}])"), "accepted");
  EXPECT_EQ(Error(R"({"from":"2024-01-01","series":[{}]})"),
            "\"to\" is required (an ISO-8601 time)");
  EXPECT_EQ(with(R"("series":[{}],"bogus":1)"),
            "the query has an unknown field \"bogus\" (known: \"kind\", \"from\", \"to\", "
            "\"interval\", \"series\", \"filter\", \"breakdown\", \"limit\")");
  EXPECT_EQ(with(R"("series":[{}],"interval":"year")"),
            "\"interval\" must be one of \"hour\", \"day\", \"week\", \"month\"");
  EXPECT_EQ(Error(R"({"from":"2020-01-01","to":"2022-01-01","interval":"hour","series":[{}]})"),
            "\"interval\" \"hour\" gives 17544 periods from \"from\" to \"to\" (at most 10000)");
  EXPECT_EQ(Error("{" + range + "}"), "\"series\" is required (an array of 1 to 10 series)");
  EXPECT_EQ(with(R"("series":[])"), "\"series\" must be an array of 1 to 10 series, got an array");
  EXPECT_EQ(with(R"("series":{})"), "\"series\" must be an array of 1 to 10 series, got an object");
  EXPECT_EQ(with(R"("series":[{},{},{},{},{},{},{},{},{},{},{}])"),
            "\"series\" must be an array of 1 to 10 series, got an array");
  EXPECT_EQ(with(R"("series":[{},3])"),
            "\"series[1]\" must be an object with \"filter\" and \"measure\", got 3");
  EXPECT_EQ(with(R"("series":[{"event":"x"}])"),
            "\"series[0]\" has an unknown field \"event\" (known: \"filter\", \"measure\", "
            "\"property\")");
  EXPECT_EQ(with(R"("series":[{"filter":{"event":""}}])"),
            "\"series[0].filter.event\" must be a string of 1 to 256 bytes");
  EXPECT_EQ(with(R"("series":[{"measure":"median"}])"),
            "\"series[0].measure\" must be one of \"count\", \"unique_profiles\", \"sum\", "
            "\"avg\", \"min\", \"max\", got \"median\"");
  EXPECT_EQ(with(R"("series":[{},{"measure":"sum"}])"),
            "\"series[1].property\" is required with \"measure\": \"sum\"");
  EXPECT_EQ(with(R"("series":[{"measure":"avg","property":"a..b"}])"),
            "\"series[0].property\" must be a dotted path such as \"properties.revenue\" (names "
            "separated by single dots, at most 256 bytes), got \"a..b\"");
  EXPECT_EQ(with(R"("series":[{"measure":"count","property":"properties.x"}])"),
            "\"series[0].property\" applies only to the measures \"sum\", \"avg\", \"min\" and "
            "\"max\"");
  EXPECT_EQ(with(R"("series":[{}],"filter":{})"),
            "\"filter\" must be an array of where clauses, got an object");
  EXPECT_EQ(with(R"("series":[{}],"filter":[{"path":"a","op":"near","value":1}])")
                .rfind("\"filter[0].op\" must be one of", 0),
            0u);
  EXPECT_EQ(with(R"("series":[{}],"breakdown":"properties.x")"),
            "\"breakdown\" must be an object with one field, \"property\" or \"trait\", got "
            "\"properties.x\"");
  EXPECT_EQ(with(R"("series":[{}],"breakdown":{"property":"a","trait":"b"})"),
            "\"breakdown\" must be an object with one field, \"property\" or \"trait\", got an "
            "object");
  EXPECT_EQ(with(R"("series":[{}],"breakdown":{"path":"a"})"),
            "\"breakdown\" has an unknown field \"path\" (known: \"property\", \"trait\")");
  EXPECT_EQ(with(R"("series":[{}],"breakdown":{"property":""})"),
            "\"breakdown.property\" must be a dotted path such as \"properties.plan\" (names "
            "separated by single dots, at most 256 bytes), got \"\"");
  EXPECT_EQ(with(R"("series":[{}],"breakdown":{"trait":7})"),
            "\"breakdown.trait\" must be a trait name such as \"plan\" (at most 240 bytes), got 7");
  EXPECT_EQ(with(R"("series":[{}],"limit":0)"),
            "\"limit\" must be a whole number from 1 to 1000, got 0");
  TrendsSpec spec =
      MustParse("{" + range +
                R"(,"kind":"trends","interval":"week","series":[{"filter":{"type":"page"},
      "measure":"min","property":"properties.x"}],"breakdown":{"trait":"plan"},"limit":3})");
  EXPECT_EQ(spec.interval, Interval::kWeek);
  EXPECT_EQ(spec.series[0].measure, TrendsMeasure::kMin);
  EXPECT_EQ(spec.series[0].property, "properties.x");
  EXPECT_EQ(spec.series[0].filter.type, EventType::kPage);
  EXPECT_EQ(spec.breakdown, TrendsBreakdown::kTrait);
  EXPECT_EQ(spec.breakdown_name, "plan");
  EXPECT_EQ(spec.limit, 3);
}

// ---- Against the reference on random data ------------------------------------------------------

TEST(TrendsTest, MatchesReferenceOnRandomSnapshots) {
  const char* measures[] = {"count", "unique_profiles", "sum", "avg", "min", "max"};
  const char* intervals[] = {"hour", "day", "week", "month"};
  const char* filters[] = {
      "{}",
      R"({"event":"A"})",
      R"({"type":"page"})",
      R"({"event":"Nope"})",
      R"({"where":[{"path":"properties.channel","op":"in","value":["web","ios"]}]})",
      R"({"type":"track","where":[{"path":"properties.revenue","op":"gt","value":3}]})"};
  const char* breakdowns[] = {"", R"(,"breakdown":{"property":"properties.channel"})",
                              R"(,"breakdown":{"trait":"plan"})",
                              R"(,"breakdown":{"property":"properties.revenue"})"};
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    RandomData d = MakeRandomData(seed);
    const ProfileMap map(d.merges, d.max_profile);
    auto snap = MakePartsSnapshot(d.parts, map, d.chunk_rows);
    const std::vector<Row> rows = AllRows(d);
    std::mt19937_64 rng(seed * 7919);
    auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (const Row& r : rows) lo = std::min(lo, r.ts), hi = std::max(hi, r.ts);
    if (rows.empty()) lo = hi = 0;
    // Three specs per snapshot: two at random, one the common case (one series, no breakdown,
    // days) with a random measure and filter.
    for (int variant = 0; variant < 3; ++variant) {
      const int64_t from = lo - static_cast<int64_t>(pick(3)) * kDayUs + pick(2) * kHourUs * 5;
      int64_t to = hi + 1000 - static_cast<int64_t>(pick(3)) * kDayUs / 2;
      if (to <= from) to = from + kHourUs;
      const char* interval = variant == 2 ? "day" : intervals[pick(4)];
      if ((to - from) / kHourUs > 9000 && std::string(interval) == "hour") interval = "day";
      std::string series;
      const size_t n_series = variant == 2 ? 1 : 1 + pick(3);
      for (size_t s = 0; s < n_series; ++s) {
        const char* m = measures[variant == 2 ? pick(2) : pick(6)];
        const bool value = std::string(m) != "count" && std::string(m) != "unique_profiles";
        series += std::string(s ? "," : "") + R"({"filter":)" + filters[pick(6)] +
                  R"(,"measure":")" + m + "\"" +
                  (value ? R"(,"property":"properties.revenue")" : "") + "}";
      }
      const std::string json =
          R"({"from":")" + FormatIso8601(from) + R"(","to":")" + FormatIso8601(to) +
          R"(","interval":")" + interval + R"(","series":[)" + series + "]" +
          breakdowns[variant == 2 ? 0 : pick(4)] + R"(,"limit":)" + std::to_string(1 + pick(6)) +
          (pick(4) == 0 ? R"(,"filter":[{"path":"properties.channel","op":"neq","value":"ads"}])"
                        : "") +
          "}";
      const TrendsSpec spec = MustParse(json);
      const TrendsResult want = RefTrends(rows, map, spec);
      for (int threads : {1, 2, 3}) {
        auto got = RunTrends(*snap, spec, QueryOptions{threads, 0});
        ASSERT_TRUE(got.ok()) << got.status().ToString();
        ExpectSame(
            *got, want,
            "seed " + std::to_string(seed) + " threads " + std::to_string(threads) + " " + json);
        if (HasFatalFailure()) return;
      }
    }
  }
}

// Profile ids far beyond what dense arrays hold: the hash-map and sorted-key fallbacks.
TEST(TrendsTest, SparseProfileIdsMatchReference) {
  constexpr uint64_t kShift = uint64_t{1} << 40;
  for (uint64_t seed = 1; seed <= 60; ++seed) {
    RandomData d = MakeRandomData(seed);
    for (auto& part : d.parts) {
      for (Row& r : part) r.profile = r.profile ? r.profile + kShift : 0;
    }
    for (auto& [from, into] : d.merges) from += kShift, into += kShift;
    const ProfileMap map(d.merges, d.max_profile + kShift);
    auto snap = MakePartsSnapshot(d.parts, map, d.chunk_rows);
    const std::vector<Row> rows = AllRows(d);
    if (rows.empty()) continue;
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (const Row& r : rows) lo = std::min(lo, r.ts), hi = std::max(hi, r.ts);
    const std::string range = R"("from":")" + FormatIso8601(lo - kDayUs) + R"(","to":")" +
                              FormatIso8601(hi + kDayUs) + "\",";
    for (const char* extra : {"", R"(,"breakdown":{"trait":"plan"})",
                              R"(,"breakdown":{"property":"properties.channel"},"limit":2)"}) {
      const std::string json =
          "{" + range + R"("interval":"month","series":[)" +
          R"({"measure":"unique_profiles"},{"filter":{"event":"A"},"measure":"unique_profiles"}])" +
          extra + "}";
      const TrendsSpec spec = MustParse(json);
      auto got = RunTrends(*snap, spec, QueryOptions{2, 0});
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      ExpectSame(*got, RefTrends(rows, map, spec), "seed " + std::to_string(seed) + " " + json);
      if (HasFatalFailure()) return;
    }
  }
}

}  // namespace
}  // namespace rapport::warehouse
