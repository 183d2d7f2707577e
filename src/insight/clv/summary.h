// Purchase histories in the form the buy-till-you-die models read: per customer the number of
// repeat purchases x, the time of the last one t_x and the customer's age T, measured from the
// first purchase in a chosen unit (weeks, usually), and the mean value of the repeat purchases.
// Purchases on the same day are one transaction (their values summed), as in Fader, Hardie &
// Lee's CDNOW summary, which tests reproduce from the raw transactions.
#pragma once

#include <cstdint>
#include <vector>

#include "common/status.h"

namespace rapport::insight {

struct Purchase {
  uint64_t customer = 0;
  int64_t day = 0;   // days since 1970-01-01 (UTC)
  double value = 0;  // money; 0 when unknown
};

struct CustomerSummary {
  uint64_t customer = 0;
  int64_t first_day = 0;
  double x = 0;            // repeat transactions in the calibration period (whole number)
  double t_x = 0;          // last transaction − first, in units
  double T = 0;            // end of calibration − first, in units
  double monetary = 0;     // mean value of the repeat transactions; 0 when x = 0
  double first_value = 0;  // the first transaction's value (not used by the models)
  double holdout = 0;      // transactions after the calibration end, up to the holdout end
};

struct SummaryOptions {
  int64_t calibration_end_day = 0;  // the last day of the calibration period (inclusive)
  int64_t holdout_end_day = 0;      // the last day counted as holdout (inclusive); <= the above:
                                    // no holdout
  double unit_days = 7;             // t_x and T in weeks
};

// Customers whose first purchase is on or before the calibration end, sorted by customer id.
// Purchases may come in any order. kInvalidArgument when unit_days is not positive or a value
// is not finite.
Result<std::vector<CustomerSummary>> Summarize(const std::vector<Purchase>& purchases,
                                               const SummaryOptions& options);

}  // namespace rapport::insight
