// RFM: each customer's recency (days since the last purchase), frequency (purchases: days with a
// purchase, as the CLV models count them) and monetary value (total spend), each turned into a
// score from 1 to 5 by quintile among all customers, and a named segment from the recency and
// frequency scores (docs/kpis.md, "RFM"). Scores: a customer's score is 1 + ⌊5 · below / n⌋,
// where `below` counts the customers strictly worse on that measure (for recency: who bought
// longer ago), so equal values always share a score. Deterministic; pure.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "insight/clv/summary.h"

namespace rapport::insight {

enum class RfmSegment : uint8_t {
  kChampions,
  kLoyal,
  kPotentialLoyalists,
  kNewCustomers,
  kPromising,
  kNeedAttention,
  kAboutToSleep,
  kCantLoseThem,
  kAtRisk,
  kHibernating,
};
inline constexpr int kRfmSegments = 10;
std::string_view RfmSegmentName(RfmSegment s);  // "champions", "at_risk", …

// The segment of a recency score r and frequency score f (both 1..5):
//            f=1            f=2            f=3              f=4            f=5
//   r=5  new_customers  potential_loyalists potential_loyalists champions    champions
//   r=4  promising      potential_loyalists potential_loyalists loyal        loyal
//   r=3  about_to_sleep about_to_sleep  need_attention    loyal          loyal
//   r=2  hibernating    hibernating     at_risk           at_risk        cant_lose_them
//   r=1  hibernating    hibernating     at_risk           at_risk        cant_lose_them
RfmSegment SegmentOf(int r, int f);

struct RfmCustomer {
  uint64_t customer = 0;
  int64_t recency_days = 0;  // as_of_day − the last purchase's day
  double frequency = 0;      // purchase days
  double monetary = 0;       // total spend
  int r = 0, f = 0, m = 0;   // scores 1..5
  RfmSegment segment = RfmSegment::kHibernating;
};

// Per customer of `purchases` with a purchase on or before `as_of_day`, sorted by customer.
std::vector<RfmCustomer> ScoreRfm(const std::vector<Purchase>& purchases, int64_t as_of_day);

}  // namespace rapport::insight
