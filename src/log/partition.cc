#include "log/partition.h"

#include <algorithm>
#include <mutex>

namespace rapport::log_internal {
namespace {

std::string Where(const Segment& seg, uint64_t position) {
  return seg.path + " at byte " + std::to_string(position);
}

}  // namespace

Partition::Partition(PartitionOptions options) : options_(std::move(options)), env_(options_.env) {}

Partition::~Partition() {
  if (active_file_ && !group_.open && !needs_repair_ && w_reserved_ > w_size_) {
    if (active_file_->Truncate(w_size_).ok()) (void)active_file_->Sync();
  }
}

std::string Partition::SegmentPath(uint64_t base) const {
  return options_.dir + "/" + SegmentFileName(base);
}
std::string Partition::IndexPath(uint64_t base) const {
  return options_.dir + "/" + IndexFileName(base);
}

uint64_t Partition::StartOffset() const {
  std::shared_lock lock(mu_);
  return segments_.front()->base;
}

uint64_t Partition::EndOffset() const {
  std::shared_lock lock(mu_);
  return end_offset_;
}

void Partition::AddStats(uint64_t* bytes, uint64_t* segments) const {
  std::shared_lock lock(mu_);
  for (const auto& s : segments_) *bytes += s->size;
  *segments += segments_.size();
}

Status Partition::Read(uint64_t from, size_t max_records, size_t max_bytes,
                       std::vector<LogEntry>* out) const {
  size_t taken = 0;
  size_t bytes = 0;
  uint64_t next = from;
  while (taken < max_records) {
    std::shared_ptr<Segment> seg;
    uint64_t pos, limit, seg_end;
    {
      std::shared_lock lock(mu_);
      next = std::max(next, segments_.front()->base);
      if (next >= end_offset_) break;
      auto it = std::upper_bound(segments_.begin(), segments_.end(), next,
                                 [](uint64_t o, const auto& s) { return o < s->base; });
      --it;  // the first segment's base <= next, so `it` was not begin()
      seg = *it;
      seg_end = std::next(it) == segments_.end() ? end_offset_ : (*std::next(it))->base;
      limit = seg->size;
      pos = seg->SeekPosition(next);
    }
    const size_t chunk = max_records - taken <= 16 ? (16 << 10) : (64 << 10);
    RecordScanner scanner(seg->reader.get(), pos, limit, chunk);
    RecordView rec;
    while (taken < max_records && next < seg_end) {
      switch (scanner.Next(&rec)) {
        case RecordScanner::Outcome::kRecord:
          break;
        case RecordScanner::Outcome::kIOError:
          return scanner.status();
        case RecordScanner::Outcome::kEnd:
          return Status::Corruption("log segment " + seg->path + " ends before offset " +
                                    std::to_string(next));
        case RecordScanner::Outcome::kTruncated:
          return Status::Corruption("incomplete record in log segment " +
                                    Where(*seg, scanner.position()));
        case RecordScanner::Outcome::kCorrupt:
          return Status::Corruption("checksum mismatch in log segment " +
                                    Where(*seg, scanner.position()));
      }
      if (rec.offset < next) continue;  // still skipping from the index entry
      if (rec.offset != next) {
        return Status::Corruption("log segment " + Where(*seg, rec.position) + " holds offset " +
                                  std::to_string(rec.offset) + " where " + std::to_string(next) +
                                  " was expected");
      }
      if (taken > 0 && bytes + rec.payload.size() > max_bytes) return Status::OK();
      out->push_back(LogEntry{rec.offset, rec.append_time_us, std::string(rec.payload)});
      ++taken;
      bytes += rec.payload.size();
      ++next;
    }
  }
  return Status::OK();
}

Status Partition::Verify(RecoveryReport* report) const {
  std::vector<std::shared_ptr<Segment>> segs;
  std::vector<uint64_t> sizes, ends;
  {
    std::shared_lock lock(mu_);
    segs = segments_;
    for (size_t i = 0; i < segs.size(); ++i) {
      sizes.push_back(segs[i]->size);
      ends.push_back(i + 1 < segs.size() ? segs[i + 1]->base : end_offset_);
    }
  }
  uint64_t bad = 0;
  for (size_t i = 0; i < segs.size(); ++i) {
    const Segment& seg = *segs[i];
    std::string header;
    RETURN_IF_ERROR(seg.reader->Read(0, kSegmentHeaderSize, &header));
    SegmentHeader h;
    Status hs = DecodeSegmentHeader(header, &h);
    if (hs.ok() && (h.base_offset != seg.base || h.partition != uint32_t(options_.id))) {
      hs = Status::Corruption("header names another partition or base offset");
    }
    if (!hs.ok()) {
      ++bad;
      report->AddCorrupt(options_.id, 1,
                         "partition " + std::to_string(options_.id) + ": bad header in " +
                             seg.path + ": " + hs.message());
    }
    ScanSummary sum;
    RETURN_IF_ERROR(ScanSegment(seg.reader.get(), seg.base, sizes[i], &sum));
    if (!sum.clean) {
      ++bad;
      report->AddCorrupt(options_.id, 1,
                         "partition " + std::to_string(options_.id) + ": " + sum.problem + " in " +
                             Where(seg, sum.good_end) + "; offsets " +
                             std::to_string(seg.base + sum.records) + " to " +
                             std::to_string(ends[i]) + " are unreadable");
    } else if (seg.base + sum.records != ends[i]) {
      ++bad;
      report->AddCorrupt(options_.id, 0,
                         "partition " + std::to_string(options_.id) + ": " + seg.path +
                             " holds offsets up to " + std::to_string(seg.base + sum.records) +
                             " but the next segment starts at " + std::to_string(ends[i]));
    }
  }
  if (bad > 0) {
    return Status::Corruption("partition " + std::to_string(options_.id) + ": " +
                              std::to_string(bad) + " problem(s) found");
  }
  return Status::OK();
}

Result<int> Partition::RemoveOldSegments(uint64_t below, int64_t cutoff_us) {
  std::vector<std::shared_ptr<Segment>> victims;
  {
    std::unique_lock lock(mu_);
    size_t n = 0;
    while (n + 1 < segments_.size() && segments_[n + 1]->base <= below &&
           segments_[n]->last_append_us <= cutoff_us) {
      ++n;
    }
    victims.assign(segments_.begin(), segments_.begin() + static_cast<ptrdiff_t>(n));
    segments_.erase(segments_.begin(), segments_.begin() + static_cast<ptrdiff_t>(n));
  }
  // Readers holding a victim keep reading it through its open descriptor.
  Status first_error;
  for (const auto& v : victims) {
    for (const std::string& path : {v->path, v->index_path}) {
      Status s = env_->RemoveFile(path);
      if (!s.ok() && s.code() != StatusCode::kNotFound && first_error.ok()) first_error = s;
    }
  }
  if (!victims.empty()) {
    Status s = env_->SyncDir(options_.dir);
    if (first_error.ok()) first_error = s;
  }
  if (!first_error.ok()) return first_error;
  return static_cast<int>(victims.size());
}

}  // namespace rapport::log_internal
