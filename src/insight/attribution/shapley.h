// Shapley-value attribution over channels (cooperative game; Shapley 1953, as used for
// marketing attribution by Dalessandro et al. 2012 and Zhao et al. 2018).
//
// Players: the channels that appear in at least one converting path (the others — only in
// non-converting journeys — are null players and get exactly 0; leaving them out changes
// nothing). For a set S of channels, with ch(p) the set of distinct channels of path p:
//     v(S) = Σ_{converting paths p : ch(p) ⊆ S} 1         (conversions game)
//     w(S) = Σ_{converting paths p : ch(p) ⊆ S} value(p)  (value game)
// i.e. what the paths that use only channels in S converted. Shapley value of channel i:
//     φ_i = Σ_{S ⊆ N∖{i}} |S|! (n − |S| − 1)! / n! · (v(S ∪ {i}) − v(S)).
// Efficiency: Σ φ_i = v(N) = all conversions (resp. total value).
//
// n ≤ shapley_exact_max_channels (12 by default): exact — path sets aggregated into a weight
// per bitmask, v for every subset by a subset-sum (zeta) transform, O(n 2^n).
// Beyond: Monte Carlo over `shapley_samples` uniformly random orders of the players (sample j
// uses a generator seeded from shapley_seed and j, so results do not depend on the thread
// count). In an order, a path's weight goes to the channel of ch(p) that comes last (that is
// when v jumps by it), so every sample sums exactly to v(N) and so do the means. The credit is
// the mean over the samples; `std_error` is the standard error of that mean (sample standard
// deviation / √samples): by the central limit theorem the exact value lies within ±3 std_error
// with probability ≈ 99.7 %.
//
// Note: v is the sum over paths of unanimity games on ch(p), so φ_i also equals Σ over the
// converting paths that touch i of weight(p) / |ch(p)| (the tests use this as an oracle).
#pragma once

#include <vector>

#include "insight/attribution/models.h"

namespace rapport::insight {

struct ShapleyResult {
  Attribution attribution;  // model "shapley"
  bool exact = true;
  size_t players = 0;                    // channels in converting paths
  size_t samples = 0;                    // 0 when exact
  std::vector<ChannelCredit> std_error;  // parallel to channels; 0 when exact
};

Result<ShapleyResult> AttributeShapley(const PreparedPaths& paths,
                                       const AttributionSettings& settings);

}  // namespace rapport::insight
