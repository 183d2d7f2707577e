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

#include <string_view>

#include "common/status.h"
#include "warehouse/query/common.h"
#include "warehouse/query/run.h"
#include "warehouse/snapshot.h"

namespace rapport::insight {

Result<warehouse::QueryOutput> RunClvQuery(const warehouse::Snapshot& snapshot,
                                           simdjson::dom::object spec,
                                           const warehouse::QueryOptions& options);

}  // namespace rapport::insight
