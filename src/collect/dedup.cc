#include "collect/dedup.h"

#include <sodium.h>

#include <algorithm>
#include <bit>
#include <cstdio>
#include <cstring>

#include <fmt/format.h>
#include <rocksdb/compaction_filter.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/sst_file_writer.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>
#include <spdlog/spdlog.h>

#include "collect/envelope.h"
#include "common/rocks_options.h"
#include "common/threads.h"
#include "log/event_log.h"

namespace rapport {
namespace {

// Keys: 'm' 16-byte hash of (source_id, message_id) -> fixed64 received_at_us.
//       'o' fixed32 partition                      -> fixed64 next unseen offset.

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
  return rapport::FromRocks(s, "de-duplication index", what);
}

}  // namespace

DedupKey Deduplicator::MakeKey(std::string_view source_id, std::string_view id) {
  crypto_generichash_state st;
  crypto_generichash_init(&st, nullptr, 0, 16);
  uint32_t n = static_cast<uint32_t>(source_id.size());  // length-prefixed: no ambiguity
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(&n), sizeof n);
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(source_id.data()),
                            source_id.size());
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(id.data()), id.size());
  unsigned char out[16];
  crypto_generichash_final(&st, out, sizeof out);
  DedupKey k;
  std::memcpy(&k.hi, out, 8);
  std::memcpy(&k.lo, out + 8, 8);
  return k;
}

std::string Deduplicator::DbKey(const DedupKey& k) {
  std::string s(17, 'm');
  std::memcpy(s.data() + 1, &k.hi, 8);
  std::memcpy(s.data() + 9, &k.lo, 8);
  return s;
}

Deduplicator::Deduplicator(DedupOptions options, std::unique_ptr<rocksdb::Options> db_options,
                           std::unique_ptr<rocksdb::CompactionFilter> filter,
                           std::unique_ptr<rocksdb::DB> db)
    : options_(std::move(options)),
      db_options_(std::move(db_options)),
      filter_(std::move(filter)),
      db_(std::move(db)),
      recent_(options_.run_keys),  // never grown under mu_: Flush swaps in spare_
      spare_(options_.run_keys),
      key_filter_(options_.filter_epoch_keys, options_.window_us / 2, options_.filter_max_bytes) {
  committer_ = std::thread([this] {
    SetThreadName("dedup-index");
    CommitLoop();
  });
}

Deduplicator::~Deduplicator() {
  stop_loading_ = true;
  if (filter_loader_.joinable()) filter_loader_.join();
  {
    std::lock_guard lock(queue_mu_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  if (committer_.joinable()) committer_.join();
  // What is only in memory would come back by replaying the log; writing it now saves that.
  if (db_) (void)Flush();
}

void Deduplicator::CommitLoop() {
  std::deque<Job> jobs;
  std::unique_lock lock(queue_mu_);
  while (true) {
    queue_cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    // Let the jobs of a few groups gather (CommitAsync wakes this thread once per batch).
    queue_cv_.wait_for(lock, kGatherJobsFor,
                       [this] { return stopping_ || queue_.size() >= kWakeAtJobs; });
    if (queue_.empty()) return;  // stopping, and everything queued is done
    jobs.swap(queue_);
    busy_ = jobs.size();
    lock.unlock();
    for (Job& job : jobs) {
      Status s = Commit(std::move(job.keys), job.received_at_us, std::move(job.positions));
      if (job.done) job.done(s);
    }
    jobs.clear();
    lock.lock();
    busy_ = 0;
    queue_cv_.notify_all();
  }
}

void Deduplicator::CommitAsync(std::vector<DedupKey> keys, int64_t received_at_us,
                               std::vector<std::pair<int, uint64_t>> positions,
                               std::function<void(const Status&)> done) {
  bool wake = false;
  {
    std::lock_guard lock(queue_mu_);
    queue_.push_back({std::move(keys), received_at_us, std::move(positions), std::move(done)});
    // Wake the index's thread for the first job of a batch and when a batch is full, not for
    // each: a wake-up per /v1/track request was ~10 % of the log's group-commit thread.
    wake = queue_.size() == 1 || queue_.size() == kWakeAtJobs;
  }
  if (wake) queue_cv_.notify_all();
}

void Deduplicator::Drain() {
  std::unique_lock lock(queue_mu_);
  queue_cv_.wait(lock, [this] { return queue_.empty() && busy_ == 0; });
}

Result<std::unique_ptr<Deduplicator>> Deduplicator::Open(DedupOptions options) {
  if (!options.clock) options.clock = SystemClock::Default();
  if (options.run_keys == 0) options.run_keys = 1;
  auto db_options = std::make_unique<rocksdb::Options>();
  db_options->create_if_missing = true;
  db_options->compression = rocksdb::kNoCompression;  // 128-bit hashes do not compress
  SmoothWriteback(db_options.get());
  PaceFlushesAndCompactions(db_options.get());
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  db_options->table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  // The filter outlives the DB: the Deduplicator declares it first, so destroys it last.
  auto filter = std::make_unique<ExpiryFilter>(options.clock, options.window_us);
  db_options->compaction_filter = filter.get();
  rocksdb::DB* raw = nullptr;
  RETURN_IF_ERROR(
      FromRocks(rocksdb::DB::Open(*db_options, options.dir, &raw), "open " + options.dir));
  std::unique_ptr<rocksdb::DB> db(raw);
  std::unique_ptr<Deduplicator> d(new Deduplicator(std::move(options), std::move(db_options),
                                                   std::move(filter), std::move(db)));
  RETURN_IF_ERROR(d->LoadOffsets());
  d->filter_loader_ = std::thread([raw = d.get()] {
    SetThreadName("dedup-filter");
    EnterBackgroundPriority();
    raw->LoadFilter();
  });
  return d;
}

void Deduplicator::LoadFilter() {
  rocksdb::ReadOptions ro;
  ro.total_order_seek = true;
  ro.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
  std::vector<std::pair<uint64_t, uint64_t>> keys;
  int64_t newest = 0;
  size_t loaded = 0;
  auto add = [&] {
    key_filter_.Add(keys, newest);
    loaded += keys.size();
    keys.clear();
    newest = 0;
  };
  for (it->Seek("m"); it->Valid() && it->key().starts_with("m"); it->Next()) {
    if (stop_loading_) return;
    if (it->key().size() != 17 || it->value().size() != 8) continue;  // not a run key
    uint64_t hi = 0, lo = 0;
    std::memcpy(&hi, it->key().data() + 1, 8);
    std::memcpy(&lo, it->key().data() + 9, 8);
    keys.emplace_back(hi, lo);
    newest = std::max(newest, static_cast<int64_t>(DecodeFixed64(it->value().ToStringView())));
    if (keys.size() == 65536) add();
  }
  if (!it->status().ok()) {
    spdlog::warn(
        "de-duplication index: keys not loaded into the filter ({}); every new "
        "messageId is looked up in RocksDB",
        it->status().ToString());
    return;
  }
  add();
  filter_loaded_ = true;
  if (loaded > 0) spdlog::info("de-duplication index: {} keys in the filter", loaded);
}

bool Deduplicator::FilterTrusted() const { return filter_loaded_ && !key_filter_.over_capacity(); }

Status Deduplicator::LoadOffsets() {
  rocksdb::ReadOptions ro;
  ro.total_order_seek = true;  // across prefixes (the memtable is hashed by prefix)
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
  for (it->Seek("o"); it->Valid() && it->key().starts_with("o"); it->Next()) {
    uint32_t p = 0;
    if (it->key().size() != 5) return Status::Corruption("de-duplication index: bad offset key");
    std::memcpy(&p, it->key().data() + 1, 4);
    if (seen_.size() <= p) seen_.resize(p + 1, 0);
    seen_[p] = DecodeFixed64(it->value().ToStringView());
  }
  persisted_ = seen_;
  return FromRocks(it->status(), "read the offsets");
}

Result<DedupClaim> Deduplicator::Claim(std::string_view source_id,
                                       const std::vector<std::string_view>& ids) {
  std::vector<DedupKey> keys;
  keys.reserve(ids.size());
  for (auto id : ids) keys.push_back(MakeKey(source_id, id));
  DedupClaim claim;
  claim.fresh.assign(ids.size(), true);
  const int64_t now = options_.clock->NowMicros();
  // Working lists, kept per thread: a request of one event should not allocate five of them.
  thread_local struct {
    std::vector<size_t> claimed;  // indexes of keys this call inserted into pending_
    std::vector<size_t> maybe;    // claimed keys the filter may have seen
    std::vector<size_t> lookup;   // of those, not indexed in memory: may be in a run
    std::vector<std::pair<uint64_t, uint64_t>> probes;
    std::vector<char> may;
  } scratch;
  std::vector<size_t>& claimed = scratch.claimed;
  claimed.clear();
  auto unclaim = [&] {  // needs mu_
    for (size_t j : claimed) {
      if (claim.fresh[j]) pending_.erase(keys[j]);
    }
  };
  {
    std::lock_guard lock(mu_);
    for (size_t i = 0; i < keys.size(); ++i) {
      auto [it, inserted] = pending_.try_emplace(keys[i], false);
      if (inserted) {
        claimed.push_back(i);
        continue;
      }
      if (it->second) {  // durable in the log, only not yet indexed: a duplicate
        claim.fresh[i] = false;
        continue;
      }
      bool mine = false;
      for (size_t j : claimed) mine |= keys[j] == keys[i];
      if (!mine) {
        unclaim();
        return Status::Unavailable(
            fmt::format("messageId \"{}\" is being stored by another request; retry", ids[i]));
      }
      claim.fresh[i] = false;  // repeated within this request
    }
  }
  // A claimed key was not pending, so if it was ever indexed, AddToRun had put it in the filter
  // before taking it out of pending_: a key the trusted filter never saw is new, with no look-up
  // in memory or RocksDB. Probed without mu_, which the HTTP threads share.
  std::vector<size_t>& maybe = scratch.maybe;
  maybe.clear();
  if (FilterTrusted()) {
    auto& probes = scratch.probes;
    probes.clear();
    for (size_t i : claimed) probes.emplace_back(keys[i].hi, keys[i].lo);
    auto& may = scratch.may;
    key_filter_.MayContainEach(probes, &may);
    for (size_t n = 0; n < claimed.size(); ++n) {
      if (may[n]) maybe.push_back(claimed[n]);
    }
  } else {
    maybe = claimed;
  }
  if (!maybe.empty()) {
    std::vector<size_t>& lookup = scratch.lookup;
    lookup.clear();
    {
      std::lock_guard lock(mu_);
      for (size_t i : maybe) {
        int64_t received = RecentLocked(keys[i]);
        if (received >= 0 && now - received <= options_.window_us) {
          claim.fresh[i] = false;  // indexed in memory: a duplicate
          pending_.erase(keys[i]);
        } else {
          lookup.push_back(i);
        }
      }
    }
    std::vector<std::string> db_keys;
    db_keys.reserve(lookup.size());
    for (size_t i : lookup) db_keys.push_back(DbKey(keys[i]));
    std::vector<rocksdb::Slice> slices(db_keys.begin(), db_keys.end());
    std::vector<std::string> values(slices.size());
    NoRocksPerfCounters();
    std::vector<rocksdb::Status> statuses =
        slices.empty() ? std::vector<rocksdb::Status>{}
                       : db_->MultiGet(rocksdb::ReadOptions(), slices, &values);
    std::lock_guard lock(mu_);
    for (size_t n = 0; n < lookup.size(); ++n) {
      size_t i = lookup[n];
      if (statuses[n].ok()) {
        auto received = static_cast<int64_t>(DecodeFixed64(values[n]));
        if (now - received <= options_.window_us) {
          claim.fresh[i] = false;
          pending_.erase(keys[i]);
        }
      } else if (!statuses[n].IsNotFound()) {
        unclaim();
        return FromRocks(statuses[n], "look-up");
      }
    }
  }
  for (size_t i : claimed) {
    if (claim.fresh[i]) claim.keys.push_back(keys[i]);
  }
  return claim;
}

Status Deduplicator::Commit(std::vector<DedupKey> keys, int64_t received_at_us,
                            std::vector<std::pair<int, uint64_t>> positions) {
  AddToRun(keys, received_at_us, positions);
  return FlushIfFull();
}

Status Deduplicator::FlushIfFull() {
  {
    std::lock_guard lock(mu_);
    if (recent_.size() < options_.run_keys) return Status::OK();
  }
  return Flush();
}

void Deduplicator::AddToRun(const std::vector<DedupKey>& keys, int64_t received_at_us,
                            const std::vector<std::pair<int, uint64_t>>& positions) {
  // Into the filter before the keys leave pending_ (Claim relies on it), after the epochs past
  // the window made room.
  std::vector<std::pair<uint64_t, uint64_t>> filter_keys;
  filter_keys.reserve(keys.size());
  for (const DedupKey& k : keys) filter_keys.emplace_back(k.hi, k.lo);
  key_filter_.Expire(options_.clock->NowMicros() - options_.window_us);
  key_filter_.Add(filter_keys, received_at_us);
  std::lock_guard lock(mu_);
  for (const DedupKey& k : keys) {
    recent_.Put(k.hi, k.lo, received_at_us);
    pending_.erase(k);
  }
  for (auto [partition, offset] : positions) {
    if (seen_.size() <= static_cast<size_t>(partition)) seen_.resize(partition + 1, 0);
    seen_[partition] = std::max(seen_[partition], offset + 1);
  }
}

int64_t Deduplicator::RecentLocked(const DedupKey& k) const {
  if (int64_t r = recent_.Find(k.hi, k.lo); r >= 0) return r;
  return flushing_.Find(k.hi, k.lo);
}

Status Deduplicator::Flush() {
  std::lock_guard flush_lock(flush_mu_);
  // The HTTP threads' Claim waits on mu_, so it covers only swaps, never a pass over (or a
  // rehash, allocation or free of) a quarter-million keys: the in-memory run becomes flushing_,
  // and the emptied spare_ (sized for a run) takes the new keys.
  std::vector<uint64_t> offsets;
  {
    std::lock_guard lock(mu_);
    if (recent_.empty() && seen_ == persisted_) return Status::OK();
    std::swap(flushing_, recent_);  // still answers lookups until the run is in RocksDB
    std::swap(recent_, spare_);
    offsets = seen_;  // exactly what the keys in flushing_ cover
  }
  // flushing_ is only read from here on, so this thread walks it without mu_. Its keys are in
  // the filter already (AddToRun).
  Status s = WriteRun(offsets);
  {
    std::lock_guard lock(mu_);
    if (!s.ok()) {
      // Not written: the keys go back to the in-memory run, to be written by a later flush.
      flushing_.ForEach([&](uint64_t hi, uint64_t lo, int64_t received) {
        if (recent_.Find(hi, lo) < 0) recent_.Put(hi, lo, received);
      });
    } else {
      persisted_ = offsets;
    }
    std::swap(flushing_, spare_);
  }
  spare_.Clear();  // after unlocking, ready for the next flush
  return s;
}

Status Deduplicator::WriteRun(const std::vector<uint64_t>& offsets) {
  std::vector<std::pair<DedupKey, int64_t>> run;
  run.reserve(flushing_.size());
  flushing_.ForEach([&](uint64_t hi, uint64_t lo, int64_t received) {
    run.push_back({DedupKey{hi, lo}, received});
  });
  if (!run.empty()) {
    // A sorted run goes into RocksDB as one SST file: no memtable inserts, no sort on flush.
    // In DbKey's byte order, compared as integers (sorting the 17-byte strings with memcmp took
    // half of the index thread).
    static_assert(std::endian::native == std::endian::little, "DbKey copies hi and lo as is");
    std::sort(run.begin(), run.end(), [](const auto& a, const auto& b) {
      const uint64_t ah = __builtin_bswap64(a.first.hi), bh = __builtin_bswap64(b.first.hi);
      if (ah != bh) return ah < bh;
      return __builtin_bswap64(a.first.lo) < __builtin_bswap64(b.first.lo);
    });
    std::string path = fmt::format("{}/run-{}.sst.tmp", options_.dir, ++run_seq_);
    rocksdb::SstFileWriter writer(rocksdb::EnvOptions(), *db_options_);
    Status s = FromRocks(writer.Open(path), "write a run");
    for (size_t i = 0; i < run.size() && s.ok(); ++i) {
      s = FromRocks(writer.Put(DbKey(run[i].first), Fixed64(static_cast<uint64_t>(run[i].second))),
                    "write a run");
    }
    if (s.ok()) s = FromRocks(writer.Finish(), "write a run");
    if (s.ok()) {
      rocksdb::IngestExternalFileOptions ingest;
      ingest.move_files = true;
      s = FromRocks(db_->IngestExternalFile({path}, ingest), "ingest a run");
    }
    if (!s.ok()) {
      std::remove(path.c_str());
      return s;
    }
  }
  // Offsets after the run they describe; WAL on, so they survive a crash of the process.
  NoRocksPerfCounters();
  rocksdb::WriteBatch batch;
  for (size_t p = 0; p < offsets.size(); ++p)
    batch.Put(OffsetKey(static_cast<int>(p)), Fixed64(offsets[p]));
  return FromRocks(db_->Write(rocksdb::WriteOptions(), &batch), "write the offsets");
}

void Deduplicator::MarkDurable(const std::vector<DedupKey>& keys) {
  std::lock_guard lock(mu_);
  for (const DedupKey& k : keys) {
    auto it = pending_.find(k);
    if (it != pending_.end()) it->second = true;
  }
}

void Deduplicator::Release(const std::vector<DedupKey>& keys) {
  std::lock_guard lock(mu_);
  for (const DedupKey& k : keys) pending_.erase(k);
}

uint64_t Deduplicator::SeenOffset(int partition) const {
  std::lock_guard lock(mu_);
  return static_cast<size_t>(partition) < persisted_.size() ? persisted_[partition] : 0;
}

Result<uint64_t> Deduplicator::CatchUp(const EventLog& log) {
  uint64_t replayed = 0;
  std::vector<LogEntry> entries;
  for (int p = 0; p < log.partitions(); ++p) {
    if (SeenOffset(p) > log.EndOffset(p)) {
      // The log is shorter than what the index saw (restored or replaced log): offsets would
      // be reused by new events, so this partition's offsets start over from the log.
      std::lock_guard lock(mu_);
      seen_[p] = persisted_[p] = 0;
    }
    uint64_t from = std::max(SeenOffset(p), log.StartOffset(p));
    while (from < log.EndOffset(p)) {
      entries.clear();
      RETURN_IF_ERROR(log.Read(p, from, 4096, &entries));
      if (entries.empty()) break;
      for (const LogEntry& e : entries) {
        auto env = DecodeEnvelope(e.payload);
        if (!env.ok()) {
          return env.status().WithContext(fmt::format("partition {} offset {}", p, e.offset));
        }
        AddToRun({MakeKey(env->source_id, env->message_id)}, env->received_at_us, {{p, e.offset}});
      }
      from = entries.back().offset + 1;
      replayed += entries.size();
      RETURN_IF_ERROR(FlushIfFull());
    }
  }
  RETURN_IF_ERROR(Flush());
  return replayed;
}

}  // namespace rapport
