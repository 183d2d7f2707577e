// Marketing spend as the ROI model reads it: what was paid per day, channel and campaign. The
// rows come from the control plane (`POST /api/v1/spend`, `rapport spend import`); the model
// never stores them. Costs are in the workspace's one currency, the same as order revenue.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/status.h"

namespace rapport::insight {

struct SpendRow {
  int64_t day = 0;       // days since 1970-01-01 (UTC)
  std::string channel;   // a channel name as the grouping rules give it ("Paid Search", …)
  std::string campaign;  // "" when the cost is not split by campaign
  double cost = 0;       // ≥ 0, finite
};

// The spend of the days [from_day, to_day] (both included), in any order.
using SpendReader = std::function<Result<std::vector<SpendRow>>(int64_t from_day, int64_t to_day)>;

}  // namespace rapport::insight
