// Funnel operator tests: hand-checked results, spec errors, and the operator against a plain
// per-profile reference (every start tried; levels cross-checked by trying every chain) on random
// snapshots with ties, overlapping parts, merges and profile 0; plus timings on generated data.
#include "warehouse/query/funnel.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <tuple>

#include "common/time_format.h"
#include "profile/computed/computed_match.h"
#include "warehouse/memory_snapshot.h"
#include "warehouse/query/dense_profiles.h"
#include "warehouse/query/test_util.h"

namespace rapport::warehouse {
namespace {

using testing::DealIntoParts;
using testing::Ev;
using testing::kHour;
using testing::kMin;
using testing::kSec;
using testing::Prop;
using testing::RefMatches;
using testing::Seq;
using testing::T;

// ---- The reference: one profile at a time, straight from the rows ----------------------------

std::optional<std::string> ValueText(const Value* v) {
  if (v == nullptr) return std::nullopt;
  switch (v->kind) {
    case ValueKind::kAbsent:
    case ValueKind::kNull:
      return std::nullopt;
    case ValueKind::kFalse:
      return "false";
    case ValueKind::kTrue:
      return "true";
    case ValueKind::kNumber:
      return FormatJsonNumber(v->number);
    case ValueKind::kString:
    case ValueKind::kJson:
      return v->text;
  }
  return std::nullopt;
}

struct RefEvent {
  int64_t ts;
  std::vector<bool> step;
  std::optional<std::string> value;
};

// The greedy chain from a first step at `start`: each next step at the earliest later event
// that matches it within the window. Earliest is never worse, so this reaches the most levels.
std::vector<int64_t> Greedy(const std::vector<RefEvent>& ev, int64_t start, size_t k,
                            int64_t window) {
  std::vector<int64_t> chain = {start};
  while (chain.size() < k) {
    const size_t j = chain.size();
    std::optional<int64_t> next;
    for (const RefEvent& e : ev) {
      if (e.ts > chain.back() && e.ts <= start + window && e.step[j] && (!next || e.ts < *next)) {
        next = e.ts;
      }
    }
    if (!next) break;
    chain.push_back(*next);
  }
  return chain;
}

// The highest level by trying every chain (small inputs only).
size_t Exhaustive(const std::vector<RefEvent>& ev, size_t k, int64_t window) {
  size_t best = 0;
  std::function<void(size_t, int64_t, int64_t)> go = [&](size_t level, int64_t first,
                                                         int64_t last) {
    best = std::max(best, level);
    if (level == k) return;
    for (const RefEvent& e : ev) {
      if (e.step[level] && e.ts > last && e.ts <= first + window) go(level + 1, first, e.ts);
    }
  };
  for (const RefEvent& e : ev) {
    if (e.step[0]) go(1, e.ts, e.ts);
  }
  return best;
}

double Median(std::vector<int64_t> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  const double m = n % 2 ? static_cast<double>(v[n / 2])
                         : (static_cast<double>(v[n / 2 - 1]) + static_cast<double>(v[n / 2])) / 2;
  return m / 1e6;
}

struct RefProfile {
  size_t level = 0;
  std::vector<int64_t> chain;
  std::optional<std::string> value;
};

std::vector<FunnelStep> RefSteps(const FunnelSpec& spec, const std::vector<const RefProfile*>& ps) {
  const size_t k = spec.steps.size();
  std::vector<FunnelStep> steps(k);
  for (size_t j = 0; j < k; ++j) {
    const EventFilter& f = spec.steps[j];
    steps[j].name = !f.event.empty() ? f.event
                    : f.type         ? "any " + std::string(EventTypeName(*f.type)) + " event"
                                     : "any event";
    std::vector<int64_t> gaps;
    for (const RefProfile* p : ps) {
      if (p->level > j) {
        ++steps[j].count;
        if (j > 0) gaps.push_back(p->chain[j] - p->chain[j - 1]);
      }
    }
    if (!gaps.empty()) steps[j].median_seconds_from_previous = Median(gaps);
  }
  return steps;
}

FunnelResult ReferenceFunnel(const std::vector<Row>& rows, const ProfileMap& map,
                             const FunnelSpec& spec) {
  const size_t k = spec.steps.size();
  std::map<uint64_t, std::vector<RefEvent>> by_profile;
  for (const Row& r : rows) {
    if (r.profile == 0 || !spec.range.Contains(r.ts)) continue;
    RefEvent e{r.ts, std::vector<bool>(k), std::nullopt};
    bool any = false;
    for (size_t j = 0; j < k; ++j) any |= e.step[j] = RefMatches(spec.steps[j], r);
    if (!any) continue;
    if (!spec.breakdown.empty()) e.value = ValueText(Prop(r, spec.breakdown));
    by_profile[map.Current(r.profile)].push_back(std::move(e));
  }
  std::vector<RefProfile> profiles;
  for (const auto& [id, ev] : by_profile) {
    RefProfile p;
    int64_t best_start = 0;
    for (const RefEvent& e : ev) {
      if (!e.step[0]) continue;
      const size_t level = Greedy(ev, e.ts, k, spec.window_us).size();
      if (level > p.level || (level == p.level && e.ts > best_start)) {
        p.level = level;
        best_start = e.ts;
      }
    }
    if (ev.size() <= 10) {
      EXPECT_EQ(p.level, Exhaustive(ev, k, spec.window_us));
    }
    if (p.level == 0) continue;
    p.chain = Greedy(ev, best_start, k, spec.window_us);
    for (const RefEvent& e : ev) {  // smallest text among the starts at that time; null last
      if (e.step[0] && e.ts == best_start && e.value && (!p.value || *e.value < *p.value)) {
        p.value = e.value;
      }
    }
    profiles.push_back(std::move(p));
  }
  FunnelResult result;
  std::vector<const RefProfile*> all;
  std::vector<int64_t> convert;
  for (const RefProfile& p : profiles) {
    all.push_back(&p);
    if (p.level == k) convert.push_back(p.chain.back() - p.chain.front());
  }
  result.steps = RefSteps(spec, all);
  if (!convert.empty()) result.median_seconds_to_convert = Median(convert);
  const int64_t window_s = (spec.window_us + kSec - 1) / kSec;
  for (int64_t b : {10, 60, 300, 900, 3600, 14400, 86400, 259200, 604800, 1209600, 2592000, 5184000,
                    7776000, 15552000, 31536000}) {
    if (b < window_s) result.time_to_convert.push_back({b, 0});
  }
  result.time_to_convert.push_back({window_s, 0});
  for (int64_t c : convert) {
    for (FunnelBucket& b : result.time_to_convert) {
      if (c <= b.le_seconds * kSec) {
        ++b.count;
        break;
      }
    }
  }
  if (!spec.breakdown.empty()) {
    result.has_breakdown = true;
    std::map<std::string, std::vector<const RefProfile*>> by_value;
    std::vector<const RefProfile*> nulls;
    for (const RefProfile& p : profiles) (p.value ? by_value[*p.value] : nulls).push_back(&p);
    std::vector<std::pair<std::string, std::vector<const RefProfile*>>> ranked(by_value.begin(),
                                                                               by_value.end());
    std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
      return a.second.size() > b.second.size();
    });
    std::vector<const RefProfile*> other;
    for (size_t i = 0; i < ranked.size(); ++i) {
      if (i < kFunnelBreakdownValues) {
        result.breakdown.push_back({ranked[i].first, false, RefSteps(spec, ranked[i].second)});
      } else {
        other.insert(other.end(), ranked[i].second.begin(), ranked[i].second.end());
      }
    }
    if (!nulls.empty()) result.breakdown.push_back({std::nullopt, false, RefSteps(spec, nulls)});
    if (!other.empty()) result.breakdown.push_back({"(other)", true, RefSteps(spec, other)});
  }
  return result;
}

// ---- Helpers ---------------------------------------------------------------------------------

std::string Json(const FunnelResult& r, const Snapshot& s) {
  std::string out;
  AppendFunnelJson(r, s, &out);
  return out;
}

std::string RunJson(const Snapshot& s, const FunnelSpec& spec, int threads = 2) {
  QueryOptions options;
  options.threads = threads;
  auto r = RunFunnel(s, spec, options);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? Json(*r, s) : "";
}

Result<FunnelSpec> Parse(const std::string& json) {
  static simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(json).get(doc) != simdjson::SUCCESS) return Status::Internal("bad test JSON");
  simdjson::dom::object obj;
  if (doc.get_object().get(obj) != simdjson::SUCCESS) return Status::Internal("not an object");
  return ParseFunnelSpec(obj);
}

FunnelSpec MustParse(const std::string& json) {
  auto spec = Parse(json);
  EXPECT_TRUE(spec.ok()) << spec.status().ToString();
  return spec.ok() ? *spec : FunnelSpec{};
}

// ---- Hand-checked ------------------------------------------------------------------------------

TEST(Funnel, HandChecked) {
  const int64_t d = T("2024-01-01T00:00:00Z");
  std::vector<Row> rows = Seq({
      // 1: A → B → C in 10 + 30 minutes.
      Ev(1, d + 10 * kHour, "A"),
      Ev(1, d + 10 * kHour + 10 * kMin, "B"),
      Ev(1, d + 10 * kHour + 40 * kMin, "C"),
      // 2: B exactly one hour after A (inclusive), C one second too late.
      Ev(2, d + 10 * kHour, "A"),
      Ev(2, d + 11 * kHour, "B"),
      Ev(2, d + 11 * kHour + kSec, "C"),
      // 3: B before A only.
      Ev(3, d + 9 * kHour, "B"),
      Ev(3, d + 12 * kHour, "A"),
      // 4: A and B at the same time never chain.
      Ev(4, d + 10 * kHour, "A"),
      Ev(4, d + 10 * kHour, "B"),
      // 6 and 7 (merged into 6): one profile.
      Ev(6, d + 13 * kHour, "A"),
      Ev(7, d + 13 * kHour + 30 * kMin, "B"),
      Ev(7, d + 13 * kHour + 50 * kMin, "C"),
      // no profile; out of range
      Ev(0, d + 10 * kHour, "A"),
      Ev(8, d - kSec, "A"),
      Ev(8, d + 24 * kHour, "A"),
  });
  MemorySnapshot snap(rows, ProfileMap({{7, 6}}, 8), 3);
  const FunnelSpec spec = MustParse(
      R"({"kind":"funnel","from":"2024-01-01","to":"2024-01-02","window":{"hours":1},
          "steps":[{"event":"A"},{"event":"B"},{"event":"C"}]})");
  const std::string expected =
      R"({"steps":[{"name":"A","count":5,"conversion":1,"step_conversion":1,"drop_off":0,)"
      R"("median_seconds_from_previous":null},)"
      R"({"name":"B","count":3,"conversion":0.6,"step_conversion":0.6,"drop_off":2,)"
      R"("median_seconds_from_previous":1800},)"
      R"({"name":"C","count":2,"conversion":0.4,"step_conversion":0.6666666666666666,)"
      R"("drop_off":1,"median_seconds_from_previous":1500}],)"
      R"("time_to_convert":{"median_seconds":2700,"buckets":[{"le_seconds":10,"count":0},)"
      R"({"le_seconds":60,"count":0},{"le_seconds":300,"count":0},{"le_seconds":900,"count":0},)"
      R"({"le_seconds":3600,"count":2}]}})";
  for (int threads : {1, 2, 3}) EXPECT_EQ(RunJson(snap, spec, threads), expected);
  EXPECT_EQ(Json(ReferenceFunnel(rows, snap.profiles(), spec), snap), expected);
  EXPECT_EQ(FunnelTable(*RunFunnel(snap, spec, {})).Render(),
            "step  event  profiles  conversion  from previous  drop-off  median s from previous\n"
            "----  -----  --------  ----------  -------------  --------  ----------------------\n"
            "   1  A             5        100%           100%         0                       -\n"
            "   2  B             3         60%            60%         2                    1800\n"
            "   3  C             2         40%       66.6667%         1                    1500\n");
}

TEST(Funnel, HandCheckedBreakdown) {
  const int64_t d = T("2024-03-04T10:00:00Z");
  const std::string src = "context.campaign.source";
  std::vector<Row> rows = Seq({
      // 1: the chain reaching B starts at the later A (bing).
      Ev(1, d, "A", {{src, Value::String("google")}}),
      Ev(1, d + 5 * kMin, "A", {{src, Value::String("bing")}}),
      Ev(1, d + 20 * kMin, "B"),
      // 2: no source.
      Ev(2, d, "A"),
      // 3: two starts at one time: the smaller text wins.
      Ev(3, d, "A", {{src, Value::String("google")}}),
      Ev(3, d, "A", {{src, Value::String("facebook")}}),
      Ev(3, d + 30 * kMin, "B"),
      // 4: a source that is null counts as none; 5: a number shows as its JSON text.
      Ev(4, d, "A", {{src, Value::String("google")}}),
      Ev(4, d + 10 * kMin, "B"),
      Ev(5, d, "A", {{src, Value::Null()}}),
      Ev(6, d, "A", {{src, Value::Number(7)}}),
  });
  MemorySnapshot snap(rows, ProfileMap(), 4);
  const FunnelSpec spec = MustParse(
      R"({"from":"2024-03-04","to":"2024-03-05","window":{"seconds":3600},
          "steps":[{"event":"A"},{"event":"B"}],"breakdown":{"property":"context.campaign.source"}})");
  auto step = [](const char* name, int count, const char* conv, const char* step_conv, int drop,
                 const char* median) {
    return std::string(R"({"name":")") + name + R"(","count":)" + std::to_string(count) +
           R"(,"conversion":)" + conv + R"(,"step_conversion":)" + step_conv + R"(,"drop_off":)" +
           std::to_string(drop) + R"(,"median_seconds_from_previous":)" + median + "}";
  };
  auto group = [&](const char* value, int b, const char* median) {
    const std::string conv = b ? "1" : "0";
    return std::string(R"({"value":)") + value + R"(,"steps":[)" +
           step("A", 1, "1", "1", 0, "null") + "," +
           step("B", b, conv.c_str(), conv.c_str(), 1 - b, median) + "]}";
  };
  const std::string expected =
      R"({"steps":[)" + step("A", 6, "1", "1", 0, "null") + "," +
      step("B", 3, "0.5", "0.5", 3, "900") +
      R"(],"time_to_convert":{"median_seconds":900,"buckets":[{"le_seconds":10,"count":0},)"
      R"({"le_seconds":60,"count":0},{"le_seconds":300,"count":0},{"le_seconds":900,"count":2},)"
      R"({"le_seconds":3600,"count":1}]},"breakdown":[)" +
      group(R"("7")", 0, "null") + "," + group(R"("bing")", 1, "900") + "," +
      group(R"("facebook")", 1, "1800") + "," + group(R"("google")", 1, "600") + "," +
      R"({"value":null,"steps":[)" + step("A", 2, "1", "1", 0, "null") + "," +
      step("B", 0, "0", "0", 2, "null") + "]}]}";
  for (int threads : {1, 2}) EXPECT_EQ(RunJson(snap, spec, threads), expected);
  EXPECT_EQ(Json(ReferenceFunnel(rows, snap.profiles(), spec), snap), expected);
}

TEST(Funnel, StepNamesAndImpossibleSteps) {
  const int64_t d = T("2024-01-01T00:00:00Z");
  std::vector<Row> rows = Seq({Ev(1, d, "A"), Ev(1, d + kSec, "B")});
  rows[1].type = EventType::kPage;
  MemorySnapshot snap(rows, ProfileMap());
  FunnelSpec spec = MustParse(R"({"from":"2024-01-01","to":"2024-01-02","window":{"days":1},
      "steps":[{},{"type":"page"},{"event":"never seen"}]})");
  auto r = RunFunnel(snap, spec, {});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->steps.size(), 3u);
  EXPECT_EQ(r->steps[0].name, "any event");
  EXPECT_EQ(r->steps[1].name, "any page event");
  EXPECT_EQ(r->steps[2].name, "never seen");
  EXPECT_EQ(r->steps[0].count, 1u);
  EXPECT_EQ(r->steps[1].count, 1u);
  EXPECT_EQ(r->steps[2].count, 0u);
  EXPECT_FALSE(r->median_seconds_to_convert);
  spec.steps[0].event = "never seen";  // nobody can enter
  r = RunFunnel(snap, spec, {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->steps[0].count, 0u);
  EXPECT_NE(Json(*r, snap).find(R"("conversion":0,)"), std::string::npos);
}

// ---- Spec errors -------------------------------------------------------------------------------

TEST(Funnel, SpecErrors) {
  const std::string head = R"({"from":"2024-01-01","to":"2024-01-02",)";
  const std::string steps = R"("steps":[{"event":"A"},{"event":"B"}])";
  const std::string window = R"("window":{"days":7})";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {head + steps + "," + window + R"(,"colour":1})",
       R"(the query has an unknown field "colour" (known: "kind", "from", "to", "steps", )"
       R"("window", "breakdown"))"},
      {R"({"to":"2024-01-02",)" + steps + "," + window + "}",
       R"("from" is required (an ISO-8601 time))"},
      {R"({"from":"2024-01-03","to":"2024-01-02",)" + steps + "," + window + "}",
       R"("from" must be before "to")"},
      {head + window + "}", R"("steps" is required (an array of 2 to 16 event filters))"},
      {head + R"("steps":"A",)" + window + "}",
       R"("steps" must be an array of 2 to 16 event filters, got "A")"},
      {head + R"("steps":[{"event":"A"}],)" + window + "}",
       R"("steps" must be an array of 2 to 16 event filters, got an array of 1)"},
      {head + R"("steps":[{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}],)" + window + "}",
       R"("steps" must be an array of 2 to 16 event filters, got an array of 17)"},
      {head + R"("steps":[{"event":"A"},{"event":7}],)" + window + "}",
       R"("steps[1].event" must be a string of 1 to 256 bytes)"},
      {head + R"("steps":["A",{"event":"B"}],)" + window + "}", R"("steps[0]" must be an object)"},
      {head + R"("steps":[{"name":"A"},{"event":"B"}],)" + window + "}",
       R"("steps[0]" has an unknown field "name" (known: "event", "type", "where"))"},
      {head + R"("steps":[{"event":"A"},{"type":"click"}],)" + window + "}",
       R"("steps[1].type" must be one of "track", "identify", "page", "screen", "group", )"
       R"("alias")"},
      {head + steps + "}", R"("window" is required: {"days": 1..3650}, {"hours": 1..87600} or )"
                           R"({"seconds": 1..315360000})"},
      {head + steps + R"(,"window":"7d"})",
       R"("window" must be {"days": 1..3650}, {"hours": 1..87600} or )"
       R"({"seconds": 1..315360000}, got "7d")"},
      {head + steps + R"(,"window":{"weeks":1}})",
       R"("window" has an unknown field "weeks" (known: "days", "hours", "seconds"))"},
      {head + steps + R"(,"window":{"days":1,"hours":2}})",
       R"("window" must hold exactly one of "days", "hours", "seconds")"},
      {head + steps + R"(,"window":{}})",
       R"("window" must hold exactly one of "days", "hours", "seconds")"},
      {head + steps + R"(,"window":{"days":0}})",
       R"("window.days" must be a whole number from 1 to 3650, got 0)"},
      {head + steps + R"(,"window":{"hours":1.5}})",
       R"("window.hours" must be a whole number from 1 to 87600, got 1.5)"},
      {head + steps + R"(,"window":{"seconds":"60"}})",
       R"("window.seconds" must be a whole number from 1 to 315360000, got "60")"},
      {head + steps + "," + window + R"(,"breakdown":"utm"})",
       R"("breakdown" must be an object {"property": path}, got "utm")"},
      {head + steps + "," + window + R"(,"breakdown":{}})", R"("breakdown.property" is required)"},
      {head + steps + "," + window + R"(,"breakdown":{"property":"a..b"}})",
       R"("breakdown.property" must be a dotted path such as "context.campaign.source" )"
       R"((names separated by single dots, at most 256 bytes), got "a..b")"},
      {head + steps + "," + window + R"(,"breakdown":{"property":"a","limit":3}})",
       R"("breakdown" has an unknown field "limit" (known: "property"))"},
  };
  for (const auto& [json, message] : cases) {
    auto spec = Parse(json);
    ASSERT_FALSE(spec.ok()) << json;
    EXPECT_EQ(spec.status().code(), StatusCode::kInvalidArgument) << json;
    EXPECT_EQ(spec.status().message(), message) << json;
  }
  // A where clause's error names its place in the steps.
  auto spec = Parse(head + R"("steps":[{"event":"A"},{"where":[{"path":"x","op":"like"}]}],)" +
                    window + "}");
  ASSERT_FALSE(spec.ok());
  EXPECT_EQ(spec.status().message().rfind(R"("steps[1].where[0].op")", 0), 0u)
      << spec.status().message();
}

TEST(Funnel, SpecParsesEveryForm) {
  FunnelSpec spec = MustParse(
      R"({"kind":"funnel","from":"2024-01-01T00:00:00Z","to":"2024-02-01T00:00:00Z",
          "steps":[{"event":"A","where":[{"path":"properties.x","op":"gt","value":1}]},
                   {"type":"page"}],
          "window":{"hours":2},"breakdown":{"property":"context.campaign.source"}})");
  EXPECT_EQ(spec.range.from_us, T("2024-01-01T00:00:00Z"));
  EXPECT_EQ(spec.range.to_us, T("2024-02-01T00:00:00Z"));
  ASSERT_EQ(spec.steps.size(), 2u);
  EXPECT_EQ(spec.steps[0].event, "A");
  ASSERT_EQ(spec.steps[0].where.size(), 1u);
  EXPECT_EQ(spec.steps[1].type, EventType::kPage);
  EXPECT_EQ(spec.window_us, 2 * kHour);
  EXPECT_EQ(spec.breakdown, "context.campaign.source");
  EXPECT_EQ(MustParse(R"({"from":"2024-01-01","to":"2024-01-02","steps":[{},{}],
                          "window":{"days":7}})")
                .window_us,
            7 * 24 * kHour);
  EXPECT_EQ(MustParse(R"({"from":"2024-01-01","to":"2024-01-02","steps":[{},{}],
                          "window":{"seconds":90.0}})")
                .window_us,
            90 * kSec);
}

// ---- Against the reference ---------------------------------------------------------------------

struct RandomCase {
  std::vector<Row> rows;
  std::vector<std::pair<uint64_t, uint64_t>> merges;
  FunnelSpec spec;
};

RandomCase MakeRandomCase(std::mt19937_64& rng, bool many_values) {
  auto pick = [&](int n) { return static_cast<int>(rng() % n); };
  RandomCase c;
  const int64_t base = T("2024-05-01T00:00:00Z");
  const int64_t unit = pick(2) ? kHour : 7 * kMin;  // ts are whole units: ties and exact windows
  const int profiles = many_values ? 300 : 2 + pick(12);
  const int n = many_values ? 2000 : pick(120);
  const char* names[] = {"A", "B", "C", "D"};
  for (int i = 0; i < n; ++i) {
    Row r;
    r.profile = pick(15) == 0 ? 0 : 1 + pick(profiles);
    r.ts = base + pick(80) * unit + (pick(10) == 0 ? pick(3) * kSec : 0);
    r.seq = rng() >> 1;
    r.type = pick(8) == 0 ? EventType::kPage : EventType::kTrack;
    r.event = names[pick(pick(3) == 0 ? 2 : 4)];
    if (pick(10) == 0) r.event.clear();
    if (pick(2)) r.props.push_back({"properties.x", Value::Number(pick(4))});
    if (pick(5) == 0) r.props.push_back({"properties.x", Value::String(pick(2) ? "a" : "b")});
    if (r.props.size() == 2) r.props.pop_back();
    const int s = pick(8);
    if (many_values) {
      r.props.push_back({"context.src", Value::String("v" + std::to_string(pick(40)))});
    } else if (s < 4) {
      r.props.push_back({"context.src", Value::String(std::string(1, "gfta"[s]))});
    } else if (s == 4) {
      r.props.push_back({"context.src", Value::Number(7)});
    } else if (s == 5) {
      r.props.push_back({"context.src", Value::Null()});
    }
    c.rows.push_back(std::move(r));
  }
  for (int i = pick(4); i > 0; --i) c.merges.push_back({1 + pick(profiles), 1 + pick(profiles)});
  const int k = 2 + pick(4);
  for (int j = 0; j < k; ++j) {
    EventFilter f;
    const int kind = pick(10);
    if (kind < 7) f.event = names[pick(4)];
    if (kind == 7) f.type = EventType::kPage;
    if (kind == 8) f.event = "Z";  // never seen
    if (pick(4) == 0) {
      WhereClause w;
      w.path = "properties.x";
      w.op = pick(2) ? WhereOp::kGte : WhereOp::kExists;
      if (w.op == WhereOp::kGte) w.value = ComputedValue::Number(pick(3));
      f.where.push_back(w);
    }
    c.spec.steps.push_back(f);
  }
  c.spec.window_us = (1 + pick(12)) * unit + (pick(4) == 0 ? pick(3) * kSec : 0);
  c.spec.range.from_us = base + (pick(2) ? 0 : pick(20) * unit);
  c.spec.range.to_us = base + (pick(2) ? 100 * unit : (20 + pick(60)) * unit + pick(2) * kSec);
  if (many_values) {
    c.spec.breakdown = "context.src";
  } else if (pick(2)) {
    c.spec.breakdown = pick(4) ? "context.src" : "properties.x";
  }
  return c;
}

// Returns the reference's answer (so callers can see the cases are not trivial).
FunnelResult CheckAgainstReference(uint64_t seed, bool many_values) {
  std::mt19937_64 rng(seed);
  RandomCase c = MakeRandomCase(rng, many_values);
  ProfileMap map(c.merges, 400);
  FunnelResult ref = ReferenceFunnel(c.rows, map, c.spec);
  const std::string expected = Json(ref, MemorySnapshot({}, {}));
  const size_t chunk_rows = 1 + rng() % 9;
  MemorySnapshot mem(c.rows, map, chunk_rows);
  EXPECT_EQ(RunJson(mem, c.spec, 1 + static_cast<int>(rng() % 3)), expected) << "seed " << seed;
  MemorySnapshot parts(DealIntoParts(c.rows, 1 + static_cast<int>(rng() % 3), seed), map,
                       chunk_rows);
  EXPECT_EQ(RunJson(parts, c.spec, 1 + static_cast<int>(rng() % 3)), expected) << "seed " << seed;
  return ref;
}

TEST(Funnel, MatchesReferenceOnRandomData) {
  int entered = 0, second = 0, converted = 0, broken_down = 0;
  for (uint64_t seed = 1; seed <= 600; ++seed) {
    const FunnelResult ref = CheckAgainstReference(seed, false);
    entered += ref.steps[0].count > 0;
    second += ref.steps[1].count > 0;
    converted += ref.median_seconds_to_convert.has_value();
    broken_down += ref.breakdown.size() > 1;
  }
  // The random cases reach every part of the answer.
  EXPECT_GT(entered, 400);
  EXPECT_GT(second, 200);
  EXPECT_GT(converted, 60);
  EXPECT_GT(broken_down, 150);
}

TEST(Funnel, MatchesReferenceWithManyBreakdownValues) {
  int folded = 0;
  for (uint64_t seed = 1000; seed < 1030; ++seed) {
    const FunnelResult ref = CheckAgainstReference(seed, true);
    if (ref.steps[0].count < 100) continue;  // a first step that is rare or never seen
    ++folded;
    ASSERT_EQ(ref.breakdown.size(), kFunnelBreakdownValues + 1) << seed;  // 40 values, no null
    EXPECT_TRUE(ref.breakdown.back().other);
  }
  EXPECT_GT(folded, 10);
}

TEST(Funnel, SparseProfileIds) {
  int nontrivial = 0;
  for (uint64_t seed = 70; seed < 100; ++seed) {
    std::mt19937_64 rng(seed);
    RandomCase c = MakeRandomCase(rng, false);
    for (Row& r : c.rows) {
      if (r.profile != 0) r.profile = (r.profile << 40) + 3;
    }
    ProfileMap map({{(2ull << 40) + 3, (1ull << 40) + 3}}, 0);
    const FunnelResult ref = ReferenceFunnel(c.rows, map, c.spec);
    nontrivial += ref.steps[1].count > 0;
    MemorySnapshot mem(c.rows, map, 5);
    std::vector<size_t> all(mem.chunk_count());
    for (size_t i = 0; i < all.size(); ++i) all[i] = i;
    auto dense = DenseProfiles::Build(mem, all, 2);
    ASSERT_TRUE(dense.ok());
    EXPECT_LE(dense->size(), 15u);  // ranked, not indexed by id
    EXPECT_EQ(dense->Map(0), 0u);
    for (const Row& r : c.rows) EXPECT_EQ(dense->Map(r.profile) == 0, r.profile == 0);
    EXPECT_EQ(RunJson(mem, c.spec, 2), Json(ref, mem)) << seed;
  }
  EXPECT_GT(nontrivial, 5);
}

// Ties: the same rows in any order (seq, parts, chunks) give the same answer.
TEST(Funnel, TiesDoNotDependOnRowOrder) {
  const int64_t d = T("2024-01-01T00:00:00Z");
  std::vector<Row> rows;
  for (uint64_t p = 1; p <= 30; ++p) {
    for (int i = 0; i < 12; ++i) {
      rows.push_back(Ev(p, d + (i % 4) * kHour, std::string(1, "ABC"[(p + i) % 3]),
                        {{"context.src", Value::String(std::string(1, "xyz"[(p * i) % 3]))}}));
    }
  }
  FunnelSpec spec;
  spec.range = {d, d + 24 * kHour};
  spec.window_us = 2 * kHour;
  spec.breakdown = "context.src";
  for (const char* e : {"A", "B", "C", "A"}) spec.steps.push_back({std::nullopt, e, {}});
  const std::string expected =
      Json(ReferenceFunnel(rows, ProfileMap(), spec), MemorySnapshot({}, {}));
  std::mt19937_64 rng(5);
  for (int round = 0; round < 20; ++round) {
    std::shuffle(rows.begin(), rows.end(), rng);
    rows = Seq(std::move(rows));  // a new seq order within each timestamp
    MemorySnapshot parts(DealIntoParts(rows, 1 + round % 3, round), ProfileMap(), 1 + round % 7);
    EXPECT_EQ(RunJson(parts, spec, 1 + round % 2), expected) << "round " << round;
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

TEST(Funnel, SnapshotFailuresAreReturned) {
  const int64_t d = T("2024-01-01T00:00:00Z");
  std::vector<Row> rows;
  for (uint64_t p = 1; p <= 20; ++p) {
    rows.push_back(Ev(p, d + static_cast<int64_t>(p) * kSec, "A"));
    rows.push_back(Ev(p, d + static_cast<int64_t>(p) * 2 * kSec, "B"));
  }
  MemorySnapshot mem(Seq(rows), ProfileMap(), 4);
  const FunnelSpec spec = MustParse(R"({"from":"2024-01-01","to":"2024-01-02",
      "steps":[{"event":"A"},{"event":"B"}],"window":{"hours":1}})");
  for (int threads : {1, 2}) {
    QueryOptions options;
    options.threads = threads;
    auto r = RunFunnel(BrokenSnapshot(mem, true), spec, options);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
    EXPECT_EQ(r.status().message(), "part 7, block 3: checksum mismatch");
    r = RunFunnel(BrokenSnapshot(mem, false), spec, options);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
    EXPECT_NE(r.status().message().find("profile id above"), std::string::npos);
  }
}

}  // namespace
}  // namespace rapport::warehouse
