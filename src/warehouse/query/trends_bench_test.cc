// Timings of trends (and paths/discovery) over a generated in-memory snapshot: ~2 M rows, 200 k
// profiles, 90 days, skewed event names and channels. Prints figures; never asserts on time.
// RAPPORT_BENCH_ROWS overrides the row count (profiles scale with it).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "common/time_format.h"
#include "warehouse/memory_snapshot.h"
#include "warehouse/query/discovery.h"
#include "warehouse/query/parallel.h"
#include "warehouse/query/paths.h"
#include "warehouse/query/test_util.h"
#include "warehouse/query/trends.h"

namespace rapport::warehouse {
namespace {

using testing::ReadBenchCsv;

size_t BenchRows() {
  if (const char* env = std::getenv("RAPPORT_BENCH_ROWS")) return std::strtoull(env, nullptr, 10);
#if defined(__SANITIZE_ADDRESS__)
  return 100'000;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  return 100'000;
#endif
#endif
  return 2'000'000;
}

struct BenchData {
  std::vector<Row> rows;
  uint64_t profiles = 0;
};

BenchData Generate(size_t n) {
  BenchData d;
  d.profiles = std::max<uint64_t>(1, n / 10);
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> u(0, 1);
  const int64_t day0 = *ParseIso8601("2024-01-01") / kDayUs;
  std::vector<std::string> names;
  for (int i = 0; i < 20; ++i) names.push_back("Event " + std::to_string(i));
  const char* channels[] = {"web", "ios", "android", "email", "ads", "partner", "social", "direct"};
  d.rows.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    Row r;
    r.ts = (day0 + static_cast<int64_t>(rng() % 90)) * kDayUs +
           static_cast<int64_t>(rng() % static_cast<uint64_t>(kDayUs));
    r.seq = (static_cast<uint64_t>(i) << 8) | 1;
    // Activity skewed: a few profiles much more active than most.
    r.profile = 1 + static_cast<uint64_t>(static_cast<double>(d.profiles) * std::pow(u(rng), 1.6));
    r.profile = std::min(r.profile, d.profiles);
    // Event names Zipf-like: "Event 0" the most frequent.
    const size_t e = std::min<size_t>(19, static_cast<size_t>(std::pow(u(rng), 2.5) * 20));
    if (e == 19) {
      r.type = EventType::kIdentify;
      r.props.push_back({"traits.plan", Value::String(rng() % 3 ? "free" : "pro")});
    } else {
      r.type = e == 1 ? EventType::kPage : EventType::kTrack;
      r.event = names[e];
    }
    r.props.push_back({"properties.channel",
                       Value::String(channels[std::min<size_t>(7, rng() % 4 + rng() % 5)])});
    if (e == 3) r.props.push_back({"properties.revenue", Value::Number(rng() % 20000 / 100.0)});
    d.rows.push_back(std::move(r));
  }
  return d;
}

double CpuMillis() {
  timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

// Best wall time of `runs`; also the median wall time and the best CPU time (all threads).
double Millis(const std::function<void()>& fn, int runs, double* median, double* cpu) {
  std::vector<double> ms;
  *cpu = 1e100;
  for (int i = 0; i < runs; ++i) {
    const double c0 = CpuMillis();
    const auto t0 = std::chrono::steady_clock::now();
    fn();
    ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    *cpu = std::min(*cpu, CpuMillis() - c0);
  }
  std::sort(ms.begin(), ms.end());
  *median = ms[ms.size() / 2];
  return ms[0];
}

template <typename Spec, typename Run>
void Time(const Snapshot& snap, const char* what, const std::string& json,
          Result<Spec> (*parse)(simdjson::dom::object), Run run, int threads = 0) {
  const char* only = std::getenv("RAPPORT_BENCH_ONLY");
  if (only != nullptr && (only[0] == '=' ? what != std::string(only + 1)
                                         : std::string(what).find(only) == std::string::npos)) {
    return;
  }
  simdjson::dom::parser parser;
  auto spec = parse(parser.parse(json).get_object().value());
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  size_t lines = 0;
  double median = 0, cpu = 0;
  const char* runs = std::getenv("RAPPORT_BENCH_RUNS");
  const double best = Millis(
      [&] {
        auto r = run(snap, *spec, QueryOptions{threads, 0});
        ASSERT_TRUE(r.ok()) << r.status().ToString();
        std::string out;
        lines = 0;
        if constexpr (std::is_same_v<Spec, TrendsSpec>) lines = r->lines.size();
      },
      runs ? std::atoi(runs) : 9, &median, &cpu);
  std::printf("  %-46s best %7.2f ms  median %7.2f ms  cpu %7.2f ms  (threads %d%s)\n", what, best,
              median, cpu, threads == 0 ? DefaultQueryThreads() : threads,
              lines ? (", " + std::to_string(lines) + " lines").c_str() : "");
}

TEST(TrendsBench, GeneratedSnapshot) {
  const size_t n = BenchRows();
  const auto t0 = std::chrono::steady_clock::now();
  BenchData data = Generate(n);
  const uint64_t profiles = data.profiles;
  // A merged copy: 5% of the profiles merged into another one.
  std::vector<std::pair<uint64_t, uint64_t>> merges;
  for (uint64_t p = 1; p + 1 < profiles; p += 20) merges.push_back({p + 1, p});
  std::vector<Row> copy = data.rows;
  MemorySnapshot snap(std::move(data.rows), ProfileMap({}, profiles));
  MemorySnapshot merged(std::move(copy), ProfileMap(merges, profiles));
  std::printf("trends bench: %zu rows, %llu profiles, 90 days, %zu chunks; built in %.1f s\n", n,
              static_cast<unsigned long long>(profiles), snap.chunk_count(),
              std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  const std::string range = R"("from":"2024-01-01","to":"2024-03-31")";
  const std::string by_channel =
      "{" + range + R"(,"series":[{}],"breakdown":{"property":"properties.channel"}})";
  const std::string unique_day = "{" + range + R"(,"series":[{"measure":"unique_profiles"}]})";
  for (int threads : {0, 1}) {
    Time(snap, "count per day by channel (all events)", by_channel, ParseTrendsSpec, RunTrends,
         threads);
    Time(snap, "unique profiles per day", unique_day, ParseTrendsSpec, RunTrends, threads);
  }
  Time(
      snap, "count per day by channel, one event",
      "{" + range +
          R"(,"series":[{"filter":{"event":"Event 2"}}],"breakdown":{"property":"properties.channel"}})",
      ParseTrendsSpec, RunTrends);
  Time(snap, "count per day (all events)", "{" + range + R"(,"series":[{}]})", ParseTrendsSpec,
       RunTrends);
  Time(snap, "count per hour (all events)", "{" + range + R"(,"interval":"hour","series":[{}]})",
       ParseTrendsSpec, RunTrends);
  Time(snap, "unique profiles per week",
       "{" + range + R"(,"interval":"week","series":[{"measure":"unique_profiles"}]})",
       ParseTrendsSpec, RunTrends);
  Time(
      snap, "unique profiles per day by channel",
      "{" + range +
          R"(,"series":[{"measure":"unique_profiles"}],"breakdown":{"property":"properties.channel"}})",
      ParseTrendsSpec, RunTrends);
  Time(
      snap, "unique profiles per day by channel, limit 3",
      "{" + range +
          R"(,"series":[{"measure":"unique_profiles"}],"breakdown":{"property":"properties.channel"},"limit":3})",
      ParseTrendsSpec, RunTrends);
  Time(merged, "unique profiles per day, 5% merged", unique_day, ParseTrendsSpec, RunTrends);
  Time(merged, "count per day by channel, 5% merged", by_channel, ParseTrendsSpec, RunTrends);
  Time(
      snap, "sum of revenue per day",
      "{" + range +
          R"(,"series":[{"filter":{"event":"Event 3"},"measure":"sum","property":"properties.revenue"}]})",
      ParseTrendsSpec, RunTrends);
  Time(snap, "count per day by trait plan",
       "{" + range + R"(,"series":[{}],"breakdown":{"trait":"plan"}})", ParseTrendsSpec, RunTrends);
  Time(snap, "paths: 5 steps after \"Event 4\"",
       "{" + range + R"(,"start":{"event":"Event 4"},"steps":5})", ParsePathsSpec, RunPaths);
  Time(snap, "paths: 5 steps before \"Event 3\"",
       "{" + range + R"(,"end":{"event":"Event 3"},"steps":5})", ParsePathsSpec, RunPaths);
  Time(snap, "discovery: events", "{" + range + "}", ParseEventsSpec, RunEvents);
  Time(snap, "discovery: events with profiles", "{" + range + R"(,"profiles":true})",
       ParseEventsSpec, RunEvents);
  Time(snap, "discovery: values of properties.channel",
       "{" + range + R"(,"path":"properties.channel"})", ParseValuesSpec, RunValues);
}

// The benchmark's own data (bench/warehouse/generate.mjs CSV) in memory, with the two trends
// questions of bench/warehouse/questions.mjs: RAPPORT_BENCH_CSV=/tmp/.../events-....csv.
TEST(TrendsBench, PeersCsv) {
  const char* path = std::getenv("RAPPORT_BENCH_CSV");
  if (path == nullptr) GTEST_SKIP() << "set RAPPORT_BENCH_CSV to a bench/warehouse CSV";
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<Row> rows = ReadBenchCsv(path);
  ASSERT_FALSE(rows.empty()) << path;
  uint64_t max_profile = 0;
  int64_t max_ts = 0;
  for (const Row& r : rows) {
    max_profile = std::max(max_profile, r.profile);
    max_ts = std::max(max_ts, r.ts);
  }
  const size_t n = rows.size();
  MemorySnapshot snap(std::move(rows), ProfileMap({}, max_profile));
  std::printf("peers csv: %zu rows, %llu profiles, %zu chunks; loaded in %.1f s\n", n,
              static_cast<unsigned long long>(max_profile), snap.chunk_count(),
              std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  // questions.mjs: [end - 90 days, end) with end the CSV's last day + 1.
  const int64_t end = (max_ts / kDayUs + 1) * kDayUs;
  const std::string range =
      R"("from":")" + FormatIso8601(end - 90 * kDayUs) + R"(","to":")" + FormatIso8601(end) + "\"";
  for (int threads : {0, 1}) {
    Time(
        snap, "trends by channel, daily (Page Viewed)",
        "{" + range +
            R"(,"kind":"trends","interval":"day","series":[{"filter":{"event":"Page Viewed"},"measure":"count"}],"breakdown":{"property":"context.campaign.source"},"limit":100})",
        ParseTrendsSpec, RunTrends, threads);
    Time(snap, "unique profiles per day",
         "{" + range +
             R"(,"kind":"trends","interval":"day","series":[{"measure":"unique_profiles"}]})",
         ParseTrendsSpec, RunTrends, threads);
  }
  Time(snap, "unique profiles per week",
       "{" + range +
           R"(,"kind":"trends","interval":"week","series":[{"measure":"unique_profiles"}]})",
       ParseTrendsSpec, RunTrends);
  Time(snap, "paths: 5 steps after \"Signed Up\"",
       "{" + range + R"(,"start":{"event":"Signed Up"},"steps":5})", ParsePathsSpec, RunPaths);
}

}  // namespace
}  // namespace rapport::warehouse
