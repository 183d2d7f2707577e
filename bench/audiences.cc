// Audience benchmark, two figures:
//  1. evaluations per second on one core: 100 audiences of realistic shapes (trait comparisons,
//     windowed event counts with property filters, "not performed", computed traits, consent,
//     audience references) evaluated for every one of N synthetic profiles;
//  2. the profile pipeline's throughput over the same event stream without audiences and with
//     the 100 audiences kept current (the cost of real-time membership), on a real log and
//     RocksDB state.
//
//   audiences_bench [--profiles 20000] [--events 300000] [--audiences 100]
//                   [--dir /tmp/rapport-audiences-bench]
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "audience/engine.h"
#include "audience/parser.h"
#include "collect/envelope.h"
#include "common/crc32c.h"
#include "log/event_log.h"
#include "profile/computed/computed_state.h"
#include "profile/pipeline.h"

namespace rapport {
namespace {

using SteadyClock = std::chrono::steady_clock;
double Seconds(SteadyClock::time_point a, SteadyClock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

constexpr int64_t kDay = 86'400'000'000;
constexpr int64_t kNow = 1'700'000'000'000'000;
const char* kEvents[] = {"Order Completed", "Product Viewed", "Cart Viewed",
                         "Ticket Opened",   "Email Opened",   "Signed In"};
const char* kPlans[] = {"free", "pro", "enterprise"};

// The i-th of the benchmark's audience definitions (cycling through realistic shapes).
std::string AudienceText(int i) {
  const char* e = kEvents[i % 6];
  const int n = 1 + i % 3, days = 7 * (1 + i % 4);
  switch (i % 8) {
    case 0:
      return fmt::format(
          R"(traits.plan = "{}" and performed "{}" at least {} times within {} days)",
          kPlans[i % 3], e, n, days);
    case 1:
      return fmt::format(R"(performed "{}" where revenue > {} within {} days)", e, 10 * n, days);
    case 2:
      return fmt::format(
          R"(traits.plan in ["pro", "enterprise"] and not performed "{}" within {} days)", e, days);
    case 3:
      return fmt::format(R"(computed.orders_30d >= {} or traits.age > {})", n, 20 + i % 30);
    case 4:
      return fmt::format(
          R"(performed "{}" at most {} times within {} days and consented to "Email")", e, n, days);
    case 5:
      return fmt::format(R"(traits.country = "DE" and performed page "Pricing" within {} days)",
                         days);
    case 6:
      return fmt::format(R"(in audience "a{}" and traits.plan != "free")", i - 6);
    default:
      return fmt::format(R"(performed "{}" exactly {} times within {} days or traits.vip = true)",
                         e, n, days);
  }
}

std::vector<AudienceDef> Audiences(int count) {
  std::vector<AudienceDef> out;
  for (int i = 0; i < count; ++i) {
    auto root = ParseAudience(AudienceText(i));
    if (!root.ok()) {
      fmt::print(stderr, "audience {}: {}\n", i, root.status().ToString());
      std::exit(1);
    }
    out.push_back({static_cast<uint64_t>(i + 1), fmt::format("a{}", i), "", std::move(*root)});
  }
  return out;
}

ComputedDef OrdersDef() {
  return *ParseComputedDef(
      R"({"name":"orders_30d","event":"Order Completed","aggregate":"count","window_days":30})");
}

// 1. Pure evaluation speed over synthetic profile records.
void EvaluationsPerSecond(int audiences, uint64_t profiles) {
  std::vector<std::string> problems;
  auto set = AudienceSet::Compile(Audiences(audiences), {OrdersDef()}, &problems);
  std::mt19937_64 rng(7);
  std::vector<ProfileRecord> records(profiles);
  const ComputedDef orders = OrdersDef();
  for (uint64_t p = 0; p < profiles; ++p) {
    ProfileRecord& r = records[p];
    r.id = p + 1;
    r.traits["plan"] = {fmt::format("\"{}\"", kPlans[rng() % 3]), 0, 0, ""};
    r.traits["age"] = {std::to_string(18 + rng() % 60), 0, 0, ""};
    r.traits["country"] = {rng() % 4 ? "\"FR\"" : "\"DE\"", 0, 0, ""};
    r.consent["Email"] = {rng() % 2 ? "true" : "false", 0, 0, ""};
    for (const ComputedDef& d : set->hidden_defs()) {
      ComputedState s;
      const int n = static_cast<int>(rng() % 6);
      for (int k = 0; k < n; ++k) {
        s.Add(d, ComputedValue::Bool(true), kNow - static_cast<int64_t>(rng() % (60 * kDay)), k);
      }
      if (!s.empty()) r.computed[d.name] = s.Encode();
    }
    ComputedState o;
    for (int k = 0; k < static_cast<int>(rng() % 4); ++k)
      o.Add(orders, ComputedValue::Bool(true), kNow - kDay, k);
    r.computed[orders.name] = o.Encode();
  }
  uint64_t evaluations = 0, members = 0;
  const auto t0 = SteadyClock::now();
  for (ProfileRecord& r : records) {
    for (const auto& a : set->audiences()) {
      EvalContext ctx;
      ctx.profile = &r;
      ctx.bindings = &a->bindings;
      ctx.in_audience = [&r](uint64_t id) {
        auto it = r.audiences.find(id);
        return it != r.audiences.end() && it->second.member;
      };
      ctx.now_us = kNow;
      const EvalResult res = Evaluate(a->root, ctx);
      r.audiences[a->id].member = res.value;
      members += res.value;
      ++evaluations;
    }
  }
  const double secs = Seconds(t0, SteadyClock::now());
  fmt::print("audience evaluations per second (1 core, {} audiences x {} profiles): {:.0f}\n",
             audiences, profiles, evaluations / secs);
  fmt::print("  share of (profile, audience) pairs that are members: {:.1f}%\n",
             100.0 * members / evaluations);
}

// 2. The pipeline with and without the audiences.
double PipelineEventsPerSecond(const std::string& dir, EventLog* log, int audiences) {
  std::vector<AudienceDef> defs = Audiences(audiences);
  Registry metrics;
  AudienceEngine engine(AudienceEngineOptions{
      .load = [&]() -> Result<std::vector<AudienceDef>> { return defs; }, .metrics = &metrics});
  PipelineOptions o;
  o.log = log;
  o.dir = dir;
  o.consumer = fmt::format("bench{}", audiences);
  o.hooks = audiences > 0 ? &engine : nullptr;
  o.load_definitions = [&]() -> Result<std::vector<ComputedDef>> {
    std::vector<ComputedDef> all = {OrdersDef()};
    for (ComputedDef& d : AudienceEngine::HiddenDefinitions(defs)) all.push_back(d);
    return all;
  };
  auto pipeline = ProfilePipeline::Open(std::move(o));
  if (!pipeline.ok()) {
    fmt::print(stderr, "{}\n", pipeline.status().ToString());
    std::exit(1);
  }
  const auto t0 = SteadyClock::now();
  Status s = (*pipeline)->CatchUp();
  const double secs = Seconds(t0, SteadyClock::now());
  if (!s.ok()) {
    fmt::print(stderr, "{}\n", s.ToString());
    std::exit(1);
  }
  const auto stats = (*pipeline)->GetStats();
  if (audiences > 0) {
    auto value = [&](const char* name) { return metrics.GetCounter(name, "")->Value(); };
    fmt::print("  per event: {:.1f} audience evaluations, {:.2f} entered, {:.2f} left\n",
               1.0 * value("rapport_audience_evaluations_total") / stats.events,
               1.0 * value("rapport_audience_entered_total") / stats.events,
               1.0 * value("rapport_audience_exited_total") / stats.events);
  }
  uint64_t state_bytes = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) state_bytes += e.file_size();
  }
  fmt::print("  state on disk: {:.1f} MB\n", state_bytes / 1e6);
  return stats.events / secs;
}

int Main(int argc, char** argv) {
  uint64_t profiles = 20000, events = 300000;
  int audiences = 100;
  std::string dir = "/tmp/rapport-audiences-bench";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
    if (a == "--profiles") {
      profiles = std::stoull(next());
    } else if (a == "--events") {
      events = std::stoull(next());
    } else if (a == "--audiences") {
      audiences = std::stoi(next());
    } else if (a == "--dir") {
      dir = next();
    } else {
      fmt::print(stderr, "unknown argument {}\n", a);
      return 2;
    }
  }
  EvaluationsPerSecond(audiences, profiles);

  std::filesystem::remove_all(dir);
  auto log = EventLog::Open({.dir = dir + "/log"}, nullptr);
  if (!log.ok()) {
    fmt::print(stderr, "{}\n", log.status().ToString());
    return 1;
  }
  std::mt19937_64 rng(11);
  const int64_t start_us = SystemClock::Default()->NowMicros() - 60 * kDay;
  std::vector<LogRecord> batch;
  for (uint64_t i = 0; i < events; ++i) {
    const uint64_t user = rng() % profiles;
    const int kind = static_cast<int>(rng() % 10);
    std::string json, type = "track";
    if (kind == 0) {
      type = "identify";
      json = fmt::format(
          R"({{"type":"identify","userId":"u{}","traits":{{"plan":"{}","age":{},"country":"{}"}},"context":{{"consent":{{"categoryPreferences":{{"Email":{}}}}}}}}})",
          user, kPlans[rng() % 3], 18 + rng() % 60, rng() % 4 ? "FR" : "DE",
          rng() % 2 ? "true" : "false");
    } else if (kind == 1) {
      type = "page";
      json = fmt::format(R"({{"type":"page","userId":"u{}","name":"Pricing"}})", user);
    } else {
      json = fmt::format(
          R"({{"type":"track","userId":"u{}","event":"{}","properties":{{"revenue":{}}}}})", user,
          kEvents[rng() % 6], rng() % 100);
    }
    NormalizedEvent e;
    e.type = type;
    e.user_id = fmt::format("u{}", user);
    e.message_id = fmt::format("m{}", i);
    // Spread over the 60 days before now, so that windows of 7 to 28 days select some of it.
    e.timestamp_us = start_us + static_cast<int64_t>(i * (60 * kDay / events));
    e.received_at_us = e.timestamp_us;
    e.json = json;
    batch.push_back({static_cast<int>(crc32c::Value(e.user_id) % (*log)->partitions()),
                     EncodeEnvelope("src", e)});
    if (batch.size() == 5000 || i + 1 == events) {
      if (!(*log)->AppendSync(std::move(batch)).ok()) return 1;
      batch.clear();
    }
  }
  const double without = PipelineEventsPerSecond(dir + "/state0", log->get(), 0);
  const double with = PipelineEventsPerSecond(dir + "/state1", log->get(), audiences);
  fmt::print("pipeline events per second, {} events over {} profiles: without audiences {:.0f}\n",
             events, profiles, without);
  fmt::print(
      "pipeline events per second with {} audiences kept current: {:.0f} ({:.0f}% of "
      "without)\n",
      audiences, with, 100.0 * with / without);
  std::filesystem::remove_all(dir);
  return 0;
}

}  // namespace
}  // namespace rapport

int main(int argc, char** argv) { return rapport::Main(argc, argv); }
