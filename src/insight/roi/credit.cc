#include "insight/roi/credit.h"

#include <algorithm>
#include <charconv>

#include "insight/attribution/markov.h"
#include "insight/attribution/models.h"

namespace rapport::insight {
namespace {

constexpr RuleModel kRuleModels[] = {RuleModel::kFirstTouch, RuleModel::kLastTouch,
                                     RuleModel::kLinear, RuleModel::kTimeDecay,
                                     RuleModel::kPositionBased};

// The Markov order of "markov" (settings) or "markov_<k>"; 0 when `model` is not Markov.
int MarkovOrder(std::string_view model, const AttributionSettings& settings) {
  if (model == "markov") return settings.markov_order;
  if (model.substr(0, 7) != "markov_") return 0;
  int k = 0;
  const char* end = model.data() + model.size();
  auto [ptr, ec] = std::from_chars(model.data() + 7, end, k);
  return ec == std::errc() && ptr == end && k >= 1 && k <= 8 ? k : 0;
}

const RuleModel* FindRule(std::string_view model) {
  for (const RuleModel& m : kRuleModels) {
    if (RuleModelName(m) == model) return &m;
  }
  return nullptr;
}

}  // namespace

Status ValidateCreditModel(std::string_view model) {
  if (FindRule(model) || model == "shapley" || MarkovOrder(model, AttributionSettings{}) > 0) {
    return Status::OK();
  }
  return Status::InvalidArgument(
      "\"model\" must be one of \"first_touch\", \"last_touch\", \"linear\", \"time_decay\", "
      "\"position_based\", \"markov\", \"markov_1\"..\"markov_8\", \"shapley\"; got \"" +
      std::string(model) + "\"");
}

Result<MeasureCredits> CreditMeasures(std::string_view model, const PreparedPaths& paths,
                                      const AttributionSettings& settings,
                                      const std::vector<std::vector<double>>& measures,
                                      const std::vector<uint32_t>& day, size_t days,
                                      size_t daily_measure) {
  RETURN_IF_ERROR(ValidateCreditModel(model));
  RETURN_IF_ERROR(ValidateSettings(settings));
  const size_t n = paths.conversions(), channels = paths.channels.size();
  for (const auto& m : measures) {
    if (m.size() != n) return Status::InvalidArgument("a measure must have one value per path");
  }
  if (days > 0 && (day.size() != n || daily_measure >= measures.size())) {
    return Status::InvalidArgument("the day buckets must have one value per path");
  }
  MeasureCredits out;
  out.model = std::string(model);
  out.total.assign(channels, std::vector<double>(measures.size(), 0.0));
  out.daily.assign(channels, std::vector<double>(days, 0.0));

  // Markov: global shares for the totals; per-path shares by removal effect for the days.
  std::vector<double> removal;
  const int order = MarkovOrder(model, settings);
  if (order > 0) {
    AttributionSettings s = settings;
    s.markov_order = order;
    ASSIGN_OR_RETURN(MarkovResult markov, AttributeMarkov(paths, s));
    out.model = markov.attribution.model;
    removal = std::move(markov.removal_effects);
    double sum = 0;
    for (double re : removal) sum += re;
    for (size_t k = 0; k < measures.size() && sum > 0; ++k) {
      double total = 0;
      for (double x : measures[k]) total += x;
      for (size_t c = 0; c < channels; ++c) out.total[c][k] = total * removal[c] / sum;
    }
  }
  const RuleModel* rule = FindRule(model);
  std::vector<double> weights;
  std::vector<uint32_t> targets;  // the channel of each weight
  for (size_t i = 0; i < n; ++i) {
    const size_t begin = paths.offsets[i], len = paths.offsets[i + 1] - begin;
    const uint32_t* ids = paths.touch_channel.data() + begin;
    if (rule) {
      RuleWeights(*rule, settings, paths.touch_age_us.data() + begin, len, &weights);
      targets.assign(ids, ids + len);
    } else {
      // Shapley and Markov split among the distinct channels of the path.
      targets.assign(ids, ids + len);
      std::sort(targets.begin(), targets.end());
      targets.erase(std::unique(targets.begin(), targets.end()), targets.end());
      weights.assign(targets.size(), 1.0 / static_cast<double>(targets.size()));
      double sum = 0;
      for (uint32_t c : targets) sum += removal.empty() ? 0 : removal[c];
      for (size_t j = 0; j < targets.size() && sum > 0; ++j) {
        weights[j] = removal[targets[j]] / sum;
      }
    }
    for (size_t j = 0; j < targets.size(); ++j) {
      const uint32_t c = targets[j];
      if (order == 0) {
        for (size_t k = 0; k < measures.size(); ++k) out.total[c][k] += weights[j] * measures[k][i];
      }
      if (days > 0) out.daily[c][day[i]] += weights[j] * measures[daily_measure][i];
    }
  }
  return out;
}

}  // namespace rapport::insight
