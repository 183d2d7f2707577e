// Deduplicator: drops events whose messageId the same source already sent within a window
// (default 24 h). New keys gather in memory and go to RocksDB as sorted runs (an SST file
// ingested whole, no memtable) together with the log offsets they cover; the event log is the
// index's write-ahead log, so on open the index replays the log tail after the last run: it is
// exactly as durable as the log.
// Thread-safe. An id claimed by a request still being written is "pending": a second request
// carrying it gets kUnavailable (retry), never a 200 for an event that may not be stored; once
// the first request's append is durable (MarkDurable), it is a plain duplicate. Commits run in the
// order they are queued, on the index's own thread, off the log's writer thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "collect/key_filter.h"
#include "collect/key_table.h"
#include "common/clock.h"
#include "common/status.h"

namespace rocksdb {
class CompactionFilter;
class DB;
struct Options;
}  // namespace rocksdb

namespace rapport {

class EventLog;

struct DedupOptions {
  std::string dir;  // RocksDB directory
  int64_t window_us = 24LL * 3600 * 1000000;
  Clock* clock = nullptr;     // SystemClock when null
  size_t run_keys = 1 << 18;  // keys gathered in memory before they are written as one run
  // The in-memory filter over the runs (key_filter.h): its first epoch holds 4 M keys (5 MB),
  // an epoch takes keys for half the window, and all of them take at most filter_max_bytes.
  size_t filter_epoch_keys = size_t{1} << 22;
  size_t filter_max_bytes = size_t{1} << 30;
};

// 128 bits of BLAKE2b over (source id, messageId): fixed-size keys keep the index small and
// fast whatever the length of client messageIds.
struct DedupKey {
  uint64_t hi = 0, lo = 0;
  bool operator==(const DedupKey& o) const { return hi == o.hi && lo == o.lo; }
};

// The outcome of Claim: which ids are new, and the keys now pending for them.
struct DedupClaim {
  std::vector<bool> fresh;     // per id given to Claim
  std::vector<DedupKey> keys;  // of the fresh ids, in order: pass to Commit or Release
};

class Deduplicator {
 public:
  static Result<std::unique_ptr<Deduplicator>> Open(DedupOptions options);
  ~Deduplicator();  // finishes queued commits, flushes

  static DedupKey MakeKey(std::string_view source_id, std::string_view id);

  // Marks each id new or duplicate. New ids are pending until Commit/Release. A repeated id
  // within `ids` is a duplicate of its first occurrence. kUnavailable when an id is pending in
  // another request (nothing is claimed then).
  Result<DedupClaim> Claim(std::string_view source_id, const std::vector<std::string_view>& ids);
  // The claimed keys are durable in the log at `positions` (partition, offset), so the index
  // knows how far into the log it has seen. Call in log order. CommitAsync queues the same
  // work for the index's thread; `done` (optional) runs there afterwards.
  Status Commit(std::vector<DedupKey> keys, int64_t received_at_us,
                std::vector<std::pair<int, uint64_t>> positions);
  void CommitAsync(std::vector<DedupKey> keys, int64_t received_at_us,
                   std::vector<std::pair<int, uint64_t>> positions,
                   std::function<void(const Status&)> done = nullptr);
  // The claimed keys' events are durable in the log (the append succeeded): from now on a
  // request carrying one of them is a duplicate, even before Commit indexed it.
  void MarkDurable(const std::vector<DedupKey>& keys);
  // Waits until every queued commit is done.
  void Drain();
  // Writes the keys gathered in memory as a run, so SeenOffset covers them.
  Status Flush();
  // The append failed: the claims are dropped, the ids stay unseen.
  void Release(const std::vector<DedupKey>& keys);

  // Indexes the log records after the offsets this index last saw (crash recovery).
  // Returns the number of records replayed.
  Result<uint64_t> CatchUp(const EventLog& log);
  // One past the last log offset of `partition` whose keys are persisted (in a run): the log
  // must keep everything from here on for a replay.
  uint64_t SeenOffset(int partition) const;
  // Whether new ids skip RocksDB when the filter says so: the keys that were in RocksDB at
  // Open are loaded (a background thread) and the filter is not over capacity.
  bool filter_trusted() const { return FilterTrusted(); }

 private:
  struct KeyHash {
    size_t operator()(const DedupKey& k) const { return static_cast<size_t>(k.lo); }
  };
  struct Job {
    std::vector<DedupKey> keys;
    int64_t received_at_us;
    std::vector<std::pair<int, uint64_t>> positions;
    std::function<void(const Status&)> done;
  };

  Deduplicator(DedupOptions options, std::unique_ptr<rocksdb::Options> db_options,
               std::unique_ptr<rocksdb::CompactionFilter> filter, std::unique_ptr<rocksdb::DB> db);
  // Adds indexed keys to the in-memory run and advances the seen offsets.
  void AddToRun(const std::vector<DedupKey>& keys, int64_t received_at_us,
                const std::vector<std::pair<int, uint64_t>>& positions);
  // Writes the in-memory run once it reached options_.run_keys keys.
  Status FlushIfFull();
  // Writes flushing_'s keys as one sorted run, then the log offsets it covers. Needs flush_mu_.
  Status WriteRun(const std::vector<uint64_t>& offsets);
  // Received time of `k` in the in-memory runs, or -1. Needs mu_.
  int64_t RecentLocked(const DedupKey& k) const;
  Status LoadOffsets();
  void CommitLoop();
  // Adds the keys already in RocksDB to key_filter_ (a thread started by Open), then lets Claim
  // trust the filter.
  void LoadFilter();
  // Whether a key the filter does not hold is certainly not in RocksDB.
  bool FilterTrusted() const;
  static std::string DbKey(const DedupKey& k);

  DedupOptions options_;
  std::unique_ptr<rocksdb::Options> db_options_;       // for writing runs (SstFileWriter)
  std::unique_ptr<rocksdb::CompactionFilter> filter_;  // drops expired keys; outlives db_
  std::unique_ptr<rocksdb::DB> db_;

  mutable std::mutex mu_;
  // Claimed keys not yet indexed -> whether their events are durable in the log yet.
  std::unordered_map<DedupKey, bool, KeyHash> pending_;  // GUARDED_BY(mu_)
  KeyTable recent_;                                      // GUARDED_BY(mu_): not in a run yet
  KeyTable flushing_;                // GUARDED_BY(mu_): being written (Flush reads it without mu_)
  KeyTable spare_;                   // GUARDED_BY(flush_mu_): empty, sized for a run
  std::vector<uint64_t> seen_;       // GUARDED_BY(mu_); per partition, in memory
  std::vector<uint64_t> persisted_;  // GUARDED_BY(mu_); per partition, covered by runs
  std::mutex flush_mu_;              // one run written at a time
  uint64_t run_seq_ = 0;             // GUARDED_BY(flush_mu_)

  // Every key indexed (see key_filter.h): in a run, being written, or in recent_. Complete once
  // LoadFilter has read the runs that were there at Open; AddToRun adds keys before they leave
  // pending_, so a key the trusted filter has never seen is new.
  KeyFilter key_filter_;
  std::atomic<bool> filter_loaded_{false};
  std::atomic<bool> stop_loading_{false};
  std::thread filter_loader_;

  // The index's thread takes queued jobs in batches: up to 2 ms after the first, or at once
  // when 256 wait or the Deduplicator stops.
  static constexpr auto kGatherJobsFor = std::chrono::milliseconds(2);
  static constexpr size_t kWakeAtJobs = 256;
  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<Job> queue_;  // GUARDED_BY(queue_mu_)
  size_t busy_ = 0;        // GUARDED_BY(queue_mu_): jobs taken but not yet finished
  bool stopping_ = false;  // GUARDED_BY(queue_mu_)
  std::thread committer_;
};

}  // namespace rapport
