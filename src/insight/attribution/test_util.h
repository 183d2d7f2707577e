// Helpers for the attribution tests: paths written compactly ("A@-3" = channel A three days
// before the conversion at day 0).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "insight/attribution/paths.h"

namespace rapport::insight::testing {

inline ConversionPath MakePath(std::vector<std::pair<std::string, double>> touches,
                               double value = 0, double end_day = 0) {
  ConversionPath p;
  for (auto& [channel, day] : touches) {
    p.touchpoints.push_back({channel, static_cast<int64_t>(day * kMicrosPerDay)});
  }
  p.end_us = static_cast<int64_t>(end_day * kMicrosPerDay);
  p.value = value;
  return p;
}

// A path of channels one day apart, the last one day before the conversion.
inline ConversionPath Seq(const std::vector<std::string>& channels, double value = 0) {
  std::vector<std::pair<std::string, double>> t;
  for (size_t i = 0; i < channels.size(); ++i) {
    t.emplace_back(channels[i], -static_cast<double>(channels.size() - i));
  }
  return MakePath(std::move(t), value);
}

inline size_t IndexOf(const std::vector<std::string>& channels, const std::string& c) {
  for (size_t i = 0; i < channels.size(); ++i) {
    if (channels[i] == c) return i;
  }
  return channels.size();
}

}  // namespace rapport::insight::testing
