// EventLog's writer thread: pipelined group commit. Takes every waiting request as one group,
// writes each touched partition's records with one write and starts their fdatasyncs on the
// sync pool; while they run, it takes and writes the next group. A group is answered after its
// own syncs, and groups commit in order. A failed sync fails its group and the one written
// behind it (both are rolled back); nothing of either is readable or reported durable.
#include <algorithm>
#include <chrono>

#include "log/event_log.h"
#include "log/format.h"
#include "log/partition.h"
#include "log/sync_pool.h"

namespace rapport {
namespace {

// A group that wrote less than this is synced on the writer thread and answered before the next
// is taken, as without pipelining: its write is too short to gain from overlapping the sync, and
// handing the sync to a helper costs two thread wake-ups a group. Measured on /v1/track (~80 KB
// groups): 26,000–33,000 requests/s pipelined against 27,000–36,000 inline (5 pairs).
constexpr uint64_t kPipelineFromBytes = 256 << 10;

}  // namespace

// One group of requests, from its write to its answers.
struct EventLog::Flight {
  std::vector<Request> requests;
  std::vector<Status> status;                  // per request: validation
  std::vector<std::vector<uint64_t>> offsets;  // per request
  std::vector<uint64_t> part_bytes;  // per partition: encoded records of the valid requests
  std::vector<int> parts;            // partitions the group added records to
  std::vector<log_internal::Partition::SyncTicket> tickets;  // per parts
  std::vector<Status> synced;                                // per parts
  Status failure;        // of the whole group: a write or sync failed
  int64_t stamp = 0;     // every record of the group is stamped at or before this
  uint64_t records = 0;  // written
  uint64_t bytes = 0;    // of payload written
  int syncs_left = 0;    // guarded by queue_mu_
};

void EventLog::WriterLoop() {
  std::unique_ptr<Flight> syncing;  // written; its syncs run on sync_pool_
  while (true) {
    std::vector<Request> group;
    {
      std::unique_lock<std::mutex> lock(queue_mu_);
      if (syncing == nullptr) {
        if (!queue_cv_.wait_for(lock, std::chrono::milliseconds(kIdleTickMs),
                                [this] { return stopping_ || !queue_.empty(); })) {
          lock.unlock();
          AdvanceIdleWatermark();
          continue;
        }
        if (queue_.empty()) return;  // stopping, and everything queued is done
      } else {
        // Write the next group as soon as one arrives, or finish this one when its syncs end.
        queue_cv_.wait(lock,
                       [&] { return stopping_ || !queue_.empty() || syncing->syncs_left == 0; });
      }
      group.swap(queue_);
    }
    if (group.empty()) {
      Land(syncing.get(), nullptr);
      syncing.reset();
      continue;
    }
    auto next = std::make_unique<Flight>();
    next->requests = std::move(group);
    Validate(next.get());
    if (syncing != nullptr && MustWaitFor(*next)) {
      Land(syncing.get(), nullptr);
      syncing.reset();
    }
    if (syncing == nullptr) RepairPartitions(next.get());
    WriteFlight(next.get());
    if (syncing != nullptr) {
      Land(syncing.get(), next.get());
      syncing.reset();
    }
    if (!next->failure.ok()) {
      Answer(next.get());
      continue;
    }
    if (next->bytes < kPipelineFromBytes) {
      SyncNow(next.get());
      Land(next.get(), nullptr);
      continue;
    }
    StartSync(next.get());
    syncing = std::move(next);
  }
}

void EventLog::AdvanceIdleWatermark() {
  // Nothing is queued or being written, and every later record is stamped after last_stamp_
  // (this thread stamps them): the log is complete up to now.
  const int64_t now = options_.clock->NowMicros();
  if (now <= last_stamp_) return;
  last_stamp_ = now;
  PublishDurable(last_stamp_);
}

void EventLog::PublishDurable(int64_t stamp) {
  {
    std::lock_guard lock(durable_mu_);
    durable_stamp_.store(stamp, std::memory_order_release);
  }
  durable_cv_.notify_all();
}

void EventLog::Validate(Flight* f) {
  // Each request on its own: a bad one fails alone.
  const size_t n = f->requests.size();
  f->status.resize(n);
  f->offsets.resize(n);
  f->part_bytes.assign(partitions_.size(), 0);
  for (size_t i = 0; i < n; ++i) {
    for (const LogRecord& r : f->requests[i].records) {
      if (r.partition < 0 || r.partition >= partitions()) {
        f->status[i] = Status::InvalidArgument("log: no partition " + std::to_string(r.partition));
        break;
      }
      if (r.size() > options_.max_record_bytes) {
        f->status[i] = Status::TooLarge("log: record of " + std::to_string(r.size()) +
                                        " bytes is over the limit of " +
                                        std::to_string(options_.max_record_bytes));
        break;
      }
    }
    if (!f->status[i].ok()) continue;
    for (const LogRecord& r : f->requests[i].records) {
      f->part_bytes[r.partition] += log_internal::kRecordHeaderSize + r.size();
    }
  }
}

bool EventLog::MustWaitFor(const Flight& f) const {
  // A partition to repair, or one that starts a new segment, takes no group while another
  // group is unsynced (Partition::Fits).
  for (size_t p = 0; p < partitions_.size(); ++p) {
    const uint64_t bytes = f.part_bytes[p];
    if (bytes > 0 && (partitions_[p]->needs_repair() || !partitions_[p]->Fits(bytes))) return true;
  }
  return false;
}

void EventLog::RepairPartitions(Flight* f) {
  // Partitions the group writes to, left damaged by an earlier failure, must be repaired first.
  std::vector<Status> repaired(partitions_.size());
  for (size_t p = 0; p < partitions_.size(); ++p) {
    if (f->part_bytes[p] == 0 || !partitions_[p]->needs_repair()) continue;
    Status s = partitions_[p]->Repair();
    if (!s.ok()) {
      repaired[p] = Status::Unavailable("log partition " + std::to_string(p) +
                                        " is being repaired after a failed write: " + s.ToString());
    }
  }
  for (size_t i = 0; i < f->requests.size(); ++i) {
    if (!f->status[i].ok()) continue;
    for (const LogRecord& r : f->requests[i].records) {
      if (!repaired[r.partition].ok()) {
        f->status[i] = repaired[r.partition];
        break;
      }
    }
  }
}

void EventLog::WriteFlight(Flight* f) {
  // Encode and write; any failure fails the whole group (Answer undoes it).
  const int64_t now = options_.clock->NowMicros();
  std::vector<char> touched(partitions_.size(), 0);
  for (size_t i = 0; i < f->requests.size() && f->failure.ok(); ++i) {
    if (!f->status[i].ok()) continue;
    std::vector<LogRecord>& records = f->requests[i].records;
    f->offsets[i].resize(records.size());
    for (size_t j = 0; j < records.size() && f->failure.ok(); ++j) {
      const int p = records[j].partition;
      if (!touched[p]) f->parts.push_back(p);
      touched[p] = 1;
      last_stamp_ = std::max(now, last_stamp_ + 1);
      f->failure = partitions_[p]->AddRecord(records[j].payload, records[j].tail, last_stamp_,
                                             &f->offsets[i][j]);
      if (!f->failure.ok())
        f->failure = f->failure.WithContext("log partition " + std::to_string(p));
      f->bytes += records[j].size();
    }
    f->records += records.size();
  }
  // Records queued later are stamped after this by this thread, so the log is complete up to
  // the time this group was taken (what an empty append is for).
  last_stamp_ = std::max(last_stamp_, now);
  f->stamp = last_stamp_;
  std::sort(f->parts.begin(), f->parts.end());
  // Write every partition first (starting its writeback); their syncs then run together.
  f->tickets.resize(f->parts.size());
  for (size_t k = 0; k < f->parts.size() && f->failure.ok(); ++k) {
    f->failure = partitions_[f->parts[k]]->Write(&f->tickets[k]);
    if (!f->failure.ok()) {
      f->failure = f->failure.WithContext("log partition " + std::to_string(f->parts[k]));
    }
  }
}

void EventLog::StartSync(Flight* f) {
  f->synced.assign(f->parts.size(), Status::OK());
  {
    std::lock_guard<std::mutex> lock(queue_mu_);
    f->syncs_left = static_cast<int>(f->parts.size());
  }
  sync_pool_->Start(static_cast<int>(f->parts.size()), [this, f](int k) {
    SyncPart(f, k);
    bool last;
    {
      std::lock_guard<std::mutex> lock(queue_mu_);
      last = --f->syncs_left == 0;
    }
    if (last) queue_cv_.notify_one();
  });
}

void EventLog::SyncNow(Flight* f) {
  f->synced.assign(f->parts.size(), Status::OK());
  sync_pool_->Run(static_cast<int>(f->parts.size()), [this, f](int k) { SyncPart(f, k); });
}

void EventLog::SyncPart(Flight* f, int k) {
  f->synced[k] = partitions_[f->parts[k]]->Sync(f->tickets[k]);
}

void EventLog::Land(Flight* f, Flight* next) {
  sync_pool_->Wait();
  for (size_t k = 0; k < f->parts.size() && f->failure.ok(); ++k) {
    if (!f->synced[k].ok()) {
      f->failure = f->synced[k].WithContext("log partition " + std::to_string(f->parts[k]));
    }
  }
  if (!f->failure.ok() && next != nullptr && next->failure.ok() && !next->parts.empty()) {
    // `next` was written after `f`'s records: it goes with them.
    next->failure = f->failure;
  }
  if (f->failure.ok()) {
    for (int p : f->parts) partitions_[p]->Commit();
    records_appended_.fetch_add(f->records, std::memory_order_relaxed);
  } else if (next != nullptr) {
    for (int p : next->parts) partitions_[p]->Rollback();  // f's own, in Answer
  }
  Answer(f);
}

void EventLog::Answer(Flight* f) {
  if (!f->failure.ok()) {
    for (int p : f->parts) partitions_[p]->Rollback();
  }
  // Every partition of the group is now readable (or rolled back): no record stamped up to
  // f->stamp can appear later.
  PublishDurable(f->stamp);
  for (size_t i = 0; i < f->requests.size(); ++i) {
    Request& req = f->requests[i];
    Status& status = f->status[i];
    if (status.ok() && !f->failure.ok()) status = f->failure;
    if (!status.ok()) {
      failed_appends_.fetch_add(1, std::memory_order_relaxed);
      f->offsets[i].clear();
    }
    pending_appends_.fetch_sub(1, std::memory_order_relaxed);  // before the caller can wake
    if (req.done) req.done(status, std::move(f->offsets[i]));
  }
}

}  // namespace rapport
