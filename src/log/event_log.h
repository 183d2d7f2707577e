// EventLog: the durable, partitioned, append-only event log every ingested event goes through
// first. One writer thread does group commit (one write and one fdatasync per dirty partition
// for everything waiting, the next group written while one syncs); readers see only fsynced
// records. All methods are thread-safe. The
// log owns its directory exclusively (DIR/LOCK); Env and Clock must outlive it. On-disk
// format and recovery rules: docs/formats/log.md.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
#include <thread>
#include <vector>

#include "common/status.h"
#include "log/log_types.h"

namespace rapport {

namespace log_internal {
class Partition;
class CheckpointStore;
class SyncPool;
}  // namespace log_internal

class EventLog {
 public:
  // Opens or creates the log in options.dir and recovers it (torn tails are truncated);
  // what recovery found is added to *report (may be nullptr).
  static Result<std::unique_ptr<EventLog>> Open(LogOptions options, RecoveryReport* report);
  // Finishes every queued append (calling its callback), then stops the writer thread.
  ~EventLog();
  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;

  // Asynchronous group commit. `done(status, offsets)` is called exactly once, on the log's
  // writer thread (keep it short, never block in it), after every record of this call is
  // written AND fsynced (offsets[i] is records[i]'s offset in its partition), or with an error
  // and no record of this call durable nor readable: kInvalidArgument (bad partition),
  // kTooLarge (payload over max_record_bytes), kNoSpace (disk full), kIOError (write or sync
  // failed), kUnavailable (a partition is still being repaired after a failure). Retrying
  // after an error cannot create a duplicate.
  using AppendCallback = std::function<void(const Status&, std::vector<uint64_t> offsets)>;
  void Append(std::vector<LogRecord> records, AppendCallback done);
  // Append and wait.
  Result<std::vector<uint64_t>> AppendSync(std::vector<LogRecord> records);
  // (An empty append moves DurableStamp() to the clock's time without writing anything.)

  // Appends to *out the durable records of `partition` with offset >= `from` (starting at
  // StartOffset() if `from` was deleted by retention), at most max_records, stopping before
  // max_bytes of payload (at least one record is returned when any exists). kCorruption names
  // the file and byte position of a damaged record; no damaged data is ever returned.
  Status Read(int partition, uint64_t from, size_t max_records, std::vector<LogEntry>* out,
              size_t max_bytes = 16 << 20) const;
  // The append time up to which every partition is readable: a record stamped <= this is
  // returned by Read, in every partition at once. A consumer that processes the partitions
  // merged by append time stops at this watermark to see the same order on every replay.
  // Every record with an append time <= DurableStamp() is durable and readable, and no record
  // appended later gets a time <= it. When the log is idle it follows the clock (every
  // kIdleTickMs), so that consumers can tell that nothing happened up to now.
  int64_t DurableStamp() const { return durable_stamp_.load(std::memory_order_acquire); }
  static constexpr int kIdleTickMs = 100;
  // Blocks until DurableStamp() > stamp or the timeout passes; returns whether it advanced.
  bool WaitDurable(int64_t stamp, int64_t timeout_us) const;

  uint64_t StartOffset(int partition) const;  // first retained offset
  uint64_t EndOffset(int partition) const;    // one past the last durable offset
  int partitions() const { return static_cast<int>(partitions_.size()); }

  // Named consumer checkpoints (durable, atomic file replace): the offset a consumer reads next.
  // Names are 1-64 characters of [A-Za-z0-9._-]; next_offset must be <= EndOffset(partition).
  Status CommitCheckpoint(std::string_view consumer, int partition, uint64_t next_offset);
  uint64_t Checkpoint(std::string_view consumer, int partition) const;  // 0 if none
  // Forgets a consumer so that it no longer holds retention back.
  Status RemoveConsumer(std::string_view consumer);
  std::vector<std::string> Consumers() const;

  // Deletes whole segments (never the active one) all of whose records are below every
  // registered consumer's checkpoint and whose last append is older than min_age_us. With no
  // consumer registered nothing is deleted. Returns the number of segments removed.
  Result<int> ApplyRetention(int64_t min_age_us);

  struct Stats {
    uint64_t bytes = 0;  // segment bytes on disk, durable part
    uint64_t segments = 0;
    uint64_t records_appended = 0;  // since Open
    uint64_t syncs = 0;             // fdatasyncs of segment files since Open
    uint64_t failed_appends = 0;    // Append calls answered with an error since Open
    uint64_t pending_appends = 0;   // Append calls queued or being written (for backpressure)
  };
  Stats GetStats() const;

  // Scans every segment and verifies every checksum, offset and header; adds what is bad to
  // *report (may be nullptr) and returns kCorruption if anything is.
  Status Verify(RecoveryReport* report) const;

 private:
  struct Request {
    std::vector<LogRecord> records;
    AppendCallback done;
  };

  explicit EventLog(LogOptions options);
  Status Recover(RecoveryReport* report);
  Status CheckPartition(int partition) const;
  // Writer thread (group_commit.cc): a group's steps, in order.
  struct Flight;
  void WriterLoop();
  void Validate(Flight* f);
  // Whether `f` must wait until the group being synced has landed.
  bool MustWaitFor(const Flight& f) const;
  void RepairPartitions(Flight* f);  // with no group being synced
  void WriteFlight(Flight* f);
  void StartSync(Flight* f);        // on the sync pool; the writer goes on
  void SyncNow(Flight* f);          // on this thread and the pool, waiting
  void SyncPart(Flight* f, int k);  // f->parts[k]'s fdatasync, on any thread
  // Waits for f's syncs, commits it (or rolls it back with `next`, written after it), answers.
  void Land(Flight* f, Flight* next);
  void Answer(Flight* f);       // rolls back a failed group first
  void AdvanceIdleWatermark();  // writer thread, with nothing queued or being synced
  void PublishDurable(int64_t stamp);

  const LogOptions options_;
  std::unique_ptr<FileLock> dir_lock_;  // DIR/LOCK, held for the life of the log
  std::vector<std::unique_ptr<log_internal::Partition>> partitions_;
  std::unique_ptr<log_internal::CheckpointStore> checkpoints_;

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::vector<Request> queue_;                         // guarded by queue_mu_
  bool stopping_ = false;                              // guarded by queue_mu_
  std::unique_ptr<log_internal::SyncPool> sync_pool_;  // syncs a group's partitions at once
  std::thread writer_;
  // Writer thread only: the last append time given out. Append times strictly increase across
  // the whole log (max(now, last + 1 µs)), so they order records of all partitions the way
  // they became durable, requests in queue order and a request's records in its order.
  int64_t last_stamp_ = 0;

  std::atomic<int64_t> durable_stamp_{0};
  mutable std::mutex durable_mu_;  // with durable_cv_: wakes WaitDurable
  mutable std::condition_variable durable_cv_;

  std::atomic<uint64_t> records_appended_{0};
  std::atomic<uint64_t> syncs_{0};
  std::atomic<uint64_t> failed_appends_{0};
  std::atomic<uint64_t> pending_appends_{0};
};

}  // namespace rapport
