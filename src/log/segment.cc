#include "log/segment.h"

#include <algorithm>

namespace rapport::log_internal {

uint64_t Segment::SeekPosition(uint64_t offset) const {
  const uint64_t rel = offset - base;
  auto it = std::upper_bound(index.begin(), index.end(), rel,
                             [](uint64_t r, const IndexEntry& e) { return r < e.relative_offset; });
  if (it == index.begin()) return kSegmentHeaderSize;
  return std::prev(it)->position;
}

IndexFile Segment::ToIndexFile() const {
  IndexFile f;
  f.base_offset = base;
  f.log_size = size;
  f.record_count = records;
  f.last_append_us = last_append_us;
  f.entries = index;
  return f;
}

bool WantIndexEntry(const uint64_t* last_indexed, uint64_t position) {
  return last_indexed == nullptr || position - *last_indexed >= kIndexIntervalBytes;
}

Status ScanSegment(const RandomAccessFile* file, uint64_t base, uint64_t file_size,
                   ScanSummary* out) {
  *out = ScanSummary();
  RecordScanner scanner(file, kSegmentHeaderSize, file_size, 1 << 20);
  RecordView rec;
  while (true) {
    RecordScanner::Outcome o = scanner.Next(&rec);
    switch (o) {
      case RecordScanner::Outcome::kRecord:
        break;
      case RecordScanner::Outcome::kEnd:
        return Status::OK();
      case RecordScanner::Outcome::kTruncated:
        out->clean = false;
        out->problem = "incomplete record";
        return Status::OK();
      case RecordScanner::Outcome::kCorrupt:
        out->clean = false;
        out->problem = "checksum mismatch or impossible length";
        return Status::OK();
      case RecordScanner::Outcome::kIOError:
        return scanner.status();
    }
    if (rec.offset != base + out->records) {
      out->clean = false;
      out->problem = "record carries offset " + std::to_string(rec.offset) + ", expected " +
                     std::to_string(base + out->records);
      return Status::OK();
    }
    const uint64_t last_pos = out->index.empty() ? 0 : out->index.back().position;
    const uint64_t* last = out->index.empty() ? nullptr : &last_pos;
    if (WantIndexEntry(last, rec.position)) {
      out->index.push_back(
          IndexEntry{static_cast<uint32_t>(out->records), static_cast<uint32_t>(rec.position)});
    }
    ++out->records;
    out->last_append_us = rec.append_time_us;
    out->good_end = rec.position + rec.encoded_size();
  }
}

bool IndexMatchesSegment(const IndexFile& idx, uint64_t base, uint64_t file_size,
                         const RandomAccessFile* file) {
  if (idx.base_offset != base || idx.log_size != file_size) return false;
  if (idx.record_count == 0) return idx.entries.empty() && file_size == kSegmentHeaderSize;
  if (idx.entries.empty() || idx.entries[0].relative_offset != 0 ||
      idx.entries[0].position != kSegmentHeaderSize) {
    return false;
  }
  for (size_t i = 1; i < idx.entries.size(); ++i) {
    if (idx.entries[i].relative_offset <= idx.entries[i - 1].relative_offset ||
        idx.entries[i].position <= idx.entries[i - 1].position) {
      return false;
    }
  }
  const IndexEntry& last = idx.entries.back();
  if (last.relative_offset >= idx.record_count || last.position >= file_size) return false;
  RecordScanner scanner(file, last.position, file_size, 4096);
  RecordView rec;
  return scanner.Next(&rec) == RecordScanner::Outcome::kRecord &&
         rec.offset == base + last.relative_offset;
}

Result<std::unique_ptr<WritableFile>> CreateSegmentFile(Env* env, const std::string& path,
                                                        int partition, uint64_t base) {
  ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, env->OpenAppendable(path));
  if (file->Size() != 0) RETURN_IF_ERROR(file->Truncate(0));
  SegmentHeader h;
  h.partition = static_cast<uint32_t>(partition);
  h.base_offset = base;
  RETURN_IF_ERROR(file->Append(EncodeSegmentHeader(h)));
  RETURN_IF_ERROR(file->Sync());
  return file;
}

}  // namespace rapport::log_internal
