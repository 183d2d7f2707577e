#include "insight/rfm/rfm.h"

#include <algorithm>

namespace rapport::insight {

namespace {

// 1 + ⌊5 · below / n⌋ for each value, `below` = values strictly smaller.
std::vector<int> Quintiles(const std::vector<double>& values) {
  const size_t n = values.size();
  std::vector<double> sorted(values);
  std::sort(sorted.begin(), sorted.end());
  std::vector<int> out(n);
  for (size_t i = 0; i < n; ++i) {
    const auto below = static_cast<size_t>(
        std::lower_bound(sorted.begin(), sorted.end(), values[i]) - sorted.begin());
    out[i] = 1 + static_cast<int>(5 * below / n);
  }
  return out;
}

}  // namespace

std::string_view RfmSegmentName(RfmSegment s) {
  switch (s) {
    case RfmSegment::kChampions:
      return "champions";
    case RfmSegment::kLoyal:
      return "loyal";
    case RfmSegment::kPotentialLoyalists:
      return "potential_loyalists";
    case RfmSegment::kNewCustomers:
      return "new_customers";
    case RfmSegment::kPromising:
      return "promising";
    case RfmSegment::kNeedAttention:
      return "need_attention";
    case RfmSegment::kAboutToSleep:
      return "about_to_sleep";
    case RfmSegment::kCantLoseThem:
      return "cant_lose_them";
    case RfmSegment::kAtRisk:
      return "at_risk";
    case RfmSegment::kHibernating:
      return "hibernating";
  }
  return "hibernating";
}

RfmSegment SegmentOf(int r, int f) {
  if (r >= 4) {
    if (f >= 4) return r == 5 ? RfmSegment::kChampions : RfmSegment::kLoyal;
    if (f >= 2) return RfmSegment::kPotentialLoyalists;
    return r == 5 ? RfmSegment::kNewCustomers : RfmSegment::kPromising;
  }
  if (r == 3) {
    if (f >= 4) return RfmSegment::kLoyal;
    return f == 3 ? RfmSegment::kNeedAttention : RfmSegment::kAboutToSleep;
  }
  if (f == 5) return RfmSegment::kCantLoseThem;
  return f >= 3 ? RfmSegment::kAtRisk : RfmSegment::kHibernating;
}

std::vector<RfmCustomer> ScoreRfm(const std::vector<Purchase>& purchases, int64_t as_of_day) {
  std::vector<Purchase> sorted;
  sorted.reserve(purchases.size());
  for (const Purchase& p : purchases) {
    if (p.day <= as_of_day) sorted.push_back(p);
  }
  std::sort(sorted.begin(), sorted.end(), [](const Purchase& a, const Purchase& b) {
    return a.customer != b.customer ? a.customer < b.customer : a.day < b.day;
  });
  std::vector<RfmCustomer> out;
  for (size_t i = 0; i < sorted.size(); ++i) {
    if (out.empty() || out.back().customer != sorted[i].customer) {
      out.push_back({.customer = sorted[i].customer});
    }
    RfmCustomer& c = out.back();
    if (c.frequency == 0 || sorted[i].day != sorted[i - 1].day) c.frequency += 1;
    c.monetary += sorted[i].value;
    c.recency_days = as_of_day - sorted[i].day;  // the last one wins: sorted by day
  }
  std::vector<double> recency(out.size()), frequency(out.size()), monetary(out.size());
  for (size_t i = 0; i < out.size(); ++i) {
    recency[i] = -static_cast<double>(out[i].recency_days);  // more recent is better
    frequency[i] = out[i].frequency;
    monetary[i] = out[i].monetary;
  }
  const std::vector<int> r = Quintiles(recency), f = Quintiles(frequency), m = Quintiles(monetary);
  for (size_t i = 0; i < out.size(); ++i) {
    out[i].r = r[i];
    out[i].f = f[i];
    out[i].m = m[i];
    out[i].segment = SegmentOf(r[i], f[i]);
  }
  return out;
}

}  // namespace rapport::insight
