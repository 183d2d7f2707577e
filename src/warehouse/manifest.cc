#include "warehouse/manifest.h"

#include <algorithm>

#include "common/coding.h"
#include "common/crc32c.h"

namespace rapport::warehouse {

namespace {
constexpr std::string_view kMagic = "RWMANIF";
constexpr uint8_t kVersion = 1;
constexpr size_t kMaxNameBytes = 65536;  // events are at most 32 KB
}  // namespace

std::string PartFileName(int64_t day, uint64_t id) {
  return "parts/" + std::to_string(day) + "-" + std::to_string(id) + ".part";
}

std::string Manifest::Encode() const {
  std::string out(kMagic);
  out.push_back(static_cast<char>(kVersion));
  PutVarint64(&out, next_part_id);
  PutVarint64(&out, offsets.size());
  for (uint64_t o : offsets) PutVarint64(&out, o);
  PutVarint64(&out, events.size());
  for (const std::string& e : events) PutLengthPrefixed(&out, e);
  PutVarint64(&out, parts.size());
  for (const PartEntry& p : parts) {
    PutVarint64(&out, p.id);
    PutSignedVarint64(&out, p.day);
    PutVarint64(&out, p.rows);
    PutSignedVarint64(&out, p.min_ts);
    PutSignedVarint64(&out, p.max_ts);
    PutVarint64(&out, p.bytes);
  }
  const uint32_t crc = crc32c::Mask(crc32c::Value(out));
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((crc >> (8 * i)) & 0xFF));
  return out;
}

Result<Manifest> Manifest::Decode(std::string_view bytes) {
  auto bad = [](std::string what) {
    return Status::Corruption("warehouse manifest: " + std::move(what));
  };
  if (bytes.size() < kMagic.size() + 1 + 4 || bytes.substr(0, kMagic.size()) != kMagic) {
    return bad("not a manifest (bad magic or too short)");
  }
  const std::string_view body = bytes.substr(0, bytes.size() - 4);
  uint32_t stored = 0;
  for (int i = 0; i < 4; ++i) {
    stored |= uint32_t{static_cast<uint8_t>(bytes[bytes.size() - 4 + i])} << (8 * i);
  }
  if (crc32c::Unmask(stored) != crc32c::Value(body)) return bad("checksum mismatch");
  if (static_cast<uint8_t>(body[kMagic.size()]) != kVersion) {
    return bad("version " + std::to_string(static_cast<uint8_t>(body[kMagic.size()])) +
               " is not 1");
  }
  Decoder d(body.substr(kMagic.size() + 1));
  Manifest m;
  uint64_t n = 0;
  if (!d.Varint64(&m.next_part_id) || !d.Varint64(&n) || n > 4096) return bad("bad offsets");
  m.offsets.resize(n);
  for (uint64_t& o : m.offsets) {
    if (!d.Varint64(&o)) return bad("bad offsets");
  }
  if (!d.Varint64(&n) || n > body.size()) return bad("bad event dictionary");
  m.events.resize(n);
  for (std::string& e : m.events) {
    if (!d.LengthPrefixed(&e) || e.empty() || e.size() > kMaxNameBytes) {
      return bad("bad event dictionary");
    }
  }
  if (!d.Varint64(&n) || n > body.size()) return bad("bad part list");
  m.parts.resize(n);
  for (PartEntry& p : m.parts) {
    if (!d.Varint64(&p.id) || !d.SignedVarint64(&p.day) || !d.Varint64(&p.rows) ||
        !d.SignedVarint64(&p.min_ts) || !d.SignedVarint64(&p.max_ts) || !d.Varint64(&p.bytes)) {
      return bad("bad part list");
    }
    if (p.id == 0 || p.id >= m.next_part_id) return bad("part id out of range");
  }
  if (!d.done()) return bad("bytes after the part list");
  return m;
}

}  // namespace rapport::warehouse
