#include "log/record_scanner.h"

#include <algorithm>

namespace rapport::log_internal {

RecordScanner::RecordScanner(const RandomAccessFile* file, uint64_t position, uint64_t limit,
                             size_t chunk_bytes)
    : file_(file),
      pos_(position),
      limit_(std::max(limit, position)),
      chunk_bytes_(chunk_bytes),
      buf_start_(position) {}

bool RecordScanner::Ensure(size_t n) {
  if (Available() >= n) return true;
  const uint64_t want = std::min<uint64_t>(std::max<uint64_t>(n, chunk_bytes_), limit_ - pos_);
  Status s = file_->Read(pos_, static_cast<size_t>(want), &buf_);
  buf_start_ = pos_;
  if (!s.ok()) {
    buf_.clear();
    status_ = s;
    return false;
  }
  return buf_.size() >= n;
}

RecordScanner::Outcome RecordScanner::Next(RecordView* rec) {
  if (!status_.ok()) return Outcome::kIOError;
  if (pos_ >= limit_) return Outcome::kEnd;
  if (!Ensure(kRecordHeaderSize)) {
    return status_.ok() ? Outcome::kTruncated : Outcome::kIOError;
  }
  const RecordHeader h = DecodeRecordHeader(Cursor());
  if (h.length > kMaxPayloadBytes) return Outcome::kCorrupt;
  const size_t total = kRecordHeaderSize + h.length;
  if (total > limit_ - pos_) return Outcome::kTruncated;
  if (!Ensure(total)) return status_.ok() ? Outcome::kTruncated : Outcome::kIOError;
  const char* p = Cursor();
  std::string_view payload(p + kRecordHeaderSize, h.length);
  if (!RecordChecksumOk(p, payload)) return Outcome::kCorrupt;
  rec->position = pos_;
  rec->offset = h.offset;
  rec->append_time_us = h.append_time_us;
  rec->payload = payload;
  pos_ += total;
  return Outcome::kRecord;
}

std::optional<uint64_t> FindNextValidRecord(const RandomAccessFile* file, uint64_t after,
                                            uint64_t limit, uint64_t min_offset) {
  if (limit <= after + 1) return std::nullopt;
  std::string tail;
  if (!file->Read(after, static_cast<size_t>(limit - after), &tail).ok()) return std::nullopt;
  const char* base = tail.data();
  for (size_t i = 1; i + kRecordHeaderSize <= tail.size(); ++i) {
    const RecordHeader h = DecodeRecordHeader(base + i);
    // Cheap plausibility tests first: every record takes at least a header, so an offset
    // further than that from min_offset cannot belong to this segment.
    if (h.offset < min_offset || h.offset - min_offset > tail.size() / kRecordHeaderSize) continue;
    if (h.length > tail.size() - i - kRecordHeaderSize) continue;
    if (RecordChecksumOk(base + i, std::string_view(base + i + kRecordHeaderSize, h.length))) {
      return after + i;
    }
  }
  return std::nullopt;
}

}  // namespace rapport::log_internal
