// Customer lifetime value from the two fitted models: per customer, the probability of being
// alive, the purchases to expect over a horizon (BG/NBD), the spend per purchase (Gamma-Gamma),
// and their discounted product month by month; and the calibration/holdout report that says how
// well the purchase model predicted a period it did not see.
#pragma once

#include <cstdint>
#include <vector>

#include "insight/clv/bgnbd.h"
#include "insight/clv/gamma_gamma.h"
#include "insight/clv/summary.h"

namespace rapport::insight {

struct ClvOptions {
  int horizon_months = 12;
  double monthly_discount = 0.01;  // a month's value is divided by (1 + d)^month
  double unit_days = 7;            // the unit of the summaries' t_x and T
};

struct CustomerScore {
  uint64_t customer = 0;
  double p_alive = 0;
  double expected_purchases = 0;  // over the horizon
  double expected_spend = 0;      // per purchase
  double clv = 0;                 // Σ over months m of purchases in m × spend / (1 + d)^m
};

// One score per customer, in the order of `data`. Uses every core; customers with the same
// (x, T) share the expensive part, so a million customers take well under a second.
std::vector<CustomerScore> ScoreCustomers(const BgNbdParams& purchases,
                                          const GammaGammaParams& spend,
                                          const std::vector<CustomerSummary>& data,
                                          const ClvOptions& options);

// Predicted against actual purchases in the holdout period (CustomerSummary::holdout), by the
// number of repeat purchases in calibration: 0, 1, …, 6 and "7 or more" (x = 7 stands for it).
struct HoldoutRow {
  int x = 0;
  size_t customers = 0;
  double actual = 0, predicted = 0;  // mean purchases per customer in the holdout
};
struct HoldoutReport {
  double holdout_units = 0;
  std::vector<HoldoutRow> rows;  // only x values that have customers
  double actual_total = 0, predicted_total = 0;
};
HoldoutReport Holdout(const BgNbdParams& purchases, const std::vector<CustomerSummary>& data,
                      double holdout_units);

}  // namespace rapport::insight
