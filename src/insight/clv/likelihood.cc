#include "insight/clv/likelihood.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "insight/clv/optimize.h"
#include "insight/clv/parallel.h"

namespace rapport::insight {

namespace {

constexpr size_t kChunk = 16384;  // cells per partial sum

// What the terms of one x contribute, and their derivatives.
struct XTerms {
  double log_a1;   // Σ_{k<x} ln(r + k)
  double d_a1_r;   // Σ 1/(r + k)
  double log_a2;   // Σ ln(b + k) − Σ ln(a + b + k)
  double d_a2_a;   // −Σ 1/(a + b + k)
  double d_a2_b;   // Σ 1/(b + k) − Σ 1/(a + b + k)
  double log_bx1;  // ln(b + x − 1) (x >= 1)
};

}  // namespace

Result<BgNbdCells> BgNbdCells::Make(const std::vector<CustomerSummary>& data) {
  if (data.empty()) return Status::InvalidArgument("there are no customers to fit");
  BgNbdCells out;
  double sum_T = 0;
  for (const CustomerSummary& c : data) {
    const std::string who = "customer " + std::to_string(c.customer);
    if (!(c.x >= 0 && c.x <= 1e7 && c.x == std::floor(c.x))) {
      return Status::InvalidArgument(who + ": x (repeat purchases) must be a whole number, got " +
                                     std::to_string(c.x));
    }
    if (!(std::isfinite(c.T) && c.T >= 0 && c.t_x >= 0 && c.t_x <= c.T)) {
      return Status::InvalidArgument(who + ": times must satisfy 0 <= t_x <= T, got t_x = " +
                                     std::to_string(c.t_x) + ", T = " + std::to_string(c.T));
    }
    out.times_.push_back(c.t_x);
    out.times_.push_back(c.T);
    sum_T += c.T;
  }
  std::sort(out.times_.begin(), out.times_.end());
  out.times_.erase(std::unique(out.times_.begin(), out.times_.end()), out.times_.end());
  auto index = [&](double t) {
    return static_cast<uint32_t>(std::lower_bound(out.times_.begin(), out.times_.end(), t) -
                                 out.times_.begin());
  };
  std::vector<Cell> all;
  all.reserve(data.size());
  for (const CustomerSummary& c : data) {
    const auto x = static_cast<uint32_t>(c.x);
    // A customer without repeat purchases has t_x = 0 whatever was written.
    all.push_back({x, x > 0 ? index(c.t_x) : 0, index(c.T), 1.0});
    out.max_x_ = std::max(out.max_x_, x);
    if (x > 0) out.repeat_buyers_ += 1;
  }
  std::sort(all.begin(), all.end(), [](const Cell& a, const Cell& b) {
    return a.x != b.x               ? a.x < b.x
           : a.T_index != b.T_index ? a.T_index < b.T_index
                                    : a.t_index < b.t_index;
  });
  for (const Cell& c : all) {
    Cell* last = out.cells_.empty() ? nullptr : &out.cells_.back();
    if (last && last->x == c.x && last->T_index == c.T_index && last->t_index == c.t_index) {
      last->weight += 1;
    } else {
      out.cells_.push_back(c);
    }
  }
  out.customers_ = static_cast<double>(data.size());
  out.mean_T_ = sum_T / out.customers_;
  return out;
}

double BgNbdCells::LogLikelihood(const BgNbdParams& p, std::vector<double>* grad) const {
  const double r = p.r, alpha = p.alpha, a = p.a, b = p.b;
  // Per x (prefix sums over k < x).
  std::vector<XTerms> xs(max_x_ + 1);
  XTerms acc{0, 0, 0, 0, 0, 0};
  for (uint32_t x = 0; x <= max_x_; ++x) {
    acc.log_bx1 = x > 0 ? std::log(b + x - 1) : 0;
    xs[x] = acc;
    const double k = x;
    acc.log_a1 += std::log(r + k);
    acc.d_a1_r += 1 / (r + k);
    acc.log_a2 += std::log(b + k) - std::log(a + b + k);
    acc.d_a2_a -= 1 / (a + b + k);
    acc.d_a2_b += 1 / (b + k) - 1 / (a + b + k);
  }
  // Per distinct time: ln(α + t) and 1/(α + t).
  std::vector<double> log_t(times_.size()), inv_t(times_.size());
  for (size_t i = 0; i < times_.size(); ++i) {
    log_t[i] = std::log(alpha + times_[i]);
    inv_t[i] = 1 / (alpha + times_[i]);
  }
  const double log_alpha = std::log(alpha), log_a = std::log(a);
  struct Partial {
    double ll = 0, dr = 0, dalpha = 0, da = 0, db = 0;
  };
  const size_t chunks = (cells_.size() + kChunk - 1) / kChunk;
  std::vector<Partial> partial(chunks);
  auto run = [&](size_t chunk) {
    Partial s;
    const size_t end = std::min(cells_.size(), (chunk + 1) * kChunk);
    for (size_t i = chunk * kChunk; i < end; ++i) {
      const Cell& c = cells_[i];
      const XTerms& t = xs[c.x];
      const double rx = r + c.x;
      const double u = -rx * log_t[c.T_index];
      double ll = t.log_a1 + r * log_alpha + t.log_a2, wu = 1, wv = 0;
      if (c.x > 0) {
        const double v = log_a - t.log_bx1 - rx * log_t[c.t_index];
        const double m = std::max(u, v);
        const double eu = std::exp(u - m), ev = std::exp(v - m);
        ll += m + std::log(eu + ev);
        wu = eu / (eu + ev);
        wv = 1 - wu;
      } else {
        ll += u;
      }
      const double w = c.weight;
      s.ll += w * ll;
      if (grad) {
        s.dr += w * (t.d_a1_r + log_alpha - wu * log_t[c.T_index] - wv * log_t[c.t_index]);
        s.dalpha += w * (r / alpha - rx * (wu * inv_t[c.T_index] + wv * inv_t[c.t_index]));
        s.da += w * (t.d_a2_a + wv / a);
        s.db += w * (t.d_a2_b - (c.x > 0 ? wv / (b + c.x - 1) : 0));
      }
    }
    partial[chunk] = s;
  };
  ParallelFor(chunks, run);
  Partial total;
  for (const Partial& s : partial) {
    total.ll += s.ll, total.dr += s.dr, total.dalpha += s.dalpha, total.da += s.da;
    total.db += s.db;
  }
  if (grad) *grad = {total.dr * r, total.dalpha * alpha, total.da * a, total.db * b};
  return total.ll;
}

Result<BgNbdFit> BgNbdCells::Fit() const {
  // Minimize −LL / N over the logs of the parameters (all positive).
  const double n = customers_;
  Objective objective = [&](const std::vector<double>& theta, std::vector<double>* grad) {
    const BgNbdParams p{std::exp(theta[0]), std::exp(theta[1]), std::exp(theta[2]),
                        std::exp(theta[3])};
    const double ll = LogLikelihood(p, grad);
    if (grad) {
      for (double& g : *grad) g = -g / n;
    }
    return -ll / n;
  };
  const std::vector<double> start = {0.0, std::log(std::max(mean_T_, 1e-3)), 0.0, 0.0};
  MinimizeResult m = Minimize(objective, start);
  const BgNbdParams p{std::exp(m.x[0]), std::exp(m.x[1]), std::exp(m.x[2]), std::exp(m.x[3])};
  if (!m.converged || !std::isfinite(m.value)) {
    return Status::Internal(
        "the BG/NBD fit did not converge after " + std::to_string(m.iterations) +
        " iterations (r = " + std::to_string(p.r) + ", alpha = " + std::to_string(p.alpha) +
        ", a = " + std::to_string(p.a) + ", b = " + std::to_string(p.b) + ")");
  }
  BgNbdFit fit;
  fit.params = p;
  fit.log_likelihood = -m.value * n;
  fit.customers = static_cast<size_t>(n);
  fit.iterations = m.iterations;
  return fit;
}

}  // namespace rapport::insight
