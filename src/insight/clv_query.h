// The "clv" query kind (docs/kpis.md, "Customer lifetime value"): fits BG/NBD and Gamma-Gamma
// on the purchases in the warehouse and answers with the parameters, the fit's quality, an
// optional holdout report, the distribution of CLV and P(alive), and the most valuable
// customers. Spec:
//   {"kind": "clv", "purchase": {event filter, default {"event": "Order Completed"}},
//    "revenue": "properties.revenue", "calibration_end": ISO (default: now),
//    "holdout_end": ISO (optional, after calibration_end), "unit": "week" | "day",
//    "horizon_months": 1..120 (12), "monthly_discount": 0..1 (0.01), "top": 0..1000 (10)}
// Purchases before calibration_end train the models; those in [calibration_end, holdout_end)
// are the holdout the report compares predictions with.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "insight/clv/bgnbd.h"
#include "insight/clv/clv.h"
#include "insight/clv/gamma_gamma.h"
#include "insight/clv/purchases.h"
#include "warehouse/query/common.h"
#include "warehouse/query/run.h"
#include "warehouse/snapshot.h"

namespace rapport::insight {

// A parsed "clv" spec.
struct ClvSpec {
  PurchaseSource source;
  int64_t calibration_end_us = 0;
  int64_t holdout_end_us = 0;  // 0: no holdout
  double unit_days = 7;
  ClvOptions clv;
  size_t top = 10;
};

// One fit: the purchases read, the customers' summaries, both models and the scores (one per
// customer, in the order of `customers`; empty when spend could not be modelled, and then
// `spend_error` says why).
struct ClvRun {
  ClvSpec spec;
  PurchaseRead read;
  SummaryOptions periods;
  std::vector<CustomerSummary> customers;  // customer = profile id
  BgNbdFit purchases;
  std::optional<GammaGammaFit> spend;
  std::string spend_error;
  std::vector<CustomerScore> scores;
};

// kInvalidArgument for a bad spec, no purchases, or data the purchase model cannot fit.
Result<ClvRun> FitClv(const warehouse::Snapshot& snapshot, simdjson::dom::object spec,
                      const warehouse::QueryOptions& options);

// What FitClv does once the purchases are read: summarizes run->read.purchases by run->spec and
// fits both models (and scores the customers when spend can be modelled).
Status FitClvModels(ClvRun* run);

// The traits a run gives customer i's profile (docs/kpis.md, "Scores on profiles"), as a JSON
// object: p_alive, churn_risk, expected_purchases_<H>m and, when spend was modelled,
// expected_spend and predicted_clv_<H>m (H: the horizon in months).
std::string ClvTraitsJson(const ClvRun& run, size_t i);

Result<warehouse::QueryOutput> RunClvQuery(const warehouse::Snapshot& snapshot,
                                           simdjson::dom::object spec,
                                           const warehouse::QueryOptions& options);

}  // namespace rapport::insight
