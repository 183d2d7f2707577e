// The engagement and experience query kinds (docs/kpis.md, "Engagement", "NPS and CSAT",
// "Referral k-factor"), over events with from <= timestamp < to:
//   {"kind": "engagement", "from", "to", "weights": {"Order Completed": 10, "Page Viewed": 1, …},
//    "half_life_days": 30, "top": 10}
//   {"kind": "nps", "from", "to", "event": {filter, default {"event": "Survey Responded"}},
//    "score": "properties.score", "interval": "day" | "week" | "month" (optional)}
//   {"kind": "csat", "from", "to", "event": {…}, "score": "properties.csat", "scale": 5,
//    "satisfied_from": 4}
//   {"kind": "kfactor", "from", "to", "invite": {filter, default {"event": "Invite Sent"}},
//    "signup": {filter, default: "Signed Up" events with a properties.referrer}}
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>

#include "common/status.h"
#include "insight/run.h"
#include "warehouse/query/common.h"
#include "warehouse/query/run.h"
#include "warehouse/snapshot.h"

namespace rapport::insight {

// kind: "engagement", "nps", "csat" or "kfactor".
Result<warehouse::QueryOutput> RunExperienceQuery(const warehouse::Snapshot& snapshot,
                                                  std::string_view kind, simdjson::dom::object spec,
                                                  const warehouse::QueryOptions& options);

// The engagement scores to write to profiles: trait engagement_score.
Result<ProfileScores> EngagementScores(const warehouse::Snapshot& snapshot,
                                       simdjson::dom::object spec,
                                       const warehouse::QueryOptions& options);

}  // namespace rapport::insight
