// Warehouse: the columnar event store. Rows come in from the feed (warehouse/feed.h), wait in
// memory, and are written as immutable parts — one per UTC day touched, rows sorted by
// (profile, ts, seq) — followed by an atomic manifest replace that also records how far into
// the event log the parts reach. Small parts of a day are merged in the background. Queries read
// a Snapshot: the parts plus the rows still in memory, so an event is visible as soon as the
// feed has it. Thread-safe: one writer (Add, Flush, MergeStep, SetMerges: the feed's thread)
// and any number of readers (Snapshot, stats). The directory is owned exclusively (LOCK).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "common/env.h"
#include "common/status.h"
#include "warehouse/manifest.h"
#include "warehouse/part/block_cache.h"
#include "warehouse/part/part_reader.h"
#include "warehouse/part/part_writer.h"
#include "warehouse/row.h"
#include "warehouse/snapshot.h"

namespace rapport::warehouse {

struct WarehouseOptions {
  std::string dir;
  Env* env = nullptr;      // nullptr: Env::Default()
  size_t cache_bytes = 0;  // decoded blocks kept for warm queries; 0: DefaultCacheBytes()
  PartWriteOptions part;
  size_t merge_min_parts = 4;            // merge a day once it has this many parts
  uint64_t merge_max_rows = 50'000'000;  // never merge into a part larger than this
  size_t memory_chunk_rows = 65536;      // chunk size of the in-memory rows in snapshots
};

// A quarter of the machine's memory (at least 256 MiB): about 30 bytes per event keep the
// columns of a funnel decoded, so 24 GiB hold 200 M events' worth.
size_t DefaultCacheBytes();

class Warehouse {
 public:
  // Opens or creates the store; removes part files no manifest names (a crash mid-write);
  // kCorruption when the manifest is damaged or names a part that is missing.
  static Result<std::unique_ptr<Warehouse>> Open(WarehouseOptions options);
  ~Warehouse();

  // Buffers rows that, with everything before, cover the log up to `offsets` (per partition,
  // the next offset not covered).
  void Add(std::vector<Row> rows, const std::vector<uint64_t>& offsets);
  // Writes the buffered rows as parts, then the manifest. On failure nothing is visible on disk
  // and the rows stay buffered (Flush again later).
  Status Flush();
  // Merges, in the day offering the most, merge_min_parts or more of its smallest parts (size
  // tiers: a part joins only while it is at most twice the rows picked before it).
  Status MergeStep(bool* merged);
  // Identity merges (from, into), appended to those known; `max_id` bounds every profile id.
  void AddMerges(const std::vector<std::pair<uint64_t, uint64_t>>& merges, uint64_t max_id);

  SnapshotPtr Snapshot() const;
  // Per log partition, the next offset that is in no part (what the feed resumes from).
  std::vector<uint64_t> durable_offsets() const;
  // Per log partition, the next offset not yet added (durable or buffered).
  std::vector<uint64_t> added_offsets() const;
  size_t buffered_rows() const;

  struct Stats {
    uint64_t parts = 0, rows = 0, bytes = 0, buffered = 0, merges_done = 0, flushes = 0;
    uint64_t rows_merged = 0;  // rows rewritten by merges (write amplification)
  };
  Stats GetStats() const;

 private:
  explicit Warehouse(WarehouseOptions options);
  Status WriteManifestLocked();
  std::string PathOf(const PartEntry& p) const;

  const WarehouseOptions options_;
  Env* env_;
  std::unique_ptr<FileLock> lock_;
  std::unique_ptr<BlockCache> cache_;

  mutable std::mutex mu_;
  Manifest manifest_;                                        // GUARDED_BY(mu_)
  EventDictionary events_;                                   // GUARDED_BY(mu_)
  std::map<uint64_t, std::shared_ptr<PartReader>> readers_;  // by part id, GUARDED_BY(mu_)
  std::vector<Row> buffer_;                                  // GUARDED_BY(mu_)
  std::vector<Row> flushing_;                                // being written, GUARDED_BY(mu_)
  std::vector<uint64_t> added_offsets_;                      // GUARDED_BY(mu_)
  std::vector<std::pair<uint64_t, uint64_t>> merges_;        // GUARDED_BY(mu_)
  uint64_t max_profile_ = 0;                                 // GUARDED_BY(mu_)
  std::shared_ptr<const ProfileMap> profile_map_;            // GUARDED_BY(mu_)
  mutable SnapshotPtr cached_;                               // GUARDED_BY(mu_); reset on change
  Stats stats_;                                              // GUARDED_BY(mu_)
};

}  // namespace rapport::warehouse
