#include "warehouse/feed.h"

#include <simdjson.h>

#include <algorithm>

#include "collect/envelope.h"
#include "common/pacing.h"
#include "common/threads.h"
#include "identity/extract.h"
#include "warehouse/event_row.h"

namespace rapport::warehouse {

namespace {

// The identity graph as the pipeline left it (read-only).
class StoreView final : public IdentityView {
 public:
  explicit StoreView(const StateStore* store) : store_(store) {}
  Result<std::optional<uint64_t>> Find(const Identifier& id) override {
    return store_->FindIdentifier(id);
  }
  Result<std::vector<Identifier>> IdentifiersOf(uint64_t profile) override {
    ASSIGN_OR_RETURN(auto record, store_->GetLiveProfile(profile));
    if (!record) return std::vector<Identifier>{};
    return record->Identifiers();
  }

 private:
  const StateStore* store_;
};

}  // namespace

WarehouseFeed::WarehouseFeed(EventLog* log, const StateStore* store, Warehouse* warehouse,
                             FeedOptions options)
    : log_(log),
      store_(store),
      warehouse_(warehouse),
      options_(std::move(options)),
      clock_(options_.clock ? options_.clock : SystemClock::Default()) {}

WarehouseFeed::~WarehouseFeed() { Stop(); }

Status WarehouseFeed::ReadMerges() {
  std::vector<std::pair<uint64_t, uint64_t>> pairs;
  for (;;) {
    std::vector<JournaledMerge> batch;
    RETURN_IF_ERROR(store_->ReadMerges(merge_pos_, 4096, &batch));
    for (const JournaledMerge& m : batch) pairs.emplace_back(m.pos.from, m.into);
    if (!batch.empty()) merge_pos_ = batch.back().pos;
    if (batch.size() < 4096) break;
  }
  ASSIGN_OR_RETURN(uint64_t next_id, store_->NextProfileId());
  warehouse_->AddMerges(pairs, next_id > 0 ? next_id - 1 : 0);
  return Status::OK();
}

Result<uint64_t> WarehouseFeed::ProfileOf(const std::vector<Identifier>& ids) {
  std::vector<const Identifier*> order;
  for (const Identifier& id : ids) order.push_back(&id);
  std::stable_sort(order.begin(), order.end(), [&](const Identifier* a, const Identifier* b) {
    return options_.identity.Before(a->type, b->type);
  });
  for (const Identifier* id : order) {
    ASSIGN_OR_RETURN(auto profile, store_->FindIdentifier(*id));
    if (profile) return *profile;
  }
  return uint64_t{0};
}

Status WarehouseFeed::ReadPartition(int partition, uint64_t from, uint64_t upto,
                                    std::vector<Row>* rows, uint64_t* next) {
  *next = from;
  if (from >= upto) return Status::OK();
  std::vector<LogEntry> entries;
  RETURN_IF_ERROR(log_->Read(
      partition, from, std::min<uint64_t>(options_.read_records, upto - from), &entries, 64 << 20));
  simdjson::dom::parser parser;
  StoreView view(store_);
  Stats delta;
  for (const LogEntry& entry : entries) {
    if (entry.offset >= upto) break;
    *next = entry.offset + 1;
    auto envelope = DecodeEnvelope(entry.payload);
    simdjson::dom::element doc;
    if (!envelope.ok() ||
        parser.parse(envelope->json.data(), envelope->json.size()).get(doc) != simdjson::SUCCESS) {
      ++delta.malformed;
      continue;
    }
    uint64_t profile = 0;
    auto extracted = ExtractIdentifiers(options_.identity, *envelope, doc, &view);
    if (!extracted.ok()) return extracted.status();
    ASSIGN_OR_RETURN(profile, ProfileOf(extracted->ids));
    if (profile == 0) ++delta.unattributed;
    size_t dropped = 0;
    rows->push_back(EventRow(*envelope, doc, entry.append_time_us, profile, &dropped));
    delta.dropped_paths += dropped;
    ++delta.events;
  }
  std::lock_guard<std::mutex> lock(mu_);
  stats_.events += delta.events;
  stats_.unattributed += delta.unattributed;
  stats_.malformed += delta.malformed;
  stats_.dropped_paths += delta.dropped_paths;
  return Status::OK();
}

Status WarehouseFeed::Step(bool force_flush, bool* more) {
  *more = false;
  if (!registered_) {
    // Register with the log at once, so that retention keeps what the warehouse has not stored.
    const std::vector<uint64_t> durable = warehouse_->durable_offsets();
    for (int p = 0; p < log_->partitions(); ++p) {
      const uint64_t at = p < static_cast<int>(durable.size()) ? durable[p] : 0;
      RETURN_IF_ERROR(log_->CommitCheckpoint(kConsumer, p, std::min(at, log_->EndOffset(p))));
    }
    registered_ = true;
  }
  RETURN_IF_ERROR(ReadMerges());
  std::vector<uint64_t> offsets = warehouse_->added_offsets();
  offsets.resize(static_cast<size_t>(log_->partitions()), 0);
  std::vector<Row> rows;
  bool read_any = false;
  // While flushes fail (a full disk), stop reading once a few flushes' worth is waiting: the log
  // keeps the rest, and memory stays bounded.
  const bool backlog = warehouse_->buffered_rows() >= 4 * options_.flush_rows;
  if (backlog) *more = true;  // what was not read is still waiting
  for (int p = 0; p < log_->partitions() && !backlog; ++p) {
    ASSIGN_OR_RETURN(uint64_t upto, store_->Offset(p));
    uint64_t from = std::max(offsets[p], log_->StartOffset(p));
    uint64_t next = from;
    RETURN_IF_ERROR(ReadPartition(p, from, upto, &rows, &next));
    if (next != offsets[p]) read_any = true;
    offsets[p] = next;
    if (next < upto) *more = true;
  }
  const int64_t now = clock_->NowMicros();
  if (!rows.empty() && warehouse_->buffered_rows() == 0) first_buffered_us_ = now;
  if (read_any) warehouse_->Add(std::move(rows), offsets);
  const size_t buffered = warehouse_->buffered_rows();
  const bool due = buffered >= options_.flush_rows ||
                   (buffered > 0 && now - first_buffered_us_ >= options_.flush_interval_us) ||
                   (force_flush && warehouse_->added_offsets() != warehouse_->durable_offsets());
  if (due) {
    RETURN_IF_ERROR(warehouse_->Flush());
    const std::vector<uint64_t> durable = warehouse_->durable_offsets();
    for (size_t p = 0; p < durable.size(); ++p) {
      RETURN_IF_ERROR(log_->CommitCheckpoint(kConsumer, static_cast<int>(p), durable[p]));
    }
  }
  if (due || (!read_any && !*more)) {
    // After each flush too, not only when idle: under steady ingest every flush adds a part.
    bool merged = false;
    RETURN_IF_ERROR(warehouse_->MergeStep(&merged));
    if (merged && !read_any) *more = true;
  }
  return Status::OK();
}

Status WarehouseFeed::CatchUp() {
  bool more = true;
  while (more) RETURN_IF_ERROR(Step(false, &more));
  return Step(true, &more);
}

void WarehouseFeed::Start() {
  if (thread_.joinable()) return;
  // The merges journaled before a restart, before any query runs: a snapshot without them would
  // count a merged customer as two until the thread's first step.
  if (Status s = ReadMerges(); !s.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    error_ = s;  // the thread's steps read them again
  }
  stop_ = false;
  thread_ = std::thread([this] {
    SetThreadName("warehouse");
    EnterBackgroundPriority();
    Run();
  });
}

void WarehouseFeed::Stop() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
  bool more = false;
  Status s = Step(true, &more);  // store what was buffered
  if (!s.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    error_ = s;
  }
}

void WarehouseFeed::Run() {
  int64_t backoff_us = options_.idle_wait_us;
  while (!stop_) {
    bool more = false;
    Status s = Step(false, &more);
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (!s.ok()) {
        error_ = s;  // e.g. disk full: try again later, nothing is lost (the log keeps it)
        cv_.wait_for(lock, std::chrono::microseconds(backoff_us), [&] { return stop_.load(); });
        backoff_us = std::min<int64_t>(backoff_us * 2, 5'000'000);
        continue;
      }
      error_ = Status::OK();
      backoff_us = options_.idle_wait_us;
      if (!more) {
        cv_.wait_for(lock, std::chrono::microseconds(options_.idle_wait_us),
                     [&] { return stop_.load(); });
      }
    }
    if (s.ok()) PaceBackground();  // ingest first when the cores are saturated
  }
}

Status WarehouseFeed::last_error() const {
  std::lock_guard<std::mutex> lock(mu_);
  return error_;
}

WarehouseFeed::Stats WarehouseFeed::GetStats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

}  // namespace rapport::warehouse
