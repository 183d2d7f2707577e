#include "activate/outbox.h"

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <deque>
#include <limits>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "activate/destination_def.h"
#include "activate/ready_flows.h"
#include "activate/template.h"
#include "common/rocks_options.h"

namespace rapport {
namespace {

Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  return rapport::FromRocks(s, "outbox", what);
}

Status UnknownDestination(std::string_view name) {
  return Status::NotFound(fmt::format("outbox: no destination \"{}\"", name));
}

Status NotInFlight(std::string_view name, uint64_t id) {
  return Status::NotFound(fmt::format("outbox: item {} of \"{}\" is not in flight", id, name));
}

double Percentile(std::vector<int64_t> v, double p) {
  if (v.empty()) return 0;
  size_t k = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return static_cast<double>(v[k]) / 1000.0;
}

}  // namespace

// What scheduling needs of a queued item, kept in memory for the window.
struct OutboxEntry {
  std::string profile;
  std::string flow;
  int64_t created_us = 0;
  int64_t next_attempt_us = 0;
  bool in_flight = false;
};

struct Outbox::Queue {
  explicit Queue(std::string n) : name(std::move(n)) {}
  const std::string name;
  std::mutex mu;
  bool dropped = false;  // GUARDED_BY(mu)
  OutboxCounters counters;
  // The window: every queued item with id <= loaded_upto, by id.
  std::map<uint64_t, OutboxEntry> window;
  uint64_t loaded_upto = 0;
  std::unordered_map<std::string, std::deque<uint64_t>> by_profile;  // window ids per profile
  ReadyFlows ready;  // the sendable heads (each profile's oldest item; every unordered one)
  uint64_t in_flight = 0;
  std::vector<int64_t> latencies;  // ring of recent delivery latencies (µs)
  size_t latency_next = 0;
};

Outbox::Outbox(OutboxOptions options, std::unique_ptr<rocksdb::DB> db)
    : options_(std::move(options)),
      clock_(options_.clock ? options_.clock : SystemClock::Default()),
      db_(std::move(db)) {}

Outbox::~Outbox() = default;

Result<std::unique_ptr<Outbox>> Outbox::Open(OutboxOptions options) {
  rocksdb::Options db_options;
  db_options.create_if_missing = true;
  db_options.max_background_jobs = 2;
  db_options.compression = rocksdb::kLZ4Compression;
  SmoothWriteback(&db_options);
  PaceFlushesAndCompactions(&db_options);
  rocksdb::DB* raw = nullptr;
  RETURN_IF_ERROR(
      FromRocks(rocksdb::DB::Open(db_options, options.dir, &raw), "open " + options.dir));
  if (options.window < 2) options.window = 2;
  std::unique_ptr<Outbox> outbox(new Outbox(std::move(options), std::unique_ptr<rocksdb::DB>(raw)));
  RETURN_IF_ERROR(outbox->Load());
  return outbox;
}

Status Outbox::Load() {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek("s"); it->Valid() && it->key().starts_with("s"); it->Next()) {
    std::string name = it->key().ToString().substr(1);
    ASSIGN_OR_RETURN(OutboxCounters counters, DecodeOutboxCounters(it->value().ToStringView()));
    auto q = std::make_shared<Queue>(name);
    q->counters = counters;
    std::lock_guard lock(q->mu);
    RETURN_IF_ERROR(Refill(*q));
    queues_.emplace(std::move(name), std::move(q));
  }
  return FromRocks(it->status(), "load");
}

std::shared_ptr<Outbox::Queue> Outbox::Find(std::string_view destination) const {
  std::shared_lock lock(mu_);
  auto it = queues_.find(destination);
  return it == queues_.end() ? nullptr : it->second;
}

Status Outbox::AddDestination(std::string_view destination) {
  if (!ValidDestinationName(destination)) {
    return Status::InvalidArgument(
        fmt::format("outbox: \"{}\" is not a destination name", destination));
  }
  std::unique_lock lock(mu_);
  if (queues_.count(destination)) return Status::OK();
  auto q = std::make_shared<Queue>(std::string(destination));
  RETURN_IF_ERROR(FromRocks(db_->Put(rocksdb::WriteOptions(), OutboxCountersKey(destination),
                                     EncodeOutboxCounters(q->counters)),
                            "add destination"));
  queues_.emplace(std::string(destination), std::move(q));
  return Status::OK();
}

Status Outbox::DropDestination(std::string_view destination) {
  std::shared_ptr<Queue> q;
  {
    std::unique_lock lock(mu_);
    auto it = queues_.find(destination);
    if (it == queues_.end()) return UnknownDestination(destination);
    q = it->second;
    queues_.erase(it);
  }
  std::lock_guard lock(q->mu);
  q->dropped = true;
  rocksdb::WriteBatch batch;
  for (OutboxSpace space : {OutboxSpace::kQueue, OutboxSpace::kDead}) {
    batch.DeleteRange(OutboxPrefixBegin(space, destination), OutboxPrefixEnd(space, destination));
  }
  batch.Delete(OutboxCountersKey(destination));
  return FromRocks(db_->Write(rocksdb::WriteOptions(), &batch), "drop destination");
}

std::vector<std::string> Outbox::Destinations() const {
  std::shared_lock lock(mu_);
  std::vector<std::string> out;
  for (const auto& [name, q] : queues_) out.push_back(name);
  return out;
}

void Outbox::SetListener(std::function<void(const std::string&)> on_ready) {
  std::lock_guard lock(listener_mu_);
  on_ready_ = std::move(on_ready);
}

void Outbox::Notify(const std::string& destination) {
  // Called under the lock, so that SetListener(nullptr) returns only once no call is running.
  std::lock_guard lock(listener_mu_);
  if (on_ready_) on_ready_(destination);
}

Status Outbox::Write(Queue& q, rocksdb::WriteBatch* batch, const OutboxCounters& counters) {
  batch->Put(OutboxCountersKey(q.name), EncodeOutboxCounters(counters));
  NoRocksPerfCounters();
  RETURN_IF_ERROR(FromRocks(db_->Write(rocksdb::WriteOptions(), batch), "write"));
  q.counters = counters;
  return Status::OK();
}

void Outbox::AddToWindow(Queue& q, const OutboxItem& item) {
  q.window[item.id] =
      OutboxEntry{item.profile_key, item.flow, item.created_us, item.next_attempt_us, false};
  q.loaded_upto = std::max(q.loaded_upto, item.id);
  if (item.profile_key.empty()) {
    q.ready.Add(item.flow, item.next_attempt_us, item.id);
    return;
  }
  std::deque<uint64_t>& ids = q.by_profile[item.profile_key];
  ids.push_back(item.id);
  if (ids.size() == 1) q.ready.Add(item.flow, item.next_attempt_us, item.id);
}

void Outbox::RemoveFromWindow(Queue& q, uint64_t id) {
  auto it = q.window.find(id);
  if (it == q.window.end()) return;
  OutboxEntry e = std::move(it->second);
  q.window.erase(it);
  q.ready.Remove(e.flow, e.next_attempt_us, id);
  if (e.in_flight) --q.in_flight;
  if (e.profile.empty()) return;
  auto p = q.by_profile.find(e.profile);
  if (p == q.by_profile.end()) return;
  std::deque<uint64_t>& ids = p->second;
  const bool was_head = !ids.empty() && ids.front() == id;
  ids.erase(std::remove(ids.begin(), ids.end(), id), ids.end());
  if (ids.empty()) {
    q.by_profile.erase(p);
  } else if (was_head) {
    const OutboxEntry& head = q.window.at(ids.front());
    if (!head.in_flight) q.ready.Add(head.flow, head.next_attempt_us, ids.front());
  }
}

// Loads queued items after loaded_upto until the window is full or the queue ends.
Status Outbox::Refill(Queue& q) {
  if (q.window.size() >= options_.window || q.loaded_upto + 1 >= q.counters.next_id) {
    return Status::OK();
  }
  rocksdb::ReadOptions ro;
  const std::string end = OutboxPrefixEnd(OutboxSpace::kQueue, q.name);
  rocksdb::Slice upper(end);
  ro.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
  bool full = false;
  for (it->Seek(OutboxKey(OutboxSpace::kQueue, q.name, q.loaded_upto + 1)); it->Valid();
       it->Next()) {
    if (q.window.size() >= options_.window) {
      full = true;
      break;
    }
    const uint64_t id = OutboxKeyId(it->key().ToStringView());
    Result<OutboxItem> item = DecodeOutboxItem(it->value().ToStringView(), id);
    if (!item.ok()) {
      // As in TakeDue: a record that cannot be read cannot be sent. It stays on disk (and in
      // `queued`), out of the window, and the rest of the queue goes on: one bad record must
      // stop neither the destination nor the server's start.
      spdlog::error("outbox: destination \"{}\": item {}: {} (skipped; left on disk)", q.name, id,
                    item.status().ToString());
      q.loaded_upto = std::max(q.loaded_upto, id);
      continue;
    }
    AddToWindow(q, *item);
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "load queue"));
  if (!full) q.loaded_upto = q.counters.next_id - 1;  // everything is in the window
  return Status::OK();
}

Status Outbox::Enqueue(std::string_view destination, std::vector<OutboxItem> items,
                       std::vector<uint64_t>* ids) {
  if (items.size() > kMaxEnqueueItems) {
    return Status::InvalidArgument(
        fmt::format("outbox: at most {} items per call, got {}", kMaxEnqueueItems, items.size()));
  }
  for (const OutboxItem& item : items) {
    if (item.idempotency_key.empty() || item.idempotency_key.size() > kMaxIdempotencyKeyBytes ||
        item.profile_key.size() > kMaxProfileKeyBytes || item.flow.size() > kMaxFlowBytes ||
        item.body.size() > kMaxRenderedBytes) {
      static_assert(kMaxFlowBytes == kMaxProfileKeyBytes, "one bound in the message below");
      return Status::InvalidArgument(fmt::format(
          "outbox: an item needs an idempotency key of 1 to {} bytes, a profile key and a flow of "
          "at most {} bytes each and a body of at most {} bytes",
          kMaxIdempotencyKeyBytes, kMaxProfileKeyBytes, kMaxRenderedBytes));
    }
  }
  std::shared_ptr<Queue> q = Find(destination);
  if (!q) return UnknownDestination(destination);
  if (items.empty()) return Status::OK();
  const int64_t now = clock_->NowMicros();
  {
    std::lock_guard lock(q->mu);
    if (q->dropped) return UnknownDestination(destination);
    OutboxCounters c = q->counters;
    const bool caught_up = q->loaded_upto + 1 == c.next_id;
    rocksdb::WriteBatch batch;
    for (OutboxItem& item : items) {
      item.id = c.next_id++;
      if (item.created_us == 0) item.created_us = now;
      item.next_attempt_us = std::max(item.next_attempt_us, item.created_us);
      item.attempts = 0;
      batch.Put(OutboxKey(OutboxSpace::kQueue, q->name, item.id), EncodeOutboxItem(item));
    }
    c.queued += items.size();
    RETURN_IF_ERROR(Write(*q, &batch, c));
    if (caught_up && q->window.size() + items.size() <= options_.window) {
      for (const OutboxItem& item : items) AddToWindow(*q, item);
    }
  }
  if (ids != nullptr) {
    for (const OutboxItem& item : items) ids->push_back(item.id);
  }
  Notify(q->name);
  return Status::OK();
}

Status Outbox::Sync() { return FromRocks(db_->SyncWAL(), "sync"); }

Result<std::vector<OutboxItem>> Outbox::TakeDue(std::string_view destination, int64_t now_us,
                                                size_t max) {
  std::shared_ptr<Queue> q = Find(destination);
  if (!q) return UnknownDestination(destination);
  std::lock_guard lock(q->mu);
  if (q->dropped) return UnknownDestination(destination);
  if (q->window.size() < options_.window / 2) RETURN_IF_ERROR(Refill(*q));
  std::vector<OutboxItem> out;
  std::vector<uint64_t> due;
  // An item that cannot be read leaves its place to the next due one: take until `max` or none.
  while (out.size() < max) {
    due.clear();
    q->ready.TakeDue(now_us, max - out.size(), &due);
    if (due.empty()) break;
    for (const uint64_t id : due) {
      std::string value;
      rocksdb::Status s =
          db_->Get(rocksdb::ReadOptions(), OutboxKey(OutboxSpace::kQueue, q->name, id), &value);
      auto item = s.ok() ? DecodeOutboxItem(value, id) : Result<OutboxItem>(FromRocks(s, "read"));
      if (!item.ok()) {
        // A record that cannot be read cannot be sent: leave it on disk, out of the window.
        spdlog::error("outbox: destination \"{}\": item {}: {}", q->name, id,
                      item.status().ToString());
        RemoveFromWindow(*q, id);
        continue;
      }
      OutboxEntry& e = q->window.at(id);
      e.in_flight = true;
      ++q->in_flight;
      out.push_back(std::move(*item));
    }
  }
  return out;
}

int64_t Outbox::NextDue(std::string_view destination) const {
  std::shared_ptr<Queue> q = Find(destination);
  if (!q) return std::numeric_limits<int64_t>::max();
  std::lock_guard lock(q->mu);
  if (q->ready.empty()) {
    // Items beyond the window become ready once loaded (TakeDue refills).
    return q->loaded_upto + 1 < q->counters.next_id && q->window.size() < options_.window / 2
               ? 0
               : std::numeric_limits<int64_t>::max();
  }
  return q->ready.EarliestDue();
}

Status Outbox::Delivered(std::string_view destination, uint64_t id, int64_t now_us) {
  std::shared_ptr<Queue> q = Find(destination);
  if (!q) return UnknownDestination(destination);
  std::lock_guard lock(q->mu);
  auto it = q->window.find(id);
  if (q->dropped || it == q->window.end() || !it->second.in_flight) {
    return NotInFlight(destination, id);
  }
  const int64_t latency = std::max<int64_t>(0, now_us - it->second.created_us);
  rocksdb::WriteBatch batch;
  batch.Delete(OutboxKey(OutboxSpace::kQueue, q->name, id));
  OutboxCounters c = q->counters;
  --c.queued;
  ++c.delivered;
  RETURN_IF_ERROR(Write(*q, &batch, c));
  RemoveFromWindow(*q, id);
  if (options_.latency_samples > 0) {
    if (q->latencies.size() < options_.latency_samples) {
      q->latencies.push_back(latency);
    } else {
      q->latencies[q->latency_next] = latency;
      q->latency_next = (q->latency_next + 1) % options_.latency_samples;
    }
  }
  return Status::OK();
}

Status Outbox::Retry(std::string_view destination, uint64_t id, int32_t attempts,
                     int64_t next_attempt_us, std::string_view error, int32_t http_status) {
  std::shared_ptr<Queue> q = Find(destination);
  if (!q) return UnknownDestination(destination);
  std::lock_guard lock(q->mu);
  auto it = q->window.find(id);
  if (q->dropped || it == q->window.end() || !it->second.in_flight) {
    return NotInFlight(destination, id);
  }
  const std::string key = OutboxKey(OutboxSpace::kQueue, q->name, id);
  std::string value;
  RETURN_IF_ERROR(FromRocks(db_->Get(rocksdb::ReadOptions(), key, &value), "read"));
  ASSIGN_OR_RETURN(OutboxItem item, DecodeOutboxItem(value, id));
  item.attempts = attempts;
  item.next_attempt_us = next_attempt_us;
  item.last_error = std::string(error);
  item.last_status = http_status;
  rocksdb::WriteBatch batch;
  batch.Put(key, EncodeOutboxItem(item));
  OutboxCounters c = q->counters;
  ++c.failed_attempts;
  RETURN_IF_ERROR(Write(*q, &batch, c));
  OutboxEntry& e = it->second;
  e.in_flight = false;
  --q->in_flight;
  e.next_attempt_us = next_attempt_us;
  q->ready.Add(e.flow, next_attempt_us, id);
  return Status::OK();
}

Status Outbox::DeadLetter(std::string_view destination, uint64_t id, int32_t attempts,
                          std::string_view error, int32_t http_status, int64_t now_us) {
  std::shared_ptr<Queue> q = Find(destination);
  if (!q) return UnknownDestination(destination);
  std::lock_guard lock(q->mu);
  auto it = q->window.find(id);
  if (q->dropped || it == q->window.end() || !it->second.in_flight) {
    return NotInFlight(destination, id);
  }
  const std::string key = OutboxKey(OutboxSpace::kQueue, q->name, id);
  std::string value;
  RETURN_IF_ERROR(FromRocks(db_->Get(rocksdb::ReadOptions(), key, &value), "read"));
  ASSIGN_OR_RETURN(OutboxItem item, DecodeOutboxItem(value, id));
  item.attempts = attempts;
  item.last_error = std::string(error);
  item.last_status = http_status;
  item.dead_at_us = now_us;
  rocksdb::WriteBatch batch;
  batch.Delete(key);
  batch.Put(OutboxKey(OutboxSpace::kDead, q->name, id), EncodeOutboxItem(item));
  OutboxCounters c = q->counters;
  --c.queued;
  ++c.dead;
  ++c.dead_lettered;
  ++c.failed_attempts;
  RETURN_IF_ERROR(Write(*q, &batch, c));
  RemoveFromWindow(*q, id);
  return Status::OK();
}

void Outbox::ReleaseInFlight(std::string_view destination) {
  std::shared_ptr<Queue> q = Find(destination);
  if (!q) return;
  std::lock_guard lock(q->mu);
  for (auto& [id, e] : q->window) {
    if (!e.in_flight) continue;
    e.in_flight = false;
    --q->in_flight;
    q->ready.Add(e.flow, e.next_attempt_us, id);
  }
}

Result<std::vector<OutboxItem>> Outbox::ListDeadLetters(std::string_view destination, size_t limit,
                                                        uint64_t after) const {
  std::shared_ptr<Queue> q = Find(destination);
  if (!q) return UnknownDestination(destination);
  rocksdb::ReadOptions ro;
  const std::string end = OutboxPrefixEnd(OutboxSpace::kDead, destination);
  rocksdb::Slice upper(end);
  ro.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
  std::vector<OutboxItem> out;
  if (after == std::numeric_limits<uint64_t>::max()) return out;
  for (it->Seek(OutboxKey(OutboxSpace::kDead, destination, after + 1));
       it->Valid() && out.size() < limit; it->Next()) {
    ASSIGN_OR_RETURN(OutboxItem item, DecodeOutboxItem(it->value().ToStringView(),
                                                       OutboxKeyId(it->key().ToStringView())));
    out.push_back(std::move(item));
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "list dead letters"));
  return out;
}

Result<std::optional<OutboxItem>> Outbox::LatestDeadLetter(std::string_view destination) const {
  if (!Find(destination)) return UnknownDestination(destination);
  rocksdb::ReadOptions ro;
  const std::string begin = OutboxKey(OutboxSpace::kDead, destination, 0);
  const std::string end = OutboxPrefixEnd(OutboxSpace::kDead, destination);
  rocksdb::Slice lower(begin);
  ro.iterate_lower_bound = &lower;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
  it->SeekForPrev(end);
  if (it->Valid() && it->key().ToStringView() == end) it->Prev();
  if (!it->Valid()) {
    RETURN_IF_ERROR(FromRocks(it->status(), "latest dead letter"));
    return std::optional<OutboxItem>{};
  }
  ASSIGN_OR_RETURN(OutboxItem item, DecodeOutboxItem(it->value().ToStringView(),
                                                     OutboxKeyId(it->key().ToStringView())));
  return std::optional<OutboxItem>(std::move(item));
}

// Moves the dead letters with the given ids (those that exist, each once) back to the queue.
Result<size_t> Outbox::ReplayBatch(Queue& q, const std::vector<uint64_t>& ids) {
  OutboxCounters c = q.counters;
  const bool caught_up = q.loaded_upto + 1 == c.next_id;
  rocksdb::WriteBatch batch;
  std::vector<OutboxItem> moved;
  std::unordered_set<uint64_t> seen;  // an id given twice moves once
  for (uint64_t id : ids) {
    if (!seen.insert(id).second) continue;
    const std::string key = OutboxKey(OutboxSpace::kDead, q.name, id);
    std::string value;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), key, &value);
    if (s.IsNotFound()) continue;
    RETURN_IF_ERROR(FromRocks(s, "read dead letter"));
    ASSIGN_OR_RETURN(OutboxItem item, DecodeOutboxItem(value, id));
    batch.Delete(key);
    item.id = c.next_id++;
    item.attempts = 0;
    item.next_attempt_us = clock_->NowMicros();
    item.dead_at_us = 0;
    batch.Put(OutboxKey(OutboxSpace::kQueue, q.name, item.id), EncodeOutboxItem(item));
    moved.push_back(std::move(item));
  }
  if (moved.empty()) return size_t{0};
  c.dead -= moved.size();
  c.queued += moved.size();
  RETURN_IF_ERROR(Write(q, &batch, c));
  if (caught_up && q.window.size() + moved.size() <= options_.window) {
    for (const OutboxItem& item : moved) AddToWindow(q, item);
  }
  return moved.size();
}

Result<size_t> Outbox::Replay(std::string_view destination, const std::vector<uint64_t>& ids,
                              bool all) {
  std::shared_ptr<Queue> q = Find(destination);
  if (!q) return UnknownDestination(destination);
  size_t total = 0;
  if (!all) {
    std::lock_guard lock(q->mu);
    if (q->dropped) return UnknownDestination(destination);
    ASSIGN_OR_RETURN(total, ReplayBatch(*q, ids));
  } else {
    // In batches, each atomic, so a huge dead-letter list never makes one huge write.
    uint64_t after = 0;
    while (true) {
      ASSIGN_OR_RETURN(std::vector<OutboxItem> page, ListDeadLetters(destination, 1000, after));
      if (page.empty()) break;
      std::vector<uint64_t> page_ids;
      for (const OutboxItem& item : page) page_ids.push_back(item.id);
      after = page_ids.back();
      std::lock_guard lock(q->mu);
      if (q->dropped) return UnknownDestination(destination);
      ASSIGN_OR_RETURN(size_t n, ReplayBatch(*q, page_ids));
      total += n;
    }
  }
  if (total > 0) Notify(q->name);
  return total;
}

Status Outbox::DeleteDeadLetter(std::string_view destination, uint64_t id) {
  std::shared_ptr<Queue> q = Find(destination);
  if (!q) return UnknownDestination(destination);
  std::lock_guard lock(q->mu);
  if (q->dropped) return UnknownDestination(destination);
  const std::string key = OutboxKey(OutboxSpace::kDead, q->name, id);
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), key, &value);
  if (s.IsNotFound()) {
    return Status::NotFound(
        fmt::format("destination \"{}\" has no dead letter {}", destination, id));
  }
  RETURN_IF_ERROR(FromRocks(s, "read dead letter"));
  rocksdb::WriteBatch batch;
  batch.Delete(key);
  OutboxCounters c = q->counters;
  --c.dead;
  return Write(*q, &batch, c);
}

Result<OutboxStats> Outbox::Stats(std::string_view destination) const {
  std::shared_ptr<Queue> q = Find(destination);
  if (!q) return UnknownDestination(destination);
  std::vector<int64_t> latencies;
  OutboxStats s;
  {
    std::lock_guard lock(q->mu);
    s.queued = q->counters.queued;
    s.in_flight = q->in_flight;
    s.delivered = q->counters.delivered;
    s.failed_attempts = q->counters.failed_attempts;
    s.dead_letters = q->counters.dead;
    s.dead_lettered = q->counters.dead_lettered;
    if (!q->window.empty()) s.oldest_queued_us = q->window.begin()->second.created_us;
    latencies = q->latencies;
  }
  s.latency_samples = latencies.size();
  s.latency_p50_ms = Percentile(latencies, 0.50);
  s.latency_p90_ms = Percentile(latencies, 0.90);
  s.latency_p99_ms = Percentile(latencies, 0.99);
  return s;
}

}  // namespace rapport
