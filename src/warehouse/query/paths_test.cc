#include "warehouse/query/paths.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <tuple>

#include "common/time_format.h"
#include "warehouse/memory_snapshot.h"
#include "warehouse/query/test_util.h"
#include "warehouse/row.h"

namespace rapport::warehouse {
namespace {

using testing::ParseError;

PathsSpec MustParse(const std::string& json) {
  simdjson::dom::parser parser;
  auto r = ParsePathsSpec(parser.parse(json).get_object().value());
  EXPECT_TRUE(r.ok()) << json << ": " << r.status().ToString();
  return r.ok() ? *r : PathsSpec{};
}

std::string Error(const std::string& json) {
  return ParseError(json, [](simdjson::dom::object o) { return ParsePathsSpec(o).status(); });
}

std::string Json(const Snapshot& snap, const std::string& spec_json) {
  auto r = RunPaths(snap, MustParse(spec_json), QueryOptions{2, 0});
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  std::string out;
  if (r.ok()) AppendPathsJson(*r, snap, &out);
  return out;
}

// ---- The reference: every profile's events sorted, then plain string maps -----------------------

std::string NodeName(const Row& r) {
  const std::string type(EventTypeName(r.type));
  switch (r.type) {
    case EventType::kTrack:
      return r.event.empty() ? type : r.event;
    case EventType::kPage:
    case EventType::kScreen:
      return r.event.empty() ? type : type + ": " + r.event;
    default:
      return type;
  }
}

PathsResult RefPaths(const std::vector<Row>& rows, const ProfileMap& map, const PathsSpec& spec) {
  std::map<uint64_t, std::vector<const Row*>> by_profile;
  for (const Row& r : rows) {
    if (r.profile != 0 && spec.range.Contains(r.ts))
      by_profile[map.Current(r.profile)].push_back(&r);
  }
  std::vector<std::vector<std::string>> paths;
  for (auto& [cur, events] : by_profile) {
    std::sort(events.begin(), events.end(), [](const Row* a, const Row* b) {
      return std::tie(a->ts, a->seq) < std::tie(b->ts, b->seq);
    });
    if (spec.from_end) std::reverse(events.begin(), events.end());
    std::vector<std::string> path;
    for (const Row* r : events) {
      const std::string node = NodeName(*r);
      if (path.empty()) {
        if (testing::RefMatches(spec.anchor, *r)) path.push_back(node);
      } else if (path.size() < static_cast<size_t>(spec.steps) + 1 &&
                 !(spec.collapse_repeats && path.back() == node)) {
        path.push_back(node);
      }
    }
    if (path.empty()) continue;
    if (path.size() < static_cast<size_t>(spec.steps) + 1) {
      path.push_back(spec.from_end ? "(start)" : "(end)");
    }
    paths.push_back(std::move(path));
  }
  PathsResult out;
  out.profiles = paths.size();
  auto step_of = [&](size_t pos) {
    return static_cast<int>(spec.from_end ? spec.steps - pos : pos);
  };
  std::map<std::string, uint64_t> first;
  for (const auto& p : paths) ++first[p[0]];
  for (const auto& [n, k] : first) out.nodes.push_back({step_of(0), n, k});
  for (size_t pos = 0; pos < static_cast<size_t>(spec.steps); ++pos) {
    std::map<std::pair<std::string, std::string>, uint64_t> links;
    for (const auto& p : paths) {
      if (p.size() > pos + 1) ++links[{p[pos], p[pos + 1]}];
    }
    std::vector<std::pair<std::pair<std::string, std::string>, uint64_t>> ranked(links.begin(),
                                                                                 links.end());
    std::stable_sort(ranked.begin(), ranked.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    std::set<std::pair<std::string, std::string>> top;
    for (size_t k = 0; k < ranked.size() && k < static_cast<size_t>(spec.limit); ++k) {
      top.insert(ranked[k].first);
    }
    std::map<std::pair<std::string, std::string>, uint64_t> kept;
    std::map<std::string, uint64_t> targets;
    for (auto& p : paths) {
      if (p.size() <= pos + 1) continue;
      if (!top.count({p[pos], p[pos + 1]})) p[pos + 1] = "(other)";
      ++kept[{p[pos], p[pos + 1]}];
      ++targets[p[pos + 1]];
    }
    for (const auto& [l, k] : kept) {
      PathsLink link;
      link.step = spec.from_end ? step_of(pos + 1) : step_of(pos);
      link.source = spec.from_end ? l.second : l.first;
      link.target = spec.from_end ? l.first : l.second;
      link.count = k;
      out.links.push_back(link);
    }
    for (const auto& [n, k] : targets) out.nodes.push_back({step_of(pos + 1), n, k});
  }
  std::sort(out.nodes.begin(), out.nodes.end(), [](const PathsNode& a, const PathsNode& b) {
    return std::make_tuple(a.step, -static_cast<double>(a.count), a.name) <
           std::make_tuple(b.step, -static_cast<double>(b.count), b.name);
  });
  std::sort(out.links.begin(), out.links.end(), [](const PathsLink& a, const PathsLink& b) {
    return std::make_tuple(a.step, -static_cast<double>(a.count), a.source, a.target) <
           std::make_tuple(b.step, -static_cast<double>(b.count), b.source, b.target);
  });
  return out;
}

std::string Describe(const PathsResult& r) {
  std::string out = "profiles " + std::to_string(r.profiles) + "\n";
  for (const auto& n : r.nodes) {
    out += "node " + std::to_string(n.step) + ":" + n.name + " " + std::to_string(n.count) + "\n";
  }
  for (const auto& l : r.links) {
    out += "link " + std::to_string(l.step) + " " + l.source + " -> " + l.target + " " +
           std::to_string(l.count) + "\n";
  }
  return out;
}

// ---- Hand-checked ----------------------------------------------------------------------------

Row Ev(std::string_view time, uint64_t profile, std::string event,
       EventType type = EventType::kTrack) {
  static uint64_t seq = 0;
  Row r;
  r.ts = *ParseIso8601("2024-05-06T" + std::string(time) + ":00Z");
  r.seq = ++seq;
  r.profile = profile;
  r.type = type;
  r.event = std::move(event);
  return r;
}

std::vector<Row> SignupRows() {
  return {
      Ev("10:00", 1, "Signed Up"),
      Ev("10:05", 1, "Pricing", EventType::kPage),
      Ev("10:06", 1, "Pricing", EventType::kPage),
      Ev("10:10", 1, "Product Viewed"),
      Ev("11:00", 2, "Signed Up"),
      Ev("11:01", 2, "Product Viewed"),
      Ev("11:02", 2, "Order Completed"),
      Ev("09:00", 3, "Product Viewed"),
      Ev("12:00", 4, "", EventType::kIdentify),
      Ev("12:01", 4, "Signed Up"),
      Ev("12:02", 0, "Signed Up"),  // no profile: never in a path
  };
}

const std::string kDay = R"("from":"2024-05-06","to":"2024-05-07")";

TEST(PathsTest, ForwardFromStart) {
  MemorySnapshot snap(SignupRows(), ProfileMap(), 3);
  EXPECT_EQ(Json(snap, "{" + kDay + R"(,"start":{"event":"Signed Up"},"steps":2})"),
            R"({"nodes":[{"id":"0:Signed Up","step":0,"name":"Signed Up","count":3},)"
            R"j({"id":"1:(end)","step":1,"name":"(end)","count":1},)j"
            R"({"id":"1:Product Viewed","step":1,"name":"Product Viewed","count":1},)"
            R"({"id":"1:page: Pricing","step":1,"name":"page: Pricing","count":1},)"
            R"({"id":"2:Order Completed","step":2,"name":"Order Completed","count":1},)"
            R"({"id":"2:Product Viewed","step":2,"name":"Product Viewed","count":1}],)"
            R"j("links":[{"source":"0:Signed Up","target":"1:(end)","count":1},)j"
            R"({"source":"0:Signed Up","target":"1:Product Viewed","count":1},)"
            R"({"source":"0:Signed Up","target":"1:page: Pricing","count":1},)"
            R"({"source":"1:Product Viewed","target":"2:Order Completed","count":1},)"
            R"({"source":"1:page: Pricing","target":"2:Product Viewed","count":1}],"profiles":3})");
  // Without collapsing, profile 1 sees the pricing page twice.
  auto r =
      RunPaths(snap,
               MustParse("{" + kDay +
                         R"(,"start":{"event":"Signed Up"},"steps":2,"collapse_repeats":false})"),
               QueryOptions{1, 0});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(PathsTable(*r).Render(),
            "step  from            to               profiles\n"
            "----  --------------  ---------------  --------\n"
            "0→1   Signed Up       (end)                   1\n"
            "0→1   Signed Up       Product Viewed          1\n"
            "0→1   Signed Up       page: Pricing           1\n"
            "1→2   Product Viewed  Order Completed         1\n"
            "1→2   page: Pricing   page: Pricing           1\n");
}

TEST(PathsTest, LimitSendsTheRestToOther) {
  MemorySnapshot snap(SignupRows(), ProfileMap(), 2);
  EXPECT_EQ(Json(snap, "{" + kDay + R"(,"start":{"event":"Signed Up"},"steps":2,"limit":1})"),
            R"({"nodes":[{"id":"0:Signed Up","step":0,"name":"Signed Up","count":3},)"
            R"j({"id":"1:(other)","step":1,"name":"(other)","count":2},)j"
            R"j({"id":"1:(end)","step":1,"name":"(end)","count":1},)j"
            R"j({"id":"2:(other)","step":2,"name":"(other)","count":1},)j"
            R"({"id":"2:Order Completed","step":2,"name":"Order Completed","count":1}],)"
            R"j("links":[{"source":"0:Signed Up","target":"1:(other)","count":2},)j"
            R"j({"source":"0:Signed Up","target":"1:(end)","count":1},)j"
            R"j({"source":"1:(other)","target":"2:(other)","count":1},)j"
            R"j({"source":"1:(other)","target":"2:Order Completed","count":1}],"profiles":3})j");
}

TEST(PathsTest, BackwardFromEndAndMerges) {
  MemorySnapshot snap(SignupRows(), ProfileMap(), 4);
  EXPECT_EQ(Json(snap, "{" + kDay + R"(,"end":{"event":"Order Completed"},"steps":2})"),
            R"({"nodes":[{"id":"0:Signed Up","step":0,"name":"Signed Up","count":1},)"
            R"({"id":"1:Product Viewed","step":1,"name":"Product Viewed","count":1},)"
            R"({"id":"2:Order Completed","step":2,"name":"Order Completed","count":1}],)"
            R"("links":[{"source":"0:Signed Up","target":"1:Product Viewed","count":1},)"
            R"({"source":"1:Product Viewed","target":"2:Order Completed","count":1}],)"
            R"("profiles":1})");
  // Profile 3 merged into 2: its Product Viewed at 09:00 comes first.
  MemorySnapshot merged(SignupRows(), ProfileMap({{3, 2}}, 4), 4);
  auto r =
      RunPaths(merged, MustParse("{" + kDay + R"(,"end":{"event":"Product Viewed"},"steps":3})"),
               QueryOptions{2, 0});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Describe(*r),
            "profiles 2\n"
            "node 0:(start) 2\n"
            "node 1:Product Viewed 1\n"
            "node 1:Signed Up 1\n"
            "node 2:Signed Up 1\n"
            "node 2:page: Pricing 1\n"
            "node 3:Product Viewed 2\n"
            "link 0 (start) -> Product Viewed 1\n"
            "link 0 (start) -> Signed Up 1\n"
            "link 1 Product Viewed -> Signed Up 1\n"
            "link 1 Signed Up -> page: Pricing 1\n"
            "link 2 Signed Up -> Product Viewed 1\n"
            "link 2 page: Pricing -> Product Viewed 1\n");
}

TEST(PathsTest, SpecErrors) {
  EXPECT_EQ(Error("{" + kDay + R"(,"start":{}})"), "accepted");
  EXPECT_EQ(Error("{" + kDay + "}"), "one of \"start\" and \"end\" is required (an event filter)");
  EXPECT_EQ(Error("{" + kDay + R"(,"start":{},"end":{}})"),
            "\"start\" and \"end\" cannot both be given: paths go forward from \"start\" or "
            "backward from \"end\"");
  EXPECT_EQ(Error("{" + kDay + R"(,"start":"Signed Up"})"), "\"start\" must be an object");
  EXPECT_EQ(Error("{" + kDay + R"(,"end":{"type":"click"}})"),
            "\"end.type\" must be one of \"track\", \"identify\", \"page\", \"screen\", "
            "\"group\", \"alias\"");
  EXPECT_EQ(Error("{" + kDay + R"(,"start":{},"steps":11})"),
            "\"steps\" must be a whole number from 1 to 10, got 11");
  EXPECT_EQ(Error("{" + kDay + R"(,"start":{},"limit":0})"),
            "\"limit\" must be a whole number from 1 to 200, got 0");
  EXPECT_EQ(Error("{" + kDay + R"(,"start":{},"collapse_repeats":"yes"})"),
            "\"collapse_repeats\" must be true or false, got \"yes\"");
  EXPECT_EQ(Error("{" + kDay + R"(,"start":{},"depth":3})"),
            "the query has an unknown field \"depth\" (known: \"kind\", \"from\", \"to\", "
            "\"start\", \"end\", \"steps\", \"limit\", \"collapse_repeats\")");
  EXPECT_EQ(Error(R"({"to":"2024-05-07","start":{}})"), "\"from\" is required (an ISO-8601 time)");
  const PathsSpec spec = MustParse(
      "{" + kDay +
      R"(,"kind":"paths","end":{"event":"X"},"steps":3,"limit":7,"collapse_repeats":false})");
  EXPECT_TRUE(spec.from_end);
  EXPECT_EQ(spec.anchor.event, "X");
  EXPECT_EQ(spec.steps, 3);
  EXPECT_EQ(spec.limit, 7);
  EXPECT_FALSE(spec.collapse_repeats);
  const PathsSpec defaults = MustParse("{" + kDay + R"(,"start":{}})");
  EXPECT_FALSE(defaults.from_end);
  EXPECT_EQ(defaults.steps, 5);
  EXPECT_EQ(defaults.limit, 20);
  EXPECT_TRUE(defaults.collapse_repeats);
}

TEST(PathsTest, MatchesReferenceOnRandomSnapshots) {
  const char* anchors[] = {R"({"event":"A"})", R"({"type":"page"})", "{}",
                           R"({"where":[{"path":"properties.channel","op":"eq","value":"web"}]})",
                           R"({"event":"Nope"})"};
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    const testing::RandomData d = testing::MakeRandomData(seed);
    const ProfileMap map(d.merges, d.max_profile);
    auto snap = testing::MakePartsSnapshot(d.parts, map, d.chunk_rows);
    const std::vector<Row> rows = testing::AllRows(d);
    std::mt19937_64 rng(seed * 31);
    auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (const Row& r : rows) lo = std::min(lo, r.ts), hi = std::max(hi, r.ts);
    if (rows.empty()) lo = hi = 0;
    const int64_t from = lo + static_cast<int64_t>(pick(3)) * kHourUs * 7;
    int64_t to = hi + 1000 - static_cast<int64_t>(pick(3)) * kHourUs * 11;
    if (to <= from) to = from + kDayUs;
    const std::string json = R"({"from":")" + FormatIso8601(from) + R"(","to":")" +
                             FormatIso8601(to) + R"(",")" + (pick(2) ? "start" : "end") + R"(":)" +
                             anchors[pick(5)] + R"(,"steps":)" + std::to_string(1 + pick(5)) +
                             R"(,"limit":)" + std::to_string(1 + pick(5)) +
                             R"(,"collapse_repeats":)" + (pick(2) ? "true" : "false") + "}";
    const PathsSpec spec = MustParse(json);
    const std::string want = Describe(RefPaths(rows, map, spec));
    for (int threads : {1, 2, 3}) {
      auto got = RunPaths(*snap, spec, QueryOptions{threads, 0});
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      ASSERT_EQ(Describe(*got), want) << "seed " << seed << " threads " << threads << " " << json;
    }
  }
}

// Profile ids far beyond what dense arrays hold: every row takes the sequential path.
TEST(PathsTest, SparseProfileIdsMatchReference) {
  constexpr uint64_t kShift = uint64_t{1} << 40;
  for (uint64_t seed = 1; seed <= 60; ++seed) {
    testing::RandomData d = testing::MakeRandomData(seed);
    for (auto& part : d.parts) {
      for (Row& r : part) r.profile = r.profile ? r.profile + kShift : 0;
    }
    for (auto& [from, into] : d.merges) from += kShift, into += kShift;
    const ProfileMap map(d.merges, d.max_profile + kShift);
    auto snap = testing::MakePartsSnapshot(d.parts, map, d.chunk_rows);
    const std::vector<Row> rows = testing::AllRows(d);
    if (rows.empty()) continue;
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (const Row& r : rows) lo = std::min(lo, r.ts), hi = std::max(hi, r.ts);
    const std::string range = R"("from":")" + FormatIso8601(lo - kDayUs) + R"(","to":")" +
                              FormatIso8601(hi + kDayUs) + "\",";
    for (const char* anchor : {R"("start":{"event":"A"})", R"("end":{"type":"page"})"}) {
      const std::string json = "{" + range + R"("steps":3,"limit":3,)" + anchor + "}";
      const PathsSpec spec = MustParse(json);
      auto got = RunPaths(*snap, spec, QueryOptions{2, 0});
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      ASSERT_EQ(Describe(*got), Describe(RefPaths(rows, map, spec)))
          << "seed " << seed << " " << json;
    }
  }
}

}  // namespace
}  // namespace rapport::warehouse
