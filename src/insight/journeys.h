// The customer journeys attribution and channel ROI read from the warehouse: every event of a
// customer carrying campaign fields is a touchpoint — context.campaign's source, medium and
// name, or else the utm_ parameters of context.page.url — grouped into a channel by the rules;
// every event matching the conversion filter in [from, to) is a conversion worth its revenue.
// Events are credited to the profile that holds them now (merged profiles are one customer).
// Touchpoints are read from from − lookback so conversions early in the range see theirs.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/status.h"
#include "insight/attribution/channel.h"
#include "insight/attribution/paths.h"
#include "insight/clv/purchases.h"
#include "warehouse/query/common.h"
#include "warehouse/snapshot.h"

namespace rapport::insight {

// The spec fields every journey query takes (callers reject unknown ones themselves):
//   "from", "to", "conversion": {event filter, default {"event": "Order Completed"}},
//   "revenue": "properties.revenue", "lookback_days": 30, "half_life_days": 7,
//   "markov_order": 1, "channels": {channel rules, default: Google Analytics-like grouping}
inline constexpr const char* kJourneySpecFields[] = {
    "from",           "to",           "conversion", "revenue", "lookback_days",
    "half_life_days", "markov_order", "channels"};

struct JourneySpec {
  warehouse::TimeRange range;
  PurchaseSource conversion;
  AttributionSettings settings;
  ChannelRules rules;
};
Result<JourneySpec> ParseJourneySpec(simdjson::dom::object spec);

struct JourneyData {
  struct Touch {
    uint64_t profile = 0;
    int64_t ts = 0;
    std::string channel, campaign;  // campaign "" when the touch names none
  };
  struct Conversion {
    uint64_t profile = 0;
    int64_t ts = 0;
    double value = 0;  // 0 when the revenue is absent, not a number or not positive
  };
  std::vector<Touch> touches;           // by profile, then time
  std::vector<Conversion> conversions;  // in [from, to); by profile, time, value
};
// Uses `threads` cores (0: all); kCorruption from damaged warehouse blocks.
Result<JourneyData> ReadJourneys(const warehouse::Snapshot& snapshot, const JourneySpec& spec,
                                 int threads);

// One path per conversion (parallel to data.conversions: the customer's touches up to it) and
// one journey per customer with touches in the range and no conversion (ending at `to`);
// `label` names each touchpoint (its channel, or channel and campaign).
using TouchLabel = std::function<std::string(const JourneyData::Touch&)>;
void BuildPaths(const JourneyData& data, const JourneySpec& spec, const TouchLabel& label,
                std::vector<ConversionPath>* converting, std::vector<ConversionPath>* journeys);

}  // namespace rapport::insight
