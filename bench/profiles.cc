// Profile pipeline benchmark: writes a synthetic event stream into a fresh event log (N
// profiles; a share of events carry two identifiers, so identities are stitched and profiles
// merge), then times the pipeline building the state from it, reports disk and memory per
// profile, and the latency of profile look-ups by identifier. Prints one figure per line.
//
//   profiles_bench [--profiles 1000000] [--events 3000000] [--two-ids 0.3] [--lookups 200000]
//                  [--cache-mb 0] [--partitions 0] [--batch-events 4096]
//                  [--dir /tmp/rapport-profiles-bench] [--keep] [--no-huge-pages]
// --cache-mb: the pipeline's profile cache ([profiles] cache_mb; 0: automatic, as the server).
// --partitions: of the event log (0: as the server makes a new log, kNewLogPartitions).
// --batch-events: events per atomic state write at most ([profiles] batch_events).
// --no-huge-pages: the heap without transparent huge pages ([server] huge_pages = false).
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "collect/envelope.h"
#include "common/crc32c.h"
#include "common/huge_pages.h"
#include "log/event_log.h"
#include "profile/pipeline.h"

namespace {

using Clock = std::chrono::steady_clock;
double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

uint64_t DirBytes(const std::string& dir) {
  uint64_t total = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) total += e.file_size();
  }
  return total;
}

// CPU time in seconds: the whole process's (every thread, RocksDB's included), and the calling
// thread's (the pipeline's own, without its state writes and compactions).
double ProcessCpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}
double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// CPU seconds of this process's threads, summed by thread name (/proc/self/task/*/comm and
// stat's utime + stime): the pipeline (the calling thread), its state writes ("state-write"),
// RocksDB's flushes ("rocksdb:high") and compactions ("rocksdb:low"), and the rest.
std::map<std::string, double> CpuSecondsByThreadName() {
  std::map<std::string, double> out;
  const double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
  std::error_code ec;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task", ec)) {
    std::ifstream comm(task.path() / "comm"), stat(task.path() / "stat");
    std::string name, line;
    if (!std::getline(comm, name) || !std::getline(stat, line)) continue;
    // Fields after the ")" that closes the name: state is field 3, utime 14, stime 15.
    std::istringstream fields(line.substr(line.rfind(')') + 2));
    std::string field;
    double utime = 0, stime = 0;
    for (int i = 3; i <= 15 && fields >> field; ++i) {
      if (i == 14) utime = std::stod(field);
      if (i == 15) stime = std::stod(field);
    }
    out[name] += (utime + stime) / tick;
  }
  return out;
}

long MaxRssMb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024;
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t profiles = 1'000'000, events = 3'000'000, lookups = 200'000;
  double two_ids = 0.3;
  int64_t cache_mb = 0;
  int partitions = 0;
  size_t batch_events = rapport::PipelineOptions().batch_events;
  std::string dir = "/tmp/rapport-profiles-bench";
  bool keep = false, huge_pages = true;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
    if (a == "--profiles")
      profiles = std::stoull(next());
    else if (a == "--events")
      events = std::stoull(next());
    else if (a == "--two-ids")
      two_ids = std::stod(next());
    else if (a == "--lookups")
      lookups = std::stoull(next());
    else if (a == "--cache-mb")
      cache_mb = std::stoll(next());
    else if (a == "--partitions")
      partitions = std::stoi(next());
    else if (a == "--batch-events")
      batch_events = std::stoull(next());
    else if (a == "--dir")
      dir = next();
    else if (a == "--keep")
      keep = true;
    else if (a == "--no-huge-pages")
      huge_pages = false;
    else {
      fmt::print(stderr, "unknown flag {}\n", a);
      return 2;
    }
  }
  fmt::print("heap huge pages: {}\n", huge_pages ? rapport::UseHugePagesForTheHeap() : "off");
  std::filesystem::remove_all(dir);
  auto log = rapport::EventLog::Open({.dir = dir + "/log", .partitions = partitions}, nullptr);
  if (!log.ok()) {
    fmt::print(stderr, "{}\n", log.status().ToString());
    return 1;
  }

  // Each customer k has a user id and two devices (anonymous ids). An event carries one
  // identifier, or (two_ids of the time) a device and the user id: the link that stitches them.
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> unit(0, 1);
  const char* names[] = {"Page Viewed", "Product Viewed", "Added to Cart", "Order Completed",
                         "Email Opened"};
  auto t0 = Clock::now();
  std::vector<rapport::LogRecord> batch;
  uint64_t bytes = 0;
  const int64_t base_ts = 1'700'000'000'000'000;
  for (uint64_t i = 0; i < events; ++i) {
    uint64_t k = rng() % profiles;
    rapport::NormalizedEvent e;
    e.type = "track";
    e.message_id = fmt::format("m{}", i);
    std::string anon = fmt::format("a{}-{}", k, rng() % 2);
    std::string user = fmt::format("u{}", k);
    double r = unit(rng);
    if (r < two_ids) {
      e.anonymous_id = anon;
      e.user_id = user;
    } else if (r < two_ids + (1 - two_ids) / 2) {
      e.anonymous_id = anon;
    } else {
      e.user_id = user;
    }
    e.timestamp_us = base_ts + static_cast<int64_t>(i) * 1000;
    e.received_at_us = e.timestamp_us;
    const char* name = names[rng() % 5];
    e.json = fmt::format(
        R"({{"type":"track","event":"{}","userId":"{}","anonymousId":"{}","properties":{{"revenue":{},"category":"c{}","url":"https://shop.example.com/p/{}"}},"context":{{"library":{{"name":"bench"}},"ip":"10.0.0.1","locale":"en-US"}},"messageId":"{}","timestamp":"x"}})",
        name, e.user_id, e.anonymous_id, rng() % 200, rng() % 20, rng() % 5000, e.message_id);
    const std::string& key = e.anonymous_id.empty() ? e.user_id : e.anonymous_id;
    int partition = static_cast<int>(rapport::crc32c::Value(key) % (*log)->partitions());
    batch.push_back({partition, rapport::EncodeEnvelope("src_bench", e)});
    bytes += batch.back().payload.size();
    if (batch.size() == 20000 || i + 1 == events) {
      auto s = (*log)->AppendSync(std::move(batch));
      if (!s.ok()) {
        fmt::print(stderr, "{}\n", s.status().ToString());
        return 1;
      }
      batch.clear();
    }
  }
  auto t1 = Clock::now();
  fmt::print("log: {} events ({:.0f} MB) written in {:.1f} s\n", events, bytes / 1e6,
             Seconds(t0, t1));

  rapport::PipelineOptions options;
  options.log = log->get();
  options.dir = dir + "/state";
  options.cache_mb = cache_mb;
  options.batch_events = batch_events;
  options.load_definitions = []() -> rapport::Result<std::vector<rapport::ComputedDef>> {
    std::vector<rapport::ComputedDef> defs;
    for (
        const char* json :
        {R"({"name":"orders_30d","event":"Order Completed","aggregate":"count","window_days":30})",
         R"({"name":"lifetime_revenue","event":"Order Completed","aggregate":"sum","property":"properties.revenue"})",
         R"({"name":"last_seen","aggregate":"last"})"}) {
      defs.push_back(*rapport::ParseComputedDef(json));
    }
    return defs;
  };
  auto pipeline = rapport::ProfilePipeline::Open(std::move(options));
  if (!pipeline.ok()) {
    fmt::print(stderr, "{}\n", pipeline.status().ToString());
    return 1;
  }
  auto t2 = Clock::now();
  const double cpu0 = ProcessCpuSeconds(), thread0 = ThreadCpuSeconds();
  const std::map<std::string, double> threads0 = CpuSecondsByThreadName();
  rapport::Status s = (*pipeline)->CatchUp();
  auto t3 = Clock::now();
  const double cpu = ProcessCpuSeconds() - cpu0, thread = ThreadCpuSeconds() - thread0;
  std::map<std::string, double> threads = CpuSecondsByThreadName();
  if (!s.ok()) {
    fmt::print(stderr, "{}\n", s.ToString());
    return 1;
  }
  auto stats = (*pipeline)->GetStats();
  double rate = events / Seconds(t2, t3);
  fmt::print("pipeline: {:.0f} events/s ({} events in {:.1f} s; {} merges, {} blocked)\n", rate,
             stats.events, Seconds(t2, t3), stats.merges, stats.blocked);
  fmt::print("pipeline vs target 250,000 events/s: {:.2f}x\n", rate / 250000);
  // What the rate costs, steadier than the rate on a shared VM: CPU per event, in all and on
  // the pipeline thread (resolve, apply, encode); the rest is RocksDB (writes, compactions).
  fmt::print(
      "cpu: {:.1f} us/event in all ({:.0f}% of the cores), {:.1f} us/event on the pipeline "
      "thread\n",
      cpu * 1e6 / events, 100 * cpu / Seconds(t2, t3) / std::thread::hardware_concurrency(),
      thread * 1e6 / events);
  std::string by_thread;
  for (auto& [name, seconds] : threads) {
    auto before = threads0.find(name);
    if (before != threads0.end()) seconds -= before->second;
    if (seconds * 1e6 / events < 0.05) continue;
    by_thread +=
        fmt::format("{}{} {:.1f}", by_thread.empty() ? "" : ", ", name, seconds * 1e6 / events);
  }
  fmt::print("cpu by thread (us/event, clock ticks of 1/{} s): {}\n", sysconf(_SC_CLK_TCK),
             by_thread);

  const rapport::StateStore* store = (*pipeline)->store();
  uint64_t live = 0;
  (void)store->ScanProfiles(1, [&](const rapport::ProfileRecord&) {
    ++live;
    return true;
  });
  uint64_t state_bytes = DirBytes(dir + "/state");
  fmt::print(
      "profiles: {} live; state on disk {:.0f} MB = {:.0f} bytes/profile "
      "(timeline copies of events included); max RSS {} MB\n",
      live, state_bytes / 1e6, live ? double(state_bytes) / live : 0.0, MaxRssMb());

  std::vector<double> micros;
  micros.reserve(lookups);
  for (uint64_t i = 0; i < lookups; ++i) {
    uint64_t k = rng() % profiles;
    rapport::Identifier id =
        (i % 2) ? rapport::Identifier{"user_id", fmt::format("u{}", k)}
                : rapport::Identifier{"anonymous_id", fmt::format("a{}-{}", k, rng() % 2)};
    auto a = Clock::now();
    auto found = store->FindIdentifier(id);
    if (found.ok() && found->has_value()) (void)store->GetLiveProfile(**found);
    micros.push_back(std::chrono::duration<double, std::micro>(Clock::now() - a).count());
  }
  std::sort(micros.begin(), micros.end());
  auto pct = [&](double p) { return micros.empty() ? 0 : micros[size_t(p * (micros.size() - 1))]; };
  fmt::print(
      "lookup by identifier: p50 {:.1f} us, p99 {:.1f} us, p99.9 {:.1f} us "
      "(target p99 < 1000 us)\n",
      pct(0.5), pct(0.99), pct(0.999));
  pipeline->reset();
  log->reset();
  if (!keep) std::filesystem::remove_all(dir);
  return 0;
}
