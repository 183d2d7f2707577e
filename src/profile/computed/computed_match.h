// Which events a computed trait looks at, and the value it aggregates from each. `event` is one
// stored Segment-spec event object (collect's stored JSON, parsed with simdjson's DOM API). Never
// fails: a missing or mistyped field just does not match, or yields a missing value. Pure
// functions, thread-safe; cost is a few key look-ups per path segment.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string_view>

#include "profile/computed/computed_def.h"
#include "profile/computed/computed_value.h"

namespace rapport {

// True when the event's "type" (and "event", for a definition naming one) select it and every
// `where` clause holds.
bool Matches(const ComputedDef& def, simdjson::dom::element event);

// The value `def` aggregates from a matching event: the value at `def.property`; without a
// property, true for count (every event counts) and the event time as ISO-8601 text
// ("2024-01-31T12:00:00.000Z", from `timestamp_us`) for first/last; missing otherwise.
ComputedValue Extract(const ComputedDef& def, simdjson::dom::element event, int64_t timestamp_us);

// A JSON element as a value (objects and arrays as their minified JSON).
ComputedValue ValueOf(simdjson::dom::element e);

// The value at a dotted path from `root` ("properties.revenue"); a segment of digits indexes an
// array ("properties.items.0.sku"). Missing when any step is absent or of another type.
ComputedValue ValueAt(simdjson::dom::element root, std::string_view path);

// Whether `clause` holds for `value` (what ValueAt returned for its path). Numbers compare as
// numbers (a numeric string counts as its number against a number); strings compare byte-wise.
// neq is exactly "not eq", so it also holds when the value is missing.
bool Holds(const WhereClause& clause, const ComputedValue& value);

}  // namespace rapport
