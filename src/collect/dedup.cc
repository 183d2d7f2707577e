#include "collect/dedup.h"

#include <cstring>

#include <fmt/format.h>
#include <rocksdb/compaction_filter.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include "collect/envelope.h"
#include "log/event_log.h"

namespace rapport {
namespace {

// Keys: 'm' source_id 0x1f message_id -> fixed64 received_at_us.
//       'o' fixed32 partition         -> fixed64 next unseen offset.
std::string MessageKey(std::string_view source_id, std::string_view id) {
  std::string k;
  k.reserve(2 + source_id.size() + id.size());
  k.push_back('m');
  k.append(source_id);
  k.push_back('\x1f');
  k.append(id);
  return k;
}

std::string OffsetKey(int partition) {
  std::string k = "o";
  uint32_t p = static_cast<uint32_t>(partition);
  k.append(reinterpret_cast<const char*>(&p), sizeof p);
  return k;
}

std::string Fixed64(uint64_t v) { return std::string(reinterpret_cast<const char*>(&v), 8); }

uint64_t DecodeFixed64(std::string_view s) {
  uint64_t v = 0;
  if (s.size() == 8) std::memcpy(&v, s.data(), 8);
  return v;
}

// Drops message keys older than the window when RocksDB compacts; offsets are kept.
class ExpiryFilter final : public rocksdb::CompactionFilter {
 public:
  ExpiryFilter(Clock* clock, int64_t window_us) : clock_(clock), window_us_(window_us) {}
  bool Filter(int, const rocksdb::Slice& key, const rocksdb::Slice& value, std::string*,
              bool*) const override {
    if (key.empty() || key[0] != 'm') return false;
    auto received = static_cast<int64_t>(DecodeFixed64(value.ToStringView()));
    return clock_->NowMicros() - received > window_us_;
  }
  const char* Name() const override { return "rapport.dedup.expiry"; }

 private:
  Clock* clock_;
  int64_t window_us_;
};

Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return Status::OK();
  if (s.IsNoSpace()) return Status::NoSpace(fmt::format("{}: {}", what, s.ToString()));
  return Status::IOError(fmt::format("{}: {}", what, s.ToString()));
}

}  // namespace

Deduplicator::Deduplicator(DedupOptions options, std::unique_ptr<rocksdb::CompactionFilter> filter,
                           std::unique_ptr<rocksdb::DB> db)
    : options_(std::move(options)), filter_(std::move(filter)), db_(std::move(db)) {}

Deduplicator::~Deduplicator() = default;

Result<std::unique_ptr<Deduplicator>> Deduplicator::Open(DedupOptions options) {
  if (!options.clock) options.clock = SystemClock::Default();
  rocksdb::Options db_options;
  db_options.create_if_missing = true;
  db_options.compression = rocksdb::kLZ4Compression;
  db_options.write_buffer_size = 32 << 20;
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  db_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  // The filter outlives the DB: the Deduplicator declares it first, so destroys it last.
  auto filter = std::make_unique<ExpiryFilter>(options.clock, options.window_us);
  db_options.compaction_filter = filter.get();
  rocksdb::DB* raw = nullptr;
  RETURN_IF_ERROR(FromRocks(rocksdb::DB::Open(db_options, options.dir, &raw),
                            "open de-duplication index " + options.dir));
  std::unique_ptr<rocksdb::DB> db(raw);
  std::unique_ptr<Deduplicator> d(
      new Deduplicator(std::move(options), std::move(filter), std::move(db)));
  RETURN_IF_ERROR(d->LoadOffsets());
  return d;
}

Status Deduplicator::LoadOffsets() {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek("o"); it->Valid() && it->key().starts_with("o"); it->Next()) {
    uint32_t p = 0;
    if (it->key().size() != 5) return Status::Corruption("de-duplication index: bad offset key");
    std::memcpy(&p, it->key().data() + 1, 4);
    if (seen_.size() <= p) seen_.resize(p + 1, 0);
    seen_[p] = DecodeFixed64(it->value().ToStringView());
  }
  return FromRocks(it->status(), "read de-duplication offsets");
}

Result<std::vector<bool>> Deduplicator::Claim(std::string_view source_id,
                                              const std::vector<std::string_view>& ids) {
  std::vector<std::string> keys;
  keys.reserve(ids.size());
  for (auto id : ids) keys.push_back(MessageKey(source_id, id));
  std::vector<bool> fresh(ids.size(), true);
  std::vector<size_t> claimed;  // indexes of keys inserted into pending_
  {
    std::lock_guard lock(mu_);
    for (size_t i = 0; i < keys.size(); ++i) {
      if (pending_.count(keys[i])) {
        bool mine = false;
        for (size_t j : claimed) mine |= keys[j] == keys[i];
        if (!mine) {
          for (size_t j : claimed) pending_.erase(keys[j]);
          return Status::Unavailable(
              fmt::format("messageId \"{}\" is being stored by another request; retry", ids[i]));
        }
        fresh[i] = false;  // repeated within this request
        continue;
      }
      pending_.insert(keys[i]);
      claimed.push_back(i);
    }
  }
  std::vector<rocksdb::Slice> slices;
  for (size_t i : claimed) slices.emplace_back(keys[i]);
  std::vector<std::string> values(slices.size());
  std::vector<rocksdb::Status> statuses = db_->MultiGet(rocksdb::ReadOptions(), slices, &values);
  int64_t now = options_.clock->NowMicros();
  std::lock_guard lock(mu_);
  for (size_t n = 0; n < claimed.size(); ++n) {
    size_t i = claimed[n];
    if (statuses[n].ok()) {
      auto received = static_cast<int64_t>(DecodeFixed64(values[n]));
      if (now - received <= options_.window_us) {
        fresh[i] = false;
        pending_.erase(keys[i]);
      }
    } else if (!statuses[n].IsNotFound()) {
      for (size_t j : claimed) pending_.erase(keys[j]);
      return FromRocks(statuses[n], "de-duplication lookup");
    }
  }
  return fresh;
}

Status Deduplicator::Commit(std::string_view source_id, const std::vector<std::string_view>& ids,
                            int64_t received_at_us,
                            const std::vector<std::pair<int, uint64_t>>& positions) {
  rocksdb::WriteBatch batch;
  std::string value = Fixed64(static_cast<uint64_t>(received_at_us));
  std::vector<std::string> keys;
  keys.reserve(ids.size());
  for (auto id : ids) {
    keys.push_back(MessageKey(source_id, id));
    batch.Put(keys.back(), value);
  }
  std::lock_guard lock(mu_);
  for (auto [partition, offset] : positions) {
    if (seen_.size() <= static_cast<size_t>(partition)) seen_.resize(partition + 1, 0);
    if (offset + 1 > seen_[partition]) {
      seen_[partition] = offset + 1;
      batch.Put(OffsetKey(partition), Fixed64(offset + 1));
    }
  }
  Status s = FromRocks(db_->Write(rocksdb::WriteOptions(), &batch), "de-duplication commit");
  for (const auto& k : keys) pending_.erase(k);
  return s;
}

void Deduplicator::Release(std::string_view source_id, const std::vector<std::string_view>& ids) {
  std::lock_guard lock(mu_);
  for (auto id : ids) pending_.erase(MessageKey(source_id, id));
}

uint64_t Deduplicator::SeenOffset(int partition) const {
  std::lock_guard lock(mu_);
  return static_cast<size_t>(partition) < seen_.size() ? seen_[partition] : 0;
}

Result<uint64_t> Deduplicator::CatchUp(const EventLog& log) {
  uint64_t replayed = 0;
  std::vector<LogEntry> entries;
  for (int p = 0; p < log.partitions(); ++p) {
    uint64_t from = std::max(SeenOffset(p), log.StartOffset(p));
    while (from < log.EndOffset(p)) {
      entries.clear();
      RETURN_IF_ERROR(log.Read(p, from, 4096, &entries));
      if (entries.empty()) break;
      rocksdb::WriteBatch batch;
      for (const LogEntry& e : entries) {
        auto env = DecodeEnvelope(e.payload);
        if (!env.ok()) {
          return env.status().WithContext(fmt::format("partition {} offset {}", p, e.offset));
        }
        batch.Put(MessageKey(env->source_id, env->message_id),
                  Fixed64(static_cast<uint64_t>(env->received_at_us)));
      }
      from = entries.back().offset + 1;
      batch.Put(OffsetKey(p), Fixed64(from));
      RETURN_IF_ERROR(
          FromRocks(db_->Write(rocksdb::WriteOptions(), &batch), "de-duplication replay"));
      replayed += entries.size();
      std::lock_guard lock(mu_);
      if (seen_.size() <= static_cast<size_t>(p)) seen_.resize(p + 1, 0);
      seen_[p] = from;
    }
  }
  return replayed;
}

}  // namespace rapport
