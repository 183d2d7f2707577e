// Integer streams of the part format (docs/formats/warehouse.md, "Integer stream"): a transform
// (none, delta, zig-zag delta), then frame-of-reference bit-packing in miniblocks of 128 values
// with patched exceptions (PFOR). Decoding is bounds-checked on every byte and never reads
// outside its input; a malformed stream fails. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace rapport::warehouse::part {

enum class IntTransform : uint8_t { kNone = 0, kDelta = 1, kZigZagDelta = 2 };
inline constexpr size_t kMiniBlock = 128;

// Appends the stream of v[0, n) encoded with `transform`.
void EncodeInts(const uint64_t* v, size_t n, IntTransform transform, std::string* out);
// Encodes v[0, n) with each of `transforms` and appends the shortest.
void EncodeIntsBest(const uint64_t* v, size_t n, std::initializer_list<IntTransform> transforms,
                    std::string* out);

// Reads one stream of exactly `n` values starting at in[*pos] into out[0, n) and advances *pos
// past it. False when the stream is malformed, runs past `in`, or a value does not fit T.
// T is uint8_t, uint32_t, uint64_t or int64_t (int64_t: the two's-complement bits).
template <typename T>
bool DecodeInts(std::string_view in, size_t* pos, size_t n, T* out);

// Zig-zag: small magnitudes, positive or negative, become small unsigned numbers.
inline uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int64_t UnZigZag(uint64_t u) { return static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1)); }

// A LEB128 varint at in[*pos] (at most 10 bytes, the 10th at most 1); false when malformed.
inline bool GetVarint(std::string_view in, size_t* pos, uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0; shift <= 63 && *pos < in.size(); shift += 7) {
    const auto b = static_cast<uint8_t>(in[(*pos)++]);
    if (shift == 63 && b > 1) return false;
    result |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      *v = result;
      return true;
    }
  }
  return false;
}

}  // namespace rapport::warehouse::part
