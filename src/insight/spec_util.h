// What the model query kinds share: reading their specs' common fields and writing numbers.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "insight/clv/purchases.h"

namespace rapport::insight {

// An ISO-8601 time at `field`; `fallback` when absent. Errors name the field.
Result<int64_t> ParseTime(simdjson::dom::object spec, std::string_view field, int64_t fallback);
// `filter_field` (an event filter: "purchase", "conversion"; default {"event": "Order
// Completed"}) and "revenue" (a property path; default "properties.revenue").
Result<PurchaseSource> ParsePurchaseSource(simdjson::dom::object spec,
                                           std::string_view filter_field = "purchase");
// The day (since 1970-01-01, UTC) holding the last instant before `end_us`.
int64_t LastDay(int64_t end_us);
// `x` as JSON: up to 10 significant digits; null when not finite.
void AppendNumber(std::string* out, double x);

}  // namespace rapport::insight
