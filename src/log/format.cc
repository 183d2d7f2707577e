#include "log/format.h"

#include <bit>
#include <cstdio>
#include <cstring>

#include "common/crc32c.h"

namespace rapport::log_internal {
namespace {

static_assert(std::endian::native == std::endian::little, "the log format is little-endian");

void Put32(std::string* dst, uint32_t v) { dst->append(reinterpret_cast<const char*>(&v), 4); }
void Put64(std::string* dst, uint64_t v) { dst->append(reinterpret_cast<const char*>(&v), 8); }
uint32_t Get32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
uint64_t Get64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

// Appends the masked CRC of everything in *dst after `from`.
void PutTrailerCrc(std::string* dst, size_t from) {
  Put32(dst, crc32c::Mask(crc32c::Value(dst->data() + from, dst->size() - from)));
}

}  // namespace

std::string EncodeSegmentHeader(const SegmentHeader& h) {
  std::string out(kSegmentMagic);
  Put32(&out, kFormatVersion);
  Put32(&out, h.partition);
  Put64(&out, h.base_offset);
  Put32(&out, 0);  // reserved
  PutTrailerCrc(&out, 0);
  return out;
}

Status DecodeSegmentHeader(std::string_view data, SegmentHeader* h) {
  if (data.size() < kSegmentHeaderSize) return Status::Corruption("short segment header");
  if (data.substr(0, 8) != kSegmentMagic) return Status::Corruption("bad segment magic");
  const char* p = data.data();
  if (crc32c::Unmask(Get32(p + 28)) != crc32c::Value(p, 28)) {
    return Status::Corruption("segment header checksum mismatch");
  }
  if (Get32(p + 8) != kFormatVersion) {
    return Status::Corruption("unsupported segment version " + std::to_string(Get32(p + 8)));
  }
  h->partition = Get32(p + 12);
  h->base_offset = Get64(p + 16);
  return Status::OK();
}

void EncodeRecord(uint64_t offset, int64_t append_time_us, std::string_view payload,
                  std::string* dst) {
  EncodeRecord(offset, append_time_us, payload, {}, dst);
}

void EncodeRecord(uint64_t offset, int64_t append_time_us, std::string_view payload,
                  std::string_view tail, std::string* dst) {
  char header[kRecordHeaderSize];
  const uint32_t len = static_cast<uint32_t>(payload.size() + tail.size());
  std::memcpy(header + 4, &len, 4);
  std::memcpy(header + 8, &offset, 8);
  std::memcpy(header + 16, &append_time_us, 8);
  uint32_t crc = crc32c::Value(header + 4, kRecordHeaderSize - 4);
  crc = crc32c::Extend(crc, payload.data(), payload.size());
  crc = crc32c::Extend(crc, tail.data(), tail.size());
  const uint32_t masked = crc32c::Mask(crc);
  std::memcpy(header, &masked, 4);
  // append (not resize + copy): no zero-filling of a buffer about to be overwritten.
  dst->append(header, kRecordHeaderSize);
  dst->append(payload);
  dst->append(tail);
}

RecordHeader DecodeRecordHeader(const char* p) {
  RecordHeader h;
  h.masked_crc = Get32(p);
  h.length = Get32(p + 4);
  h.offset = Get64(p + 8);
  h.append_time_us = static_cast<int64_t>(Get64(p + 16));
  return h;
}

bool RecordChecksumOk(const char* header_bytes, std::string_view payload) {
  uint32_t crc = crc32c::Value(header_bytes + 4, kRecordHeaderSize - 4);
  crc = crc32c::Extend(crc, payload.data(), payload.size());
  return crc32c::Unmask(Get32(header_bytes)) == crc;
}

std::string EncodeIndexFile(const IndexFile& f) {
  std::string out(kIndexMagic);
  out.reserve(48 + f.entries.size() * 8 + 4);
  Put32(&out, kFormatVersion);
  Put32(&out, static_cast<uint32_t>(f.entries.size()));
  Put64(&out, f.base_offset);
  Put64(&out, f.log_size);
  Put64(&out, f.record_count);
  Put64(&out, static_cast<uint64_t>(f.last_append_us));
  for (const IndexEntry& e : f.entries) {
    Put32(&out, e.relative_offset);
    Put32(&out, e.position);
  }
  PutTrailerCrc(&out, 0);
  return out;
}

Status DecodeIndexFile(std::string_view data, IndexFile* f) {
  if (data.size() < 52) return Status::Corruption("short index file");
  if (data.substr(0, 8) != kIndexMagic) return Status::Corruption("bad index magic");
  const char* p = data.data();
  const uint32_t count = Get32(p + 12);
  if (data.size() != 48 + uint64_t{count} * 8 + 4) {
    return Status::Corruption("index file size does not match its entry count");
  }
  const size_t body = data.size() - 4;
  if (crc32c::Unmask(Get32(p + body)) != crc32c::Value(p, body)) {
    return Status::Corruption("index checksum mismatch");
  }
  if (Get32(p + 8) != kFormatVersion) return Status::Corruption("unsupported index version");
  f->base_offset = Get64(p + 16);
  f->log_size = Get64(p + 24);
  f->record_count = Get64(p + 32);
  f->last_append_us = static_cast<int64_t>(Get64(p + 40));
  f->entries.resize(count);
  for (uint32_t i = 0; i < count; ++i) {
    f->entries[i].relative_offset = Get32(p + 48 + i * 8);
    f->entries[i].position = Get32(p + 52 + i * 8);
  }
  return Status::OK();
}

std::string EncodeCheckpointFile(const std::vector<uint64_t>& next_offsets) {
  std::string out(kCheckpointMagic);
  Put32(&out, kFormatVersion);
  Put32(&out, static_cast<uint32_t>(next_offsets.size()));
  for (uint64_t o : next_offsets) Put64(&out, o);
  PutTrailerCrc(&out, 0);
  return out;
}

Status DecodeCheckpointFile(std::string_view data, std::vector<uint64_t>* next_offsets) {
  if (data.size() < 20) return Status::Corruption("short checkpoint file");
  if (data.substr(0, 8) != kCheckpointMagic) return Status::Corruption("bad checkpoint magic");
  const char* p = data.data();
  const uint32_t count = Get32(p + 12);
  if (data.size() != 16 + uint64_t{count} * 8 + 4) {
    return Status::Corruption("checkpoint file size does not match its partition count");
  }
  const size_t body = data.size() - 4;
  if (crc32c::Unmask(Get32(p + body)) != crc32c::Value(p, body)) {
    return Status::Corruption("checkpoint checksum mismatch");
  }
  if (Get32(p + 8) != kFormatVersion) return Status::Corruption("unsupported checkpoint version");
  next_offsets->resize(count);
  for (uint32_t i = 0; i < count; ++i) (*next_offsets)[i] = Get64(p + 16 + i * 8);
  return Status::OK();
}

std::string PartitionDirName(int partition) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "p-%03d", partition);
  return buf;
}

std::optional<int> ParsePartitionDirName(std::string_view name) {
  if (name.size() < 5 || name.size() > 6 || name.substr(0, 2) != "p-") return std::nullopt;
  int v = 0;
  for (char c : name.substr(2)) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

std::string SegmentFileName(uint64_t base_offset) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%020llu.log", static_cast<unsigned long long>(base_offset));
  return buf;
}

std::string IndexFileName(uint64_t base_offset) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%020llu.idx", static_cast<unsigned long long>(base_offset));
  return buf;
}

std::optional<uint64_t> ParseSegmentFileName(std::string_view name) {
  if (name.size() != 24 || name.substr(20) != ".log") return std::nullopt;
  uint64_t v = 0;
  for (char c : name.substr(0, 20)) {
    if (c < '0' || c > '9') return std::nullopt;
    uint64_t next = v * 10 + static_cast<uint64_t>(c - '0');
    if (next / 10 != v) return std::nullopt;  // overflow
    v = next;
  }
  return v;
}

bool ValidConsumerName(std::string_view name) {
  if (name.empty() || name.size() > 64 || name[0] == '.') return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace rapport::log_internal
