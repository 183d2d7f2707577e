// EventRow: one stored event (collect's envelope and its JSON) as a warehouse Row. Columns:
// "userId", "anonymousId", "messageId", then every leaf of `properties`, `traits` (identify and
// group) and `context` at its dotted path ("properties.revenue", "context.campaign.source");
// arrays and objects deeper than kMaxPathDepth are kept whole as minified JSON. At most
// kMaxRowPaths paths per event (the rest are dropped, counted in *dropped). Pure; thread-safe.
#pragma once

#include <simdjson.h>

#include <cstdint>

#include "collect/envelope.h"
#include "warehouse/row.h"

namespace rapport::warehouse {

inline constexpr int kMaxPathDepth = 6;
inline constexpr size_t kMaxRowPaths = 512;

// `append_time_us` (the log's) becomes the row's seq; `profile` is the event's profile (0: none).
Row EventRow(const EnvelopeView& envelope, simdjson::dom::element doc, int64_t append_time_us,
             uint64_t profile, size_t* dropped = nullptr);

}  // namespace rapport::warehouse
