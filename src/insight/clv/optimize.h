// Minimize: quasi-Newton (BFGS) minimization of a smooth function of a few variables given with
// its gradient — what the maximum-likelihood fits of this folder need (3 or 4 parameters, each
// evaluation a pass over every customer, so few evaluations matter more than anything).
// Backtracking line search with the Armijo condition; the inverse-Hessian estimate is reset to
// the identity when it stops giving descent. A non-finite value counts as "too far": the step
// is shortened, so a function may return NaN or inf where it is undefined. Deterministic.
#pragma once

#include <functional>
#include <vector>

namespace rapport::insight {

// f(x, grad): the value at x; fills grad (same size as x) when grad is not null.
using Objective = std::function<double(const std::vector<double>& x, std::vector<double>* grad)>;

struct MinimizeOptions {
  // Converged when every |∂f/∂x_i| <= gradient_tolerance × max(1, |f|), or when f no longer
  // changes beyond rounding while the gradient is within stall_tolerance × max(1, |f|) (the
  // gradient of a sum over a million customers carries rounding of about 1e-9 of its size).
  double gradient_tolerance = 1e-8;
  double stall_tolerance = 1e-5;
  int max_iterations = 500;
};

struct MinimizeResult {
  std::vector<double> x;  // the best point found
  double value = 0;       // f(x)
  int iterations = 0;
  int evaluations = 0;     // calls of f
  bool converged = false;  // the tolerances were met
};

MinimizeResult Minimize(const Objective& f, std::vector<double> start,
                        const MinimizeOptions& options = {});

}  // namespace rapport::insight
