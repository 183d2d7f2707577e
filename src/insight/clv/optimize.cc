#include "insight/clv/optimize.h"

#include <algorithm>
#include <cmath>

namespace rapport::insight {

namespace {

double Dot(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

double MaxAbs(const std::vector<double>& a) {
  double m = 0;
  for (double v : a) m = std::max(m, std::abs(v));
  return m;
}

}  // namespace

MinimizeResult Minimize(const Objective& f, std::vector<double> start,
                        const MinimizeOptions& options) {
  const size_t n = start.size();
  MinimizeResult out;
  out.x = std::move(start);
  std::vector<double> g(n), g_new(n), d(n), x_new(n), s(n), y(n), hy(n);
  out.value = f(out.x, &g);
  out.evaluations = 1;
  if (!std::isfinite(out.value)) return out;
  // H: the inverse-Hessian estimate, row-major.
  std::vector<double> h(n * n, 0.0);
  auto reset = [&] {
    std::fill(h.begin(), h.end(), 0.0);
    for (size_t i = 0; i < n; ++i) h[i * n + i] = 1.0;
  };
  reset();
  bool first = true;
  auto small = [&](double tolerance) {
    return MaxAbs(g) <= tolerance * std::max(1.0, std::abs(out.value));
  };
  for (; out.iterations < options.max_iterations; ++out.iterations) {
    if (small(options.gradient_tolerance)) {
      out.converged = true;
      break;
    }
    for (size_t i = 0; i < n; ++i) {
      d[i] = 0;
      for (size_t j = 0; j < n; ++j) d[i] -= h[i * n + j] * g[j];
    }
    double slope = Dot(g, d);
    if (!(slope < 0)) {  // not a descent direction: start again from steepest descent
      reset();
      for (size_t i = 0; i < n; ++i) d[i] = -g[i];
      slope = Dot(g, d);
    }
    // The first step has no curvature to go by: at most a unit move.
    double t = first ? std::min(1.0, 1.0 / MaxAbs(g)) : 1.0;
    first = false;
    double value = 0;
    bool accepted = false;
    for (int tries = 0; tries < 60; ++tries, t *= 0.5) {
      for (size_t i = 0; i < n; ++i) x_new[i] = out.x[i] + t * d[i];
      value = f(x_new, &g_new);
      ++out.evaluations;
      if (std::isfinite(value) && value <= out.value + 1e-4 * t * slope) {
        accepted = true;
        break;
      }
    }
    if (!accepted) {  // no decrease along a descent direction: as good as rounding allows
      out.converged = small(options.stall_tolerance);
      break;
    }
    const bool stalled = out.value - value <= 1e-14 * std::max(1.0, std::abs(value));
    for (size_t i = 0; i < n; ++i) {
      s[i] = x_new[i] - out.x[i];
      y[i] = g_new[i] - g[i];
    }
    const double sy = Dot(s, y);
    if (sy > 1e-12 * std::sqrt(Dot(s, s) * Dot(y, y))) {
      if (out.iterations == 0) {  // scale the identity to the curvature seen
        const double scale = sy / Dot(y, y);
        for (size_t i = 0; i < n; ++i) h[i * n + i] = scale;
      }
      // H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ, with ρ = 1 / (yᵀ s).
      const double rho = 1.0 / sy;
      for (size_t i = 0; i < n; ++i) {
        hy[i] = 0;
        for (size_t j = 0; j < n; ++j) hy[i] += h[i * n + j] * y[j];
      }
      const double yhy = Dot(y, hy);
      for (size_t i = 0; i < n; ++i) {
        for (size_t j = 0; j < n; ++j) {
          h[i * n + j] += rho * ((1 + rho * yhy) * s[i] * s[j] - hy[i] * s[j] - s[i] * hy[j]);
        }
      }
    }
    out.x = x_new;
    out.value = value;
    g.swap(g_new);
    if (stalled && small(options.stall_tolerance)) {
      out.converged = true;
      ++out.iterations;
      break;
    }
  }
  return out;
}

}  // namespace rapport::insight
