// BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way"): while alive, a
// customer buys as a Poisson process with rate λ ~ Gamma(r, α); after each purchase they drop
// out with probability p ~ Beta(a, b). Fitted by maximum likelihood over customer summaries
// (x, t_x, T); then, per customer, the probability of being alive and the purchases to expect
// in the next t units. Time is in the summaries' unit (weeks, usually).
#pragma once

#include <vector>

#include "common/status.h"
#include "insight/clv/summary.h"

namespace rapport::insight {

struct BgNbdParams {
  double r = 0, alpha = 0, a = 0, b = 0;
};

struct BgNbdFit {
  BgNbdParams params;
  double log_likelihood = 0;  // at params, summed over the customers
  size_t customers = 0;
  int iterations = 0;
};

// The log-likelihood of the customers' summaries under `params` (all four must be positive),
// computed directly from the paper's formula (the fit computes the same, faster).
double BgNbdLogLikelihood(const BgNbdParams& params, const std::vector<CustomerSummary>& data);

// Maximum-likelihood fit. kInvalidArgument, saying why, when the data cannot identify the
// model: no customers, nobody with a repeat purchase, an x that is not a whole number, a
// negative or non-finite time, t_x > T. kInternal when the search does not converge.
Result<BgNbdFit> FitBgNbd(const std::vector<CustomerSummary>& data);

// P(alive | x, t_x, T): 1 for a customer without repeat purchases.
double ProbabilityAlive(const BgNbdParams& params, const CustomerSummary& c);

// E[purchases in (T, T + t] | x, t_x, T]: what the customer is expected to buy in the next t
// units. Finite for any fit with a + b > 1 (a ≠ 1 is handled by continuity). It is
// ExpectedPurchasesIfAlive(x, T, t) × ProbabilityAlive: the first factor does not depend on t_x,
// so customers with the same x and T can share it.
double ExpectedPurchases(const BgNbdParams& params, const CustomerSummary& c, double t);
double ExpectedPurchasesIfAlive(const BgNbdParams& params, double x, double T, double t);

// E[X(t)]: purchases of a customer new at time 0, in (0, t].
double ExpectedPurchasesNew(const BgNbdParams& params, double t);

}  // namespace rapport::insight
