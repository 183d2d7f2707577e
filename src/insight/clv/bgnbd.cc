#include "insight/clv/bgnbd.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "insight/clv/likelihood.h"
#include "insight/clv/special.h"

namespace rapport::insight {

namespace {

// log(e^u + e^v) without overflow.
double LogAddExp(double u, double v) {
  const double m = std::max(u, v);
  return m + std::log(std::exp(u - m) + std::exp(v - m));
}

// ln[(a / (b + x − 1)) ((α + T) / (α + t_x))^(r+x)]: the odds of having dropped out, in logs.
double LogDropOdds(const BgNbdParams& p, const CustomerSummary& c) {
  return std::log(p.a) - std::log(p.b + c.x - 1) +
         (p.r + c.x) * (std::log(p.alpha + c.T) - std::log(p.alpha + c.t_x));
}

// The numerator of the paper's conditional expectation (its eq. 10), for a ≠ 1; the
// denominator is 1 / P(alive).
double IfAliveAt(const BgNbdParams& p, double x, double T, double t) {
  const double z = t / (p.alpha + T + t);
  const double hyp = Hyp2F1(p.r + x, p.b + x, p.a + p.b + x - 1, z);
  const double decay = std::exp((p.r + x) * (std::log(p.alpha + T) - std::log(p.alpha + T + t)));
  return (p.a + p.b + x - 1) / (p.a - 1) * (1 - decay * hyp);
}

}  // namespace

double BgNbdLogLikelihood(const BgNbdParams& p, const std::vector<CustomerSummary>& data) {
  double sum = 0;
  for (const CustomerSummary& c : data) {
    const double x = c.x;
    const double a1 = LogGamma(p.r + x) - LogGamma(p.r) + p.r * std::log(p.alpha);
    const double a2 =
        LogGamma(p.a + p.b) + LogGamma(p.b + x) - LogGamma(p.b) - LogGamma(p.a + p.b + x);
    const double a3 = -(p.r + x) * std::log(p.alpha + c.T);
    if (x > 0) {
      const double a4 =
          std::log(p.a) - std::log(p.b + x - 1) - (p.r + x) * std::log(p.alpha + c.t_x);
      sum += a1 + a2 + LogAddExp(a3, a4);
    } else {
      sum += a1 + a2 + a3;
    }
  }
  return sum;
}

Result<BgNbdFit> FitBgNbd(const std::vector<CustomerSummary>& data) {
  ASSIGN_OR_RETURN(BgNbdCells cells, BgNbdCells::Make(data));
  if (cells.repeat_buyers() == 0) {
    return Status::InvalidArgument(
        "no customer made a repeat purchase: BG/NBD needs repeat buyers to tell how often "
        "customers buy and when they leave");
  }
  ASSIGN_OR_RETURN(BgNbdFit fit, cells.Fit());
  if (fit.params.a + fit.params.b <= 1) {
    return Status::InvalidArgument(
        "the best BG/NBD fit has a + b <= 1 (a = " + std::to_string(fit.params.a) +
        ", b = " + std::to_string(fit.params.b) +
        "), for which expected purchases are undefined; more history or more customers help");
  }
  return fit;
}

double ProbabilityAlive(const BgNbdParams& p, const CustomerSummary& c) {
  if (c.x <= 0) return 1;
  const double odds = LogDropOdds(p, c);
  return odds > 700 ? 0 : 1 / (1 + std::exp(odds));
}

double ExpectedPurchasesIfAlive(const BgNbdParams& p, double x, double T, double t) {
  if (t <= 0) return 0;
  if (std::abs(p.a - 1) > 1e-7) return IfAliveAt(p, x, T, t);
  // a = 1 is a removable singularity: the mean of both sides.
  BgNbdParams lo = p, hi = p;
  lo.a = 1 - 1e-6;
  hi.a = 1 + 1e-6;
  return (IfAliveAt(lo, x, T, t) + IfAliveAt(hi, x, T, t)) / 2;
}

double ExpectedPurchases(const BgNbdParams& p, const CustomerSummary& c, double t) {
  return ExpectedPurchasesIfAlive(p, c.x, c.T, t) * ProbabilityAlive(p, c);
}

double ExpectedPurchasesNew(const BgNbdParams& p, double t) {
  CustomerSummary fresh;  // x = t_x = T = 0
  return ExpectedPurchases(p, fresh, t);
}

}  // namespace rapport::insight
