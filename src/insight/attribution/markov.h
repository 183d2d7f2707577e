// Markov-chain attribution by removal effect (Anderl, Becker, von Wangenheim & Schumann 2016).
// States: START, one state per tuple of the last ≤ k channels seen (order k), and the absorbing
// CONVERSION and NULL. Every prepared sequence (paths.h) — converting or not — walks START →
// (c1) → (c1,c2) → … → (c_{n−k+1},…,c_n) and then to CONVERSION (its conversions) or NULL (its
// journeys without conversion): the first k − 1 states of a path are the shorter tuples, which
// is the same as padding the tuple with START. Transition probabilities are the observed
// counts normalized per state. With `markov_collapse_repeats` (the default) consecutive
// repeats of a channel are merged first (A A B → A B); for order 1 this does not change any
// absorption probability (a self-loop only delays); for order ≥ 2 it keeps a repeated touch
// from filling the chain's memory with (A, A) tuples.
//
// P = P(START is absorbed in CONVERSION). Removing channel c makes every state whose tuple holds
// c absorb into NULL; P_c is the same probability then. Removal effect RE_c = 1 − P_c / P (0
// when P = 0). Credits: conversions × RE_c / Σ RE and value × RE_c / Σ RE (all 0 when Σ RE = 0,
// i.e. no conversions).
//
// Absorption probabilities solve (I − Q) p = r. Up to `markov_exact_max_states` (512) transient
// states the system is solved exactly (dense Gaussian elimination with partial pivoting); beyond,
// by Gauss–Seidel sweeps in the order the states were first met along the paths, until no
// probability changes by more than 1e-14 in a sweep (kInternal after 10^6 sweeps). The solves (one
// per channel
// + 1) run on `settings.threads` threads; results do not depend on it.
#pragma once

#include <vector>

#include "insight/attribution/models.h"

namespace rapport::insight {

struct MarkovResult {
  Attribution attribution;              // model "markov_<k>"
  double conversion_probability = 0;    // P
  std::vector<double> removal_effects;  // parallel to attribution.channels
  size_t states = 0;                    // transient states, START included
  bool exact = true;                    // solved by elimination (else Gauss–Seidel)
  size_t sweeps = 0;                    // most Gauss–Seidel sweeps over the solves
};

Result<MarkovResult> AttributeMarkov(const PreparedPaths& paths,
                                     const AttributionSettings& settings);

}  // namespace rapport::insight
