// Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV"; Fader & Hardie 2013): each
// transaction's value is Gamma(p, ν) around the customer's own mean, with ν ~ Gamma(q, γ)
// across customers, independent of how often they buy. Fitted by maximum likelihood on the
// mean repeat spend (monetary) of customers with at least one repeat purchase; then the spend
// to expect per transaction of a customer, shrunk from their own mean towards the population's
// the fewer transactions they have.
#pragma once

#include <vector>

#include "common/status.h"
#include "insight/clv/summary.h"

namespace rapport::insight {

struct GammaGammaParams {
  double p = 0, q = 0, gamma = 0;
};

struct GammaGammaFit {
  GammaGammaParams params;
  double log_likelihood = 0;  // of the customers used
  size_t customers = 0;       // with x > 0 and monetary > 0
  size_t skipped = 0;         // with x > 0 but no positive spend: not used
  int iterations = 0;
};

// The log-likelihood of the mean spends of customers with x > 0 and monetary > 0 (the density
// of the mean of x transactions, as in the papers and the lifetimes package).
double GammaGammaLogLikelihood(const GammaGammaParams& params,
                               const std::vector<CustomerSummary>& data);

// kInvalidArgument when fewer than two customers have a repeat purchase with a positive value
// (the spread between customers cannot be estimated), or when the fit has q <= 1 (no finite
// mean spend); kInternal when the search does not converge.
Result<GammaGammaFit> FitGammaGamma(const std::vector<CustomerSummary>& data);

// E[spend per transaction | x, monetary]: the population mean p γ / (q − 1) for x = 0.
double ExpectedSpend(const GammaGammaParams& params, const CustomerSummary& c);

}  // namespace rapport::insight
