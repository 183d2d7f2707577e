// BgNbdCells: customer summaries compressed for fitting. Customers with the same (x, t_x, T)
// become one cell with a weight, and each evaluation of the log-likelihood and its gradient
// computes the terms that depend on x alone once per x (sums of logs instead of log-gammas,
// since x is whole) and those of T and t_x once per distinct value, leaving one exp and one log
// per cell. Cells are summed in fixed chunks in a fixed order, on every core: the answer does
// not depend on the thread count.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/status.h"
#include "insight/clv/bgnbd.h"
#include "insight/clv/summary.h"

namespace rapport::insight {

class BgNbdCells {
 public:
  // kInvalidArgument naming the first bad customer (see FitBgNbd).
  static Result<BgNbdCells> Make(const std::vector<CustomerSummary>& data);

  size_t cells() const { return cells_.size(); }
  double customers() const { return customers_; }
  double repeat_buyers() const { return repeat_buyers_; }

  // Σ weight × log-likelihood at `p`; fills grad (∂/∂ ln r, ∂/∂ ln α, ∂/∂ ln a, ∂/∂ ln b) when
  // not null.
  double LogLikelihood(const BgNbdParams& p, std::vector<double>* grad) const;
  // The maximum-likelihood fit, from a start scaled to the data. kInternal if it fails.
  Result<BgNbdFit> Fit() const;

 private:
  struct Cell {
    uint32_t x, t_index, T_index;
    double weight;
  };
  std::vector<Cell> cells_;
  std::vector<double> times_;  // distinct t_x and T values, sorted
  uint32_t max_x_ = 0;
  double customers_ = 0, repeat_buyers_ = 0, mean_T_ = 0;
};

}  // namespace rapport::insight
