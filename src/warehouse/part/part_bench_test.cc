// Micro benchmark (prints, asserts no times): WritePart and Load of the fixed columns over 1 M
// generated rows of a typical day (RAPPORT_PART_BENCH_ROWS overrides the count).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <map>
#include <random>

#include "common/temp_dir.h"
#include "warehouse/part/format.h"
#include "warehouse/part/part_reader.h"
#include "warehouse/part/part_writer.h"

namespace rapport::warehouse {
namespace {

constexpr int64_t kDayUs = 86'400'000'000;

// Wall time, and this thread's CPU time (what a shared, busy machine does not inflate).
struct Timer {
  std::chrono::steady_clock::time_point wall = std::chrono::steady_clock::now();
  double cpu = CpuNow();
  static double CpuNow() {
    timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
  }
  double Wall() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - wall).count();
  }
  double Cpu() const { return CpuNow() - cpu; }
};

#if defined(__SANITIZE_ADDRESS__)
constexpr size_t kDefaultRows = 100'000;  // sanitizers are 10-50 times slower
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr size_t kDefaultRows = 100'000;
#else
constexpr size_t kDefaultRows = 1'000'000;
#endif
#else
constexpr size_t kDefaultRows = 1'000'000;
#endif

std::string Uuid(std::mt19937_64& rng) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(rng()),
                static_cast<unsigned>(rng() & 0xffff), static_cast<unsigned>(rng() & 0xfff),
                static_cast<unsigned>(rng() & 0xffff),
                static_cast<unsigned long long>(rng() & 0xffffffffffffull));
  return buf;
}

// Sessions of a few dozen events per profile, Segment-like properties.
std::vector<Row> TypicalDay(size_t n, int64_t day) {
  std::mt19937_64 rng(42);
  std::vector<std::string> names;
  for (int i = 0; i < 40; ++i) names.push_back("Event " + std::to_string(i));
  static const char* kPlans[] = {"free", "pro", "team", "enterprise"};
  static const char* kPaths[] = {"/", "/pricing", "/docs", "/blog", "/signup", "/login"};
  std::vector<Row> rows;
  rows.reserve(n);
  uint64_t profile = 1000;
  while (rows.size() < n) {
    ++profile;
    const std::string anon = Uuid(rng);
    const std::string ip = "10." + std::to_string(rng() % 256) + "." + std::to_string(rng() % 256) +
                           "." + std::to_string(rng() % 256);
    const bool known = rng() % 10 < 7;
    const int sessions = 1 + static_cast<int>(rng() % 3);
    for (int s = 0; s < sessions && rows.size() < n; ++s) {
      int64_t ts = day * kDayUs +
                   static_cast<int64_t>(rng() % static_cast<uint64_t>(kDayUs - 3'600'000'000));
      const int events = 1 + static_cast<int>(rng() % 14);
      for (int e = 0; e < events && rows.size() < n; ++e) {
        ts += static_cast<int64_t>(rng() % 60'000'000);
        Row r;
        r.ts = ts;
        r.seq = (static_cast<uint64_t>(ts + static_cast<int64_t>(rng() % 2'000'000)) << 8) |
                (rng() % 8);
        r.profile = profile;
        const uint64_t kind = rng() % 100;
        r.type = kind < 85   ? EventType::kTrack
                 : kind < 95 ? EventType::kPage
                 : kind < 98 ? EventType::kIdentify
                             : EventType::kScreen;
        if (r.type == EventType::kTrack) {
          // Zipf-like: a few names most of the time.
          const double u = std::uniform_real_distribution<double>(0, 1)(rng);
          r.event = names[static_cast<size_t>(40 * u * u * u)];
        } else if (r.type == EventType::kPage) {
          r.event = "Page";
        }
        r.props.emplace_back("anonymousId", Value::String(anon));
        if (known) r.props.emplace_back("userId", Value::String("user-" + std::to_string(profile)));
        r.props.emplace_back("messageId", Value::String(Uuid(rng)));
        r.props.emplace_back("context.ip", Value::String(ip));
        r.props.emplace_back("context.library.name", Value::String("analytics.js"));
        if (r.type == EventType::kPage) {
          r.props.emplace_back("context.page.path", Value::String(kPaths[rng() % 6]));
        }
        if (r.event == "Event 0") {
          r.props.emplace_back("properties.revenue",
                               Value::Number(static_cast<double>(rng() % 20000) / 100));
        }
        if (rng() % 5 == 0)
          r.props.emplace_back("properties.plan", Value::String(kPlans[rng() % 4]));
        if (rng() % 3 == 0) {
          r.props.emplace_back("properties.count", Value::Number(static_cast<double>(rng() % 50)));
        }
        if (rng() % 1000 == 0) {
          r.props.emplace_back("properties.custom_" + std::to_string(rng() % 50),
                               Value::Bool(true));
        }
        rows.push_back(std::move(r));
      }
    }
  }
  return rows;
}

TEST(PartBench, WriteAndLoad) {
  size_t n = kDefaultRows;
  if (const char* env = std::getenv("RAPPORT_PART_BENCH_ROWS")) n = std::strtoull(env, nullptr, 10);
  const int64_t day = 19'700;
  std::vector<Row> rows = TypicalDay(n, day);
  testing::TempDir dir;
  const std::string path = dir.Sub("bench.part");
  EventDictionary events;

  Timer write;
  auto meta = WritePart(Env::Default(), path, 1, day, std::move(rows), &events);
  const double write_wall = write.Wall(), write_cpu = write.Cpu();
  ASSERT_TRUE(meta.ok()) << meta.status().ToString();
  std::printf(
      "WritePart: %zu rows in %.3f s wall (%.3f s CPU) = %.2f M rows/s wall, %.2f M rows/s CPU;"
      " %.1f bytes/row (%llu bytes)\n",
      n, write_wall, write_cpu, n / write_wall / 1e6, n / write_cpu / 1e6,
      static_cast<double>(meta->file_bytes) / n, static_cast<unsigned long long>(meta->file_bytes));

  std::string bytes;
  ASSERT_TRUE(ReadFileToString(Env::Default(), path, &bytes).ok());
  part::Footer footer;
  ASSERT_TRUE(part::DecodeFooter(bytes, &footer).ok());
  std::map<std::string, uint64_t> by_column;
  for (const auto& b : footer.blocks) {
    for (const auto& c : b.columns) {
      static const char* kFixed[] = {"ts", "seq", "profile", "event", "type"};
      const std::string name = c.kind == part::ColumnKind::kVariant ? c.name
                               : c.kind == part::ColumnKind::kRest
                                   ? "(rest)"
                                   : kFixed[static_cast<int>(c.kind)];
      by_column[name] += c.stored_len;
    }
  }
  for (const auto& [name, stored] : by_column) {
    std::printf("  %-24s %6.2f bytes/row\n", name.c_str(), static_cast<double>(stored) / n);
  }

  auto reader = PartReader::Open(path);
  ASSERT_TRUE(reader.ok());
  double best_wall = 1e9, best_cpu = 1e9;
  for (int pass = 0; pass < 5; ++pass) {
    Timer t;
    size_t loaded = 0;
    for (size_t b = 0; b < (*reader)->blocks(); ++b) {
      auto chunk = (*reader)->Load(b, {});
      ASSERT_TRUE(chunk.ok());
      loaded += (*chunk)->rows;
    }
    best_wall = std::min(best_wall, t.Wall());
    best_cpu = std::min(best_cpu, t.Cpu());
    ASSERT_EQ(loaded, n);
  }
  std::printf(
      "Load fixed columns, cold (no cache): %.1f M rows/s = %.0f M values/s wall; %.1f M rows/s"
      " = %.0f M values/s CPU\n",
      n / best_wall / 1e6, 5 * n / best_wall / 1e6, n / best_cpu / 1e6, 5 * n / best_cpu / 1e6);

  BlockCache cache(size_t{1} << 30);
  auto cached = PartReader::Open(path, &cache);
  ASSERT_TRUE(cached.ok());
  for (size_t b = 0; b < (*cached)->blocks(); ++b) ASSERT_TRUE((*cached)->Load(b, {}).ok());
  double best = 1e9;
  for (int pass = 0; pass < 5; ++pass) {
    Timer t;
    for (size_t b = 0; b < (*cached)->blocks(); ++b) ASSERT_TRUE((*cached)->Load(b, {}).ok());
    best = std::min(best, t.Wall());
  }
  std::printf("Load fixed columns, warm (cached): %.3f ms wall for %zu rows in %zu blocks\n",
              best * 1e3, n, (*cached)->blocks());

  const std::vector<std::string> props = {"userId", "properties.revenue", "context.library.name"};
  Timer props_timer;
  for (size_t b = 0; b < (*reader)->blocks(); ++b) ASSERT_TRUE((*reader)->Load(b, props).ok());
  std::printf("Load fixed + 3 property columns, cold: %.1f M rows/s CPU\n",
              n / props_timer.Cpu() / 1e6);
  Timer rest_timer;
  for (size_t b = 0; b < (*reader)->blocks(); ++b) {
    ASSERT_TRUE((*reader)->Load(b, {"properties.custom_7"}).ok());
  }
  std::printf("Load fixed + 1 rest path, cold: %.1f M rows/s CPU\n", n / rest_timer.Cpu() / 1e6);

  Timer read_timer;
  auto back = (*reader)->ReadRows(events);
  const double read_cpu = read_timer.Cpu();
  ASSERT_TRUE(back.ok());
  ASSERT_EQ(back->size(), n);
  std::printf("ReadRows: %.2f M rows/s CPU\n", n / read_cpu / 1e6);
}

}  // namespace
}  // namespace rapport::warehouse
