// clv_bench: the CLV target of DESIGN.md — BG/NBD and Gamma-Gamma fitted and every customer
// scored, for 1 M customers, in ≤ 2 s.
//   clv_bench [--customers N] [--seed S] [--csv FILE]
// Customers are simulated from the models themselves with CDNOW's published parameters (rate
// Gamma(0.243, 4.414) per week, drop-out Beta(0.793, 2.426), spend Gamma(6.25, ν), ν ~
// Gamma(3.74, 15.44)), first purchases spread over a year, observed to its end, times on whole
// days. Prints one JSON line with the timings and the fitted parameters; --csv also writes the
// summaries (customer,x,t_x,T,monetary) for the peer (bench/insight/clv_peer.py).
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "insight/clv/bgnbd.h"
#include "insight/clv/clv.h"
#include "insight/clv/gamma_gamma.h"
#include "insight/clv/likelihood.h"

using namespace rapport::insight;

namespace {

double Since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

std::vector<CustomerSummary> Simulate(size_t n, uint64_t seed) {
  const BgNbdParams p{0.243, 4.414, 0.793, 2.426};
  const GammaGammaParams g{6.25, 3.74, 15.44};
  std::mt19937_64 rng(seed);
  std::gamma_distribution<double> rate(p.r, 1 / p.alpha), beta_a(p.a, 1), beta_b(p.b, 1),
      nu_dist(g.q, 1 / g.gamma);
  std::uniform_int_distribution<int> first_day(0, 364);
  std::uniform_real_distribution<double> unit(0, 1);
  std::vector<CustomerSummary> out(n);
  for (size_t i = 0; i < n; ++i) {
    CustomerSummary& c = out[i];
    c.customer = i + 1;
    c.T = (365 - first_day(rng)) / 7.0;
    const double lambda = rate(rng);
    const double ga = beta_a(rng), drop = ga / (ga + beta_b(rng));
    std::exponential_distribution<double> gap(lambda);
    std::gamma_distribution<double> spend(g.p, 1 / nu_dist(rng));
    double total = 0;
    // Repeat purchases while alive; after each, dropping out with probability p.
    for (double t = gap(rng); t <= c.T; t += gap(rng)) {
      c.x += 1;
      c.t_x = std::floor(t * 7) / 7;
      total += spend(rng);
      if (unit(rng) < drop) break;
    }
    c.monetary = c.x > 0 ? total / c.x : 0;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  size_t customers = 1'000'000;
  uint64_t seed = 1;
  std::string csv;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--customers") {
      customers = std::stoull(value);
    } else if (flag == "--seed") {
      seed = std::stoull(value);
    } else if (flag == "--csv") {
      csv = value;
    } else {
      std::fprintf(stderr, "clv_bench: unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  const std::vector<CustomerSummary> data = Simulate(customers, seed);
  if (!csv.empty()) {
    std::ofstream out(csv);
    out << "customer,x,t_x,T,monetary\n";
    char line[160];
    for (const CustomerSummary& c : data) {
      std::snprintf(line, sizeof line, "%llu,%.0f,%.17g,%.17g,%.17g\n",
                    static_cast<unsigned long long>(c.customer), c.x, c.t_x, c.T, c.monetary);
      out << line;
    }
  }
  const auto start = std::chrono::steady_clock::now();
  auto purchases = FitBgNbd(data);
  const double fit_purchases = Since(start);
  if (!purchases.ok()) {
    std::fprintf(stderr, "clv_bench: %s\n", purchases.status().ToString().c_str());
    return 1;
  }
  const auto spend_start = std::chrono::steady_clock::now();
  auto spend = FitGammaGamma(data);
  const double fit_spend = Since(spend_start);
  if (!spend.ok()) {
    std::fprintf(stderr, "clv_bench: %s\n", spend.status().ToString().c_str());
    return 1;
  }
  const auto score_start = std::chrono::steady_clock::now();
  const std::vector<CustomerScore> scores =
      ScoreCustomers(purchases->params, spend->params, data, {});
  const double score = Since(score_start), total = Since(start);
  double clv = 0;
  for (const CustomerScore& s : scores) clv += s.clv;
  const auto& p = purchases->params;
  const auto& g = spend->params;
  std::printf(
      "{\"customers\":%zu,\"cells\":%zu,\"fit_bgnbd_s\":%.3f,\"fit_gamma_gamma_s\":%.3f,"
      "\"score_s\":%.3f,\"total_s\":%.3f,\"bgnbd\":{\"r\":%.4f,\"alpha\":%.4f,\"a\":%.4f,"
      "\"b\":%.4f,\"ll\":%.2f,\"iterations\":%d},\"gamma_gamma\":{\"p\":%.4f,\"q\":%.4f,"
      "\"gamma\":%.4f,\"ll\":%.2f},\"mean_clv_12m\":%.4f}\n",
      customers, BgNbdCells::Make(data)->cells(), fit_purchases, fit_spend, score, total, p.r,
      p.alpha, p.a, p.b, purchases->log_likelihood, purchases->iterations, g.p, g.q, g.gamma,
      spend->log_likelihood, clv / static_cast<double>(customers));
  return 0;
}
