// CRC-32C (Castagnoli), the checksum of every log record and columnar block.
// Uses the SSE4.2 crc32 instruction when the CPU has it (three streams interleaved on inputs of
// 384 bytes and more), Boost.CRC otherwise; both give the same value. Thread-safe, no state.
// Mask()/Unmask() keep a CRC stored next to the data it covers from looking like data (the LevelDB
// convention).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace rapport::crc32c {

// CRC of data[0, n) continuing from a previous CRC `init` (0 to start).
uint32_t Extend(uint32_t init, const void* data, size_t n);
// The same without the crc32 instruction: the reference Extend is tested against.
uint32_t ExtendPortable(uint32_t init, const void* data, size_t n);
inline uint32_t Value(const void* data, size_t n) { return Extend(0, data, n); }
inline uint32_t Value(std::string_view s) { return Extend(0, s.data(), s.size()); }

constexpr uint32_t kMaskDelta = 0xa282ead8u;
inline uint32_t Mask(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + kMaskDelta; }
inline uint32_t Unmask(uint32_t masked) {
  uint32_t rot = masked - kMaskDelta;
  return (rot >> 17) | (rot << 15);
}

}  // namespace rapport::crc32c
