// Metrics: counters and histograms rendered in the Prometheus text exposition format.
// A Registry owns its metric families; families hand out per-label-set series that stay
// valid for the registry's lifetime. Incrementing is lock-free (atomics); creating a new
// label set and rendering take a mutex. Label values are escaped when rendered.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace rapport {

class Counter {
 public:
  void Inc(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

class Gauge {
 public:
  void Set(int64_t v) { value_.store(v, std::memory_order_relaxed); }
  int64_t Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

// Cumulative histogram over fixed upper bounds (in the unit the name states, e.g. seconds).
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void Observe(double v);
  uint64_t Count() const { return count_.load(std::memory_order_relaxed); }
  // Appends `name_bucket`, `name_sum`, `name_count` lines; `labels` is "" or `k="v",...`.
  void Render(const std::string& name, const std::string& labels, std::string* out) const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // one per bound, plus +Inf
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sum_micro_{0};  // sum scaled by 1e6 to stay integral
};

class Registry {
 public:
  // A series of a counter family; `labels` are (name, value) pairs. Same inputs, same series.
  Counter* GetCounter(const std::string& name, const std::string& help,
                      const std::vector<std::pair<std::string, std::string>>& labels = {});
  Gauge* GetGauge(const std::string& name, const std::string& help);
  Histogram* GetHistogram(const std::string& name, const std::string& help,
                          std::vector<double> bounds);
  std::string Render() const;

 private:
  struct Family {
    std::string type;
    std::string help;
    std::map<std::string, std::unique_ptr<Counter>> counters;  // keyed by rendered labels
    std::unique_ptr<Gauge> gauge;
    std::unique_ptr<Histogram> histogram;
  };
  Family& FamilyFor(const std::string& name, const std::string& type, const std::string& help);

  mutable std::mutex mu_;
  std::map<std::string, Family> families_;
};

// Exponential bounds: start, start*factor, ... (count values).
std::vector<double> ExponentialBuckets(double start, double factor, int count);

}  // namespace rapport
