// RecordScanner: reads the records of one segment file in order, in large pread chunks, and
// classifies where it stops (clean end, torn record, checksum failure). FindNextValidRecord()
// tells a torn tail from corruption in the middle. Not thread-safe; the file must outlive it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/env.h"
#include "common/status.h"
#include "log/format.h"

namespace rapport::log_internal {

struct RecordView {
  uint64_t position = 0;  // of the record header in the file
  uint64_t offset = 0;
  int64_t append_time_us = 0;
  std::string_view payload;  // valid until the next call to Next()
  uint64_t encoded_size() const { return kRecordHeaderSize + payload.size(); }
};

class RecordScanner {
 public:
  enum class Outcome {
    kRecord,     // *rec holds the next record
    kEnd,        // position() == limit: no more records
    kTruncated,  // a record starts at position() but does not fit before the limit
    kCorrupt,    // the record at position() fails its checksum or has an impossible length
    kIOError,    // the read failed; see status()
  };

  // Scans [position, limit) of `file`.
  RecordScanner(const RandomAccessFile* file, uint64_t position, uint64_t limit,
                size_t chunk_bytes = 64 << 10);

  Outcome Next(RecordView* rec);
  uint64_t position() const { return pos_; }
  const Status& status() const { return status_; }

 private:
  // Makes at least `n` bytes from pos_ available in buf_ (fewer only at the limit).
  bool Ensure(size_t n);
  size_t Available() const { return buf_.size() - (pos_ - buf_start_); }
  const char* Cursor() const { return buf_.data() + (pos_ - buf_start_); }

  const RandomAccessFile* file_;
  uint64_t pos_;
  const uint64_t limit_;
  const size_t chunk_bytes_;
  std::string buf_;
  uint64_t buf_start_;  // file position of buf_[0]
  Status status_;
};

// Searches (after, limit) for the start of a record that passes its checksum and carries an
// offset >= min_offset that could follow; returns its position, or nullopt (also on I/O error).
// Used to tell a torn tail (nothing valid after) from corruption in the middle.
std::optional<uint64_t> FindNextValidRecord(const RandomAccessFile* file, uint64_t after,
                                            uint64_t limit, uint64_t min_offset);

}  // namespace rapport::log_internal
