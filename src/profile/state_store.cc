#include "profile/state_store.h"

#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <algorithm>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/coding.h"
#include "common/rocks_options.h"
#include "common/threads.h"

namespace rapport {
namespace {

Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  return rapport::FromRocks(s, "state store", what);
}

std::string ProfileKey(uint64_t id) {
  std::string k;
  PutBigEndian64(&k, id);
  return k;
}

// A signed time as an unsigned number in the same order.
uint64_t BiasTime(int64_t t) { return static_cast<uint64_t>(t) ^ (uint64_t{1} << 63); }
int64_t UnbiasTime(uint64_t v) { return static_cast<int64_t>(v ^ (uint64_t{1} << 63)); }

// Version 2's timeline key after the profile: newest first, both parts inverted, the signed time
// biased so that it sorts as unsigned (read only to migrate).
TimelinePos DecodeV2TimelinePos(std::string_view k) {  // k: the 16 bytes after the profile
  TimelinePos pos;
  pos.ts_us = static_cast<int64_t>(~ReadBigEndian64(k) ^ (uint64_t{1} << 63));
  pos.seq = ~ReadBigEndian64(k.substr(8));
  return pos;
}

// A timeline entry's key: in log order (seq), then the profile it is stored under.
std::string TimelineEntryKey(uint64_t seq, uint64_t profile) {
  std::string k;
  k.reserve(16);
  PutBigEndian64(&k, seq);
  PutBigEndian64(&k, profile);
  return k;
}

std::string EncodeTimelineEntry(int64_t ts_us, std::string_view source, std::string_view json) {
  std::string v;
  v.reserve(source.size() + json.size() + 16);
  PutSignedVarint64(&v, ts_us);
  PutLengthPrefixed(&v, source);
  PutLengthPrefixed(&v, json);
  return v;
}

// An index chunk's key (the profile, then its first position's seq: unique, as no two entries
// of one profile share a seq) and value.
std::string TimelineChunkKey(uint64_t profile, uint64_t first_seq) {
  std::string k = ProfileKey(profile);
  PutBigEndian64(&k, first_seq);
  return k;
}
std::string OffsetKey(int partition) { return fmt::format("offset/{:05d}", partition); }
const char kNextIdKey[] = "next_profile_id";
const char kV2TimelineFamily[] = "timeline";

void PutStamped(std::string* out, const TraitMap& traits) {
  PutVarint64(out, traits.size());
  for (const auto& [name, v] : traits) {
    PutLengthPrefixed(out, name);
    PutLengthPrefixed(out, v.json);
    PutSignedVarint64(out, v.ts_us);
    PutVarint64(out, v.seq);
    PutLengthPrefixed(out, v.source);
  }
}

}  // namespace

std::string IdentifierKey(const Identifier& id) {
  std::string k;
  k.reserve(id.type.size() + 1 + id.value.size());
  k.append(id.type).push_back('\0');
  k.append(id.value);
  return k;
}

std::string EncodeTimelineChunk(const std::vector<TimelinePos>& positions) {
  std::string v;
  PutVarint64(&v, positions.size());
  for (const TimelinePos& pos : positions) {
    PutSignedVarint64(&v, pos.ts_us);
    PutVarint64(&v, pos.seq);
  }
  return v;
}

Status DecodeTimelineChunk(std::string_view bytes, std::vector<TimelinePos>* out) {
  Decoder d(bytes);
  uint64_t n = 0;
  auto corrupt = [&] {
    return Status::Corruption(
        fmt::format("state store: timeline index chunk malformed at byte {}", d.position()));
  };
  if (!d.Varint64(&n) || n == 0 || n > bytes.size()) return corrupt();
  for (uint64_t i = 0; i < n; ++i) {
    TimelinePos pos;
    if (!d.SignedVarint64(&pos.ts_us) || !d.Varint64(&pos.seq)) return corrupt();
    out->push_back(pos);
  }
  if (!d.done()) return corrupt();
  return Status::OK();
}

std::string AccountRecord::Encode() const {
  std::string out(1, '\x01');
  PutLengthPrefixed(&out, group_id);
  PutStamped(&out, traits);
  PutVarint64(&out, members.size());
  for (uint64_t m : members) PutVarint64(&out, m);
  return out;
}

Result<AccountRecord> AccountRecord::Decode(std::string_view bytes) {
  Decoder d(bytes);
  AccountRecord a;
  uint8_t version = 0;
  uint64_t n = 0;
  auto corrupt = [&] {
    return Status::Corruption(fmt::format("account record: malformed at byte {}", d.position()));
  };
  if (!d.Byte(&version) || version != 1 || !d.LengthPrefixed(&a.group_id) || !d.Varint64(&n) ||
      n > bytes.size()) {
    return corrupt();
  }
  for (uint64_t i = 0; i < n; ++i) {
    std::string name;
    StampedValue v;
    if (!d.LengthPrefixed(&name) || !d.LengthPrefixed(&v.json) || !d.SignedVarint64(&v.ts_us) ||
        !d.Varint64(&v.seq) || !d.LengthPrefixed(&v.source)) {
      return corrupt();
    }
    a.traits.emplace(std::move(name), std::move(v));
  }
  if (!d.Varint64(&n) || n > bytes.size()) return corrupt();
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t m;
    if (!d.Varint64(&m)) return corrupt();
    a.members.push_back(m);
  }
  if (!d.done()) return corrupt();
  return a;
}

Result<std::unique_ptr<StateStore>> StateStore::Open(const std::string& dir) {
  rocksdb::Options options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  options.IncreaseParallelism(2);
  SmoothWriteback(&options);
  PaceFlushesAndCompactions(&options);
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.block_cache = rocksdb::NewLRUCache(256 << 20);
  rocksdb::ColumnFamilyOptions cf_options(options);
  cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  // LZ4 on every level: ZSTD on the last one saved 4 % of disk and cost 8 % of the pipeline's
  // throughput (profiles_bench, 1 M customers), its compactions competing for the same cores.
  cf_options.compression = rocksdb::kLZ4Compression;
  // Most look-ups of the identifier index are for identifiers never seen before: a bloom
  // filter over the memtable answers those without searching it.
  rocksdb::ColumnFamilyOptions point_options = cf_options;
  point_options.memtable_prefix_bloom_size_ratio = 0.1;
  point_options.memtable_whole_key_filtering = true;
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (const char* name : {"default", "ids", "profiles", "accounts", "timeline_entries",
                           "timeline_index", "members", "timers", "merges"}) {
    bool point = std::string_view(name) == "ids" || std::string_view(name) == "profiles";
    families.emplace_back(name, point ? point_options : cf_options);
  }
  // Version 2 kept the timeline in one family keyed by profile: migrated, then dropped.
  std::vector<std::string> existing;
  (void)rocksdb::DB::ListColumnFamilies(options, dir, &existing);  // none yet: a new store
  const bool v2_timeline =
      std::find(existing.begin(), existing.end(), kV2TimelineFamily) != existing.end();
  if (v2_timeline) families.emplace_back(kV2TimelineFamily, cf_options);
  std::unique_ptr<StateStore> store(new StateStore());  // NOLINT: private constructor
  rocksdb::DB* raw = nullptr;
  RETURN_IF_ERROR(
      FromRocks(rocksdb::DB::Open(options, dir, families, &store->handles_, &raw), "open " + dir));
  store->db_.reset(raw);
  store->meta_ = store->handles_[0];
  store->ids_ = store->handles_[1];
  store->profiles_ = store->handles_[2];
  store->accounts_ = store->handles_[3];
  store->entries_ = store->handles_[4];
  store->index_ = store->handles_[5];
  store->members_ = store->handles_[6];
  store->timers_ = store->handles_[7];
  store->merges_ = store->handles_[8];
  if (v2_timeline) RETURN_IF_ERROR(store->MigrateV2Timeline());
  return store;
}

Status StateStore::MigrateV2Timeline() {
  rocksdb::ColumnFamilyHandle* old = handles_.back();
  StateBatch batch(this);
  std::vector<TimelinePos> chunk;
  uint64_t chunk_owner = 0;
  auto spill = [&] {
    if (!chunk.empty()) batch.PutTimelineChunk(chunk_owner, chunk);
    chunk.clear();
  };
  uint64_t entries = 0;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), old));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    rocksdb::Slice k = it->key();
    if (k.size() != 24) return Status::Corruption("state store: version 2 timeline key size");
    const uint64_t owner = ReadBigEndian64(std::string_view(k.data(), 8));
    const TimelinePos pos = DecodeV2TimelinePos(std::string_view(k.data() + 8, 16));
    Decoder d(std::string_view(it->value().data(), it->value().size()));
    std::string_view source, json;
    if (!d.LengthPrefixed(&source) || !d.LengthPrefixed(&json) || !d.done()) {
      return Status::Corruption("state store: malformed version 2 timeline entry");
    }
    if (owner != chunk_owner || chunk.size() == ProfileRecord::kTimelineChunk) spill();
    chunk_owner = owner;
    chunk.push_back(pos);
    batch.PutTimeline(owner, pos, source, json);
    ++entries;
    if (batch.bytes() > (8 << 20)) {
      RETURN_IF_ERROR(Write(&batch));
      batch.Clear();
    }
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "read the version 2 timeline"));
  it.reset();
  spill();
  RETURN_IF_ERROR(Write(&batch));
  // Only now: a crash before this repeats the migration, which writes the same keys again.
  RETURN_IF_ERROR(FromRocks(db_->DropColumnFamily(old), "drop the version 2 timeline"));
  RETURN_IF_ERROR(FromRocks(db_->DestroyColumnFamilyHandle(old), "drop the version 2 timeline"));
  handles_.pop_back();
  spdlog::info("state store: moved {} timeline entries to the version 3 layout", entries);
  return Status::OK();
}

StateStore::~StateStore() {
  if (!db_) return;
  for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h);
  db_->Close();
}

Result<std::optional<std::string>> StateStore::Get(rocksdb::ColumnFamilyHandle* cf,
                                                   std::string_view key) const {
  NoRocksPerfCounters();
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf, rocksdb::Slice(key), &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  RETURN_IF_ERROR(FromRocks(s, "read"));
  return std::optional<std::string>(std::move(value));
}

Result<std::optional<uint64_t>> StateStore::FindIdentifier(const Identifier& id) const {
  return FindIdentifierKey(IdentifierKey(id));
}

Result<std::optional<uint64_t>> StateStore::FindIdentifierKey(std::string_view key) const {
  ASSIGN_OR_RETURN(auto v, Get(ids_, key));
  if (!v) return std::optional<uint64_t>();
  if (v->size() != 8) return Status::Corruption("state store: identifier entry is not 8 bytes");
  return std::optional<uint64_t>(ReadBigEndian64(*v));
}

Status StateStore::ScanIdentifiers(
    const std::function<bool(std::string_view key, uint64_t profile)>& visit) const {
  NoRocksPerfCounters();
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), ids_));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (it->value().size() != 8) {
      return Status::Corruption("state store: identifier entry is not 8 bytes");
    }
    if (!visit(std::string_view(it->key().data(), it->key().size()),
               ReadBigEndian64(std::string_view(it->value().data(), 8)))) {
      break;
    }
  }
  return FromRocks(it->status(), "scan identifiers");
}

uint64_t StateStore::EstimateIdentifiers() const {
  uint64_t n = 0;
  return db_->GetIntProperty(ids_, "rocksdb.estimate-num-keys", &n) ? n : UINT64_MAX;
}

Result<std::optional<ProfileRecord>> StateStore::GetProfile(uint64_t id) const {
  ASSIGN_OR_RETURN(auto v, Get(profiles_, ProfileKey(id)));
  if (!v) return std::optional<ProfileRecord>();
  ASSIGN_OR_RETURN(ProfileRecord r, ProfileRecord::Decode(*v));
  return std::optional<ProfileRecord>(std::move(r));
}

Result<std::optional<ProfileRecord>> StateStore::GetLiveProfile(uint64_t id) const {
  for (int hops = 0; hops < 64; ++hops) {
    ASSIGN_OR_RETURN(auto r, GetProfile(id));
    if (!r || r->merged_into == 0) return r;
    id = r->merged_into;
  }
  return Status::Corruption("state store: a chain of merged profiles longer than 64");
}

Result<std::optional<AccountRecord>> StateStore::GetAccount(std::string_view group_id) const {
  ASSIGN_OR_RETURN(auto v, Get(accounts_, group_id));
  if (!v) return std::optional<AccountRecord>();
  ASSIGN_OR_RETURN(AccountRecord a, AccountRecord::Decode(*v));
  return std::optional<AccountRecord>(std::move(a));
}

Status StateStore::ReadTimeline(const ProfileRecord& record, std::optional<TimelinePos> after,
                                size_t limit, std::vector<TimelineEntry>* out) const {
  struct Ref {
    TimelinePos pos;
    uint64_t profile;
  };
  std::vector<Ref> refs;
  for (const TimelinePos& pos : record.timeline) refs.push_back({pos, record.id});
  std::vector<uint64_t> owners = record.members;
  owners.push_back(record.id);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), index_));
  std::vector<TimelinePos> chunk;
  for (uint64_t owner : owners) {
    const std::string prefix = ProfileKey(owner);
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      chunk.clear();
      RETURN_IF_ERROR(
          DecodeTimelineChunk(std::string_view(it->value().data(), it->value().size()), &chunk));
      for (const TimelinePos& pos : chunk) refs.push_back({pos, owner});
    }
    RETURN_IF_ERROR(FromRocks(it->status(), "read the timeline index"));
  }
  auto newer = [](const Ref& a, const Ref& b) {
    if (a.pos.ts_us != b.pos.ts_us) return a.pos.ts_us > b.pos.ts_us;
    if (a.pos.seq != b.pos.seq) return a.pos.seq > b.pos.seq;
    return a.profile > b.profile;
  };
  std::sort(refs.begin(), refs.end(), newer);
  // A reader racing the pipeline can see a position both in the record and in a newer chunk.
  refs.erase(std::unique(refs.begin(), refs.end(),
                         [](const Ref& a, const Ref& b) {
                           return a.pos == b.pos && a.profile == b.profile;
                         }),
             refs.end());
  auto first = refs.begin();
  if (after) {
    // Strictly older than the cursor: (ts, seq) below it.
    first = std::partition_point(refs.begin(), refs.end(), [&](const Ref& r) {
      return r.pos.ts_us != after->ts_us ? r.pos.ts_us > after->ts_us : r.pos.seq >= after->seq;
    });
  }
  const size_t n = std::min<size_t>(limit, static_cast<size_t>(refs.end() - first));
  std::vector<std::string> keys(n);
  std::vector<rocksdb::Slice> slices(n);
  for (size_t i = 0; i < n; ++i) {
    keys[i] = TimelineEntryKey(first[i].pos.seq, first[i].profile);
    slices[i] = keys[i];
  }
  std::vector<rocksdb::PinnableSlice> values(n);
  std::vector<rocksdb::Status> statuses(n);
  db_->MultiGet(rocksdb::ReadOptions(), entries_, n, slices.data(), values.data(), statuses.data());
  for (size_t i = 0; i < n; ++i) {
    if (statuses[i].IsNotFound()) {
      return Status::Corruption(
          fmt::format("state store: the timeline index names entry {}.{} "
                      "of profile {}, which does not exist",
                      first[i].pos.ts_us, first[i].pos.seq, ProfileIdText(first[i].profile)));
    }
    RETURN_IF_ERROR(FromRocks(statuses[i], "read timeline entries"));
    TimelineEntry e;
    e.pos.seq = first[i].pos.seq;
    e.profile = first[i].profile;
    Decoder d(std::string_view(values[i].data(), values[i].size()));
    std::string_view json;
    if (!d.SignedVarint64(&e.pos.ts_us) || !d.LengthPrefixed(&e.source) ||
        !d.LengthPrefixed(&json) || !d.done()) {
      return Status::Corruption("state store: malformed timeline entry");
    }
    e.json.assign(json);
    out->push_back(std::move(e));
  }
  return Status::OK();
}

Status StateStore::ScanProfiles(uint64_t from_id,
                                const std::function<bool(const ProfileRecord&)>& visit) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), profiles_));
  for (it->Seek(ProfileKey(from_id)); it->Valid(); it->Next()) {
    ASSIGN_OR_RETURN(ProfileRecord r, ProfileRecord::Decode(std::string_view(it->value().data(),
                                                                             it->value().size())));
    if (r.merged_into != 0) continue;
    if (!visit(r)) break;
  }
  return FromRocks(it->status(), "scan profiles");
}

Status StateStore::ListMembers(uint64_t audience, uint64_t after, size_t limit,
                               std::vector<std::pair<uint64_t, int64_t>>* out) const {
  const std::string prefix = ProfileKey(audience);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), members_));
  size_t taken = 0;
  for (it->Seek(prefix + ProfileKey(after + 1)); it->Valid() && taken < limit; it->Next()) {
    rocksdb::Slice k = it->key();
    if (!k.starts_with(prefix)) break;
    if (k.size() != 16 || it->value().size() != 8) {
      return Status::Corruption("state store: malformed audience member entry");
    }
    out->emplace_back(ReadBigEndian64(std::string_view(k.data() + 8, 8)),
                      static_cast<int64_t>(ReadBigEndian64(
                          std::string_view(it->value().data(), it->value().size()))));
    ++taken;
  }
  return FromRocks(it->status(), "list audience members");
}

Status StateStore::TimersDue(int64_t from_us, int64_t up_to, size_t limit,
                             std::vector<std::pair<int64_t, uint64_t>>* out) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), timers_));
  size_t taken = 0;
  for (it->Seek(ProfileKey(BiasTime(from_us))); it->Valid() && taken < limit; it->Next()) {
    rocksdb::Slice k = it->key();
    if (k.size() != 16) return Status::Corruption("state store: timer key is not 16 bytes");
    const int64_t due = UnbiasTime(ReadBigEndian64(std::string_view(k.data(), 8)));
    if (due > up_to) break;
    out->emplace_back(due, ReadBigEndian64(std::string_view(k.data() + 8, 8)));
    ++taken;
  }
  return FromRocks(it->status(), "read timers");
}

Status StateStore::ReadMerges(MergePos after, size_t limit,
                              std::vector<JournaledMerge>* out) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), merges_));
  const std::string start = ProfileKey(BiasTime(after.at_us)) + ProfileKey(after.from);
  size_t taken = 0;
  for (it->Seek(start); it->Valid() && taken < limit; it->Next()) {
    rocksdb::Slice k = it->key(), v = it->value();
    if (k.size() != 16 || v.size() != 8) {
      return Status::Corruption("state store: merge journal entry is not 16+8 bytes");
    }
    JournaledMerge m;
    m.pos.at_us = UnbiasTime(ReadBigEndian64(std::string_view(k.data(), 8)));
    m.pos.from = ReadBigEndian64(std::string_view(k.data() + 8, 8));
    if (m.pos.at_us == after.at_us && m.pos.from == after.from) continue;  // exclusive
    m.into = ReadBigEndian64(std::string_view(v.data(), v.size()));
    out->push_back(m);
    ++taken;
  }
  return FromRocks(it->status(), "read the merge journal");
}

Result<uint64_t> StateStore::Offset(int partition) const {
  ASSIGN_OR_RETURN(auto v, Get(meta_, OffsetKey(partition)));
  if (!v) return uint64_t{0};
  if (v->size() != 8) return Status::Corruption("state store: offset entry is not 8 bytes");
  return ReadBigEndian64(*v);
}

Result<uint64_t> StateStore::NextProfileId() const {
  ASSIGN_OR_RETURN(auto v, Get(meta_, kNextIdKey));
  if (!v) return uint64_t{1};
  if (v->size() != 8) return Status::Corruption("state store: next id entry is not 8 bytes");
  return ReadBigEndian64(*v);
}

Result<std::optional<std::string>> StateStore::Meta(std::string_view key) const {
  return Get(meta_, std::string("m/").append(key));
}

Status StateStore::Write(StateBatch* batch) {
  rocksdb::WriteOptions wo;  // not synced: the log is the source of truth; a lost tail replays
  batch->AddPending();
  NoRocksPerfCounters();
  return FromRocks(db_->Write(wo, batch->batch_.get()), "write");
}

Status StateStore::SyncWal() { return FromRocks(db_->SyncWAL(), "sync"); }

Status StateStore::Dump(std::string* out) const {
  for (auto* cf : handles_) {
    out->append("## ").append(cf->GetName()).push_back('\n');
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      PutLengthPrefixed(out, std::string_view(it->key().data(), it->key().size()));
      PutLengthPrefixed(out, std::string_view(it->value().data(), it->value().size()));
    }
    RETURN_IF_ERROR(FromRocks(it->status(), "dump"));
  }
  return Status::OK();
}

StateStore::Stats StateStore::GetStats() const {
  Stats s;
  uint64_t v = 0;
  for (auto* cf : handles_) {
    if (db_->GetIntProperty(cf, "rocksdb.estimate-live-data-size", &v)) s.live_bytes += v;
  }
  if (db_->GetIntProperty(profiles_, "rocksdb.estimate-num-keys", &v)) s.profiles = v;
  return s;
}

StateBatch::StateBatch(StateStore* store)
    : store_(store), batch_(std::make_unique<rocksdb::WriteBatch>()) {}
StateBatch::~StateBatch() = default;

void StateBatch::PutIdentifierKey(std::string_view key, uint64_t profile) {
  batch_->Put(store_->ids_, key, ProfileKey(profile));
}
void StateBatch::PutProfile(const ProfileRecord& record) {
  record.EncodeTo(&scratch_);
  batch_->Put(store_->profiles_, ProfileKey(record.id), scratch_);
}
void StateBatch::PutAccount(const AccountRecord& account) {
  batch_->Put(store_->accounts_, account.group_id, account.Encode());
}
void StateBatch::PutTimeline(uint64_t profile, TimelinePos pos, std::string_view source,
                             std::string_view json) {
  Hold(&timeline_, TimelineEntryKey(pos.seq, profile), EncodeTimelineEntry(pos.ts_us, source, json),
       false);
}
void StateBatch::PutTimelineChunk(uint64_t profile, const std::vector<TimelinePos>& positions) {
  Hold(&index_, TimelineChunkKey(profile, positions.front().seq), EncodeTimelineChunk(positions),
       false);
}
void StateBatch::Hold(std::vector<Pending>* ops, std::string key, std::string value, bool del) {
  pending_bytes_ += key.size() + value.size();
  ops->push_back({std::move(key), std::move(value), del});
}
void StateBatch::AddSorted(rocksdb::ColumnFamilyHandle* cf, std::vector<Pending>* ops) {
  std::stable_sort(ops->begin(), ops->end(),
                   [](const Pending& a, const Pending& b) { return a.key < b.key; });
  for (const Pending& op : *ops) {
    if (op.del) {
      batch_->Delete(cf, op.key);
    } else {
      batch_->Put(cf, op.key, op.value);
    }
    pending_bytes_ -= op.key.size() + op.value.size();
  }
  ops->clear();
}
void StateBatch::AddPending() {
  AddSorted(store_->entries_, &timeline_);
  AddSorted(store_->index_, &index_);
  AddSorted(store_->members_, &members_);
  AddSorted(store_->timers_, &timers_);
}
void StateBatch::PutMember(uint64_t audience, uint64_t profile, int64_t since_us) {
  Hold(&members_, ProfileKey(audience) + ProfileKey(profile),
       ProfileKey(static_cast<uint64_t>(since_us)), false);
}
void StateBatch::DeleteMember(uint64_t audience, uint64_t profile) {
  Hold(&members_, ProfileKey(audience) + ProfileKey(profile), "", true);
}
void StateBatch::DeleteAudienceMembers(uint64_t audience) {
  // After the member changes held so far, before any held after it.
  AddSorted(store_->members_, &members_);
  batch_->DeleteRange(store_->members_, ProfileKey(audience), ProfileKey(audience + 1));
}
void StateBatch::PutTimer(int64_t due_us, uint64_t profile) {
  Hold(&timers_, ProfileKey(BiasTime(due_us)) + ProfileKey(profile), "", false);
}
void StateBatch::DeleteTimer(int64_t due_us, uint64_t profile) {
  Hold(&timers_, ProfileKey(BiasTime(due_us)) + ProfileKey(profile), "", true);
}
void StateBatch::PutOffset(int partition, uint64_t next_offset) {
  batch_->Put(store_->meta_, OffsetKey(partition), ProfileKey(next_offset));
}
void StateBatch::PutMerge(int64_t at_us, uint64_t from, uint64_t into) {
  batch_->Put(store_->merges_, ProfileKey(BiasTime(at_us)) + ProfileKey(from), ProfileKey(into));
}

void StateBatch::PutNextProfileId(uint64_t id) {
  batch_->Put(store_->meta_, kNextIdKey, ProfileKey(id));
}
void StateBatch::PutMeta(std::string_view key, std::string_view value) {
  batch_->Put(store_->meta_, std::string("m/").append(key), value);
}
void StateBatch::DeleteMeta(std::string_view key) {
  batch_->Delete(store_->meta_, std::string("m/").append(key));
}
size_t StateBatch::bytes() const { return batch_->GetDataSize() + pending_bytes_; }
void StateBatch::Clear() {
  batch_->Clear();
  timeline_.clear();
  index_.clear();
  members_.clear();
  timers_.clear();
  pending_bytes_ = 0;
}

}  // namespace rapport
