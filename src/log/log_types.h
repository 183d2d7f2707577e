// Plain value types of the event log's public API: options, records in, entries out, and the
// report of what recovery or verification found. No behaviour beyond bookkeeping helpers;
// not thread-safe (each caller owns its copy).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/env.h"

namespace rapport {

// The partitions a new log gets when LogOptions::partitions is 0. One: each partition a group
// commit touches costs its own fdatasync, and on one disk four of them take ~3x as long as one
// (bench/README.md), while nothing here consumes partitions in parallel.
inline constexpr int kNewLogPartitions = 1;

struct LogOptions {
  std::string dir;  // created if missing
  // 1..1000, or 0: as many as the directory already has, and kNewLogPartitions for a new log.
  // A log's count can grow, never shrink.
  int partitions = 0;
  uint64_t segment_bytes = 64 << 20;    // a segment rolls before it would pass this size
  uint32_t max_record_bytes = 1 << 20;  // larger payloads are refused with kTooLarge
  Env* env = nullptr;                   // nullptr: Env::Default(); must outlive the log
  Clock* clock = nullptr;               // nullptr: SystemClock::Default(); stamps appends
  // Called on the writer thread with the latency of every fdatasync, for metrics.
  std::function<void(int64_t micros)> on_sync = nullptr;
};

// One record to append: its bytes are `payload` followed by `tail`. `tail` lets a caller append
// bytes it keeps elsewhere without copying them into the payload (ingest: the stored JSON after
// the envelope's header); it must stay valid until the append's callback has run (or AppendSync
// has returned).
struct LogRecord {
  LogRecord() = default;
  LogRecord(int p, std::string bytes, std::string_view after = {})
      : partition(p), payload(std::move(bytes)), tail(after) {}
  size_t size() const { return payload.size() + tail.size(); }

  int partition = 0;
  std::string payload;
  std::string_view tail;
};

struct LogEntry {
  uint64_t offset = 0;
  int64_t append_time_us = 0;
  std::string payload;
};

struct RecoveryReport {
  struct PartitionReport {
    uint64_t truncated_bytes = 0;
    uint64_t corrupt_records = 0;
  };
  std::vector<std::string> messages;        // one line per finding, naming partition and file
  uint64_t truncated_bytes = 0;             // torn tails and corrupt tails cut off, all partitions
  uint64_t corrupt_records = 0;             // checksum failures not explained by a torn tail
  std::vector<PartitionReport> partitions;  // indexed by partition

  bool clean() const { return truncated_bytes == 0 && corrupt_records == 0; }
  void AddTruncated(int partition, uint64_t bytes, std::string message);
  void AddCorrupt(int partition, uint64_t records, std::string message);
  void AddNote(std::string message) { messages.push_back(std::move(message)); }
};

}  // namespace rapport
