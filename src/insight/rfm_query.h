// The "rfm" query kind (docs/kpis.md, "RFM"): every customer with a purchase in the warehouse
// scored on recency, frequency and monetary value, and the customers per named segment and per
// cell of the recency × frequency grid. Spec:
//   {"kind": "rfm", "purchase": {event filter, default {"event": "Order Completed"}},
//    "revenue": "properties.revenue", "as_of": ISO (default: now)}
// Purchases before as_of count; recency is measured in days from the day holding the last
// instant before as_of.
#pragma once

#include <simdjson.h>

#include <string>
#include <vector>

#include "common/status.h"
#include "insight/clv/purchases.h"
#include "insight/rfm/rfm.h"
#include "warehouse/query/common.h"
#include "warehouse/query/run.h"
#include "warehouse/snapshot.h"

namespace rapport::insight {

struct RfmRun {
  int64_t as_of_us = 0;
  std::vector<RfmCustomer> customers;  // customer = profile id
};

// kInvalidArgument for a bad spec or when no purchase matches before as_of.
Result<RfmRun> FitRfm(const warehouse::Snapshot& snapshot, simdjson::dom::object spec,
                      const warehouse::QueryOptions& options);

// The traits a run gives customer i's profile: rfm_recency, rfm_frequency, rfm_monetary (the
// scores 1..5) and rfm_segment (its name).
std::string RfmTraitsJson(const RfmRun& run, size_t i);

Result<warehouse::QueryOutput> RunRfmQuery(const warehouse::Snapshot& snapshot,
                                           simdjson::dom::object spec,
                                           const warehouse::QueryOptions& options);

}  // namespace rapport::insight
