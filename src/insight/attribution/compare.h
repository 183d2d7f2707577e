// Every model side by side: for each channel, the conversions and the value it is credited
// under each model, as a struct any caller can render, and a plain-text table (aligned
// columns) for a CLI. Models, in order: first_touch, last_touch, linear, time_decay,
// position_based, markov_<order>, shapley.
#pragma once

#include <string>
#include <vector>

#include "insight/attribution/markov.h"
#include "insight/attribution/shapley.h"

namespace rapport::insight {

struct AttributionTable {
  std::vector<std::string> models;
  std::vector<std::string> channels;
  // conversions[c][m], value[c][m]: channel c under model m.
  std::vector<std::vector<double>> conversions, value;
  double total_conversions = 0, total_value = 0;
};

// Builds a table from results over the same prepared paths (kInvalidArgument otherwise).
Result<AttributionTable> MakeTable(const std::vector<Attribution>& results);

// Runs every model with `settings` and tabulates them.
Result<AttributionTable> CompareModels(const PreparedPaths& paths,
                                       const AttributionSettings& settings);

// One row per channel and a total row; a conversions column per model, then (with_value) a
// value column per model. Numbers with two decimals, right-aligned.
std::string RenderTable(const AttributionTable& table, bool with_value = true);

}  // namespace rapport::insight
