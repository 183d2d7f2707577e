#include "common/metrics.h"

#include <fmt/format.h>

namespace rapport {
namespace {

std::string EscapeLabel(const std::string& v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\' || c == '"') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string RenderLabels(const std::vector<std::pair<std::string, std::string>>& labels) {
  std::string out;
  for (const auto& [k, v] : labels) {
    if (!out.empty()) out.push_back(',');
    out += fmt::format("{}=\"{}\"", k, EscapeLabel(v));
  }
  return out;
}

}  // namespace

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)),
      buckets_(std::make_unique<std::atomic<uint64_t>[]>(bounds_.size() + 1)) {}

void Histogram::Observe(double v) {
  size_t i = 0;
  while (i < bounds_.size() && v > bounds_[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_micro_.fetch_add(static_cast<uint64_t>(v < 0 ? 0 : v * 1e6), std::memory_order_relaxed);
}

void Histogram::Render(const std::string& name, const std::string& labels, std::string* out) const {
  std::string sep = labels.empty() ? "" : ",";
  uint64_t cumulative = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    std::string le = i < bounds_.size() ? fmt::format("{}", bounds_[i]) : "+Inf";
    *out += fmt::format("{}_bucket{{{}{}le=\"{}\"}} {}\n", name, labels, sep, le, cumulative);
  }
  std::string braces = labels.empty() ? "" : "{" + labels + "}";
  *out += fmt::format("{}_sum{} {}\n", name, braces,
                      static_cast<double>(sum_micro_.load(std::memory_order_relaxed)) / 1e6);
  *out += fmt::format("{}_count{} {}\n", name, braces, count_.load(std::memory_order_relaxed));
}

Registry::Family& Registry::FamilyFor(const std::string& name, const std::string& type,
                                      const std::string& help) {
  Family& f = families_[name];
  if (f.type.empty()) {
    f.type = type;
    f.help = help;
  }
  return f;
}

Counter* Registry::GetCounter(const std::string& name, const std::string& help,
                              const std::vector<std::pair<std::string, std::string>>& labels) {
  std::lock_guard lock(mu_);
  auto& slot = FamilyFor(name, "counter", help).counters[RenderLabels(labels)];
  if (!slot) slot = std::make_unique<Counter>();
  return slot.get();
}

Gauge* Registry::GetGauge(const std::string& name, const std::string& help) {
  std::lock_guard lock(mu_);
  Family& f = FamilyFor(name, "gauge", help);
  if (!f.gauge) f.gauge = std::make_unique<Gauge>();
  return f.gauge.get();
}

Histogram* Registry::GetHistogram(const std::string& name, const std::string& help,
                                  std::vector<double> bounds) {
  std::lock_guard lock(mu_);
  Family& f = FamilyFor(name, "histogram", help);
  if (!f.histogram) f.histogram = std::make_unique<Histogram>(std::move(bounds));
  return f.histogram.get();
}

std::string Registry::Render() const {
  std::lock_guard lock(mu_);
  std::string out;
  for (const auto& [name, f] : families_) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, f.help, name, f.type);
    for (const auto& [labels, c] : f.counters) {
      out += labels.empty() ? fmt::format("{} {}\n", name, c->Value())
                            : fmt::format("{}{{{}}} {}\n", name, labels, c->Value());
    }
    if (f.gauge) out += fmt::format("{} {}\n", name, f.gauge->Value());
    if (f.histogram) f.histogram->Render(name, "", &out);
  }
  return out;
}

std::vector<double> ExponentialBuckets(double start, double factor, int count) {
  std::vector<double> out;
  for (int i = 0; i < count; ++i, start *= factor) out.push_back(start);
  return out;
}

}  // namespace rapport
