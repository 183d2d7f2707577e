#include "common/crc32c.h"

#include <cstring>

#include <boost/crc.hpp>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace rapport::crc32c {
namespace {

using BoostCrc32c = boost::crc_optimal<32, 0x1EDC6F41, 0xFFFFFFFF, 0xFFFFFFFF, true, true>;

uint32_t ExtendPortable(uint32_t init, const void* data, size_t n) {
  // Boost keeps the register pre-inverted; feed it our running value the same way.
  BoostCrc32c crc(init ^ 0xFFFFFFFFu);
  crc.process_bytes(data, n);
  return crc.checksum();
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) uint32_t ExtendHardware(uint32_t init, const void* data,
                                                          size_t n) {
  const auto* p = static_cast<const unsigned char*>(data);
  uint64_t crc = init ^ 0xFFFFFFFFu;
  while (n >= 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    crc = _mm_crc32_u64(crc, word);
    p += 8;
    n -= 8;
  }
  auto crc32 = static_cast<uint32_t>(crc);
  while (n > 0) {
    crc32 = _mm_crc32_u8(crc32, *p++);
    --n;
  }
  return crc32 ^ 0xFFFFFFFFu;
}

bool HasSse42() { return __builtin_cpu_supports("sse4.2"); }
#endif

}  // namespace

uint32_t Extend(uint32_t init, const void* data, size_t n) {
#if defined(__x86_64__)
  static const bool hardware = HasSse42();
  if (hardware) return ExtendHardware(init, data, n);
#endif
  return ExtendPortable(init, data, n);
}

}  // namespace rapport::crc32c
