// Partition: the ordered segments of one log partition ("DIR/p-NNN/"), its recovery on open,
// reads, verification and retention, and the writer-side group transactions (add records,
// write, sync, commit or roll back). Read/EndOffset/Verify/RemoveOldSegments are thread-safe;
// the writer methods are called by the log's single writer thread only, except Sync(ticket).
// Readers see only committed (fsynced) records: the published state changes in Commit() alone.
// Groups are pipelined: while one written group's fdatasync runs on another thread, the writer
// may add and write the next group; groups commit in the order they were written. A group that
// would start a new segment is not written while another is pending (Fits() tells).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/env.h"
#include "common/status.h"
#include "log/log_types.h"
#include "log/segment.h"

namespace rapport::log_internal {

struct PartitionOptions {
  Env* env = nullptr;
  int id = 0;
  std::string dir;  // DIR/p-NNN
  uint64_t segment_bytes = 64 << 20;
  std::function<void(int64_t micros)> on_sync;  // called after every successful fdatasync
};

class Partition {
 public:
  explicit Partition(PartitionOptions options);
  // Cuts the zeros reserved after the active segment's data (best effort: recovery cuts them
  // after a crash), so a log closed cleanly is exactly its records.
  ~Partition();
  Partition(const Partition&) = delete;
  Partition& operator=(const Partition&) = delete;

  // Loads (or creates) the directory and recovers the last segment. Call once, first.
  Status Open(RecoveryReport* report);

  // ---- any thread ----
  // Appends committed records with offset >= from (from StartOffset() if from is older) to
  // *out: at most max_records, and stops before passing max_bytes of payload (but returns at
  // least one record when any is available). kCorruption names the file and position.
  Status Read(uint64_t from, size_t max_records, size_t max_bytes,
              std::vector<LogEntry>* out) const;
  uint64_t StartOffset() const;
  uint64_t EndOffset() const;
  // Append time of the newest record (0 when empty). Writer thread only.
  int64_t last_append_us() const { return w_last_append_; }
  void AddStats(uint64_t* bytes, uint64_t* segments) const;
  // Re-reads every committed record; adds findings to *report; kCorruption if any.
  Status Verify(RecoveryReport* report) const;
  // Deletes leading sealed segments (never the last) whose records are all below `below` and
  // whose last append is at or before `cutoff_us`. Returns how many were deleted.
  Result<int> RemoveOldSegments(uint64_t below, int64_t cutoff_us);

  // ---- writer thread only ----
  bool needs_repair() const { return needs_repair_; }
  // Retries the truncation of a failed group; OK when the partition is writable again.
  Status Repair();
  bool in_group() const { return group_.open; }
  // Groups written and not yet committed or rolled back.
  bool has_pending() const { return !pending_.empty(); }
  // Whether `encoded_bytes` more of records (payload + kRecordHeaderSize each) go into the active
  // segment without starting a new one. kUnavailable from AddRecord if one is needed while a
  // group is pending: wait for it (sync and commit) first.
  bool Fits(uint64_t encoded_bytes) const;
  // Adds a record (payload followed by tail) to the open group (opening one if needed); assigns
  // its offset.
  Status AddRecord(std::string_view payload, std::string_view tail, int64_t append_time_us,
                   uint64_t* offset);
  // What a pending group needs synced; passed to Sync(), valid until the group's Commit or
  // Rollback. An empty ticket syncs nothing.
  struct SyncTicket {
    WritableFile* file = nullptr;
  };
  // Writes the open group's buffered records and starts their writeback (no waiting), so that
  // the syncs of several partitions overlap; the group is then pending and *ticket says what
  // to sync. On error the group stays open: Rollback().
  Status Write(SyncTicket* ticket);
  // fdatasyncs what a pending group wrote. Any thread, also while the writer thread adds and
  // writes the next group (WritableFile::Sync may run beside Append).
  Status Sync(const SyncTicket& ticket) const;
  // Publishes the oldest pending group: readers now see its records. Only after its Sync()
  // succeeded.
  void Commit();
  // Undoes the open group and every pending one: truncates the active segment to the oldest's
  // pre-group size and removes segments they created. If that fails the partition needs repair
  // (needs_repair()). Never while a Sync(ticket) runs.
  void Rollback();

 private:
  // ---- recovery (partition_recovery.cc) ----
  Result<std::shared_ptr<Segment>> LoadSealed(uint64_t base, RecoveryReport* report);
  Result<std::shared_ptr<Segment>> LoadLast(uint64_t base, RecoveryReport* report);
  Result<std::shared_ptr<Segment>> CreateFirstSegment(uint64_t base);
  Result<std::shared_ptr<Segment>> NewSegment(uint64_t base);  // opens the reader
  std::string SegmentPath(uint64_t base) const;
  std::string IndexPath(uint64_t base) const;

  // ---- writer (partition_writer.cc) ----
  void BeginGroup();
  Status Flush();
  Status Roll();
  Status SyncActive();  // fdatasyncs the active segment if written since its last sync
  void WriteIndexBestEffort(const Segment& seg, uint64_t size, uint64_t records,
                            int64_t last_append_us, const std::vector<IndexEntry>& extra);

  const PartitionOptions options_;
  Env* const env_;

  // Published state.
  mutable std::shared_mutex mu_;
  std::vector<std::shared_ptr<Segment>> segments_;  // guarded by mu_; never empty after Open
  uint64_t end_offset_ = 0;                         // guarded by mu_

  // Writer state: the writer's view of the active segment, ahead of the published one
  // while a group is open.
  std::shared_ptr<Segment> active_;
  std::unique_ptr<WritableFile> active_file_;
  uint64_t w_size_ = 0;      // bytes written to active_file_
  uint64_t w_reserved_ = 0;  // active_file_ may hold zeros up to here (Reserve); 0: none
  uint64_t w_records_ = 0;   // records in active_, including buffered ones
  int64_t w_last_append_ = 0;
  bool w_has_index_ = false;
  uint64_t w_last_index_pos_ = 0;
  std::vector<IndexEntry> w_new_index_;  // entries of active_ added by the open group
  std::string buf_;                      // encoded records not yet written
  bool dirty_ = false;  // active_file_ written since its last sync or pending group's ticket

  struct SealedDelta {  // a segment the group rolled away from, and what the group added
    std::shared_ptr<Segment> seg;
    uint64_t size, records;
    int64_t last_append_us;
    std::vector<IndexEntry> new_index;
  };
  struct Group {
    bool open = false;
    std::shared_ptr<Segment> pre_active;
    uint64_t pre_size = 0, pre_records = 0, pre_last_index_pos = 0;
    int64_t pre_last_append = 0;
    bool pre_has_index = false;
    std::unique_ptr<WritableFile> pre_file;  // pre_active's file once the group rolled away
    std::vector<SealedDelta> sealed;
    std::vector<std::shared_ptr<Segment>> created;
    std::vector<std::string> orphans;  // files to delete on rollback
    // Set by Write(): what Commit() publishes.
    std::shared_ptr<Segment> post_active;
    uint64_t post_size = 0, post_records = 0;
    int64_t post_last_append = 0;
    std::vector<IndexEntry> new_index;  // post_active's entries added by the group
  };
  Group group_;                // the open group (group_.open), being added to
  std::deque<Group> pending_;  // written, not yet committed; oldest first

  bool needs_repair_ = false;
  uint64_t repair_size_ = 0;
  std::vector<std::string> repair_orphans_;
};

}  // namespace rapport::log_internal
