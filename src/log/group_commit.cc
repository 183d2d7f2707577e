// EventLog's writer thread: group commit. Takes every waiting request, writes each touched
// partition's records with one write, fdatasyncs each once, then answers every request.
#include <algorithm>
#include <chrono>

#include "log/event_log.h"
#include "log/partition.h"
#include "log/sync_pool.h"

namespace rapport {

void EventLog::WriterLoop() {
  std::vector<Request> group;
  while (true) {
    {
      std::unique_lock<std::mutex> lock(queue_mu_);
      if (!queue_cv_.wait_for(lock, std::chrono::milliseconds(kIdleTickMs),
                              [this] { return stopping_ || !queue_.empty(); })) {
        lock.unlock();
        AdvanceIdleWatermark();
        continue;
      }
      if (queue_.empty()) return;  // stopping, and everything queued is done
      group.swap(queue_);
    }
    CommitGroup(&group);
    group.clear();
  }
}

void EventLog::AdvanceIdleWatermark() {
  // Nothing is queued or being written, and every later record is stamped after last_stamp_
  // (this thread stamps them): the log is complete up to now.
  const int64_t now = options_.clock->NowMicros();
  if (now <= last_stamp_) return;
  last_stamp_ = now;
  {
    std::lock_guard lock(durable_mu_);
    durable_stamp_.store(last_stamp_, std::memory_order_release);
  }
  durable_cv_.notify_all();
}

void EventLog::CommitGroup(std::vector<Request>* group) {
  const int64_t now = options_.clock->NowMicros();
  const size_t n = group->size();
  std::vector<Status> status(n);
  std::vector<std::vector<uint64_t>> offsets(n);

  // 1. Validate each request on its own: a bad one fails alone.
  std::vector<char> touched(partitions_.size(), 0);
  for (size_t i = 0; i < n; ++i) {
    for (const LogRecord& r : (*group)[i].records) {
      if (r.partition < 0 || r.partition >= partitions()) {
        status[i] = Status::InvalidArgument("log: no partition " + std::to_string(r.partition));
        break;
      }
      if (r.payload.size() > options_.max_record_bytes) {
        status[i] = Status::TooLarge("log: record of " + std::to_string(r.payload.size()) +
                                     " bytes is over the limit of " +
                                     std::to_string(options_.max_record_bytes));
        break;
      }
    }
    if (status[i].ok()) {
      for (const LogRecord& r : (*group)[i].records) touched[r.partition] = 1;
    }
  }

  // 2. Partitions left damaged by an earlier failure must be repaired before taking writes.
  std::vector<Status> partition_status(partitions_.size());
  for (size_t p = 0; p < partitions_.size(); ++p) {
    if (!touched[p] || !partitions_[p]->needs_repair()) continue;
    Status s = partitions_[p]->Repair();
    if (!s.ok()) {
      partition_status[p] =
          Status::Unavailable("log partition " + std::to_string(p) +
                              " is being repaired after a failed write: " + s.ToString());
    }
  }
  for (size_t i = 0; i < n; ++i) {
    if (!status[i].ok()) continue;
    for (const LogRecord& r : (*group)[i].records) {
      if (!partition_status[r.partition].ok()) {
        status[i] = partition_status[r.partition];
        break;
      }
    }
  }

  // 3. Encode, write and sync. Any failure fails the whole group and undoes it.
  Status group_status;
  uint64_t group_records = 0;
  for (size_t i = 0; i < n && group_status.ok(); ++i) {
    if (!status[i].ok()) continue;
    std::vector<LogRecord>& records = (*group)[i].records;
    offsets[i].resize(records.size());
    for (size_t j = 0; j < records.size() && group_status.ok(); ++j) {
      log_internal::Partition& part = *partitions_[records[j].partition];
      last_stamp_ = std::max(now, last_stamp_ + 1);
      group_status = part.AddRecord(records[j].payload, last_stamp_, &offsets[i][j]);
      if (!group_status.ok()) {
        group_status =
            group_status.WithContext("log partition " + std::to_string(records[j].partition));
      }
    }
    group_records += records.size();
  }
  // Write every partition first (starting its writeback), then sync them all at once: the
  // disk flushes them together instead of one after the other.
  std::vector<size_t> touched_parts;
  for (size_t p = 0; p < partitions_.size() && group_status.ok(); ++p) {
    if (!partitions_[p]->in_group()) continue;
    touched_parts.push_back(p);
    group_status = partitions_[p]->Write();
    if (!group_status.ok())
      group_status = group_status.WithContext("log partition " + std::to_string(p));
  }
  if (group_status.ok()) {
    std::vector<Status> synced(touched_parts.size());
    sync_pool_->Run(static_cast<int>(touched_parts.size()),
                    [&](int k) { synced[k] = partitions_[touched_parts[k]]->Sync(); });
    for (size_t k = 0; k < synced.size() && group_status.ok(); ++k) {
      if (!synced[k].ok()) {
        group_status = synced[k].WithContext("log partition " + std::to_string(touched_parts[k]));
      }
    }
  }
  for (auto& part : partitions_) {
    if (!part->in_group()) continue;
    if (group_status.ok()) {
      part->Commit();
    } else {
      part->Rollback();
    }
  }
  if (group_status.ok()) {
    records_appended_.fetch_add(group_records, std::memory_order_relaxed);
  }
  // Records queued later are stamped after last_stamp_ by this thread, so the log is complete
  // up to the time this group was taken (what an empty append is for).
  last_stamp_ = std::max(last_stamp_, now);
  // Every partition of the group is now readable (or rolled back): no record stamped up to
  // last_stamp_ can appear later.
  {
    std::lock_guard lock(durable_mu_);
    durable_stamp_.store(last_stamp_, std::memory_order_release);
  }
  durable_cv_.notify_all();

  // 4. Answer every request.
  for (size_t i = 0; i < n; ++i) {
    Request& req = (*group)[i];
    if (status[i].ok() && !group_status.ok()) status[i] = group_status;
    if (!status[i].ok()) {
      failed_appends_.fetch_add(1, std::memory_order_relaxed);
      offsets[i].clear();
    }
    pending_appends_.fetch_sub(1, std::memory_order_relaxed);  // before the caller can wake
    if (req.done) req.done(status[i], std::move(offsets[i]));
  }
}

}  // namespace rapport
