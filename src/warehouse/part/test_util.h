// Test helpers for part files: random rows of one day with every value kind, frequent and rare
// paths, and comparisons of what a reader returns with the in-memory reference (BuildChunk).
// Test-only; deterministic for a seed; not thread-safe.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "warehouse/memory_snapshot.h"
#include "warehouse/row.h"

namespace rapport::warehouse::testing {

inline constexpr int64_t kDayUs = 86'400'000'000;

struct RowGenOptions {
  size_t rows = 1000;
  int64_t day = 19'700;  // 2023-12-09
  uint64_t profiles = 50;
  int frequent_paths = 6;  // present in about half the rows
  int rare_paths = 40;     // each in a few rows
  size_t max_string = 12;
  bool large_strings = false;  // now and then a string of 100 KB
};

inline std::string RandomString(std::mt19937_64& rng, size_t max_len) {
  static constexpr char kChars[] = "abcdefghijklmnopqrstuvwxyz0123456789 _-\"\\é";
  std::string s(rng() % (max_len + 1), ' ');
  for (char& c : s) c = kChars[rng() % (sizeof kChars - 1)];
  return s;
}

inline Value RandomValue(std::mt19937_64& rng, const RowGenOptions& o) {
  switch (rng() % 8) {
    case 0:
      return Value::Null();
    case 1:
      return Value::Bool(rng() % 2 == 0);
    case 2:
      return Value::Number(static_cast<double>(static_cast<int64_t>(rng() % 2000) - 1000));
    case 3: {
      const double x = std::ldexp(static_cast<double>(rng() % 1'000'000), -(int)(rng() % 40));
      return Value::Number(rng() % 2 ? -x : x);
    }
    case 4:
      return Value::String("");
    case 5:
      if (o.large_strings && rng() % 50 == 0) return Value::String(std::string(100'000, 'x'));
      return Value::String(RandomString(rng, o.max_string));
    case 6:
      return Value::Json("[" + std::to_string(rng() % 10) + "]");
    default:
      return Value::String("v" + std::to_string(rng() % 5));  // repeats: dictionary codes
  }
}

// Rows of day `o.day` in random order; seq unique.
inline std::vector<Row> RandomRows(uint64_t seed, const RowGenOptions& o) {
  std::mt19937_64 rng(seed);
  std::vector<Row> rows;
  const int64_t day_start = o.day * kDayUs;
  static const char* kEvents[] = {"Signed Up", "Order Completed", "Page Viewed", "", "é ☃"};
  for (size_t i = 0; i < o.rows; ++i) {
    Row r;
    r.ts = day_start + static_cast<int64_t>(rng() % static_cast<uint64_t>(kDayUs));
    if (rng() % 20 == 0) r.ts = day_start + (rng() % 2 ? 0 : kDayUs - 1);  // the day's edges
    r.seq = (static_cast<uint64_t>(i) << 8) | (rng() % 4);
    r.profile = rng() % 10 == 0 ? 0 : 1 + rng() % o.profiles;
    r.type = static_cast<EventType>(rng() % kEventTypes);
    r.event = kEvents[rng() % 5];
    if (rng() % 3 == 0)
      r.props.emplace_back("userId", Value::String("u" + std::to_string(r.profile)));
    if (rng() % 500 == 0) r.props.emplace_back("messageId", Value::String(RandomString(rng, 20)));
    for (int p = 0; p < o.frequent_paths; ++p) {
      if (rng() % 2 == 0) {
        r.props.emplace_back("properties.f" + std::to_string(p), RandomValue(rng, o));
      }
    }
    for (int p = 0; p < o.rare_paths; ++p) {
      if (rng() % 400 == 0) {
        r.props.emplace_back("context.rare" + std::to_string(p), RandomValue(rng, o));
      }
    }
    std::shuffle(r.props.begin(), r.props.end(), rng);
    rows.push_back(std::move(r));
  }
  return rows;
}

// The rows as a reader returns them: sorted by (profile, ts, seq), props sorted by path.
inline std::vector<Row> Canonical(std::vector<Row> rows) {
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return std::tie(a.profile, a.ts, a.seq) < std::tie(b.profile, b.ts, b.seq);
  });
  for (Row& r : rows) {
    std::erase_if(r.props, [](const auto& p) { return p.second.kind == ValueKind::kAbsent; });
    std::sort(r.props.begin(), r.props.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
  }
  return rows;
}

// Every path of the rows.
inline std::vector<std::string> AllPaths(const std::vector<Row>& rows) {
  std::vector<std::string> paths;
  for (const Row& r : rows) {
    for (const auto& p : r.props) paths.push_back(p.first);
  }
  std::sort(paths.begin(), paths.end());
  paths.erase(std::unique(paths.begin(), paths.end()), paths.end());
  return paths;
}

inline bool SameBits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

inline bool SameColumn(const PropertyColumn& a, const PropertyColumn& b) {
  if (a.path != b.path || a.kind != b.kind || a.code != b.code || a.strings != b.strings ||
      a.number.size() != b.number.size()) {
    return false;
  }
  for (size_t i = 0; i < a.number.size(); ++i) {
    if (!SameBits(a.number[i], b.number[i])) return false;
  }
  return true;
}

// Whether two chunks hold the same rows and the same columns.
inline bool SameChunk(const Chunk& a, const Chunk& b) {
  if (a.rows != b.rows || a.min_ts != b.min_ts || a.max_ts != b.max_ts) return false;
  if (a.fixed->ts != b.fixed->ts || a.fixed->seq != b.fixed->seq ||
      a.fixed->profile != b.fixed->profile || a.fixed->event != b.fixed->event ||
      a.fixed->type != b.fixed->type) {
    return false;
  }
  if (a.columns.size() != b.columns.size()) return false;
  for (size_t i = 0; i < a.columns.size(); ++i) {
    if (!SameColumn(*a.columns[i], *b.columns[i])) return false;
  }
  return true;
}

// The reference chunk of sorted rows [begin, end) restricted to `paths`.
inline ChunkPtr ReferenceChunk(const std::vector<Row>& sorted, size_t begin, size_t end,
                               const std::vector<std::string>& paths, EventDictionary* events) {
  std::vector<const Row*> slice;
  for (size_t i = begin; i < end; ++i) slice.push_back(&sorted[i]);
  ChunkPtr all = BuildChunk(slice, events);
  auto chunk = std::make_shared<Chunk>(*all);
  std::erase_if(chunk->columns, [&](const auto& c) {
    return std::find(paths.begin(), paths.end(), c->path) == paths.end();
  });
  return chunk;
}

}  // namespace rapport::warehouse::testing
