// The "roi" query kind (docs/kpis.md, "Channel ROI"): spend per channel and campaign against
// the conversions, revenue, new customers and lifetime value the chosen attribution model
// credits it with. Spec: the attribution fields (journeys.h; from and to required) and
//   "model": an attribution model (roi/credit.h; default "linear"),
//   "margin": gross margin in (0, 1] applied to lifetime value and payback (default 1),
//   "horizon_months": 1..120 (12) and "monthly_discount": 0..1 (0.01) of the predicted CLV,
//   "min_response_days": 2..365 (14), the days a response curve needs.
// A customer's lifetime value is their revenue to `to` plus the CLV the purchase models
// (BG/NBD, Gamma-Gamma, fitted on the conversions before `to`) predict over the horizon; when
// those cannot be fitted, the revenue to date alone ("ltv_basis" says which, and why).
// A conversion is a new customer when it is the customer's first matching purchase ever.
#pragma once

#include <simdjson.h>

#include "common/status.h"
#include "insight/roi/spend.h"
#include "warehouse/query/common.h"
#include "warehouse/query/run.h"
#include "warehouse/snapshot.h"

namespace rapport::insight {

// `spend` reads the range's spend (nothing is spent when it is empty).
Result<warehouse::QueryOutput> RunRoiQuery(const warehouse::Snapshot& snapshot,
                                           simdjson::dom::object spec,
                                           const warehouse::QueryOptions& options,
                                           const SpendReader& spend);

}  // namespace rapport::insight
