// The writer side of Partition: group transactions on the log's writer thread, a written group
// pending (its sync on another thread) while the next one is added.
#include <chrono>
#include <mutex>

#include "log/partition.h"

namespace rapport::log_internal {
namespace {

// Flush the encode buffer early when it grows past this, to bound memory per partition.
constexpr size_t kMaxBufferBytes = 8 << 20;
// A group that wrote fewer bytes than this to a partition reserves zeroed file ahead of the
// data, a step at a time (WritableFile::Reserve): its fdatasync then need not write the file's
// new size (an ext4 journal commit: on this VM ~0.1 ms and ~40 µs of the machine's CPU a group).
// /v1/track groups are ~20–60 KB on the one-partition default (64 connections); one /v1/batch
// request is ~100 KB, and zeroing would write its bytes twice for a saving it does not notice.
constexpr uint64_t kReserveBelowBytes = 64 << 10;
// The zeros reserved at a time. The group that reserves syncs them with its data: 30 KB
// writes, each with its fdatasync, measured alone: without reserving mean 0.34–0.36 ms, p99
// 0.44–0.53; 128 KiB steps 0.24–0.29, p99 0.73–0.78; 1 MiB steps 0.25–0.29, p99 2.7–3.0 (a tail the
// ingest → webhook p99 target feels, and /v1/track's rate does not).
constexpr uint64_t kReserveStep = 128 << 10;

}  // namespace

void Partition::BeginGroup() {
  group_ = Group();
  group_.open = true;
  group_.pre_active = active_;
  group_.pre_size = w_size_;
  group_.pre_records = w_records_;
  group_.pre_last_append = w_last_append_;
  group_.pre_has_index = w_has_index_;
  group_.pre_last_index_pos = w_last_index_pos_;
}

bool Partition::Fits(uint64_t encoded_bytes) const {
  return w_size_ + buf_.size() + encoded_bytes <= options_.segment_bytes;
}

Status Partition::AddRecord(std::string_view payload, std::string_view tail, int64_t append_time_us,
                            uint64_t* offset) {
  if (!group_.open) BeginGroup();
  const uint64_t encoded = kRecordHeaderSize + payload.size() + tail.size();
  if (w_records_ > 0 && !Fits(encoded)) {
    if (!pending_.empty()) {
      return Status::Unavailable("log: a new segment is due while a written group is unsynced");
    }
    RETURN_IF_ERROR(Roll());
  }
  const uint64_t position = w_size_ + buf_.size();
  if (WantIndexEntry(w_has_index_ ? &w_last_index_pos_ : nullptr, position)) {
    w_new_index_.push_back(
        IndexEntry{static_cast<uint32_t>(w_records_), static_cast<uint32_t>(position)});
    w_has_index_ = true;
    w_last_index_pos_ = position;
  }
  *offset = active_->base + w_records_;
  EncodeRecord(*offset, append_time_us, payload, tail, &buf_);
  ++w_records_;
  w_last_append_ = append_time_us;
  if (buf_.size() >= kMaxBufferBytes) return Flush();
  return Status::OK();
}

Status Partition::Flush() {
  if (buf_.empty()) return Status::OK();
  dirty_ = true;
  Status s = active_file_->Append(buf_);
  w_size_ = active_file_->Size();
  buf_.clear();
  return s;
}

Status Partition::Sync(const SyncTicket& ticket) const {
  if (ticket.file == nullptr) return Status::OK();
  const auto start = std::chrono::steady_clock::now();
  RETURN_IF_ERROR(ticket.file->Sync());
  if (options_.on_sync) {
    options_.on_sync(std::chrono::duration_cast<std::chrono::microseconds>(
                         std::chrono::steady_clock::now() - start)
                         .count());
  }
  return Status::OK();
}

Status Partition::SyncActive() {
  if (!dirty_) return Status::OK();
  RETURN_IF_ERROR(Sync(SyncTicket{active_file_.get()}));
  dirty_ = false;
  return Status::OK();
}

Status Partition::Write(SyncTicket* ticket) {
  *ticket = SyncTicket{};
  RETURN_IF_ERROR(Flush());
  if (dirty_) {
    const bool small =
        active_ == group_.pre_active && w_size_ - group_.pre_size < kReserveBelowBytes;
    if (small) {
      // At least kReserveBelowBytes of zeros after the data, so the next small group writes
      // within them: up to the step boundary past that, never past the segment's size (it rolls
      // there). Best effort: a failure (a full disk) leaves at most some zeros after the data,
      // which recovery drops.
      const uint64_t target =
          std::min((w_size_ + kReserveBelowBytes) / kReserveStep * kReserveStep + kReserveStep,
                   std::max<uint64_t>(options_.segment_bytes, w_size_));
      w_reserved_ = std::max(w_reserved_, target);
      (void)active_file_->Reserve(target);
    }
    (void)active_file_->StartSync();  // a hint; Sync() reports any failure
    ticket->file = active_file_.get();
    dirty_ = false;  // the ticket's Sync() covers it
  }
  group_.post_active = active_;
  group_.post_size = w_size_;
  group_.post_records = w_records_;
  group_.post_last_append = w_last_append_;
  group_.new_index = std::move(w_new_index_);
  w_new_index_.clear();
  pending_.push_back(std::move(group_));
  group_ = Group();
  return Status::OK();
}

void Partition::WriteIndexBestEffort(const Segment& seg, uint64_t size, uint64_t records,
                                     int64_t last_append_us, const std::vector<IndexEntry>& extra) {
  IndexFile f;
  f.base_offset = seg.base;
  f.log_size = size;
  f.record_count = records;
  f.last_append_us = last_append_us;
  f.entries = seg.index;  // only this thread writes seg.index, so reading it unlocked is safe
  f.entries.insert(f.entries.end(), extra.begin(), extra.end());
  // A cache: not synced; a missing or stale index is rebuilt on open.
  (void)WriteFileAtomic(env_, seg.index_path, EncodeIndexFile(f), /*sync=*/false);
}

Status Partition::Roll() {
  // The old segment must be durable before a newer one exists, so that after a crash only
  // the last segment can have a torn tail. A sealed segment is exactly its records: zeros
  // reserved after them go (its index and recovery take the file's size as the data's).
  RETURN_IF_ERROR(Flush());
  if (w_reserved_ > w_size_) {
    RETURN_IF_ERROR(active_file_->Truncate(w_size_));
    dirty_ = true;
  }
  w_reserved_ = 0;
  RETURN_IF_ERROR(SyncActive());
  const uint64_t new_base = active_->base + w_records_;
  group_.orphans.push_back(active_->index_path);
  WriteIndexBestEffort(*active_, w_size_, w_records_, w_last_append_, w_new_index_);
  group_.sealed.push_back(
      SealedDelta{active_, w_size_, w_records_, w_last_append_, std::move(w_new_index_)});
  w_new_index_.clear();

  group_.orphans.push_back(SegmentPath(new_base));
  ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file,
                   CreateSegmentFile(env_, SegmentPath(new_base), options_.id, new_base));
  RETURN_IF_ERROR(env_->SyncDir(options_.dir));
  ASSIGN_OR_RETURN(std::shared_ptr<Segment> seg, NewSegment(new_base));
  group_.created.push_back(seg);

  if (active_ == group_.pre_active) {
    group_.pre_file = std::move(active_file_);
  } else {
    (void)active_file_->Close();  // synced above
  }
  active_ = std::move(seg);
  active_file_ = std::move(file);
  w_size_ = active_file_->Size();
  w_records_ = 0;
  w_last_append_ = 0;
  w_has_index_ = false;
  w_last_index_pos_ = 0;
  dirty_ = false;
  return Status::OK();
}

void Partition::Commit() {
  if (pending_.empty()) return;
  Group& g = pending_.front();
  {
    std::unique_lock lock(mu_);
    for (SealedDelta& d : g.sealed) {
      d.seg->size = d.size;
      d.seg->records = d.records;
      d.seg->last_append_us = d.last_append_us;
      d.seg->index.insert(d.seg->index.end(), d.new_index.begin(), d.new_index.end());
    }
    for (auto& seg : g.created) segments_.push_back(seg);
    Segment& seg = *g.post_active;
    seg.size = g.post_size;
    seg.records = g.post_records;
    seg.last_append_us = g.post_last_append;
    seg.index.insert(seg.index.end(), g.new_index.begin(), g.new_index.end());
    end_offset_ = seg.base + g.post_records;
  }
  if (g.pre_file) (void)g.pre_file->Close();
  pending_.pop_front();
}

void Partition::Rollback() {
  if (!group_.open && pending_.empty()) return;
  buf_.clear();
  w_new_index_.clear();
  std::vector<Group> undo;  // newest first: each is undone from the state the next left
  if (group_.open) undo.push_back(std::move(group_));
  for (; !pending_.empty(); pending_.pop_back()) undo.push_back(std::move(pending_.back()));
  for (Group& g : undo) {
    if (g.pre_file) {
      // The group rolled: drop the segments it created and go back to the old file.
      (void)active_file_->Close();
      active_file_ = std::move(g.pre_file);
    }
    active_ = g.pre_active;
    w_records_ = g.pre_records;
    w_last_append_ = g.pre_last_append;
    w_has_index_ = g.pre_has_index;
    w_last_index_pos_ = g.pre_last_index_pos;
    repair_size_ = g.pre_size;
    repair_orphans_.insert(repair_orphans_.end(), g.orphans.begin(), g.orphans.end());
  }
  group_ = Group();
  needs_repair_ = true;
  (void)Repair();
}

Status Partition::Repair() {
  if (!needs_repair_) return Status::OK();
  std::vector<std::string> left;
  Status first_error;
  for (const std::string& path : repair_orphans_) {
    Status s = env_->RemoveFile(path);
    if (!s.ok() && s.code() != StatusCode::kNotFound) {
      left.push_back(path);
      if (first_error.ok()) first_error = s;
    }
  }
  const bool removed_any = left.size() < repair_orphans_.size();
  repair_orphans_ = std::move(left);
  // Always truncate: a failed write may have left bytes the file's size does not count.
  if (first_error.ok()) first_error = active_file_->Truncate(repair_size_);
  if (!first_error.ok()) return first_error;
  // Best effort: the next successful group's fdatasync makes the new size durable anyway.
  (void)active_file_->Sync();
  if (removed_any) (void)env_->SyncDir(options_.dir);
  w_size_ = repair_size_;
  w_reserved_ = 0;  // truncated: no zeros after the data
  dirty_ = false;
  needs_repair_ = false;
  return Status::OK();
}

}  // namespace rapport::log_internal
