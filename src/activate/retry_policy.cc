#include "activate/retry_policy.h"

#include <time.h>

#include <algorithm>
#include <cmath>
#include <string>

namespace rapport {

Verdict Judge(int status) {
  if (status >= 200 && status <= 299) return Verdict::kDelivered;
  if (status == 0 || status == 408 || status == 429 || (status >= 500 && status <= 599)) {
    return Verdict::kRetry;
  }
  return Verdict::kDeadLetter;
}

bool DestinationLevelFailure(int status) {
  return status == 0 || status == 429 || status == 502 || status == 503 || status == 504;
}

int64_t BackoffCapMs(const DestinationDef& def, int attempt) {
  int64_t cap = def.backoff_initial_ms;
  for (int i = 1; i < attempt && cap < def.backoff_max_ms; ++i) cap *= 2;
  return std::min(cap, def.backoff_max_ms);
}

int64_t BackoffMs(const DestinationDef& def, int attempt, uint64_t random) {
  return static_cast<int64_t>(random % static_cast<uint64_t>(BackoffCapMs(def, attempt) + 1));
}

std::optional<int64_t> ParseRetryAfterMs(std::string_view value, int64_t now_us) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    if (value.size() > 9) return int64_t{999'999'999} * 1000;
    return std::stoll(std::string(value)) * 1000;
  }
  // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT".
  struct tm tm = {};
  const std::string text(value);
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  const int64_t at_us = static_cast<int64_t>(timegm(&tm)) * 1'000'000;
  return std::max<int64_t>(0, (at_us - now_us) / 1000);
}

double TokenBucket::Available(int64_t now_us) {
  if (last_us_ != INT64_MIN && now_us > last_us_) {
    tokens_ = std::min(burst_, tokens_ + rate_ * static_cast<double>(now_us - last_us_) / 1e6);
  }
  if (now_us > last_us_) last_us_ = now_us;
  return tokens_;
}

int64_t TokenBucket::MicrosToNextToken() const {
  if (tokens_ >= 1) return 0;
  return static_cast<int64_t>(std::ceil((1 - tokens_) / rate_ * 1e6));
}

}  // namespace rapport
