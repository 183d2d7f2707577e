#include "insight/attribution/markov.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <unordered_map>

namespace rapport::insight {
namespace {

constexpr double kTolerance = 1e-14;
constexpr size_t kMaxSweeps = 1'000'000;

// Transient states with out-going probabilities (CSR); NULL is implicit.
struct Chain {
  std::vector<std::vector<uint32_t>> tuples;  // state → its channels (START is empty)
  std::vector<size_t> begin{0};
  std::vector<uint32_t> next;
  std::vector<double> prob;
  std::vector<double> to_conversion;
};

Chain BuildChain(const PreparedPaths& paths, const AttributionSettings& s) {
  Chain chain;
  std::unordered_map<std::string, uint32_t> ids;
  std::vector<std::unordered_map<uint32_t, double>> counts;
  std::vector<double> conv, total;
  auto state = [&](const uint32_t* first, size_t len) {
    std::string key(len * sizeof(uint32_t), '\0');
    if (len > 0) std::memcpy(key.data(), first, key.size());
    auto [it, fresh] = ids.try_emplace(std::move(key), static_cast<uint32_t>(counts.size()));
    if (fresh) {
      chain.tuples.emplace_back(first, first + len);
      counts.emplace_back();
      conv.push_back(0);
      total.push_back(0);
    }
    return it->second;
  };
  state(nullptr, 0);  // START
  const size_t k = static_cast<size_t>(s.markov_order);
  std::vector<uint32_t> seq;
  for (const PreparedPaths::Sequence& q : paths.sequences) {
    const double w = q.conversions + q.journeys_without_conversion;
    if (w <= 0) continue;
    seq.clear();
    for (uint32_t c : q.channels) {
      if (!s.markov_collapse_repeats || seq.empty() || seq.back() != c) seq.push_back(c);
    }
    uint32_t at = 0;
    for (size_t i = 0; i < seq.size(); ++i) {
      const size_t from = i + 1 > k ? i + 1 - k : 0;
      const uint32_t to = state(seq.data() + from, i + 1 - from);
      counts[at][to] += w;
      total[at] += w;
      at = to;
    }
    conv[at] += q.conversions;
    total[at] += w;
  }
  for (size_t i = 0; i < counts.size(); ++i) {
    std::vector<std::pair<uint32_t, double>> row(counts[i].begin(), counts[i].end());
    std::sort(row.begin(), row.end());
    for (auto [to, n] : row) {
      chain.next.push_back(to);
      chain.prob.push_back(n / total[i]);
    }
    chain.begin.push_back(chain.next.size());
    chain.to_conversion.push_back(total[i] > 0 ? conv[i] / total[i] : 0);
  }
  return chain;
}

// P(START → CONVERSION) with the `removed` states absorbing into NULL.
Result<double> Solve(const Chain& ch, const std::vector<char>& removed, size_t dense_max,
                     size_t* sweeps) {
  const size_t n = ch.tuples.size();
  if (removed[0]) return 0.0;
  if (n <= dense_max) {
    // (I − Q) p = r, removed rows p_i = 0.
    std::vector<double> a(n * n, 0.0), b(n, 0.0);
    for (size_t i = 0; i < n; ++i) {
      a[i * n + i] = 1;
      if (removed[i]) continue;
      b[i] = ch.to_conversion[i];
      for (size_t e = ch.begin[i]; e < ch.begin[i + 1]; ++e) a[i * n + ch.next[e]] -= ch.prob[e];
    }
    for (size_t col = 0; col < n; ++col) {
      size_t piv = col;
      for (size_t r = col + 1; r < n; ++r) {
        if (std::abs(a[r * n + col]) > std::abs(a[piv * n + col])) piv = r;
      }
      if (a[piv * n + col] == 0) return Status::Internal("markov: singular transition system");
      if (piv != col) {
        std::swap_ranges(a.begin() + col * n, a.begin() + (col + 1) * n, a.begin() + piv * n);
        std::swap(b[col], b[piv]);
      }
      for (size_t r = col + 1; r < n; ++r) {
        const double f = a[r * n + col] / a[col * n + col];
        if (f == 0) continue;
        for (size_t j = col; j < n; ++j) a[r * n + j] -= f * a[col * n + j];
        b[r] -= f * b[col];
      }
    }
    std::vector<double> p(n);
    for (size_t i = n; i-- > 0;) {
      double v = b[i];
      for (size_t j = i + 1; j < n; ++j) v -= a[i * n + j] * p[j];
      p[i] = v / a[i * n + i];
    }
    return std::clamp(p[0], 0.0, 1.0);
  }
  std::vector<double> p(n, 0.0);
  for (size_t sweep = 1; sweep <= kMaxSweeps; ++sweep) {
    double change = 0;
    for (size_t i = 0; i < n; ++i) {
      if (removed[i]) continue;
      double v = ch.to_conversion[i], self = 0;
      for (size_t e = ch.begin[i]; e < ch.begin[i + 1]; ++e) {
        if (ch.next[e] == i) {
          self += ch.prob[e];
        } else {
          v += ch.prob[e] * p[ch.next[e]];
        }
      }
      v /= 1 - self;
      change = std::max(change, std::abs(v - p[i]));
      p[i] = v;
    }
    if (change <= kTolerance) {
      *sweeps = std::max(*sweeps, sweep);
      return std::clamp(p[0], 0.0, 1.0);
    }
  }
  return Status::Internal("markov: Gauss-Seidel did not converge");
}

}  // namespace

Result<MarkovResult> AttributeMarkov(const PreparedPaths& paths,
                                     const AttributionSettings& settings) {
  RETURN_IF_ERROR(ValidateSettings(settings));
  const Chain chain = BuildChain(paths, settings);
  const size_t k = paths.channels.size(), n = chain.tuples.size();
  MarkovResult r;
  r.states = n;
  r.exact = n <= settings.markov_exact_max_states;
  // Solve 0 is the full chain; solve c + 1 removes channel c.
  std::vector<double> prob(k + 1, 0.0);
  std::vector<Status> status(k + 1);
  std::vector<size_t> sweeps(k + 1, 0);
  ForEachBlock(k + 1, 1, settings.threads, [&](size_t job, size_t, size_t) {
    std::vector<char> removed(n, 0);
    if (job > 0) {
      const uint32_t c = static_cast<uint32_t>(job - 1);
      for (size_t i = 0; i < n; ++i) {
        const auto& t = chain.tuples[i];
        removed[i] = std::find(t.begin(), t.end(), c) != t.end();
      }
    }
    Result<double> p = Solve(chain, removed, settings.markov_exact_max_states, &sweeps[job]);
    if (p.ok()) {
      prob[job] = *p;
    } else {
      status[job] = p.status();
    }
  });
  for (const Status& st : status) RETURN_IF_ERROR(st);
  r.sweeps = *std::max_element(sweeps.begin(), sweeps.end());
  r.conversion_probability = prob[0];
  r.removal_effects.assign(k, 0.0);
  double sum = 0;
  for (size_t c = 0; c < k; ++c) {
    if (prob[0] > 0) r.removal_effects[c] = std::max(0.0, 1 - prob[c + 1] / prob[0]);
    sum += r.removal_effects[c];
  }
  Attribution& a = r.attribution;
  a.model = "markov_" + std::to_string(settings.markov_order);
  a.channels = paths.channels;
  a.credits.assign(k, ChannelCredit());
  a.total_conversions = paths.total_conversions;
  a.total_value = paths.total_value;
  if (sum > 0) {
    for (size_t c = 0; c < k; ++c) {
      a.credits[c].conversions = paths.total_conversions * r.removal_effects[c] / sum;
      a.credits[c].value = paths.total_value * r.removal_effects[c] / sum;
    }
  }
  return r;
}

}  // namespace rapport::insight
