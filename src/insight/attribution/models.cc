#include "insight/attribution/models.h"

#include <cmath>

namespace rapport::insight {

std::string_view RuleModelName(RuleModel model) {
  switch (model) {
    case RuleModel::kFirstTouch:
      return "first_touch";
    case RuleModel::kLastTouch:
      return "last_touch";
    case RuleModel::kLinear:
      return "linear";
    case RuleModel::kTimeDecay:
      return "time_decay";
    case RuleModel::kPositionBased:
      return "position_based";
  }
  return "?";
}

void RuleWeights(RuleModel model, const AttributionSettings& s, const int64_t* ages, size_t n,
                 std::vector<double>* w) {
  w->assign(n, 0.0);
  if (n == 0) return;
  switch (model) {
    case RuleModel::kFirstTouch:
      (*w)[0] = 1;
      return;
    case RuleModel::kLastTouch:
      (*w)[n - 1] = 1;
      return;
    case RuleModel::kLinear:
      for (double& x : *w) x = 1.0 / static_cast<double>(n);
      return;
    case RuleModel::kTimeDecay: {
      int64_t newest = ages[0];
      for (size_t i = 1; i < n; ++i) newest = std::min(newest, ages[i]);
      const double h = static_cast<double>(s.half_life_us);
      double sum = 0;
      for (size_t i = 0; i < n; ++i) {
        (*w)[i] = std::exp2(-static_cast<double>(ages[i] - newest) / h);
        sum += (*w)[i];
      }
      for (double& x : *w) x /= sum;  // sum ≥ 1: the newest touch weighs 1
      return;
    }
    case RuleModel::kPositionBased: {
      if (n == 1) {
        (*w)[0] = 1;
      } else if (n == 2) {
        const double fl = s.position_first + s.position_last;
        (*w)[0] = fl > 0 ? s.position_first / fl : 0.5;
        (*w)[1] = 1 - (*w)[0];
      } else {
        const double middle = (1 - s.position_first - s.position_last) / static_cast<double>(n - 2);
        for (double& x : *w) x = middle;
        (*w)[0] = s.position_first;
        (*w)[n - 1] = s.position_last;
      }
      return;
    }
  }
}

Result<Attribution> AttributeRule(RuleModel model, const PreparedPaths& paths,
                                  const AttributionSettings& settings) {
  RETURN_IF_ERROR(ValidateSettings(settings));
  const size_t k = paths.channels.size(), n = paths.conversions();
  constexpr size_t kBlock = 65536;
  const size_t blocks = (n + kBlock - 1) / kBlock;
  std::vector<std::vector<ChannelCredit>> partial(blocks, std::vector<ChannelCredit>(k));
  ForEachBlock(n, kBlock, settings.threads, [&](size_t begin, size_t end, size_t b) {
    std::vector<ChannelCredit>& acc = partial[b];
    std::vector<double> w;
    for (size_t i = begin; i < end; ++i) {
      const size_t from = paths.offsets[i], len = paths.offsets[i + 1] - from;
      RuleWeights(model, settings, paths.touch_age_us.data() + from, len, &w);
      for (size_t j = 0; j < len; ++j) {
        ChannelCredit& c = acc[paths.touch_channel[from + j]];
        c.conversions += w[j];
        c.value += w[j] * paths.value[i];
      }
    }
  });
  Attribution a;
  a.model = RuleModelName(model);
  a.channels = paths.channels;
  a.credits.assign(k, ChannelCredit());
  for (const auto& p : partial) {
    for (size_t c = 0; c < k; ++c) {
      a.credits[c].conversions += p[c].conversions;
      a.credits[c].value += p[c].value;
    }
  }
  a.total_conversions = paths.total_conversions;
  a.total_value = paths.total_value;
  return a;
}

}  // namespace rapport::insight
