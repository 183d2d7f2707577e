// Outbox: the persisted queue of webhook deliveries, one FIFO per destination plus its dead
// letters, in one RocksDB database. Enqueue is atomic and durable against a process crash (the
// write-ahead log reaches the OS before it returns; Sync() makes it durable against power loss).
// Nothing is removed before the dispatcher reports a 2xx, so after a crash items that were in
// flight are sent again (at least once). Scheduling lives here too: per destination a window of
// the oldest items (kept in memory by metadata) hands out due items, never two of one profile at
// once and never one while an older item of its profile waits (order per profile), and the
// flows that enqueued them in turn (one journey's thousands do not hold up an audience's sync).
// Thread-safe; one mutex per destination, so a busy destination does not block the others.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "activate/outbox_format.h"
#include "common/clock.h"
#include "common/status.h"

namespace rocksdb {
class DB;
class WriteBatch;
}  // namespace rocksdb

namespace rapport {

inline constexpr size_t kMaxEnqueueItems = 10000;
inline constexpr size_t kMaxIdempotencyKeyBytes = 255;
inline constexpr size_t kMaxProfileKeyBytes = 255;
inline constexpr size_t kMaxFlowBytes = 255;

struct OutboxOptions {
  std::string dir;                // the RocksDB directory (created if missing)
  Clock* clock = nullptr;         // stamps created_us; SystemClock::Default() when null
  size_t window = 10000;          // items per destination scheduled from memory
  size_t latency_samples = 1024;  // recent deliveries kept for the latency percentiles
};

// For the health view; counts are exact, latencies (enqueue → 2xx) over recent deliveries.
struct OutboxStats {
  uint64_t queued = 0;     // waiting or in flight
  uint64_t in_flight = 0;  // handed to the dispatcher, no answer yet
  uint64_t delivered = 0;  // ever
  uint64_t failed_attempts = 0;
  uint64_t dead_letters = 0;     // now
  uint64_t dead_lettered = 0;    // ever
  int64_t oldest_queued_us = 0;  // created_us of the oldest queued item; 0 when none
  uint64_t latency_samples = 0;
  double latency_p50_ms = 0, latency_p90_ms = 0, latency_p99_ms = 0;
};

class Outbox {
 public:
  static Result<std::unique_ptr<Outbox>> Open(OutboxOptions options);
  ~Outbox();

  // Destinations. Add is idempotent; Drop deletes the queue, dead letters and counters.
  // Destinations with data on disk are known again after Open.
  Status AddDestination(std::string_view destination);
  Status DropDestination(std::string_view destination);  // kNotFound when unknown
  std::vector<std::string> Destinations() const;

  // Appends `items` (ids assigned, created_us stamped when 0) in one atomic write, not synced;
  // their ids go to `ids` when given. kNotFound for an unknown destination; kInvalidArgument past
  // the limits above or for a body over kMaxRenderedBytes; nothing is written then.
  Status Enqueue(std::string_view destination, std::vector<OutboxItem> items,
                 std::vector<uint64_t>* ids = nullptr);
  // Makes every acknowledged write durable against power loss (syncs the write-ahead log).
  Status Sync();

  // Called with the destination's name after Enqueue or Replay (outside the destination's lock;
  // it must not call back into the outbox). Once SetListener returns, the previous listener is
  // not running and will not be called again.
  void SetListener(std::function<void(const std::string&)> on_ready);

  // ---- The dispatcher's side. Ids it gives back that are no longer in flight (dropped
  // destination, ReleaseInFlight) answer kNotFound and change nothing.
  // Up to `max` due items (next_attempt_us <= now_us), marked in flight: the flows' in turn, each
  // flow's oldest first (ReadyFlows).
  Result<std::vector<OutboxItem>> TakeDue(std::string_view destination, int64_t now_us, size_t max);
  // When the earliest waiting item is due: INT64_MAX when none waits (or all are in flight).
  int64_t NextDue(std::string_view destination) const;
  // 2xx: removes the item; its latency counts from created_us to now_us.
  Status Delivered(std::string_view destination, uint64_t id, int64_t now_us);
  // A failed attempt to try again at `next_attempt_us`; `attempts` is the new count.
  Status Retry(std::string_view destination, uint64_t id, int32_t attempts, int64_t next_attempt_us,
               std::string_view error, int32_t http_status);
  // A failed attempt that is final: the item moves to the dead letters.
  Status DeadLetter(std::string_view destination, uint64_t id, int32_t attempts,
                    std::string_view error, int32_t http_status, int64_t now_us);
  // Every in-flight item of the destination back to waiting (its sender stopped).
  void ReleaseInFlight(std::string_view destination);

  // ---- Dead letters, by id.
  // Up to `limit` dead letters with id > `after`, by id.
  Result<std::vector<OutboxItem>> ListDeadLetters(std::string_view destination, size_t limit,
                                                  uint64_t after) const;
  // The dead letter given up last (the highest id), if any: its last_error survives restarts.
  Result<std::optional<OutboxItem>> LatestDeadLetter(std::string_view destination) const;
  // Moves the given dead letters (or all, when `ids` is empty and `all`) back to the end of the
  // queue with new ids and a fresh attempt count. Returns how many moved; unknown ids are skipped.
  Result<size_t> Replay(std::string_view destination, const std::vector<uint64_t>& ids, bool all);
  Status DeleteDeadLetter(std::string_view destination, uint64_t id);  // kNotFound when unknown

  Result<OutboxStats> Stats(std::string_view destination) const;

 private:
  struct Queue;
  Outbox(OutboxOptions options, std::unique_ptr<rocksdb::DB> db);
  Status Load();
  std::shared_ptr<Queue> Find(std::string_view destination) const;
  Status Write(Queue& q, rocksdb::WriteBatch* batch, const OutboxCounters& counters);
  Status Refill(Queue& q);
  void AddToWindow(Queue& q, const OutboxItem& item);
  void RemoveFromWindow(Queue& q, uint64_t id);
  void Notify(const std::string& destination);
  Result<size_t> ReplayBatch(Queue& q, const std::vector<uint64_t>& ids);

  OutboxOptions options_;
  Clock* clock_;
  std::unique_ptr<rocksdb::DB> db_;
  mutable std::shared_mutex mu_;  // guards queues_
  std::map<std::string, std::shared_ptr<Queue>, std::less<>> queues_;
  std::mutex listener_mu_;
  std::function<void(const std::string&)> on_ready_;  // GUARDED_BY(listener_mu_)
};

}  // namespace rapport
