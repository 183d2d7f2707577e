// Dispatcher: delivers the outbox's items to their webhooks. It owns an io_context with its own
// threads and one lane per destination: a token-bucket rate limit, at most `concurrency`
// requests in flight on keep-alive connections, a deadline per request, signed requests, and
// retries with backoff and full jitter, then dead letters. Lanes share nothing that blocks, so a
// slow or dead destination never delays the others. A destination that stops answering
// altogether (`trip_after` unanswered requests, 429, 502-504 in a row) is "down": one probe at a
// time with growing pauses, and those probes are not counted against `max_attempts` — an outage
// of any length dead-letters nothing. Thread-safe; Start/Stop from one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "activate/destination_def.h"
#include "activate/outbox.h"
#include "common/clock.h"
#include "common/status.h"

namespace rapport {

struct DispatcherOptions {
  // Backoff and due times, the signature's timestamp, latencies; SystemClock::Default() if null.
  Clock* clock = nullptr;
  int threads = 1;
  // The longest a lane sleeps before looking at the clock again (a ManualClock's jumps are seen
  // within one tick; a real clock's due times are met exactly).
  std::chrono::milliseconds tick{1000};
  int trip_after = 3;        // destination-level failures in a row that make it "down"
  std::string extra_ca_pem;  // certificates trusted for https:// besides the system's
};

struct DestinationHealth {
  std::string state = "up";  // "up", "down" (probing), "paused" (honouring a Retry-After)
  int consecutive_failures = 0;
  std::string last_error;  // of the last failed attempt
  int64_t last_error_us = 0;
  int64_t last_success_us = 0;
  int64_t down_since_us = 0;  // when state is "down"
};

class Dispatcher {
 public:
  // `outbox` must outlive the dispatcher; the dispatcher listens to it for new items.
  Dispatcher(Outbox* outbox, DispatcherOptions options);
  ~Dispatcher();  // Stop()

  // Starts the threads and every lane added so far. kInternal when TLS cannot be set up.
  Status Start();
  // Stops every lane (requests in flight are abandoned and stay in the outbox, to be sent
  // again), then the threads.
  void Stop();

  // Delivers to `def` from now on (replacing a lane of the same name; its requests in flight are
  // abandoned first). The destination must exist in the outbox. kInvalidArgument for a bad URL.
  Status Add(const DestinationDef& def);
  // Stops delivering to `name` (in-flight requests abandoned). No-op when unknown.
  void Remove(std::string_view name);
  // The lane's view of its destination; nullopt when unknown.
  std::optional<DestinationHealth> Health(std::string_view name) const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace rapport
