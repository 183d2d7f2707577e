// Partition::Open and the recovery of its segments (see docs/formats/log.md, "Recovery").
#include <algorithm>
#include <mutex>

#include "log/partition.h"

namespace rapport::log_internal {
namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

Result<std::shared_ptr<Segment>> Partition::NewSegment(uint64_t base) {
  ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> reader, env_->OpenReadable(SegmentPath(base)));
  return std::make_shared<Segment>(base, SegmentPath(base), IndexPath(base), std::move(reader));
}

Result<std::shared_ptr<Segment>> Partition::CreateFirstSegment(uint64_t base) {
  ASSIGN_OR_RETURN(active_file_, CreateSegmentFile(env_, SegmentPath(base), options_.id, base));
  RETURN_IF_ERROR(env_->SyncDir(options_.dir));
  return NewSegment(base);
}

Status Partition::Open(RecoveryReport* report) {
  const std::string p = "partition " + std::to_string(options_.id) + ": ";
  RETURN_IF_ERROR(env_->CreateDirs(options_.dir));
  ASSIGN_OR_RETURN(std::vector<std::string> names, env_->ListDir(options_.dir));
  std::vector<uint64_t> bases;
  std::vector<uint64_t> index_bases;
  for (const std::string& name : names) {
    if (auto base = ParseSegmentFileName(name)) {
      bases.push_back(*base);
    } else if (EndsWith(name, ".tmp")) {
      (void)env_->RemoveFile(options_.dir + "/" + name);  // an interrupted index write
    } else if (EndsWith(name, ".idx") && name.size() == 24) {
      if (auto b = ParseSegmentFileName(name.substr(0, 20) + ".log")) index_bases.push_back(*b);
    }
  }
  // ListDir sorts names and they are zero-padded, so bases are ascending.
  for (uint64_t b : index_bases) {
    if (!std::binary_search(bases.begin(), bases.end(), b)) {
      (void)env_->RemoveFile(IndexPath(b));  // its segment was deleted by retention
    }
  }

  std::vector<std::shared_ptr<Segment>> segs;
  if (bases.empty()) {
    ASSIGN_OR_RETURN(std::shared_ptr<Segment> seg, CreateFirstSegment(0));
    segs.push_back(std::move(seg));
  } else {
    for (size_t i = 0; i + 1 < bases.size(); ++i) {
      ASSIGN_OR_RETURN(std::shared_ptr<Segment> seg, LoadSealed(bases[i], report));
      if (seg->base + seg->records != bases[i + 1]) {
        report->AddCorrupt(options_.id, 0,
                           p + "CORRUPTION: " + seg->path + " holds offsets up to " +
                               std::to_string(seg->base + seg->records) +
                               " but the next segment starts at " + std::to_string(bases[i + 1]));
      }
      segs.push_back(std::move(seg));
    }
    ASSIGN_OR_RETURN(std::shared_ptr<Segment> last, LoadLast(bases.back(), report));
    segs.push_back(std::move(last));
  }

  active_ = segs.back();
  w_size_ = active_->size;
  w_records_ = active_->records;
  w_last_append_ = active_->last_append_us;
  w_has_index_ = !active_->index.empty();
  w_last_index_pos_ = w_has_index_ ? active_->index.back().position : 0;
  std::unique_lock lock(mu_);
  segments_ = std::move(segs);
  end_offset_ = active_->base + active_->records;
  return Status::OK();
}

Result<std::shared_ptr<Segment>> Partition::LoadSealed(uint64_t base, RecoveryReport* report) {
  const std::string p = "partition " + std::to_string(options_.id) + ": ";
  ASSIGN_OR_RETURN(std::shared_ptr<Segment> seg, NewSegment(base));
  ASSIGN_OR_RETURN(uint64_t size, env_->FileSize(seg->path));
  seg->size = size;

  std::string data;
  IndexFile idx;
  if (ReadFileToString(env_, seg->index_path, &data).ok() && DecodeIndexFile(data, &idx).ok() &&
      IndexMatchesSegment(idx, base, size, seg->reader.get())) {
    seg->records = idx.record_count;
    seg->last_append_us = idx.last_append_us;
    seg->index = std::move(idx.entries);
    return seg;
  }
  // The index is a cache: rebuild it from the segment.
  ScanSummary sum;
  RETURN_IF_ERROR(ScanSegment(seg->reader.get(), base, size, &sum));
  seg->records = sum.records;
  seg->last_append_us = sum.last_append_us;
  seg->index = std::move(sum.index);
  if (!sum.clean) {
    // A sealed segment is never cut: reads of what follows fail with kCorruption.
    report->AddCorrupt(options_.id, 1,
                       p + "CORRUPTION in sealed segment " + seg->path + " at byte " +
                           std::to_string(sum.good_end) + ": " + sum.problem + "; " +
                           std::to_string(size - sum.good_end) + " bytes unreadable");
    return seg;
  }
  report->AddNote(p + "rebuilt index " + seg->index_path);
  (void)WriteFileAtomic(env_, seg->index_path, EncodeIndexFile(seg->ToIndexFile()),
                        /*sync=*/false);
  return seg;
}

namespace {

// The end of the data in bytes [begin, end) of `file`: just after its last non-zero byte
// (`begin` when all are zero). Zeros after that were reserved ahead of the data
// (WritableFile::Reserve) and never written over.
Result<uint64_t> DataEnd(const RandomAccessFile* file, uint64_t begin, uint64_t end) {
  std::string chunk;
  uint64_t data_end = begin;
  for (uint64_t at = begin; at < end;) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(end - at, 1 << 20));
    RETURN_IF_ERROR(file->Read(at, n, &chunk));
    for (size_t i = chunk.size(); i > 0; --i) {
      if (chunk[i - 1] != 0) {
        data_end = at + i;
        break;
      }
    }
    if (chunk.size() < n) break;
    at += n;
  }
  return data_end;
}

}  // namespace

Result<std::shared_ptr<Segment>> Partition::LoadLast(uint64_t base, RecoveryReport* report) {
  const std::string p = "partition " + std::to_string(options_.id) + ": ";
  const std::string path = SegmentPath(base);
  (void)env_->RemoveFile(IndexPath(base));  // the last segment is always scanned
  ASSIGN_OR_RETURN(uint64_t size, env_->FileSize(path));
  std::string header;
  {
    ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> r, env_->OpenReadable(path));
    RETURN_IF_ERROR(r->Read(0, kSegmentHeaderSize, &header));
  }
  SegmentHeader h;
  Status hs = DecodeSegmentHeader(header, &h);
  if (hs.ok() && h.base_offset != base) hs = Status::Corruption("header names another base");
  if (!hs.ok()) {
    if (size <= kSegmentHeaderSize) {
      // Created but never completed (a crash during a roll): start it again.
      report->AddTruncated(options_.id, size, p + "rewrote the incomplete header of " + path);
    } else {
      const std::string aside = path + ".corrupt";
      report->AddCorrupt(options_.id, 1,
                         p + "CORRUPTION: bad header in " + path + " (" + hs.message() +
                             "); moved to " + aside + " and started an empty segment");
      RETURN_IF_ERROR(env_->RenameFile(path, aside));
    }
    return CreateFirstSegment(base);
  }

  ASSIGN_OR_RETURN(std::shared_ptr<Segment> seg, NewSegment(base));
  ScanSummary sum;
  RETURN_IF_ERROR(ScanSegment(seg->reader.get(), base, size, &sum));
  ASSIGN_OR_RETURN(active_file_, env_->OpenAppendable(path));
  if (!sum.clean) {
    // Zeros after the records were reserved ahead of the data (WritableFile::Reserve): they are
    // cut with the rest, but only bytes up to the last non-zero one were torn. Nothing but zeros:
    // nothing was lost, and there is nothing to report.
    ASSIGN_OR_RETURN(const uint64_t data_end, DataEnd(seg->reader.get(), sum.good_end, size));
    const uint64_t dropped = data_end - sum.good_end;
    const std::string where = path + " at byte " + std::to_string(sum.good_end);
    std::optional<uint64_t> valid_after;
    if (dropped > 0) {
      valid_after = FindNextValidRecord(seg->reader.get(), sum.good_end, size, base + sum.records);
    }
    if (valid_after) {
      report->AddCorrupt(options_.id, 1,
                         p + "CORRUPTION in the middle of " + where + " (" + sum.problem +
                             "): valid records follow at byte " + std::to_string(*valid_after) +
                             "; truncated " + std::to_string(dropped) + " bytes");
      report->AddTruncated(options_.id, dropped,
                           p + "dropped " + std::to_string(dropped) + " bytes after offset " +
                               std::to_string(base + sum.records));
    } else if (dropped > 0) {
      report->AddTruncated(options_.id, dropped,
                           p + "torn tail in " + where + " (" + sum.problem + "): truncated " +
                               std::to_string(dropped) + " bytes");
    }
    RETURN_IF_ERROR(active_file_->Truncate(sum.good_end));
    RETURN_IF_ERROR(active_file_->Sync());
  }
  seg->size = sum.good_end;
  seg->records = sum.records;
  seg->last_append_us = sum.last_append_us;
  seg->index = std::move(sum.index);
  return seg;
}

}  // namespace rapport::log_internal
