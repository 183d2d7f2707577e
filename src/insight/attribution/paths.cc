#include "insight/attribution/paths.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <numeric>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <unordered_set>

namespace rapport::insight {
namespace {

constexpr size_t kBlock = 16384;

// Indices of the path's touchpoints inside the window, in time order (stable).
void Window(const ConversionPath& p, int64_t lookback_us, std::vector<uint32_t>* out) {
  out->clear();
  const int64_t from = p.end_us - lookback_us;
  for (uint32_t i = 0; i < p.touchpoints.size(); ++i) {
    const int64_t t = p.touchpoints[i].time_us;
    if (t >= from && t <= p.end_us) out->push_back(i);
  }
  auto earlier = [&](uint32_t a, uint32_t b) {
    return p.touchpoints[a].time_us < p.touchpoints[b].time_us;
  };
  if (!std::is_sorted(out->begin(), out->end(), earlier)) {
    std::stable_sort(out->begin(), out->end(), earlier);
  }
}

// Channel ids as varints: short sequences stay within std::string's inline buffer.
void Key(const uint32_t* ids, size_t n, std::string* key) {
  key->clear();
  for (size_t i = 0; i < n; ++i) {
    uint32_t v = ids[i];
    for (; v >= 0x80; v >>= 7) *key += static_cast<char>((v & 0x7f) | 0x80);
    *key += static_cast<char>(v);
  }
}

uint64_t Hash(const uint32_t* ids, size_t n) {
  uint64_t h = 0xcbf29ce484222325;
  for (size_t i = 0; i < n; ++i) h = (h ^ ids[i]) * 0x100000001b3;
  return h ^ (h >> 29);
}

constexpr uint32_t kDropped = UINT32_MAX;

struct BlockOut {
  std::vector<std::string_view> names;  // pass 1
  bool needs_no_touch = false;
  std::string error;
  // Pass 2: per path its sequence length (kDropped for a dropped journey), the channel ids of
  // all paths and the ages of the converting paths' touches.
  std::vector<uint32_t> lengths;
  std::vector<uint32_t> ids;
  std::vector<int64_t> ages;
  size_t no_touch = 0, dropped = 0;
};

}  // namespace

void ForEachBlock(size_t n, size_t block_size, int threads,
                  const std::function<void(size_t, size_t, size_t)>& fn) {
  const size_t blocks = (n + block_size - 1) / block_size;
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t b; (b = next.fetch_add(1)) < blocks;) {
      fn(b * block_size, std::min(n, (b + 1) * block_size), b);
    }
  };
  const size_t extra = std::min<size_t>(blocks, std::max(1, threads)) - (blocks > 0 ? 1 : 0);
  std::vector<std::thread> pool;
  for (size_t i = 0; i < extra; ++i) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
}

Status ValidateSettings(const AttributionSettings& s) {
  if (s.lookback_us <= 0) return Status::InvalidArgument("attribution: lookback must be > 0");
  if (s.half_life_us <= 0) return Status::InvalidArgument("attribution: half_life must be > 0");
  if (s.no_touch_channel.empty()) {
    return Status::InvalidArgument("attribution: no_touch_channel must not be empty");
  }
  if (!(s.position_first >= 0 && s.position_last >= 0 &&
        s.position_first + s.position_last <= 1 + 1e-12)) {
    return Status::InvalidArgument(
        "attribution: position_first and position_last must be in [0, 1] and sum to at most 1");
  }
  if (s.markov_order < 1 || s.markov_order > 8) {
    return Status::InvalidArgument("attribution: markov_order must be in 1..8");
  }
  if (s.shapley_exact_max_channels < 0 || s.shapley_exact_max_channels > 20) {
    return Status::InvalidArgument("attribution: shapley_exact_max_channels must be in 0..20");
  }
  if (s.shapley_samples < 1) {
    return Status::InvalidArgument("attribution: shapley_samples must be ≥ 1");
  }
  return Status::OK();
}

Result<PreparedPaths> PreparePaths(const std::vector<ConversionPath>& conversions,
                                   const std::vector<ConversionPath>& journeys,
                                   const AttributionSettings& settings) {
  RETURN_IF_ERROR(ValidateSettings(settings));
  const size_t nc = conversions.size(), n = nc + journeys.size();
  auto path = [&](size_t i) -> const ConversionPath& {
    return i < nc ? conversions[i] : journeys[i - nc];
  };
  const size_t blocks = (n + kBlock - 1) / kBlock;
  std::vector<BlockOut> out(blocks);

  // Pass 1: the channel names, and checks.
  ForEachBlock(n, kBlock, settings.threads, [&](size_t begin, size_t end, size_t b) {
    BlockOut& o = out[b];
    std::unordered_set<std::string_view> seen;
    std::vector<uint32_t> idx;
    for (size_t i = begin; i < end && o.error.empty(); ++i) {
      const ConversionPath& p = path(i);
      const char* kind = i < nc ? "conversion " : "journey ";
      const size_t k = i < nc ? i : i - nc;
      if (i < nc && !(std::isfinite(p.value) && p.value >= 0)) {
        o.error = kind + std::to_string(k) + ": value must be finite and ≥ 0";
      }
      Window(p, settings.lookback_us, &idx);
      if (idx.empty() && i < nc) o.needs_no_touch = true;
      for (uint32_t t : idx) {
        const std::string& c = p.touchpoints[t].channel;
        if (c.empty()) {
          o.error = kind + std::to_string(k) + ", touchpoint " + std::to_string(t) +
                    ": empty channel name";
        } else if (seen.insert(c).second) {
          o.names.push_back(c);
        }
      }
    }
  });
  std::vector<std::string_view> names;
  for (BlockOut& o : out) {
    if (!o.error.empty()) return Status::InvalidArgument("attribution: " + o.error);
    if (o.needs_no_touch) names.push_back(settings.no_touch_channel);
    names.insert(names.end(), o.names.begin(), o.names.end());
    o.names = {};
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  PreparedPaths r;
  std::unordered_map<std::string_view, uint32_t> id;
  for (std::string_view name : names) {
    id.emplace(name, static_cast<uint32_t>(r.channels.size()));
    r.channels.emplace_back(name);
  }

  // Pass 2: ids and ages.
  const uint32_t no_touch_id =
      id.count(settings.no_touch_channel) ? id.at(settings.no_touch_channel) : 0;
  ForEachBlock(n, kBlock, settings.threads, [&](size_t begin, size_t end, size_t b) {
    BlockOut& o = out[b];
    std::vector<uint32_t> idx;
    o.lengths.reserve(end - begin);
    for (size_t i = begin; i < end; ++i) {
      const ConversionPath& p = path(i);
      Window(p, settings.lookback_us, &idx);
      if (idx.empty()) {
        if (i >= nc) {
          ++o.dropped;
          o.lengths.push_back(kDropped);
          continue;
        }
        ++o.no_touch;
        o.ids.push_back(no_touch_id);
        o.ages.push_back(0);
        o.lengths.push_back(1);
        continue;
      }
      for (uint32_t t : idx) {
        o.ids.push_back(id.at(p.touchpoints[t].channel));
        if (i < nc) o.ages.push_back(p.end_us - p.touchpoints[t].time_us);
      }
      o.lengths.push_back(static_cast<uint32_t>(idx.size()));
    }
  });
  // Concatenated in block order; each block copies its part in parallel.
  std::vector<size_t> path_at(blocks + 1, 0), id_at(blocks + 1, 0), age_at(blocks + 1, 0);
  for (size_t b = 0; b < blocks; ++b) {
    path_at[b + 1] = path_at[b] + out[b].lengths.size();
    id_at[b + 1] = id_at[b] + out[b].ids.size();
    age_at[b + 1] = age_at[b] + out[b].ages.size();
    r.no_touch_conversions += out[b].no_touch;
    r.dropped_journeys += out[b].dropped;
  }
  std::vector<size_t> offsets(n + 1, 0);  // of every path in `ids` (a dropped one is empty)
  std::vector<uint32_t> ids(id_at[blocks]), lengths(n);
  r.touch_age_us.resize(age_at[blocks]);
  ForEachBlock(blocks, 1, settings.threads, [&](size_t b, size_t, size_t) {
    BlockOut& o = out[b];
    size_t at = id_at[b];
    for (size_t j = 0; j < o.lengths.size(); ++j) {
      offsets[path_at[b] + j] = at;
      at += o.lengths[j] == kDropped ? 0 : o.lengths[j];
    }
    std::copy(o.lengths.begin(), o.lengths.end(), lengths.begin() + path_at[b]);
    std::copy(o.ids.begin(), o.ids.end(), ids.begin() + id_at[b]);
    std::copy(o.ages.begin(), o.ages.end(), r.touch_age_us.begin() + age_at[b]);
    o = BlockOut();
  });
  offsets[n] = ids.size();
  r.offsets.assign(offsets.begin(), offsets.begin() + static_cast<ptrdiff_t>(nc + 1));
  r.touch_channel.assign(ids.begin(), ids.begin() + static_cast<ptrdiff_t>(offsets[nc]));
  r.value.reserve(nc);
  for (const ConversionPath& p : conversions) {
    r.value.push_back(p.value);
    r.total_value += p.value;
  }
  r.total_conversions = static_cast<double>(nc);

  // Identical sequences aggregated: shard s of S takes the sequences whose hash is s mod S;
  // each shard adds its paths in input order, so the sums do not depend on S.
  const size_t shards = static_cast<size_t>(std::max(1, settings.threads));
  std::vector<std::vector<PreparedPaths::Sequence>> found(shards);
  ForEachBlock(shards, 1, settings.threads, [&](size_t shard, size_t, size_t) {
    std::unordered_map<std::string, size_t> where;
    std::vector<PreparedPaths::Sequence>& seqs = found[shard];
    std::string key;
    for (size_t i = 0; i < n; ++i) {
      if (lengths[i] == kDropped) continue;
      const uint32_t* first = ids.data() + offsets[i];
      const size_t len = offsets[i + 1] - offsets[i];
      if (Hash(first, len) % shards != shard) continue;
      Key(first, len, &key);
      auto [it, fresh] = where.try_emplace(key, seqs.size());
      if (fresh) {
        seqs.emplace_back();
        seqs.back().channels.assign(first, first + len);
      }
      PreparedPaths::Sequence& q = seqs[it->second];
      if (i < nc) {
        q.conversions += 1;
        q.value += r.value[i];
      } else {
        q.journeys_without_conversion += 1;
      }
    }
  });
  for (auto& seqs : found) {
    for (auto& q : seqs) r.sequences.push_back(std::move(q));
  }
  std::sort(r.sequences.begin(), r.sequences.end(),
            [](const auto& a, const auto& b) { return a.channels < b.channels; });
  return r;
}

}  // namespace rapport::insight
