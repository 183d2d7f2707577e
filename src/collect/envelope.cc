#include "collect/envelope.h"

#include <fmt/format.h>

#include <cassert>

namespace rapport {
namespace {

constexpr std::string_view kTypes[] = {"track", "identify", "page", "screen", "group", "alias"};

uint8_t TypeCode(std::string_view type) {
  for (uint8_t i = 0; i < std::size(kTypes); ++i) {
    if (kTypes[i] == type) return i + 1;
  }
  assert(false && "EncodeEnvelope: unknown event type");
  return 0;
}

void PutVarint32(uint32_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

void PutString(std::string_view s, std::string* out) {
  assert(s.size() <= UINT32_MAX);
  PutVarint32(static_cast<uint32_t>(s.size()), out);
  out->append(s);
}

void PutFixed64(int64_t v, std::string* out) {
  const auto u = static_cast<uint64_t>(v);
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>((u >> (8 * i)) & 0xff));
}

// A bounds-checked reader over one record.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  size_t pos() const { return pos_; }
  bool AtEnd() const { return pos_ == in_.size(); }

  bool Byte(uint8_t* out) {
    if (pos_ >= in_.size()) return false;
    *out = static_cast<uint8_t>(in_[pos_++]);
    return true;
  }
  // LEB128, at most 5 bytes, minimal encoding, value < 2^32.
  bool Varint32(uint32_t* out) {
    uint64_t v = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      uint8_t b;
      if (!Byte(&b)) return false;
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        if (b == 0 && shift > 0) return false;  // non-minimal
        if (v > UINT32_MAX) return false;
        *out = static_cast<uint32_t>(v);
        return true;
      }
    }
    return false;
  }
  bool String(std::string_view* out) {
    uint32_t n;
    if (!Varint32(&n) || n > in_.size() - pos_) return false;
    *out = in_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  bool Fixed64(int64_t* out) {
    if (in_.size() - pos_ < 8) return false;
    uint64_t u = 0;
    for (int i = 0; i < 8; ++i)
      u |= static_cast<uint64_t>(static_cast<uint8_t>(in_[pos_ + i])) << (8 * i);
    pos_ += 8;
    *out = static_cast<int64_t>(u);
    return true;
  }

 private:
  std::string_view in_;
  size_t pos_ = 0;
};

Status Corrupt(const Reader& r, std::string_view what) {
  return Status::Corruption(fmt::format("event envelope: {} at byte {}", what, r.pos()));
}

}  // namespace

void AppendEnvelope(std::string_view source_id, const NormalizedEvent& event, std::string* out) {
  out->reserve(out->size() + 32 + source_id.size() + event.message_id.size() +
               event.user_id.size() + event.anonymous_id.size() + event.json.size());
  AppendEnvelopeHeader(source_id, event, out);
  out->append(event.json);
}

void AppendEnvelopeHeader(std::string_view source_id, const NormalizedEvent& event,
                          std::string* out) {
  out->push_back(static_cast<char>(kEnvelopeVersion));
  PutString(source_id, out);
  PutString(event.message_id, out);
  out->push_back(static_cast<char>(TypeCode(event.type)));
  PutString(event.user_id, out);
  PutString(event.anonymous_id, out);
  PutFixed64(event.timestamp_us, out);
  PutFixed64(event.received_at_us, out);
  assert(event.json.size() <= UINT32_MAX);
  PutVarint32(static_cast<uint32_t>(event.json.size()), out);
}

std::string EncodeEnvelope(std::string_view source_id, const NormalizedEvent& event) {
  std::string out;
  AppendEnvelope(source_id, event, &out);
  return out;
}

Result<EnvelopeView> DecodeEnvelope(std::string_view record) {
  Reader r(record);
  EnvelopeView v;
  if (!r.Byte(&v.version)) return Corrupt(r, "empty record");
  if (v.version != kEnvelopeVersion) {
    return Status::Corruption(fmt::format(
        "event envelope: unknown version {} (this build reads {})", v.version, kEnvelopeVersion));
  }
  if (!r.String(&v.source_id)) return Corrupt(r, "bad source id");
  if (!r.String(&v.message_id)) return Corrupt(r, "bad messageId");
  uint8_t code;
  if (!r.Byte(&code)) return Corrupt(r, "truncated type");
  if (code < 1 || code > std::size(kTypes)) return Corrupt(r, "unknown type code");
  v.type = kTypes[code - 1];
  if (!r.String(&v.user_id)) return Corrupt(r, "bad userId");
  if (!r.String(&v.anonymous_id)) return Corrupt(r, "bad anonymousId");
  if (!r.Fixed64(&v.timestamp_us)) return Corrupt(r, "truncated timestamp");
  if (!r.Fixed64(&v.received_at_us)) return Corrupt(r, "truncated receivedAt");
  if (!r.String(&v.json)) return Corrupt(r, "bad JSON length");
  if (!r.AtEnd()) return Corrupt(r, "trailing bytes");
  return v;
}

}  // namespace rapport
