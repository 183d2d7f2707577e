// What every RocksDB database of Rapport shares (the profile state, the de-duplication index,
// the outbox): settings, and how a RocksDB status becomes a Status. Header only: the libraries
// that include it link RocksDB themselves.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include <fmt/format.h>
#include <rocksdb/env.h>
#include <rocksdb/options.h>
#include <rocksdb/perf_level.h>
#include <rocksdb/rate_limiter.h>
#include <rocksdb/status.h>

#include "common/status.h"

namespace rapport {

// kNoSpace when the disk is full (ingest answers 503 and the caller retries), kCorruption for a
// damaged file, kIOError for the rest; the message is "<where>: <what>: <RocksDB's message>".
inline Status FromRocks(const rocksdb::Status& s, std::string_view where, std::string_view what) {
  if (s.ok()) return Status::OK();
  std::string m = fmt::format("{}: {}: {}", where, what, s.ToString());
  if (s.IsNoSpace()) return Status::NoSpace(std::move(m));
  if (s.IsCorruption()) return Status::Corruption(std::move(m));
  return Status::IOError(std::move(m));
}

// Writes dirty file data back to the disk while it is written (sync_file_range every 256 KB of
// WAL and every 1 MB of table files) instead of leaving the kernel seconds of it to flush at
// once, or a state sync to flush in one go. Such a burst stalls every fdatasync on the disk for
// milliseconds, the event log's group commit included: measured with the pipeline, 100
// audiences and 10 journeys at 10,000 events/s, the log's fsync p99 went from ≤ 6.4 ms to
// ≤ 1.6 ms, and ingest → webhook p99 from ~10–12 ms to 7–8 ms.
inline void SmoothWriteback(rocksdb::DBOptions* options) {
  options->wal_bytes_per_sync = 256 << 10;
  options->bytes_per_sync = 1 << 20;
}

// RocksDB's flushes and compactions (its process-wide thread pools, shared by every database)
// become background work (common/threads.h): they run at the lowest priority, so they take
// the cores that taking events in leaves.
inline void LowerCompactionPriority() {
  rocksdb::Env* env = rocksdb::Env::Default();
  (void)env->LowerThreadPoolCPUPriority(rocksdb::Env::Priority::LOW, rocksdb::CpuPriority::kLow);
  (void)env->LowerThreadPoolCPUPriority(rocksdb::Env::Priority::HIGH, rocksdb::CpuPriority::kLow);
}

// The bytes per second RocksDB's flushes and compactions may write while nobody paces them: more
// than any disk here, so no limit.
inline constexpr int64_t kUnpacedRocksBytesPerSecond = int64_t{4} << 30;

// One rate limiter for the flushes and compactions of every RocksDB database of the process
// (like RocksDB's thread pools, which they share). Unlimited unless the server's CompactionPacer
// (server/compaction_pacer.h) lowers it while ingest is held back.
inline const std::shared_ptr<rocksdb::RateLimiter>& SharedRocksRateLimiter() {
  static const auto* limiter = new std::shared_ptr<rocksdb::RateLimiter>(  // never destroyed:
      rocksdb::NewGenericRateLimiter(kUnpacedRocksBytesPerSecond));        // databases may outlive
  return *limiter;                                                         // statics
}

// Flushes and compactions of `options`' database write through SharedRocksRateLimiter().
inline void PaceFlushesAndCompactions(rocksdb::DBOptions* options) {
  options->rate_limiter = SharedRocksRateLimiter();
}

// RocksDB counts, per thread, every key comparison, block read and more (its perf_context) unless
// the thread turns that off; nothing here reads those counts. Each count goes through a
// thread-local look-up in the shared library: ~15 % of the profile state's write thread. Call
// before a thread's RocksDB work (cheap: the first call on a thread does it).
inline void NoRocksPerfCounters() {
  thread_local const bool off = [] {
    rocksdb::SetPerfLevel(rocksdb::PerfLevel::kDisable);
    return true;
  }();
  (void)off;
}

}  // namespace rapport
