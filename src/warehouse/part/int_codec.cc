#include "warehouse/part/int_codec.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <limits>
#include <type_traits>
#include <utility>

#include "common/coding.h"

namespace rapport::warehouse::part {
namespace {

static_assert(std::endian::native == std::endian::little, "the part format is little-endian");

inline uint64_t Load64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

constexpr uint64_t LowMask(int bits) {
  return bits >= 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1;
}

// Value J of a group of 8 values packed at B bits each (the group is exactly B bytes).
template <int B, int J>
inline uint64_t Extract(const uint8_t* in) {
  if constexpr (B == 0) {
    return 0;
  } else {
    constexpr int kBit = J * B;
    constexpr int kByte = kBit / 8;
    constexpr int kShift = kBit % 8;
    if constexpr (kShift + B <= 64) {
      return (Load64(in + kByte) >> kShift) & LowMask(B);
    } else {
      const uint64_t lo = Load64(in + kByte) >> kShift;
      const uint64_t hi = Load64(in + kByte + 8) << (64 - kShift);
      return (lo | hi) & LowMask(B);
    }
  }
}

template <int B, int... J>
inline void UnpackGroup(const uint8_t* in, uint64_t* out, std::integer_sequence<int, J...>) {
  ((out[J] = Extract<B, J>(in)), ...);
}

// Unpacks 128 values of B bits. Reads at most 16 * B + 16 bytes from `in`.
template <int B>
void Unpack128(const uint8_t* in, uint64_t* out) {
  for (int g = 0; g < 16; ++g) {
    UnpackGroup<B>(in + g * B, out + g * 8, std::make_integer_sequence<int, 8>{});
  }
}

using UnpackFn = void (*)(const uint8_t*, uint64_t*);
template <int... B>
constexpr std::array<UnpackFn, sizeof...(B)> MakeUnpackTable(std::integer_sequence<int, B...>) {
  return {&Unpack128<B>...};
}
constexpr auto kUnpack = MakeUnpackTable(std::make_integer_sequence<int, 65>{});

inline int BitLength(uint64_t x) { return x == 0 ? 0 : 64 - std::countl_zero(x); }

// Appends the low `b` bits of x[0, k) as a little-endian bit stream.
void PackBits(const uint64_t* x, size_t k, int b, std::string* out) {
  if (b == 0) return;
  const uint64_t mask = LowMask(b);
  uint64_t acc = 0;
  int filled = 0;
  char word[8];
  for (size_t i = 0; i < k; ++i) {
    const uint64_t v = x[i] & mask;
    acc |= v << filled;
    if (filled + b >= 64) {
      std::memcpy(word, &acc, 8);
      out->append(word, 8);
      const int used = 64 - filled;
      acc = used < 64 ? v >> used : 0;
      filled = filled + b - 64;
    } else {
      filled += b;
    }
  }
  std::memcpy(word, &acc, 8);
  out->append(word, static_cast<size_t>((filled + 7) / 8));
}

void EncodeMiniBlock(const uint64_t* u, size_t k, std::string* out) {
  uint64_t ref = u[0];
  for (size_t i = 1; i < k; ++i) ref = std::min(ref, u[i]);
  uint64_t x[kMiniBlock];
  int hist[65] = {};
  int max_len = 0;
  for (size_t i = 0; i < k; ++i) {
    x[i] = u[i] - ref;
    const int len = BitLength(x[i]);
    ++hist[len];
    max_len = std::max(max_len, len);
  }
  // Width: the smallest estimated size; exceptions cost a position byte and a varint.
  size_t best_cost = std::numeric_limits<size_t>::max();
  int best = max_len;
  size_t exceptions = 0;
  for (int b = max_len; b >= 0; --b) {
    if (b < max_len) exceptions += static_cast<size_t>(hist[b + 1]);
    const size_t cost = (k * static_cast<size_t>(b) + 7) / 8 +
                        exceptions * (1 + static_cast<size_t>(max_len - b + 6) / 7);
    if (cost < best_cost) {
      best_cost = cost;
      best = b;
    }
  }
  out->push_back(static_cast<char>(best));
  PutVarint64(out, ref);
  size_t count = 0;
  for (size_t i = 0; i < k; ++i) count += BitLength(x[i]) > best ? 1 : 0;
  out->push_back(static_cast<char>(count));
  PackBits(x, k, best, out);
  for (size_t i = 0; i < k && count > 0; ++i) {
    if (BitLength(x[i]) > best) {
      out->push_back(static_cast<char>(i));
      PutVarint64(out, x[i] >> best);
    }
  }
}

}  // namespace

void EncodeInts(const uint64_t* v, size_t n, IntTransform transform, std::string* out) {
  out->push_back(static_cast<char>(transform));
  uint64_t prev = 0;
  if (transform != IntTransform::kNone) {
    prev = n > 0 ? v[0] : 0;
    PutVarint64(out, prev);
  }
  uint64_t u[kMiniBlock];
  for (size_t start = 0; start < n; start += kMiniBlock) {
    const size_t k = std::min(kMiniBlock, n - start);
    for (size_t i = 0; i < k; ++i) {
      const uint64_t x = v[start + i];
      switch (transform) {
        case IntTransform::kNone:
          u[i] = x;
          break;
        case IntTransform::kDelta:
          u[i] = x - prev;
          break;
        case IntTransform::kZigZagDelta:
          u[i] = ZigZag(static_cast<int64_t>(x - prev));
          break;
      }
      prev = x;
    }
    EncodeMiniBlock(u, k, out);
  }
}

void EncodeIntsBest(const uint64_t* v, size_t n, std::initializer_list<IntTransform> transforms,
                    std::string* out) {
  std::string best, trial;
  bool first = true;
  for (IntTransform t : transforms) {
    trial.clear();
    EncodeInts(v, n, t, &trial);
    if (first || trial.size() < best.size()) best.swap(trial);
    first = false;
  }
  out->append(best);
}

template <typename T>
bool DecodeInts(std::string_view in, size_t* pos, size_t n, T* out) {
  static_assert(std::is_same_v<T, uint8_t> || std::is_same_v<T, uint32_t> ||
                std::is_same_v<T, uint64_t> || std::is_same_v<T, int64_t>);
  constexpr bool kNarrow = sizeof(T) < 8;
  const auto* data = reinterpret_cast<const uint8_t*>(in.data());
  size_t p = *pos;
  if (p >= in.size()) return false;
  const uint8_t transform = data[p++];
  if (transform > static_cast<uint8_t>(IntTransform::kZigZagDelta)) return false;
  uint64_t prev = 0;
  if (transform != 0 && !GetVarint(in, &p, &prev)) return false;
  uint64_t seen = 0;  // OR of every value, for the range check of narrow types
  alignas(64) uint64_t x[kMiniBlock];
  alignas(64) uint8_t padded[kMiniBlock * 8 + 16];
  for (size_t start = 0; start < n; start += kMiniBlock) {
    const size_t k = std::min(kMiniBlock, n - start);
    if (p >= in.size()) return false;
    const int b = data[p++];
    if (b > 64) return false;
    uint64_t ref;
    if (!GetVarint(in, &p, &ref)) return false;
    if (p >= in.size()) return false;
    const size_t exceptions = data[p++];
    if (exceptions > k || (b == 64 && exceptions > 0)) return false;
    const size_t bytes = (k * static_cast<size_t>(b) + 7) / 8;
    if (in.size() - p < bytes) return false;
    if (k == kMiniBlock && in.size() - p >= bytes + 16) {
      kUnpack[b](data + p, x);
    } else {
      std::memset(padded, 0, sizeof padded);
      std::memcpy(padded, data + p, bytes);
      kUnpack[b](padded, x);
    }
    p += bytes;
    for (size_t e = 0; e < exceptions; ++e) {
      if (p >= in.size()) return false;
      const size_t at = data[p++];
      uint64_t high;
      if (at >= k || !GetVarint(in, &p, &high)) return false;
      if (high >> (63 - b) >> 1 != 0) return false;  // must fit in the 64 - b high bits
      x[at] |= high << b;
    }
    T* o = out + start;
    if (transform == 0) {
      for (size_t i = 0; i < k; ++i) {
        const uint64_t v = ref + x[i];
        if constexpr (kNarrow) seen |= v;
        o[i] = static_cast<T>(v);
      }
    } else if (transform == 1) {
      for (size_t i = 0; i < k; ++i) {
        prev += ref + x[i];
        if constexpr (kNarrow) seen |= prev;
        o[i] = static_cast<T>(prev);
      }
    } else {
      for (size_t i = 0; i < k; ++i) {
        prev += static_cast<uint64_t>(UnZigZag(ref + x[i]));
        if constexpr (kNarrow) seen |= prev;
        o[i] = static_cast<T>(prev);
      }
    }
  }
  if constexpr (kNarrow) {
    if (seen > std::numeric_limits<T>::max()) return false;
  }
  *pos = p;
  return true;
}

template bool DecodeInts<uint8_t>(std::string_view, size_t*, size_t, uint8_t*);
template bool DecodeInts<uint32_t>(std::string_view, size_t*, size_t, uint32_t*);
template bool DecodeInts<uint64_t>(std::string_view, size_t*, size_t, uint64_t*);
template bool DecodeInts<int64_t>(std::string_view, size_t*, size_t, int64_t*);

}  // namespace rapport::warehouse::part
