// Rule-based attribution models over prepared paths (paths.h): each conversion's credit (1,
// and its value) is split among the touchpoints of its path by fixed weights that sum to 1, so
// the credits of all channels sum to the number of conversions and to the total value (up to
// rounding). A channel touched twice in a path gets the credit of both touches.
//  * first touch / last touch: all to the oldest / the newest touch.
//  * linear: 1/n to each of the n touches.
//  * time decay: touch i gets 2^(−Δt_i/half_life) normalized over the path (Δt_i = conversion
//    time − touch time); computed relative to the newest touch so it never underflows.
//  * position-based (first f = 40 %, last l = 40 % by default): n = 1 → 100 %; n = 2 → f/(f+l)
//    and l/(f+l) (50/50 by default; 50/50 when f + l = 0); n ≥ 3 → f to the first, l to the last,
//    (1 − f − l)/(n − 2) to each touch in between.
// No conversions give all-zero credits. Deterministic whatever the thread count.
#pragma once

#include <string>
#include <vector>

#include "insight/attribution/paths.h"

namespace rapport::insight {

struct ChannelCredit {
  double conversions = 0;  // fractional conversions credited
  double value = 0;        // value credited
};

struct Attribution {
  std::string model;                   // "first_touch", "markov_2", "shapley", ...
  std::vector<std::string> channels;   // = PreparedPaths::channels
  std::vector<ChannelCredit> credits;  // parallel to channels
  double total_conversions = 0, total_value = 0;
};

enum class RuleModel { kFirstTouch, kLastTouch, kLinear, kTimeDecay, kPositionBased };

// "first_touch", "last_touch", "linear", "time_decay", "position_based".
std::string_view RuleModelName(RuleModel model);

// The weights of the n touches of one path (oldest first; ages in µs), into *weights.
void RuleWeights(RuleModel model, const AttributionSettings& settings, const int64_t* ages,
                 size_t n, std::vector<double>* weights);

Result<Attribution> AttributeRule(RuleModel model, const PreparedPaths& paths,
                                  const AttributionSettings& settings);

}  // namespace rapport::insight
