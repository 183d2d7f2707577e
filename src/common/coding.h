// Binary encoding helpers for on-disk records and keys: LEB128 varints, fixed-width big-endian
// integers (they sort like numbers in byte-wise key order), length-prefixed strings, and a
// bounds-checked Decoder that never reads outside its input. Pure functions; thread-compatible.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace rapport {

inline void PutVarint64(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}
// Zig-zag, so small negative numbers stay short.
inline void PutSignedVarint64(std::string* out, int64_t v) {
  PutVarint64(out, (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
}
inline void PutBigEndian64(std::string* out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>(v >> shift));
}
inline void PutLengthPrefixed(std::string* out, std::string_view s) {
  PutVarint64(out, s.size());
  out->append(s);
}
inline void PutDouble(std::string* out, double d) {
  uint64_t bits;
  std::memcpy(&bits, &d, sizeof bits);
  PutBigEndian64(out, bits);
}
inline uint64_t ReadBigEndian64(std::string_view s) {  // s.size() >= 8
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(s[i]);
  return v;
}

// Reads what the Put* functions wrote. Every getter returns false (and leaves the decoder
// failed) when the input is too short or malformed; callers turn that into kCorruption.
class Decoder {
 public:
  explicit Decoder(std::string_view in) : in_(in) {}

  bool Varint64(uint64_t* v) {
    uint64_t result = 0;
    for (int shift = 0; shift <= 63 && pos_ < in_.size(); shift += 7) {
      uint8_t b = static_cast<uint8_t>(in_[pos_++]);
      if (shift == 63 && b > 1) break;
      result |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        *v = result;
        return true;
      }
    }
    return Fail();
  }
  bool SignedVarint64(int64_t* v) {
    uint64_t u;
    if (!Varint64(&u)) return false;
    *v = static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
    return true;
  }
  bool BigEndian64(uint64_t* v) {
    if (failed_ || in_.size() - pos_ < 8) return Fail();
    *v = ReadBigEndian64(in_.substr(pos_, 8));
    pos_ += 8;
    return true;
  }
  bool Double(double* d) {
    uint64_t bits;
    if (!BigEndian64(&bits)) return false;
    std::memcpy(d, &bits, sizeof bits);
    return true;
  }
  bool LengthPrefixed(std::string_view* s) {
    uint64_t n;
    if (!Varint64(&n) || n > in_.size() - pos_) return Fail();
    *s = in_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  bool LengthPrefixed(std::string* s) {
    std::string_view v;
    if (!LengthPrefixed(&v)) return false;
    s->assign(v);
    return true;
  }
  bool Byte(uint8_t* b) {
    if (failed_ || pos_ >= in_.size()) return Fail();
    *b = static_cast<uint8_t>(in_[pos_++]);
    return true;
  }
  bool done() const { return !failed_ && pos_ == in_.size(); }
  bool failed() const { return failed_; }
  size_t position() const { return pos_; }

 private:
  bool Fail() {
    failed_ = true;
    return false;
  }
  std::string_view in_;
  size_t pos_ = 0;
  bool failed_ = false;
};

}  // namespace rapport
