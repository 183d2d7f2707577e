// The "attribution" query kind (docs/kpis.md, "Attribution"): conversions in the warehouse
// credited to the marketing channels that touched the customer before them, under every model
// side by side. Spec (all but from/to optional):
//   {"kind": "attribution", "from", "to",
//    "conversion": {event filter, default {"event": "Order Completed"}},
//    "revenue": "properties.revenue", "lookback_days": 30, "half_life_days": 7,
//    "markov_order": 1, "channels": {channel rules, default: Google Analytics-like grouping}}
// A touchpoint is an event of the customer carrying campaign fields — context.campaign's
// source, medium, name, or else the utm_ parameters of context.page.url — grouped into a
// channel. Each conversion in [from, to) is credited over its customer's touchpoints in the
// lookback window before it; customers with touchpoints in the range and no conversion are
// the non-converting journeys (ending at `to`) the Markov model needs.
#pragma once

#include <simdjson.h>

#include "common/status.h"
#include "warehouse/query/common.h"
#include "warehouse/query/run.h"
#include "warehouse/snapshot.h"

namespace rapport::insight {

Result<warehouse::QueryOutput> RunAttributionQuery(const warehouse::Snapshot& snapshot,
                                                   simdjson::dom::object spec,
                                                   const warehouse::QueryOptions& options);

}  // namespace rapport::insight
