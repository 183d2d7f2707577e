#include "insight/clv/summary.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace rapport::insight {

Result<std::vector<CustomerSummary>> Summarize(const std::vector<Purchase>& purchases,
                                               const SummaryOptions& options) {
  if (!(options.unit_days > 0)) {
    return Status::InvalidArgument("the time unit must be a positive number of days");
  }
  std::vector<Purchase> sorted(purchases);
  for (const Purchase& p : sorted) {
    if (!std::isfinite(p.value)) {
      return Status::InvalidArgument("customer " + std::to_string(p.customer) +
                                     ": a purchase value is not a finite number");
    }
  }
  std::sort(sorted.begin(), sorted.end(), [](const Purchase& a, const Purchase& b) {
    return a.customer != b.customer ? a.customer < b.customer : a.day < b.day;
  });
  std::vector<CustomerSummary> out;
  for (size_t i = 0; i < sorted.size();) {
    const uint64_t customer = sorted[i].customer;
    CustomerSummary s;
    s.customer = customer;
    s.first_day = sorted[i].day;
    int64_t last_day = s.first_day;
    double repeat_value = 0;
    for (bool first = true; i < sorted.size() && sorted[i].customer == customer;) {
      const int64_t day = sorted[i].day;
      double value = 0;
      for (; i < sorted.size() && sorted[i].customer == customer && sorted[i].day == day; ++i) {
        value += sorted[i].value;
      }
      if (first) {
        s.first_value = value;
        first = false;
      } else if (day <= options.calibration_end_day) {
        s.x += 1;
        repeat_value += value;
        last_day = day;
      } else if (day <= options.holdout_end_day) {
        s.holdout += 1;
      }
    }
    if (s.first_day > options.calibration_end_day) continue;
    s.t_x = static_cast<double>(last_day - s.first_day) / options.unit_days;
    s.T = static_cast<double>(options.calibration_end_day - s.first_day) / options.unit_days;
    s.monetary = s.x > 0 ? repeat_value / s.x : 0;
    out.push_back(s);
  }
  return out;
}

}  // namespace rapport::insight
