#include "insight/attribution/shapley.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <map>
#include <random>

namespace rapport::insight {
namespace {

struct Coalition {
  std::vector<uint32_t> players;  // distinct, as player indices
  double conversions = 0, value = 0;
};

void Exact(const std::vector<Coalition>& sets, size_t n, std::vector<ChannelCredit>* phi) {
  const size_t full = size_t{1} << n;
  std::vector<double> v(full, 0.0), w(full, 0.0);
  for (const Coalition& s : sets) {
    size_t mask = 0;
    for (uint32_t p : s.players) mask |= size_t{1} << p;
    v[mask] += s.conversions;
    w[mask] += s.value;
  }
  for (size_t bit = 1; bit < full; bit <<= 1) {  // v(S) = Σ_{T ⊆ S} weight(T)
    for (size_t m = 0; m < full; ++m) {
      if (m & bit) {
        v[m] += v[m ^ bit];
        w[m] += w[m ^ bit];
      }
    }
  }
  // coef[s] = s! (n − s − 1)! / n! = 1 / (n · C(n − 1, s)).
  std::vector<double> coef(n);
  double binom = 1;
  for (size_t s = 0; s < n; ++s) {
    coef[s] = 1 / (static_cast<double>(n) * binom);
    binom = binom * static_cast<double>(n - 1 - s) / static_cast<double>(s + 1);
  }
  phi->assign(n, ChannelCredit());
  for (size_t i = 0; i < n; ++i) {
    const size_t bit = size_t{1} << i;
    double dv = 0, dw = 0;
    for (size_t m = 0; m < full; ++m) {
      if (m & bit) continue;
      const double c = coef[std::popcount(m)];
      dv += c * (v[m | bit] - v[m]);
      dw += c * (w[m | bit] - w[m]);
    }
    (*phi)[i] = {dv, dw};
  }
}

uint64_t SplitMix(uint64_t x) {
  x += 0x9e3779b97f4a7c15;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9;
  x = (x ^ (x >> 27)) * 0x94d049bb133111eb;
  return x ^ (x >> 31);
}

}  // namespace

Result<ShapleyResult> AttributeShapley(const PreparedPaths& paths,
                                       const AttributionSettings& settings) {
  RETURN_IF_ERROR(ValidateSettings(settings));
  const size_t k = paths.channels.size();
  // Players and the coalitions (distinct channel sets of converting paths) with their weights.
  std::map<std::vector<uint32_t>, std::pair<double, double>> by_set;
  std::vector<char> active(k, 0);
  for (const PreparedPaths::Sequence& q : paths.sequences) {
    if (q.conversions <= 0) continue;
    std::vector<uint32_t> set = q.channels;
    std::sort(set.begin(), set.end());
    set.erase(std::unique(set.begin(), set.end()), set.end());
    for (uint32_t c : set) active[c] = 1;
    auto& [conv, value] = by_set[set];
    conv += q.conversions;
    value += q.value;
  }
  std::vector<uint32_t> player_of(k, 0), channel_of;
  for (uint32_t c = 0; c < k; ++c) {
    if (active[c]) {
      player_of[c] = static_cast<uint32_t>(channel_of.size());
      channel_of.push_back(c);
    }
  }
  const size_t n = channel_of.size();
  std::vector<Coalition> sets;
  for (const auto& [set, weights] : by_set) {
    Coalition s{{}, weights.first, weights.second};
    for (uint32_t c : set) s.players.push_back(player_of[c]);
    sets.push_back(std::move(s));
  }

  ShapleyResult r;
  r.players = n;
  r.exact = n <= static_cast<size_t>(settings.shapley_exact_max_channels);
  std::vector<ChannelCredit> phi(n), se(n);
  if (r.exact) {
    Exact(sets, n, &phi);
  } else {
    const size_t m = static_cast<size_t>(settings.shapley_samples);
    r.samples = m;
    constexpr size_t kBlock = 64;
    const size_t blocks = (m + kBlock - 1) / kBlock;
    // Per block: Σ x and Σ x² for conversions and value, per player.
    std::vector<std::vector<double>> acc(blocks, std::vector<double>(4 * n, 0.0));
    ForEachBlock(m, kBlock, settings.threads, [&](size_t begin, size_t end, size_t b) {
      std::vector<uint32_t> order(n), pos(n);
      std::vector<double> x(2 * n);
      double* a = acc[b].data();
      for (size_t j = begin; j < end; ++j) {
        std::mt19937_64 rng(SplitMix(settings.shapley_seed ^ SplitMix(j)));
        for (uint32_t i = 0; i < n; ++i) order[i] = i;
        for (size_t i = n; i > 1; --i) {  // Fisher–Yates, unbiased by rejection
          const uint64_t bound = i, limit = UINT64_MAX - UINT64_MAX % bound;
          uint64_t z;
          do z = rng();
          while (z >= limit);
          std::swap(order[i - 1], order[z % bound]);
        }
        for (uint32_t i = 0; i < n; ++i) pos[order[i]] = i;
        std::fill(x.begin(), x.end(), 0.0);
        for (const Coalition& s : sets) {
          uint32_t last = s.players[0];
          for (uint32_t p : s.players) last = pos[p] > pos[last] ? p : last;
          x[last] += s.conversions;
          x[n + last] += s.value;
        }
        for (size_t i = 0; i < n; ++i) {
          a[i] += x[i];
          a[n + i] += x[i] * x[i];
          a[2 * n + i] += x[n + i];
          a[3 * n + i] += x[n + i] * x[n + i];
        }
      }
    });
    std::vector<double> total(4 * n, 0.0);
    for (const auto& a : acc) {
      for (size_t i = 0; i < 4 * n; ++i) total[i] += a[i];
    }
    const double md = static_cast<double>(m);
    auto stderr_of = [&](double sum, double sumsq) {
      if (m < 2) return 0.0;
      const double mean = sum / md, var = std::max(0.0, (sumsq - md * mean * mean) / (md - 1));
      return std::sqrt(var / md);
    };
    for (size_t i = 0; i < n; ++i) {
      phi[i] = {total[i] / md, total[2 * n + i] / md};
      se[i] = {stderr_of(total[i], total[n + i]), stderr_of(total[2 * n + i], total[3 * n + i])};
    }
  }
  Attribution& a = r.attribution;
  a.model = "shapley";
  a.channels = paths.channels;
  a.credits.assign(k, ChannelCredit());
  r.std_error.assign(k, ChannelCredit());
  for (size_t i = 0; i < n; ++i) {
    a.credits[channel_of[i]] = phi[i];
    r.std_error[channel_of[i]] = se[i];
  }
  a.total_conversions = paths.total_conversions;
  a.total_value = paths.total_value;
  return r;
}

}  // namespace rapport::insight
