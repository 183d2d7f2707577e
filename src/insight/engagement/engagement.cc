#include "insight/engagement/engagement.h"

#include <cmath>

namespace rapport::insight {

double DecayedWeight(double weight, int64_t event_us, int64_t as_of_us, int64_t half_life_us) {
  if (event_us >= as_of_us) return weight;
  const double age = static_cast<double>(as_of_us - event_us);
  return weight * std::exp2(-age / static_cast<double>(half_life_us));
}

Nps ComputeNps(const std::vector<double>& answers) {
  Nps out;
  for (double a : answers) {
    if (!(a >= 0 && a <= 10 && a == std::floor(a))) {
      ++out.invalid;
      continue;
    }
    ++out.answers;
    if (a >= 9) {
      ++out.promoters;
    } else if (a >= 7) {
      ++out.passives;
    } else {
      ++out.detractors;
    }
  }
  if (out.answers > 0) {
    out.nps = 100.0 * (static_cast<double>(out.promoters) - static_cast<double>(out.detractors)) /
              static_cast<double>(out.answers);
  }
  return out;
}

Csat ComputeCsat(const std::vector<double>& answers, int scale, int satisfied_from) {
  Csat out;
  for (double a : answers) {
    if (!(a >= 1 && a <= scale)) {
      ++out.invalid;
      continue;
    }
    ++out.answers;
    if (a >= satisfied_from) ++out.satisfied;
  }
  if (out.answers > 0) {
    out.csat = 100.0 * static_cast<double>(out.satisfied) / static_cast<double>(out.answers);
  }
  return out;
}

KFactor ComputeKFactor(uint64_t base, uint64_t invites, uint64_t invited_signups) {
  KFactor out{.base = base, .invites = invites, .invited_signups = invited_signups};
  if (base > 0) out.invites_per_customer = static_cast<double>(invites) / static_cast<double>(base);
  if (invites > 0) {
    out.conversion = static_cast<double>(invited_signups) / static_cast<double>(invites);
  }
  out.k = out.invites_per_customer * out.conversion;
  return out;
}

}  // namespace rapport::insight
