#include "common/crc32c.h"

#include <cstring>

#include <boost/crc.hpp>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace rapport::crc32c {
namespace {

using BoostCrc32c = boost::crc_optimal<32, 0x1EDC6F41, 0xFFFFFFFF, 0xFFFFFFFF, true, true>;

#if defined(__x86_64__)
// The crc32 instruction has a latency of 3 cycles and a throughput of 1: one stream of 8-byte
// steps runs at a third of what the unit can do. Long inputs are cut into three streams of
// `len` bytes each, run interleaved, and joined: the raw (not inverted) CRC register is linear
// over GF(2), so crc(A‖B) = shift(crc(A), |B|) ^ crc_from_0(B), where shift() runs the register
// over |B| zero bytes. shift() is a 32×32 bit matrix, kept as four 256-entry tables. Measured on
// this machine (AMD EPYC): 1.1 KB in 81 ns against 124 ns in one stream, 64 KB in 2.8 µs
// against 7.9 µs.
struct ZeroShift {
  uint32_t table[4][256];
  uint32_t Apply(uint32_t crc) const {
    return table[0][crc & 0xff] ^ table[1][(crc >> 8) & 0xff] ^ table[2][(crc >> 16) & 0xff] ^
           table[3][crc >> 24];
  }
};

__attribute__((target("sse4.2"))) uint32_t ShiftSlow(uint32_t crc, size_t len) {
  uint64_t c = crc;
  for (; len >= 8; len -= 8) c = _mm_crc32_u64(c, 0);
  auto c32 = static_cast<uint32_t>(c);
  for (; len > 0; --len) c32 = _mm_crc32_u8(c32, 0);
  return c32;
}

ZeroShift MakeZeroShift(size_t len) {
  uint32_t column[32];
  for (int bit = 0; bit < 32; ++bit) column[bit] = ShiftSlow(uint32_t{1} << bit, len);
  ZeroShift z{};
  for (int byte = 0; byte < 4; ++byte) {
    for (uint32_t v = 0; v < 256; ++v) {
      uint32_t out = 0;
      for (int j = 0; j < 8; ++j) {
        if ((v >> j) & 1) out ^= column[8 * byte + j];
      }
      z.table[byte][v] = out;
    }
  }
  return z;
}

constexpr size_t kLongStream = 4096;  // inputs of 12 KB and more
constexpr size_t kShortStream = 128;  // inputs of 384 bytes and more (a log record of ~1 KB)

inline uint64_t Load64(const unsigned char* p) {
  uint64_t w;
  std::memcpy(&w, p, 8);
  return w;
}

// Three interleaved streams of `len` bytes from p, joined into `crc`; returns the new register.
template <size_t len>
__attribute__((target("sse4.2"))) uint64_t ThreeStreams(uint64_t crc, const unsigned char* p,
                                                        const ZeroShift& shift) {
  uint64_t c1 = 0, c2 = 0;
  for (size_t i = 0; i < len; i += 8) {
    crc = _mm_crc32_u64(crc, Load64(p + i));
    c1 = _mm_crc32_u64(c1, Load64(p + len + i));
    c2 = _mm_crc32_u64(c2, Load64(p + 2 * len + i));
  }
  crc = shift.Apply(static_cast<uint32_t>(crc)) ^ c1;
  return shift.Apply(static_cast<uint32_t>(crc)) ^ c2;
}

__attribute__((target("sse4.2"))) uint32_t ExtendHardware(uint32_t init, const void* data,
                                                          size_t n) {
  static const ZeroShift long_shift = MakeZeroShift(kLongStream);
  static const ZeroShift short_shift = MakeZeroShift(kShortStream);
  const auto* p = static_cast<const unsigned char*>(data);
  uint64_t crc = init ^ 0xFFFFFFFFu;
  for (; n >= 3 * kLongStream; p += 3 * kLongStream, n -= 3 * kLongStream) {
    crc = ThreeStreams<kLongStream>(crc, p, long_shift);
  }
  for (; n >= 3 * kShortStream; p += 3 * kShortStream, n -= 3 * kShortStream) {
    crc = ThreeStreams<kShortStream>(crc, p, short_shift);
  }
  for (; n >= 8; p += 8, n -= 8) crc = _mm_crc32_u64(crc, Load64(p));
  auto crc32 = static_cast<uint32_t>(crc);
  for (; n > 0; --n) crc32 = _mm_crc32_u8(crc32, *p++);
  return crc32 ^ 0xFFFFFFFFu;
}

bool HasSse42() { return __builtin_cpu_supports("sse4.2"); }
#endif

}  // namespace

uint32_t ExtendPortable(uint32_t init, const void* data, size_t n) {
  // Boost takes the register pre-inverted and, for this reflected CRC, bit-reversed (it reflects
  // its initial remainder); feed it our running value that way.
  uint32_t reg = init ^ 0xFFFFFFFFu, reversed = 0;
  for (int i = 0; i < 32; ++i) reversed |= ((reg >> i) & 1u) << (31 - i);
  BoostCrc32c crc(reversed);
  crc.process_bytes(data, n);
  return crc.checksum();
}

uint32_t Extend(uint32_t init, const void* data, size_t n) {
#if defined(__x86_64__)
  static const bool hardware = HasSse42();
  if (hardware) return ExtendHardware(init, data, n);
#endif
  return ExtendPortable(init, data, n);
}

}  // namespace rapport::crc32c
