// Deduplicator: drops events whose messageId the same source already sent within a window
// (default 24 h). Keys live in RocksDB with the log offsets they cover, written in one batch,
// so on open the index replays only the log tail it had not seen: it is exactly as durable as
// the log, across crashes. Thread-safe. An id claimed by a request still being written is
// "pending": a second request carrying it gets kUnavailable (retry), never a silent drop.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "common/clock.h"
#include "common/status.h"

namespace rocksdb {
class CompactionFilter;
class DB;
}  // namespace rocksdb

namespace rapport {

class EventLog;

struct DedupOptions {
  std::string dir;  // RocksDB directory
  int64_t window_us = 24LL * 3600 * 1000000;
  Clock* clock = nullptr;  // SystemClock when null
};

class Deduplicator {
 public:
  static Result<std::unique_ptr<Deduplicator>> Open(DedupOptions options);
  ~Deduplicator();

  // Marks each id new (true) or duplicate (false). New ids are pending until Commit/Release.
  // A repeated id within `ids` is a duplicate of its first occurrence. kUnavailable when an id
  // is pending in another request (nothing is claimed then).
  Result<std::vector<bool>> Claim(std::string_view source_id,
                                  const std::vector<std::string_view>& ids);
  // The claimed ids are durable in the log; `positions` are (partition, offset) of the records
  // written, so the index knows how far into the log it has seen.
  Status Commit(std::string_view source_id, const std::vector<std::string_view>& ids,
                int64_t received_at_us, const std::vector<std::pair<int, uint64_t>>& positions);
  // The append failed: the claims are dropped, the ids stay unseen.
  void Release(std::string_view source_id, const std::vector<std::string_view>& ids);

  // Indexes the log records after the offsets this index last saw (crash recovery).
  // Returns the number of records replayed.
  Result<uint64_t> CatchUp(const EventLog& log);
  // One past the last log offset of `partition` this index has seen.
  uint64_t SeenOffset(int partition) const;

 private:
  Deduplicator(DedupOptions options, std::unique_ptr<rocksdb::CompactionFilter> filter,
               std::unique_ptr<rocksdb::DB> db);
  Status LoadOffsets();

  DedupOptions options_;
  std::unique_ptr<rocksdb::CompactionFilter> filter_;  // drops expired keys; outlives db_
  std::unique_ptr<rocksdb::DB> db_;
  mutable std::mutex mu_;
  std::unordered_set<std::string> pending_;  // GUARDED_BY(mu_)
  std::vector<uint64_t> seen_;               // GUARDED_BY(mu_); per partition
};

}  // namespace rapport
