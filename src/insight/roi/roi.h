// Channel ROI (docs/kpis.md, "Channel ROI"): what each channel and campaign cost, what the
// chosen attribution model credits it with, and what that makes of every unit spent.
//
// Per line (a channel, or a campaign within a channel), with spend = the cost of the range and
// the model's credits (credit.h) of the conversions in the range:
//   conversions, revenue       credited conversions and their revenue
//   new_customers              credited first-ever conversions (the customer was acquired)
//   ltv                        credited lifetime value of those new customers
//   cac      = spend / new_customers
//   roas     = revenue / spend
//   ltv_cac  = margin × ltv / spend          (= LTV per new customer ÷ CAC)
//   payback_months = cac / (margin × monthly revenue per new customer), the monthly revenue being
//                    the credited revenue of the new customers since their acquisition ÷ the
//                    credited months since then (each customer counts at least one month)
//   marginal_roas  = what the next unit of spend is expected to return: elasticity × roas,
//                    the elasticity being the slope of log(credited revenue of a day) on
//                    log(spend of that day) over the days with both > 0, clamped to [0, 1]
//                    (diminishing returns); when fewer than min_response_days such days exist
//                    or the spend never varies, the average roas (basis "average").
// A ratio whose divisor is 0 is absent (std::nullopt), never infinite or NaN: lines without
// spend have no cac, roas, ltv_cac, payback or marginal roas. The total line blends every
// channel (organic ones included). Spend is matched to lines by exact channel and campaign
// name; spend with an empty campaign, and touchpoints without one, are the campaign
// kNotSet. Spend outside [from_day, to_day] is ignored.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "insight/attribution/paths.h"
#include "insight/roi/spend.h"

namespace rapport::insight {

inline constexpr std::string_view kNotSet = "(not set)";

// The touchpoint label of a campaign for the campaign-level paths; SplitCampaignLabel inverts it.
std::string CampaignLabel(std::string_view channel, std::string_view campaign);
std::pair<std::string, std::string> SplitCampaignLabel(std::string_view label);

// What the report needs to know of each conversion, parallel to the converting paths.
struct RoiConversion {
  int64_t day = 0;     // the conversion's day (days since 1970-01-01)
  bool first = false;  // the customer's first purchase ever: this conversion acquired them
  // First conversions only: the customer's lifetime value, revenue to date, and months from
  // the acquisition to the end of the range (≥ 1).
  double ltv = 0, revenue_to_date = 0, months = 0;
};

struct RoiSettings {
  std::string model = "linear";  // credit.h's names
  AttributionSettings attribution;
  int64_t from_day = 0, to_day = 0;  // the range's days, both included
  double margin = 1;                 // gross margin in (0, 1]: of LTV and payback
  size_t min_response_days = 14;
};

struct RoiLine {
  std::string channel, campaign;  // campaign empty on channel lines and the total
  double spend = 0, conversions = 0, revenue = 0, new_customers = 0, ltv = 0;
  double acquired_revenue = 0, acquired_months = 0;
  std::optional<double> cac, roas, ltv_cac, payback_months, marginal_roas, elasticity;
  size_t response_days = 0;  // days the elasticity was fitted on (0: basis "average")
};

struct RoiReport {
  std::string model;  // "markov" resolved to "markov_<k>"
  RoiLine total;
  std::vector<RoiLine> channels;   // by spend, then revenue (both descending), then name
  std::vector<RoiLine> campaigns;  // likewise
  // Where the next unit of budget returns most: indices of the lines with spend, by marginal
  // roas descending (ties: by name).
  std::vector<size_t> channel_ranking, campaign_ranking;
};

// by_channel: the paths with channels as touchpoint labels; by_campaign: the same conversions
// and journeys labelled CampaignLabel(channel, campaign). kInvalidArgument for bad settings
// or inputs that do not match (conversions.size() must equal both paths' conversions()).
Result<RoiReport> ComputeRoi(const PreparedPaths& by_channel, const PreparedPaths& by_campaign,
                             const std::vector<RoiConversion>& conversions,
                             const std::vector<SpendRow>& spend, const RoiSettings& settings);

}  // namespace rapport::insight
