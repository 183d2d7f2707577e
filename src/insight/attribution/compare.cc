#include "insight/attribution/compare.h"

#include <algorithm>
#include <cstdio>

namespace rapport::insight {
namespace {

std::string Number(double x) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.2f", x == 0 ? 0.0 : x);  // no "-0.00"
  return buf;
}

}  // namespace

Result<AttributionTable> MakeTable(const std::vector<Attribution>& results) {
  AttributionTable t;
  if (results.empty()) return t;
  t.channels = results[0].channels;
  t.total_conversions = results[0].total_conversions;
  t.total_value = results[0].total_value;
  const size_t k = t.channels.size();
  t.conversions.assign(k, {});
  t.value.assign(k, {});
  for (const Attribution& a : results) {
    if (a.channels != t.channels || a.credits.size() != k) {
      return Status::InvalidArgument("attribution table: model " + a.model +
                                     " was run over other channels");
    }
    t.models.push_back(a.model);
    for (size_t c = 0; c < k; ++c) {
      t.conversions[c].push_back(a.credits[c].conversions);
      t.value[c].push_back(a.credits[c].value);
    }
  }
  return t;
}

Result<AttributionTable> CompareModels(const PreparedPaths& paths,
                                       const AttributionSettings& settings) {
  std::vector<Attribution> results;
  for (RuleModel m : {RuleModel::kFirstTouch, RuleModel::kLastTouch, RuleModel::kLinear,
                      RuleModel::kTimeDecay, RuleModel::kPositionBased}) {
    ASSIGN_OR_RETURN(Attribution a, AttributeRule(m, paths, settings));
    results.push_back(std::move(a));
  }
  ASSIGN_OR_RETURN(MarkovResult markov, AttributeMarkov(paths, settings));
  results.push_back(std::move(markov.attribution));
  ASSIGN_OR_RETURN(ShapleyResult shapley, AttributeShapley(paths, settings));
  results.push_back(std::move(shapley.attribution));
  return MakeTable(results);
}

std::string RenderTable(const AttributionTable& t, bool with_value) {
  // cells[row][col]; row 0 is the header, the last row the totals.
  std::vector<std::vector<std::string>> cells;
  std::vector<std::string> header{"channel"};
  for (const std::string& m : t.models) header.push_back(m);
  if (with_value) {
    for (const std::string& m : t.models) header.push_back(m + " value");
  }
  cells.push_back(header);
  std::vector<double> sum_c(t.models.size(), 0.0), sum_v(t.models.size(), 0.0);
  for (size_t c = 0; c < t.channels.size(); ++c) {
    std::vector<std::string> row{t.channels[c]};
    for (size_t m = 0; m < t.models.size(); ++m) {
      row.push_back(Number(t.conversions[c][m]));
      sum_c[m] += t.conversions[c][m];
    }
    for (size_t m = 0; with_value && m < t.models.size(); ++m) {
      row.push_back(Number(t.value[c][m]));
      sum_v[m] += t.value[c][m];
    }
    cells.push_back(std::move(row));
  }
  std::vector<std::string> total{"total"};
  for (double x : sum_c) total.push_back(Number(x));
  for (size_t m = 0; with_value && m < sum_v.size(); ++m) total.push_back(Number(sum_v[m]));
  cells.push_back(std::move(total));

  std::vector<size_t> width(header.size(), 0);
  for (const auto& row : cells) {
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  std::string out;
  for (const auto& row : cells) {
    for (size_t i = 0; i < row.size(); ++i) {
      const std::string pad(width[i] - row[i].size(), ' ');
      if (i > 0) out += "  ";
      out += i == 0 ? row[i] + pad : pad + row[i];  // names left, numbers right
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    out += '\n';
  }
  return out;
}

}  // namespace rapport::insight
