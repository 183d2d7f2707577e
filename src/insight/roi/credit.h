// Credit of any per-conversion measure (conversions, revenue, new customers, lifetime value, …)
// to channels under one attribution model, so that every figure of the ROI report is split the
// way the attribution table (attribution/compare.h) splits conversions and value:
//  * rule models (first_touch, last_touch, linear, time_decay, position_based): each path's
//    measure split by the model's touch weights (models.h);
//  * shapley: each path's measure split equally among its distinct channels — the exact Shapley
//    value of the path game (shapley.h's note), so equal to the exact table for ≤ 12 channels
//    and to the sampled one within its standard error beyond;
//  * markov / markov_<k>: the measure's total split by removal effect, RE_c / Σ RE (markov.h).
//    Removal effects are global, so for a breakdown by day each path's measure is split among
//    its distinct channels in proportion to their removal effects instead (equally when those
//    are all 0); that series only shapes response curves (roi.h).
// Results do not depend on the thread count.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "insight/attribution/paths.h"

namespace rapport::insight {

// The model names the ROI report takes: the five rule models, "shapley", "markov" (order from
// settings.markov_order) and "markov_1".."markov_8". kInvalidArgument naming them otherwise.
Status ValidateCreditModel(std::string_view model);

struct MeasureCredits {
  std::string model;  // as given, "markov" resolved to "markov_<k>"
  // total[c][k]: measure k credited to channel c (channels = paths.channels).
  std::vector<std::vector<double>> total;
  // daily[c][d]: measure `daily_measure` credited to channel c for the paths of day bucket d.
  std::vector<std::vector<double>> daily;
};

// measures[k][i] is measure k of converting path i (each of paths.conversions() values);
// day[i] in [0, days) buckets path i for `daily` (day may be empty when days is 0).
Result<MeasureCredits> CreditMeasures(std::string_view model, const PreparedPaths& paths,
                                      const AttributionSettings& settings,
                                      const std::vector<std::vector<double>>& measures,
                                      const std::vector<uint32_t>& day, size_t days,
                                      size_t daily_measure = 0);

}  // namespace rapport::insight
