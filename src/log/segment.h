// Segment: one file of a partition ("<base offset>.log") with its in-memory sparse index, and
// the helpers that create, scan and index segment files. A Segment's mutable fields are owned
// by its Partition: written by the writer thread under the partition's exclusive lock, read
// under its shared lock. The reader handle is opened once and used by any thread (pread).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/env.h"
#include "common/status.h"
#include "log/format.h"
#include "log/record_scanner.h"

namespace rapport::log_internal {

struct Segment {
  Segment(uint64_t base_offset, std::string log_path, std::string idx_path,
          std::unique_ptr<RandomAccessFile> file)
      : base(base_offset),
        path(std::move(log_path)),
        index_path(std::move(idx_path)),
        reader(std::move(file)) {}

  const uint64_t base;
  const std::string path;
  const std::string index_path;
  const std::unique_ptr<RandomAccessFile> reader;

  // Guarded by the partition's mutex: durable bytes, records, last append, sparse index.
  uint64_t size = kSegmentHeaderSize;
  uint64_t records = 0;
  int64_t last_append_us = 0;
  std::vector<IndexEntry> index;

  // File position from which a forward scan reaches `offset` (>= base) soonest.
  uint64_t SeekPosition(uint64_t offset) const;
  IndexFile ToIndexFile() const;
};

// Appends an index entry for the record at `position` when the spacing rule asks for one.
// `last_indexed` is the position of the previous entry of the segment (nullptr if none).
bool WantIndexEntry(const uint64_t* last_indexed, uint64_t position);

// What a full scan of a segment found.
struct ScanSummary {
  uint64_t good_end = kSegmentHeaderSize;  // end of the last good record
  uint64_t records = 0;
  int64_t last_append_us = 0;
  std::vector<IndexEntry> index;
  bool clean = true;    // reached the end of the file with no problem
  std::string problem;  // why it stopped early ("checksum mismatch", ...)
};

// Scans the records of [kSegmentHeaderSize, file_size) checking checksums and that offsets
// run base, base+1, ...; stops at the first problem. Fails only on I/O errors.
Status ScanSegment(const RandomAccessFile* file, uint64_t base, uint64_t file_size,
                   ScanSummary* out);

// True when `idx` describes this segment file: right base and size, sane entries, and the last
// indexed record reads back with the expected offset and a good checksum.
bool IndexMatchesSegment(const IndexFile& idx, uint64_t base, uint64_t file_size,
                         const RandomAccessFile* file);

// Creates (or empties) `path` and writes and syncs a segment header; the caller syncs the dir.
Result<std::unique_ptr<WritableFile>> CreateSegmentFile(Env* env, const std::string& path,
                                                        int partition, uint64_t base);

}  // namespace rapport::log_internal
