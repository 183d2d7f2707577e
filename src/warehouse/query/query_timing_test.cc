// Timings of the funnel and retention operators on ~2 M generated rows, or on the benchmark's
// CSV (RAPPORT_QUERY_BENCH_CSV=<bench/warehouse/generate.mjs output>); RAPPORT_QUERY_BENCH_ROWS
// and RAPPORT_QUERY_BENCH_THREADS change size and threads. Printed, never asserted.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "common/time_format.h"
#include "warehouse/memory_snapshot.h"
#include "warehouse/query/run.h"
#include "warehouse/query/test_util.h"

namespace rapport::warehouse {
namespace {

using testing::kSec;
using testing::ReadBenchCsv;
using testing::T;

std::vector<Row> Generated(size_t n, uint64_t profiles, int days) {
  std::mt19937_64 rng(42);
  const int64_t base = T("2024-01-01T00:00:00Z");
  // A skewed mix: most events are page views, few are orders.
  const std::vector<std::pair<const char*, int>> mix = {
      {"Page Viewed", 45},     {"Product Viewed", 25}, {"Product Added", 10},
      {"Checkout Started", 6}, {"Order Completed", 3}, {"Signed Up", 2},
      {"Searched", 9}};
  std::vector<const char*> table;
  for (const auto& [name, weight] : mix) table.insert(table.end(), weight, name);
  const char* sources[] = {"google", "facebook", "newsletter", "bing", "twitter", "direct"};
  std::vector<Row> rows(n);
  for (size_t i = 0; i < n; ++i) {
    Row& r = rows[i];
    r.profile = 1 + rng() % profiles;
    r.ts = base + static_cast<int64_t>(rng() % (days * 86'400ull)) * kSec;
    r.seq = i << 8;
    r.event = table[rng() % table.size()];
    if (rng() % 4 == 0)
      r.props.push_back({"context.campaign.source", Value::String(sources[rng() % 6])});
  }
  return rows;
}

// RAPPORT_QUERY_BENCH_CSV=file: the benchmark's data instead of generated rows;
// RAPPORT_QUERY_BENCH_ROWS=n: how many generated rows; RAPPORT_QUERY_BENCH_THREADS=t.
// Runs `json` (a spec without its range) 7 times and prints the best wall and CPU times.
void Time(const Snapshot& snap, const std::string& range, size_t n, const char* label,
          const std::string& json, const QueryOptions& options) {
  const std::string spec = "{" + range + "," + json + "}";
  double best = 1e9, cpu_best = 1e9;
  std::string out;
  for (int i = 0; i < 7; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    const std::clock_t c0 = std::clock();
    auto r = RunQuery(snap, spec, options);
    const double cpu = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    best = std::min(best, s);
    cpu_best = std::min(cpu_best, cpu);
    if (i == 0) out = r->json;
  }
  std::printf(
      "%-34s %zu rows: best %6.1f ms (cpu %6.1f ms); scaled to 10 M rows: %6.1f ms\n  %.160s\n",
      label, n, best * 1e3, cpu_best * 1e3, best * 1e3 * 1e7 / static_cast<double>(n), out.c_str());
}

TEST(QueryTiming, FunnelAndRetention) {
  size_t n = 2'000'000;
#if defined(__SANITIZE_ADDRESS__)
  n = 100'000;
#endif
  if (const char* env = std::getenv("RAPPORT_QUERY_BENCH_ROWS"))
    n = std::strtoull(env, nullptr, 10);
  std::vector<Row> rows;
  if (const char* csv = std::getenv("RAPPORT_QUERY_BENCH_CSV")) {
    rows = ReadBenchCsv(csv);
    n = rows.size();
  } else {
    rows = Generated(n, std::max<uint64_t>(1, n / 10), 90);
  }
  ASSERT_FALSE(rows.empty());
  int64_t lo = rows[0].ts, hi = rows[0].ts;
  for (const Row& r : rows) {
    lo = std::min(lo, r.ts);
    hi = std::max(hi, r.ts);
  }
  const std::string range = R"("from":")" + FormatIso8601(DayOf(lo) * 86'400 * kSec) +
                            R"(","to":")" + FormatIso8601((DayOf(hi) + 1) * 86'400 * kSec) + "\"";
  QueryOptions options;
  if (const char* env = std::getenv("RAPPORT_QUERY_BENCH_THREADS"))
    options.threads = std::atoi(env);
  MemorySnapshot snap(std::move(rows), ProfileMap());
  const std::string steps =
      R"("kind":"funnel","steps":[{"event":"Product Viewed"},{"event":"Product Added"},{"event":"Order Completed"}])";
  Time(snap, range, n, "funnel 3 steps 7 days", steps + R"(,"window":{"days":7})", options);
  Time(snap, range, n, "funnel 3 steps 7 days + breakdown",
       steps + R"(,"window":{"days":7},"breakdown":{"property":"context.campaign.source"})",
       options);
  Time(snap, range, n, "funnel 5 steps 1 day", R"("kind":"funnel","window":{"days":1},"steps":[
           {"event":"Page Viewed"},{"event":"Product Viewed"},{"event":"Product Added"},
           {"event":"Checkout Started"},{"event":"Order Completed"}])",
       options);
  const std::string signup = R"("kind":"retention","start":{"event":"Signed Up"},)";
  Time(snap, range, n, "retention weekly, 8 periods",
       signup + R"("return":{"event":"Page Viewed"},"interval":"week","periods":8)", options);
  Time(snap, range, n, "retention daily, 30 periods",
       signup + R"("return":{"event":"Page Viewed"},"interval":"day","periods":30)", options);
  Time(snap, range, n, "retention weekly, any event",
       R"("kind":"retention","start":{},"return":{},"interval":"week","periods":8)", options);
}

}  // namespace
}  // namespace rapport::warehouse
