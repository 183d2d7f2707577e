#include "insight/clv/clv.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "insight/clv/parallel.h"

namespace rapport::insight {

namespace {

constexpr double kDaysPerMonth = 365.25 / 12;

}  // namespace

std::vector<CustomerScore> ScoreCustomers(const BgNbdParams& purchases,
                                          const GammaGammaParams& spend,
                                          const std::vector<CustomerSummary>& data,
                                          const ClvOptions& options) {
  std::vector<CustomerScore> out(data.size());
  const int months = std::max(0, options.horizon_months);
  const double month_units = kDaysPerMonth / options.unit_days;
  // E[purchases in the next t | x, t_x, T] = N(x, T, t) × P(alive | x, t_x, T), N computed as
  // the expectation for a customer known to be alive: once per (x, T) and month.
  std::vector<size_t> order(data.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t i, size_t j) {
    return data[i].x != data[j].x ? data[i].x < data[j].x : data[i].T < data[j].T;
  });
  std::vector<size_t> group_start;
  for (size_t k = 0; k < order.size(); ++k) {
    if (k == 0 || data[order[k]].x != data[order[k - 1]].x ||
        data[order[k]].T != data[order[k - 1]].T) {
      group_start.push_back(k);
    }
  }
  group_start.push_back(order.size());
  std::vector<double> discount(static_cast<size_t>(months) + 1);
  for (int m = 0; m <= months; ++m) discount[m] = std::pow(1 + options.monthly_discount, -m);
  ParallelFor(
      group_start.size() - 1,
      [&](size_t g) {
        const CustomerSummary& first = data[order[group_start[g]]];
        // Cumulative purchases to each month's end, and their discounted monthly increments.
        double discounted = 0, previous = 0;
        for (int m = 1; m <= months; ++m) {
          const double cumulative =
              ExpectedPurchasesIfAlive(purchases, first.x, first.T, m * month_units);
          discounted += (cumulative - previous) * discount[m];
          previous = cumulative;
        }
        const double total = previous;
        for (size_t k = group_start[g]; k < group_start[g + 1]; ++k) {
          const CustomerSummary& c = data[order[k]];
          CustomerScore& s = out[order[k]];
          s.customer = c.customer;
          s.p_alive = ProbabilityAlive(purchases, c);
          s.expected_purchases = total * s.p_alive;
          s.expected_spend = ExpectedSpend(spend, c);
          s.clv = discounted * s.p_alive * s.expected_spend;
        }
      },
      1024);
  return out;
}

HoldoutReport Holdout(const BgNbdParams& purchases, const std::vector<CustomerSummary>& data,
                      double holdout_units) {
  HoldoutReport report;
  report.holdout_units = holdout_units;
  std::vector<HoldoutRow> rows(8);
  for (int x = 0; x < 8; ++x) rows[static_cast<size_t>(x)].x = x;
  for (const CustomerSummary& c : data) {
    HoldoutRow& row = rows[static_cast<size_t>(std::min(7.0, c.x))];
    const double predicted = ExpectedPurchases(purchases, c, holdout_units);
    row.customers += 1;
    row.actual += c.holdout;
    row.predicted += predicted;
    report.actual_total += c.holdout;
    report.predicted_total += predicted;
  }
  for (HoldoutRow& row : rows) {
    if (row.customers == 0) continue;
    row.actual /= static_cast<double>(row.customers);
    row.predicted /= static_cast<double>(row.customers);
    report.rows.push_back(row);
  }
  return report;
}

}  // namespace rapport::insight
