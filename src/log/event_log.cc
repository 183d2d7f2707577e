#include "log/event_log.h"

#include <future>

#include "common/pacing.h"
#include "common/threads.h"
#include "log/checkpoint_store.h"
#include "log/format.h"
#include "log/partition.h"
#include "log/sync_pool.h"

namespace rapport {

using log_internal::CheckpointStore;
using log_internal::Partition;
using log_internal::PartitionOptions;

namespace {

LogOptions Normalize(LogOptions o) {
  if (o.env == nullptr) o.env = Env::Default();
  if (o.clock == nullptr) o.clock = SystemClock::Default();
  return o;
}

Status ValidateOptions(const LogOptions& o) {
  if (o.dir.empty()) return Status::InvalidArgument("log: options.dir is empty");
  if (o.partitions < 0 || o.partitions > 1000) {
    return Status::InvalidArgument("log: partitions must be 0..1000, got " +
                                   std::to_string(o.partitions));
  }
  if (o.segment_bytes < 4096 || o.segment_bytes > log_internal::kMaxSegmentBytes) {
    return Status::InvalidArgument("log: segment_bytes must be 4 KiB..1 GiB, got " +
                                   std::to_string(o.segment_bytes));
  }
  if (o.max_record_bytes == 0 || o.max_record_bytes > log_internal::kMaxPayloadBytes) {
    return Status::InvalidArgument("log: max_record_bytes must be 1..64 MiB, got " +
                                   std::to_string(o.max_record_bytes));
  }
  return Status::OK();
}

}  // namespace

EventLog::EventLog(LogOptions options) : options_(Normalize(std::move(options))) {}

Result<std::unique_ptr<EventLog>> EventLog::Open(LogOptions options, RecoveryReport* report) {
  RETURN_IF_ERROR(ValidateOptions(options));
  RecoveryReport ignored;
  if (report == nullptr) report = &ignored;
  // The constructor is private, so make_unique cannot reach it.
  std::unique_ptr<EventLog> log(new EventLog(std::move(options)));  // NOLINT
  RETURN_IF_ERROR(log->Recover(report));
  for (const auto& part : log->partitions_) {
    log->last_stamp_ = std::max(log->last_stamp_, part->last_append_us());
  }
  log->durable_stamp_.store(log->last_stamp_, std::memory_order_release);
  log->sync_pool_ = std::make_unique<log_internal::SyncPool>(
      std::min(static_cast<int>(log->partitions_.size()), 8));
  log->writer_ = std::thread([raw = log.get()] {
    SetThreadName("log-commit");
    MarkForeground();
    raw->WriterLoop();
  });
  return log;
}

bool EventLog::WaitDurable(int64_t stamp, int64_t timeout_us) const {
  std::unique_lock lock(durable_mu_);
  return durable_cv_.wait_for(lock, std::chrono::microseconds(timeout_us),
                              [&] { return DurableStamp() > stamp; });
}

Status EventLog::Recover(RecoveryReport* report) {
  Env* env = options_.env;
  RETURN_IF_ERROR(env->CreateDirs(options_.dir));
  auto lock = env->LockFile(options_.dir + "/LOCK");
  if (!lock.ok()) return lock.status().WithContext("log " + options_.dir + " is in use");
  dir_lock_ = std::move(lock).value();
  ASSIGN_OR_RETURN(std::vector<std::string> names, env->ListDir(options_.dir));
  int found = 0;  // the partitions the directory has: one past the highest numbered
  for (const std::string& name : names) {
    std::optional<int> p = log_internal::ParsePartitionDirName(name);
    if (p) found = std::max(found, *p + 1);
  }
  int count = options_.partitions;
  if (count == 0) count = found > 0 ? found : kNewLogPartitions;
  if (found > count) {
    return Status::InvalidArgument(
        "log " + options_.dir + " has " + std::to_string(found) + " partitions but " +
        std::to_string(count) +
        " were asked for; the partition count of a log cannot shrink (0: as the log has)");
  }
  report->partitions.resize(count);
  for (int p = 0; p < count; ++p) {
    PartitionOptions po;
    po.env = env;
    po.id = p;
    po.dir = options_.dir + "/" + log_internal::PartitionDirName(p);
    po.segment_bytes = options_.segment_bytes;
    po.on_sync = [this](int64_t micros) {
      syncs_.fetch_add(1, std::memory_order_relaxed);
      if (options_.on_sync) options_.on_sync(micros);
    };
    auto part = std::make_unique<Partition>(std::move(po));
    RETURN_IF_ERROR(part->Open(report));
    partitions_.push_back(std::move(part));
  }
  RETURN_IF_ERROR(env->SyncDir(options_.dir));
  checkpoints_ =
      std::make_unique<CheckpointStore>(env, options_.dir + "/checkpoints", partitions());
  return checkpoints_->Load(report);
}

EventLog::~EventLog() {
  {
    std::lock_guard<std::mutex> lock(queue_mu_);
    stopping_ = true;
  }
  queue_cv_.notify_one();
  if (writer_.joinable()) writer_.join();
}

void EventLog::Append(std::vector<LogRecord> records, AppendCallback done) {
  {
    std::lock_guard<std::mutex> lock(queue_mu_);
    if (!stopping_) {
      pending_appends_.fetch_add(1, std::memory_order_relaxed);
      queue_.push_back(Request{std::move(records), std::move(done)});
      queue_cv_.notify_one();
      return;
    }
  }
  // The writer is stopping (the log is being destroyed): nothing new is taken.
  failed_appends_.fetch_add(1, std::memory_order_relaxed);
  if (done) done(Status::Unavailable("the event log is shutting down; retry later"), {});
}

Result<std::vector<uint64_t>> EventLog::AppendSync(std::vector<LogRecord> records) {
  std::promise<Result<std::vector<uint64_t>>> promise;
  std::future<Result<std::vector<uint64_t>>> future = promise.get_future();
  Append(std::move(records), [&promise](const Status& s, std::vector<uint64_t> offsets) {
    if (s.ok()) {
      promise.set_value(std::move(offsets));
    } else {
      promise.set_value(s);
    }
  });
  return future.get();
}

Status EventLog::CheckPartition(int partition) const {
  if (partition < 0 || partition >= partitions()) {
    return Status::InvalidArgument("log: no partition " + std::to_string(partition) + " (have " +
                                   std::to_string(partitions()) + ")");
  }
  return Status::OK();
}

Status EventLog::Read(int partition, uint64_t from, size_t max_records, std::vector<LogEntry>* out,
                      size_t max_bytes) const {
  RETURN_IF_ERROR(CheckPartition(partition));
  return partitions_[partition]->Read(from, max_records, max_bytes, out);
}

uint64_t EventLog::StartOffset(int partition) const {
  return CheckPartition(partition).ok() ? partitions_[partition]->StartOffset() : 0;
}

uint64_t EventLog::EndOffset(int partition) const {
  return CheckPartition(partition).ok() ? partitions_[partition]->EndOffset() : 0;
}

Status EventLog::CommitCheckpoint(std::string_view consumer, int partition, uint64_t next_offset) {
  RETURN_IF_ERROR(CheckPartition(partition));
  if (!log_internal::ValidConsumerName(consumer)) {
    return Status::InvalidArgument("log: bad consumer name '" + std::string(consumer) +
                                   "' (1-64 of [A-Za-z0-9._-])");
  }
  const uint64_t end = EndOffset(partition);
  if (next_offset > end) {
    return Status::InvalidArgument("log: checkpoint " + std::to_string(next_offset) +
                                   " of partition " + std::to_string(partition) +
                                   " is past its end " + std::to_string(end));
  }
  return checkpoints_->Commit(consumer, partition, next_offset);
}

uint64_t EventLog::Checkpoint(std::string_view consumer, int partition) const {
  return checkpoints_->Get(consumer, partition);
}

Status EventLog::RemoveConsumer(std::string_view consumer) {
  if (!log_internal::ValidConsumerName(consumer)) {
    return Status::InvalidArgument("log: bad consumer name '" + std::string(consumer) + "'");
  }
  return checkpoints_->Remove(consumer);
}

std::vector<std::string> EventLog::Consumers() const { return checkpoints_->Consumers(); }

Result<int> EventLog::ApplyRetention(int64_t min_age_us) {
  std::optional<std::vector<uint64_t>> floors = checkpoints_->Floors();
  if (!floors) return 0;
  const int64_t cutoff = options_.clock->NowMicros() - min_age_us;
  int removed = 0;
  for (int p = 0; p < partitions(); ++p) {
    ASSIGN_OR_RETURN(int n, partitions_[p]->RemoveOldSegments((*floors)[p], cutoff));
    removed += n;
  }
  return removed;
}

EventLog::Stats EventLog::GetStats() const {
  Stats s;
  for (const auto& p : partitions_) p->AddStats(&s.bytes, &s.segments);
  s.records_appended = records_appended_.load(std::memory_order_relaxed);
  s.syncs = syncs_.load(std::memory_order_relaxed);
  s.failed_appends = failed_appends_.load(std::memory_order_relaxed);
  s.pending_appends = pending_appends_.load(std::memory_order_relaxed);
  return s;
}

Status EventLog::Verify(RecoveryReport* report) const {
  RecoveryReport ignored;
  if (report == nullptr) report = &ignored;
  Status first;
  for (const auto& p : partitions_) {
    Status s = p->Verify(report);
    if (!s.ok() && first.ok()) first = s;
  }
  return first;
}

}  // namespace rapport
