// attribution_bench: the attribution target of DESIGN.md — every model over 1 M conversion
// paths (plus non-converting journeys), timed separately.
//   attribution_bench [--conversions N] [--journeys N] [--seed S] [--threads T] [--table]
// Paths are simulated over 10 channels: each journey is a walk on a fixed channel-to-channel
// transition matrix, 1–8 touches spread over up to 45 days before the end (so some fall
// outside the 30-day lookback), values log-normal. Prints one JSON line with seconds per step
// ("prepare" interns, windows and aggregates the paths; every model then reads that; "roi_*"
// is the channel-ROI report over the same paths under two models), and with --table the
// comparison table on stderr.
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "insight/attribution/compare.h"
#include "insight/roi/roi.h"

using namespace rapport::insight;

namespace {

double Since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

const char* const kChannels[] = {"Direct",         "Organic Search", "Paid Search", "Paid Social",
                                 "Organic Social", "Email",          "Referral",    "Display",
                                 "Affiliates",     "(Other)"};
constexpr int kK = 10;

std::vector<ConversionPath> Simulate(size_t n, bool converting, std::mt19937_64& rng) {
  // Next-channel preferences: channel c favours c + 1 and c + 2 (mod 10), and Email.
  std::discrete_distribution<int> start({8, 12, 14, 10, 6, 5, 5, 9, 3, 2});
  std::vector<std::discrete_distribution<int>> next;
  for (int c = 0; c < kK; ++c) {
    std::vector<double> w(kK, 1.0);
    w[(c + 1) % kK] += 4;
    w[(c + 2) % kK] += 2;
    w[5] += converting ? 3 : 0.5;
    next.emplace_back(w.begin(), w.end());
  }
  std::geometric_distribution<int> extra(converting ? 0.35 : 0.5);
  std::uniform_real_distribution<double> unit(0, 1);
  std::lognormal_distribution<double> value(3.5, 0.8);
  std::vector<ConversionPath> out(n);
  const int64_t day = kMicrosPerDay;
  for (size_t i = 0; i < n; ++i) {
    ConversionPath& p = out[i];
    p.end_us = 1'700'000'000'000'000 + static_cast<int64_t>(unit(rng) * 365 * day);
    const int len = 1 + std::min(7, extra(rng));
    const double span = unit(rng) * 45;  // days from the first touch to the end
    int c = start(rng);
    for (int j = 0; j < len; ++j) {
      const double before = span * (1 - static_cast<double>(j) / len);
      p.touchpoints.push_back({kChannels[c], p.end_us - static_cast<int64_t>(before * day)});
      c = next[c](rng);
    }
    p.value = converting ? value(rng) : 0;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  size_t conversions = 1'000'000, journeys = 1'000'000;
  uint64_t seed = 1;
  int threads = 2;
  bool table = false;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--table") {
      table = true;
      continue;
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "attribution_bench: %s needs a value\n", flag.c_str());
      return 2;
    }
    const std::string value = argv[++i];
    if (flag == "--conversions") {
      conversions = std::stoull(value);
    } else if (flag == "--journeys") {
      journeys = std::stoull(value);
    } else if (flag == "--seed") {
      seed = std::stoull(value);
    } else if (flag == "--threads") {
      threads = std::stoi(value);
    } else {
      std::fprintf(stderr, "attribution_bench: unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  std::mt19937_64 rng(seed);
  auto t = std::chrono::steady_clock::now();
  const std::vector<ConversionPath> conv = Simulate(conversions, true, rng);
  const std::vector<ConversionPath> rest = Simulate(journeys, false, rng);
  const double simulate = Since(t);

  AttributionSettings s;
  s.threads = threads;
  std::string json = "{\"bench\":\"attribution\",\"conversions\":" + std::to_string(conversions) +
                     ",\"journeys\":" + std::to_string(journeys) +
                     ",\"threads\":" + std::to_string(threads);
  auto add = [&](const char* name, double seconds) {
    char buf[96];
    std::snprintf(buf, sizeof(buf), ",\"%s\":%.4f", name, seconds);
    json += buf;
  };
  add("simulate_s", simulate);
  t = std::chrono::steady_clock::now();
  auto prepared = PreparePaths(conv, rest, s);
  if (!prepared.ok()) {
    std::fprintf(stderr, "%s\n", prepared.status().ToString().c_str());
    return 1;
  }
  add("prepare_s", Since(t));
  double total = 0;
  std::vector<Attribution> results;
  for (RuleModel m : {RuleModel::kFirstTouch, RuleModel::kLastTouch, RuleModel::kLinear,
                      RuleModel::kTimeDecay, RuleModel::kPositionBased}) {
    t = std::chrono::steady_clock::now();
    auto a = AttributeRule(m, *prepared, s);
    const double sec = Since(t);
    if (!a.ok()) return 1;
    add((std::string(RuleModelName(m)) + "_s").c_str(), sec);
    total += sec;
    results.push_back(std::move(a).value());
  }
  for (int order : {1, 2, 3}) {
    s.markov_order = order;
    t = std::chrono::steady_clock::now();
    auto m = AttributeMarkov(*prepared, s);
    const double sec = Since(t);
    if (!m.ok()) {
      std::fprintf(stderr, "%s\n", m.status().ToString().c_str());
      return 1;
    }
    add(("markov_" + std::to_string(order) + "_s").c_str(), sec);
    json += ",\"markov_" + std::to_string(order) + "_states\":" + std::to_string(m->states);
    total += sec;
    if (order == 1) results.push_back(std::move(m->attribution));
  }
  s.markov_order = 1;
  t = std::chrono::steady_clock::now();
  auto exact = AttributeShapley(*prepared, s);
  add("shapley_exact_s", Since(t));
  total += Since(t);
  s.shapley_exact_max_channels = 0;  // the sampled path on the same data, for its cost
  t = std::chrono::steady_clock::now();
  auto sampled = AttributeShapley(*prepared, s);
  add("shapley_sampled_s", Since(t));
  if (!exact.ok() || !sampled.ok()) return 1;
  json += ",\"shapley_samples\":" + std::to_string(sampled->samples);
  results.push_back(std::move(exact->attribution));
  json += ",\"distinct_sequences\":" + std::to_string(prepared->sequences.size());
  add("models_total_s", total);

  // Channel ROI over the same paths (as both levels), a year of daily spend per channel and
  // 40 % of the conversions acquiring a customer.
  std::vector<RoiConversion> roi_conversions(conv.size());
  RoiSettings roi;
  roi.from_day = conv.empty() ? 0 : conv[0].end_us / kMicrosPerDay;
  for (const ConversionPath& p : conv)
    roi.from_day = std::min(roi.from_day, p.end_us / kMicrosPerDay);
  roi.to_day = roi.from_day + 365;
  std::uniform_real_distribution<double> unit(0, 1);
  for (size_t i = 0; i < conv.size(); ++i) {
    RoiConversion& c = roi_conversions[i];
    c.day = conv[i].end_us / kMicrosPerDay;
    c.first = unit(rng) < 0.4;
    if (c.first) c.ltv = 3 * conv[i].value, c.revenue_to_date = conv[i].value, c.months = 3;
  }
  std::vector<SpendRow> spend;
  for (int64_t d = roi.from_day; d <= roi.to_day; ++d) {
    for (const char* c : kChannels) spend.push_back({d, c, "", 500 * unit(rng)});
  }
  for (const char* model : {"linear", "markov_1"}) {
    roi.model = model;
    t = std::chrono::steady_clock::now();
    auto report = ComputeRoi(*prepared, *prepared, roi_conversions, spend, roi);
    if (!report.ok()) {
      std::fprintf(stderr, "%s\n", report.status().ToString().c_str());
      return 1;
    }
    add(("roi_" + std::string(model) + "_s").c_str(), Since(t));
  }
  std::printf("%s}\n", json.c_str());
  if (table) {
    auto tab = MakeTable(results);
    if (tab.ok()) std::fprintf(stderr, "%s", RenderTable(*tab, false).c_str());
  }
  return 0;
}
