// Delivery decisions that need no network: what an HTTP answer means for an item (delivered,
// retry, dead letter), which failures say the whole destination is unreachable, exponential
// backoff with full jitter, Retry-After, and the token bucket behind the rate limit.
// Pure functions and a small value type; thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "activate/destination_def.h"

namespace rapport {

enum class Verdict { kDelivered, kRetry, kDeadLetter };

// `status` 0 means no HTTP answer (connect error, timeout, reset). 2xx → delivered; 0, 408, 429
// and 5xx → retry; anything else (other 4xx, 1xx/3xx: redirects are not followed) → dead letter.
Verdict Judge(int status);

// True when a failure says the destination as a whole is unreachable or pushing back (no answer,
// 429, 502, 503, 504), rather than this one request failing.
bool DestinationLevelFailure(int status);

// min(backoff_max, backoff_initial * 2^(attempt - 1)) ms, for the `attempt`-th failure (1-based).
int64_t BackoffCapMs(const DestinationDef& def, int attempt);
// Full jitter: a uniform delay in [0, min(backoff_max, backoff_initial * 2^(attempt - 1))] ms for
// the `attempt`-th failure (1-based); `random` is any 64-bit random number.
int64_t BackoffMs(const DestinationDef& def, int attempt, uint64_t random);

// A Retry-After value (delta seconds, or an HTTP date) as milliseconds from `now_us`; nullopt when
// it does not parse. Dates in the past give 0.
std::optional<int64_t> ParseRetryAfterMs(std::string_view value, int64_t now_us);

// Token bucket: `rate` tokens per second, holding at most `burst`; starts full.
class TokenBucket {
 public:
  TokenBucket(double rate, double burst) : rate_(rate), burst_(burst), tokens_(burst) {}
  // Tokens available at `now_us` (refills first).
  double Available(int64_t now_us);
  void Take(double n = 1) { tokens_ -= n; }
  // Microseconds from the last refill until one whole token is there (0 when there is one).
  int64_t MicrosToNextToken() const;

 private:
  double rate_, burst_, tokens_;
  int64_t last_us_ = INT64_MIN;
};

}  // namespace rapport
