// WarehouseFeed: fills the Warehouse from the event log, behind the profile pipeline — it reads
// each log partition only up to the offset the pipeline has committed, so every event's
// identifiers are already in the identity graph, and stores each event under the profile that
// holds its highest-priority identifier. Identity merges are followed from the state store's
// merge journal. It flushes rows to parts every `flush_rows` rows or `flush_interval_us`, then
// commits the log checkpoint "warehouse" (so retention keeps what it has not stored), and
// merges parts after each flush and when idle. Restart resumes from the manifest's offsets: no
// event is lost or stored twice. Start/Stop run it on its own thread; Step/CatchUp drive it by hand
// (tests, CLI). Not thread-safe across Step callers.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "common/clock.h"
#include "identity/identifier.h"
#include "log/event_log.h"
#include "profile/state_store.h"
#include "warehouse/store.h"

namespace rapport::warehouse {

struct FeedOptions {
  IdentitySettings identity;
  size_t read_records = 4096;  // per partition per step
  size_t flush_rows = 200'000;
  int64_t flush_interval_us = 1'000'000;  // also flushes this long after the first buffered row
  int64_t idle_wait_us = 50'000;          // the thread's pause when there is nothing to read
  const Clock* clock = nullptr;           // nullptr: the system clock
};

class WarehouseFeed {
 public:
  static constexpr char kConsumer[] = "warehouse";

  WarehouseFeed(EventLog* log, const StateStore* store, Warehouse* warehouse, FeedOptions options);
  ~WarehouseFeed();

  // One round: new merges, then up to read_records records per partition; flushes when due
  // (or when `force_flush`); merges parts after a flush or when there was nothing to read.
  // *more: records are
  // waiting behind what was read.
  Status Step(bool force_flush, bool* more);
  // Steps until everything the pipeline has committed is stored, then flushes.
  Status CatchUp();

  // Start reads the journaled merges before it returns (queries see merged customers as one
  // at once), then steps on its own thread.
  void Start();
  void Stop();
  Status last_error() const;

  struct Stats {
    uint64_t events = 0, unattributed = 0, malformed = 0, dropped_paths = 0;
  };
  Stats GetStats() const;

 private:
  Status ReadMerges();
  Status ReadPartition(int partition, uint64_t from, uint64_t upto, std::vector<Row>* rows,
                       uint64_t* next);
  Result<uint64_t> ProfileOf(const std::vector<Identifier>& ids);
  void Run();

  EventLog* log_;
  const StateStore* store_;
  Warehouse* warehouse_;
  FeedOptions options_;
  const Clock* clock_;
  MergePos merge_pos_;
  int64_t first_buffered_us_ = 0;
  bool registered_ = false;

  std::thread thread_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::condition_variable cv_;
  Status error_;  // GUARDED_BY(mu_)
  Stats stats_;   // GUARDED_BY(mu_)
};

}  // namespace rapport::warehouse
