// The audience's JSON form: the same tree as the text form, as the console's no-code builder
// emits it. One object per node, exactly one of these keys naming its kind:
//   {"and": [n, ...]}  {"or": [n, ...]}  (2 or more)      {"not": n}
//   {"trait": "plan", "op": "eq", "value": "pro"}           ("computed": name, "account": path;
//       ops eq neq gt gte lt lte contains in exists not_exists; "in" takes "value": [..])
//   {"performed": {"type": "track", "event": "Order Completed"},   (track page screen any)
//    "where": [{"path": "properties.revenue", "op": "gt", "value": 50}],   (optional)
//    "count": {"op": "at_least", "value": 2},                         (optional; at_most, exactly)
//    "within": {"value": 30, "unit": "days"}}                         (optional)
//   {"in_audience": "vip"}  {"consent": "Advertising"}
// Strict like the text form, with the same limits (ast.h) and checks; errors are
// kInvalidArgument naming the JSON location (`audience: "and[1].performed.event" must be ...`),
// kTooLarge over kMaxAudienceJsonBytes. Pure, thread-safe. Reference: docs/audiences.md.
//
// AudienceFromJson(AudienceToJson(n)) == n and ParseAudience(FormatAudience(n)) == n for every
// tree n either parser returns.
#pragma once

#include <string>
#include <string_view>

#include "audience/ast.h"
#include "common/status.h"

namespace rapport {

// Room for the JSON of any audience whose text form fits kMaxAudienceTextBytes.
inline constexpr size_t kMaxAudienceJsonBytes = 8 * kMaxAudienceTextBytes;

// The tree of `json`. Nodes have line = column = 0.
Result<Node> AudienceFromJson(std::string_view json);

// Canonical JSON: keys in the order shown above, "count" left out for at least once and
// "within" left out for all time, no spaces.
std::string AudienceToJson(const Node& node);

}  // namespace rapport
