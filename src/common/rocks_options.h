// Settings that every RocksDB database of Rapport shares (the profile state, the de-duplication
// index, the outbox). Header only: the libraries that include it link RocksDB themselves.
#pragma once

#include <rocksdb/env.h>
#include <rocksdb/options.h>

namespace rapport {

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

}  // namespace rapport
