// StateStore: the profile pipeline's state in RocksDB — the identifier index, profile records,
// accounts, timelines and the consumed log offsets — under one data directory. The pipeline is
// the only writer and writes each batch of events with one atomic StateBatch that includes the
// offsets it consumed, so state and offsets never disagree after a crash. Reads are thread-safe
// and may run while the pipeline writes. Key layout: docs/formats/profile-state.md.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "identity/identifier.h"
#include "profile/profile_record.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
class WriteBatch;
}  // namespace rocksdb

namespace rapport {

struct AccountRecord {
  std::string group_id;
  TraitMap traits;
  std::vector<uint64_t> members;  // live profile ids, sorted
  std::string Encode() const;
  static Result<AccountRecord> Decode(std::string_view bytes);
  bool operator==(const AccountRecord&) const = default;
};

// A merge in the journal (the "merges" family): when (log append time) and which profile went.
struct MergePos {
  int64_t at_us = 0;
  uint64_t from = 0;
};
struct JournaledMerge {
  MergePos pos;
  uint64_t into = 0;  // the survivor at the time (it may be merged away later itself)
};

struct TimelineEntry {
  TimelinePos pos;
  uint64_t profile = 0;  // the (possibly merged-away) profile id it was stored under
  std::string source;
  std::string json;
};

class StateBatch;

// The identifier index's key: type, 0x00, value.
std::string IdentifierKey(const Identifier& id);

// The value of a timeline index chunk (docs/formats/profile-state.md): at least one position.
// Decode appends to *out; malformed bytes are kCorruption.
std::string EncodeTimelineChunk(const std::vector<TimelinePos>& positions);
Status DecodeTimelineChunk(std::string_view bytes, std::vector<TimelinePos>* out);

class StateStore {
 public:
  static Result<std::unique_ptr<StateStore>> Open(const std::string& dir);
  ~StateStore();

  Result<std::optional<uint64_t>> FindIdentifier(const Identifier& id) const;
  // The same by the index key (IdentifierKey), for a caller that has built it already.
  Result<std::optional<uint64_t>> FindIdentifierKey(std::string_view key) const;
  // Visits every entry of the identifier index (its key, IdentifierKey, and the profile) in key
  // order until `visit` returns false; and RocksDB's estimate of how many there are.
  Status ScanIdentifiers(
      const std::function<bool(std::string_view key, uint64_t profile)>& visit) const;
  uint64_t EstimateIdentifiers() const;
  // The record stored under `id` (a merged-away record only names its survivor).
  Result<std::optional<ProfileRecord>> GetProfile(uint64_t id) const;
  // Follows merged_into to the live profile; nullopt when `id` never existed.
  Result<std::optional<ProfileRecord>> GetLiveProfile(uint64_t id) const;
  Result<std::optional<AccountRecord>> GetAccount(std::string_view group_id) const;
  // Up to `limit` timeline entries of `record` and of the profiles merged into it, newest first,
  // strictly after `after` when given: the positions in the record and in the index chunks of
  // each of those profiles, then the entries at the page's positions.
  Status ReadTimeline(const ProfileRecord& record, std::optional<TimelinePos> after, size_t limit,
                      std::vector<TimelineEntry>* out) const;
  // Visits every live profile with id >= from_id in id order until `visit` returns false.
  Status ScanProfiles(uint64_t from_id,
                      const std::function<bool(const ProfileRecord&)>& visit) const;

  // Audience membership (src/audience): up to `limit` members of `audience` with a profile id
  // greater than `after`, in id order, as (profile, since_us).
  Status ListMembers(uint64_t audience, uint64_t after, size_t limit,
                     std::vector<std::pair<uint64_t, int64_t>>* out) const;
  // Timers (src/audience): up to `limit` (due_us, profile) with from_us <= due_us <= up_to,
  // earliest first. Fired timers are deleted; a caller that knows none is left before from_us
  // passes it, so the scan does not step over their tombstones again.
  Status TimersDue(int64_t from_us, int64_t up_to, size_t limit,
                   std::vector<std::pair<int64_t, uint64_t>>* out) const;

  // Up to `limit` merges strictly after `after` in journal order (append time, then id): what
  // readers that keep their own copy of merged ids (the warehouse) follow.
  Status ReadMerges(MergePos after, size_t limit, std::vector<JournaledMerge>* out) const;

  // Pipeline bookkeeping (stored in the same batches as the state).
  Result<uint64_t> Offset(int partition) const;  // the next offset to consume (0 if none)
  Result<uint64_t> NextProfileId() const;        // 1 for an empty store
  Result<std::optional<std::string>> Meta(std::string_view key) const;

  Status Write(StateBatch* batch);
  // Makes every write so far survive a power loss (fsyncs RocksDB's write-ahead log).
  Status SyncWal();
  // Every key and value of every column family, in order (the replay-equals-incremental test).
  Status Dump(std::string* out) const;

  struct Stats {
    uint64_t live_bytes = 0;  // RocksDB's estimate of live data on disk
    uint64_t profiles = 0;    // estimated keys in the profile column family
  };
  Stats GetStats() const;

 private:
  friend class StateBatch;
  StateStore() = default;
  Result<std::optional<std::string>> Get(rocksdb::ColumnFamilyHandle* cf,
                                         std::string_view key) const;
  // Rewrites a version 2 timeline (the last handle) in the version 3 layout and drops it.
  Status MigrateV2Timeline();

  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // owned by db_'s lifetime (destroyed first)
  rocksdb::ColumnFamilyHandle* meta_ = nullptr;
  rocksdb::ColumnFamilyHandle* ids_ = nullptr;
  rocksdb::ColumnFamilyHandle* profiles_ = nullptr;
  rocksdb::ColumnFamilyHandle* accounts_ = nullptr;
  rocksdb::ColumnFamilyHandle* entries_ = nullptr;  // timeline entries, in log order
  rocksdb::ColumnFamilyHandle* index_ = nullptr;    // timeline index chunks, by profile
  rocksdb::ColumnFamilyHandle* members_ = nullptr;
  rocksdb::ColumnFamilyHandle* timers_ = nullptr;
  rocksdb::ColumnFamilyHandle* merges_ = nullptr;
};

// One atomic write of pipeline state. Not thread-safe.
class StateBatch {
 public:
  explicit StateBatch(StateStore* store);
  ~StateBatch();
  void PutIdentifierKey(std::string_view key, uint64_t profile);  // key: IdentifierKey
  void PutProfile(const ProfileRecord& record);
  void PutAccount(const AccountRecord& account);
  // A timeline entry stored under `profile`; its position must go into the profile's record
  // (ProfileRecord::timeline) or an index chunk in the same batch, or no read finds it.
  void PutTimeline(uint64_t profile, TimelinePos pos, std::string_view source,
                   std::string_view json);
  // An index chunk of `profile`'s timeline: positions of entries stored under its id (not empty).
  void PutTimelineChunk(uint64_t profile, const std::vector<TimelinePos>& positions);
  void PutMember(uint64_t audience, uint64_t profile, int64_t since_us);
  void DeleteMember(uint64_t audience, uint64_t profile);
  void DeleteAudienceMembers(uint64_t audience);  // every member of a deleted audience
  void PutTimer(int64_t due_us, uint64_t profile);
  void DeleteTimer(int64_t due_us, uint64_t profile);
  void PutOffset(int partition, uint64_t next_offset);
  void PutNextProfileId(uint64_t id);
  // Journals that `from` was merged into `into` by the event appended at `at_us`.
  void PutMerge(int64_t at_us, uint64_t from, uint64_t into);
  void PutMeta(std::string_view key, std::string_view value);
  void DeleteMeta(std::string_view key);
  size_t bytes() const;
  void Clear();

 private:
  friend class StateStore;
  // A put or delete held back to be added to the write in key order.
  struct Pending {
    std::string key, value;
    bool del = false;
  };
  // The timeline, its index, members and timers are gathered, then added to the write sorted by
  // key: each memtable insert then starts its search where the last one ended (the skiplist
  // remembers it), instead of from the top with a cache miss per level; timeline entries, keyed
  // in log order, all land at the memtable's end. Stable: of two operations on one key the later
  // still wins. StateStore::Write calls AddPending, on the thread that writes.
  void AddPending();
  void AddSorted(rocksdb::ColumnFamilyHandle* cf, std::vector<Pending>* ops);
  void Hold(std::vector<Pending>* ops, std::string key, std::string value, bool del);
  StateStore* store_;
  std::unique_ptr<rocksdb::WriteBatch> batch_;
  std::vector<Pending> timeline_, index_, members_, timers_;
  size_t pending_bytes_ = 0;
  std::string scratch_;  // a profile record being encoded
};

}  // namespace rapport
