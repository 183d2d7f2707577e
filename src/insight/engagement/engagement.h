// Engagement and experience KPIs (docs/kpis.md): an engagement score per customer from weighted,
// decaying events; NPS and CSAT from survey answers; the referral k-factor. Pure and
// deterministic; every ratio of nothing is 0 with the count saying so, never NaN.
#pragma once

#include <cstdint>
#include <vector>

namespace rapport::insight {

// Σ weight × 0.5^(age / half_life) over a customer's events, age = as_of − the event's time
// (events after as_of count fully). half_life_us > 0.
double DecayedWeight(double weight, int64_t event_us, int64_t as_of_us, int64_t half_life_us);

// Net Promoter Score from 0–10 answers: promoters answer 9–10, detractors 0–6, passives 7–8;
// nps = 100 × (promoters − detractors) / answers (−100 … 100). Answers outside 0–10 or not whole
// numbers are not answers: they are counted in `invalid`.
struct Nps {
  uint64_t answers = 0, promoters = 0, passives = 0, detractors = 0, invalid = 0;
  double nps = 0;
};
Nps ComputeNps(const std::vector<double>& answers);

// Customer satisfaction: the share (in %) of answers on a 1..scale scale that are at least
// `satisfied_from` (by default 4 or 5 of 5). Answers outside 1..scale are `invalid`.
struct Csat {
  uint64_t answers = 0, satisfied = 0, invalid = 0;
  double csat = 0;
};
Csat ComputeCsat(const std::vector<double>& answers, int scale, int satisfied_from);

// The viral coefficient k = i × c: i = invites sent per customer of the base, c = the share of
// invites that became a sign-up. k > 1: each customer brings in more than one new customer.
struct KFactor {
  uint64_t base = 0, invites = 0, invited_signups = 0;
  double invites_per_customer = 0, conversion = 0, k = 0;
};
KFactor ComputeKFactor(uint64_t base, uint64_t invites, uint64_t invited_signups);

}  // namespace rapport::insight
