// Conversion paths and their prepared (interned, windowed, aggregated) form, which every
// attribution model reads. A path is the touchpoints of one customer before one conversion
// (or, for a non-converting journey, before the time it was observed to end).
//
// Conventions (the same for every model):
//  * Window: a touchpoint counts when end − lookback ≤ time ≤ end (end = the conversion time,
//    or a journey's end time); later and older touchpoints are ignored.
//  * Order: touchpoints are sorted by time; equal times keep their input order.
//  * No touchpoint in the window: a conversion is credited to the pseudo-channel
//    `settings.no_touch_channel` ("(none)" by default; "Direct" is a common choice) as if it
//    were one touch at the conversion time, so every model's credits sum to the totals. A
//    non-converting journey without a touchpoint in the window carries no information about
//    any channel and is dropped (counted in `dropped_journeys`).
//  * Channel ids index `channels`, which is sorted by name: results do not depend on the
//    input order of the paths nor on the thread count.
// kInvalidArgument for bad settings (lookback ≤ 0, half-life ≤ 0, empty no-touch channel,
// Markov order outside 1..8, position weights outside [0, 1] or summing over 1, sample count
// < 1), an empty channel name or a non-finite or negative value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/status.h"

namespace rapport::insight {

inline constexpr int64_t kMicrosPerDay = 86'400'000'000;

struct Touchpoint {
  std::string channel;  // already grouped (see channel.h)
  int64_t time_us = 0;  // µs since the epoch
};

struct ConversionPath {
  std::vector<Touchpoint> touchpoints;  // any order
  int64_t end_us = 0;  // the conversion's time (for a non-converting journey: its end)
  double value = 0;    // revenue; ignored for non-converting journeys
};

struct AttributionSettings {
  int64_t lookback_us = 30 * kMicrosPerDay;
  int64_t half_life_us = 7 * kMicrosPerDay;          // time decay
  double position_first = 0.4, position_last = 0.4;  // position-based; middle = the rest
  std::string no_touch_channel = "(none)";
  int markov_order = 1;
  bool markov_collapse_repeats = true;   // A A B is A B in the Markov chain
  size_t markov_exact_max_states = 512;  // solved exactly up to this many; iteratively beyond
  int shapley_exact_max_channels = 12;   // exact up to this many channels (at most 20)
  int shapley_samples = 4000;            // permutations sampled beyond
  uint64_t shapley_seed = 1;
  int threads = 2;  // does not change results
};

Status ValidateSettings(const AttributionSettings& settings);

struct PreparedPaths {
  std::vector<std::string> channels;  // sorted by name; ids index it

  // Converting paths after the window, flattened: path i's touches are
  // [offsets[i], offsets[i + 1]), oldest first; age = conversion time − touch time (≥ 0).
  std::vector<size_t> offsets{0};
  std::vector<uint32_t> touch_channel;
  std::vector<int64_t> touch_age_us;
  std::vector<double> value;  // per converting path

  // Identical channel sequences (converting and not) aggregated, sorted lexicographically.
  struct Sequence {
    std::vector<uint32_t> channels;
    double conversions = 0, value = 0, journeys_without_conversion = 0;
  };
  std::vector<Sequence> sequences;

  double total_conversions = 0, total_value = 0;
  size_t no_touch_conversions = 0;  // credited to settings.no_touch_channel
  size_t dropped_journeys = 0;      // non-converting journeys with no touchpoint in the window

  size_t conversions() const { return value.size(); }
};

Result<PreparedPaths> PreparePaths(const std::vector<ConversionPath>& conversions,
                                   const std::vector<ConversionPath>& journeys,
                                   const AttributionSettings& settings);

// Runs fn(begin, end, block) over [0, n) in fixed blocks of `block_size` on `threads` threads;
// results that are merged block by block in order do not depend on the thread count.
void ForEachBlock(size_t n, size_t block_size, int threads,
                  const std::function<void(size_t, size_t, size_t)>& fn);

}  // namespace rapport::insight
