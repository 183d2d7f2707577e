#include "common/json_writer.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace rapport {

namespace {

constexpr uint64_t kOnes = 0x0101010101010101ULL;
constexpr uint64_t kHighs = 0x8080808080808080ULL;

// Whether any of the 8 bytes of `w` is a control character (< 0x20), '"' or '\\': the
// classic "has a byte below n" and "has a zero byte" word tricks. Exact as an any-test.
inline bool WordNeedsEscape(uint64_t w) {
  const uint64_t quote = w ^ (kOnes * '"');
  const uint64_t slash = w ^ (kOnes * '\\');
  const uint64_t control = (w - kOnes * 0x20) & ~w;
  return ((control | ((quote - kOnes) & ~quote) | ((slash - kOnes) & ~slash)) & kHighs) != 0;
}

inline bool NeedsEscape(unsigned char c) { return c < 0x20 || c == '"' || c == '\\'; }

inline uint64_t Load64(const char* p) {
  uint64_t w;
  std::memcpy(&w, p, 8);
  return w;
}

inline uint32_t Load32(const char* p) {
  uint32_t w;
  std::memcpy(&w, p, 4);
  return w;
}

// Whether no byte of `s` needs escaping, a word at a time and without a branch per byte: the
// last word overlaps the one before it, short strings are read as two overlapping halves or, under
// 4 bytes, as their first, middle and last bytes (filled up with 'a'). No partial copy into a
// word, which would stall the load that reads it back.
inline bool NothingToEscape(std::string_view s) {
  const char* p = s.data();
  const size_t n = s.size();
  if (n >= 8) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
      if (WordNeedsEscape(Load64(p + i))) return false;
    }
    return i == n || !WordNeedsEscape(Load64(p + n - 8));
  }
  uint64_t w;
  if (n >= 4) {
    w = Load32(p) | (uint64_t{Load32(p + n - 4)} << 32);
  } else if (n > 0) {
    w = (kOnes * 'a' & ~uint64_t{0xffffff}) | static_cast<unsigned char>(p[0]) |
        (uint64_t{static_cast<unsigned char>(p[n / 2])} << 8) |
        (uint64_t{static_cast<unsigned char>(p[n - 1])} << 16);
  } else {
    return true;
  }
  return !WordNeedsEscape(w);
}

}  // namespace

void AppendJsonString(std::string* out, std::string_view s) {
  static const char* kHex = "0123456789abcdef";
  const size_t n = s.size();
  if (NothingToEscape(s)) {  // the common case: one copy
    out->push_back('"');
    out->append(s.data(), n);
    out->push_back('"');
    return;
  }
  size_t i = 0;
  out->reserve(out->size() + n + 8);
  out->push_back('"');
  size_t run = 0;  // start of the current run of characters needing no escape
  while (i < n) {
    // Skip 8 clean bytes at a time; look at a word that has something to escape byte by byte.
    while (i + 8 <= n && !WordNeedsEscape(Load64(s.data() + i))) i += 8;
    for (const size_t end = std::min(n, i + 8); i < end; ++i) {
      auto c = static_cast<unsigned char>(s[i]);
      if (!NeedsEscape(c)) continue;
      out->append(s.data() + run, i - run);
      run = i + 1;
      switch (c) {
        case '"':
          out->append("\\\"");
          break;
        case '\\':
          out->append("\\\\");
          break;
        case '\n':
          out->append("\\n");
          break;
        case '\r':
          out->append("\\r");
          break;
        case '\t':
          out->append("\\t");
          break;
        case '\b':
          out->append("\\b");
          break;
        case '\f':
          out->append("\\f");
          break;
        default:
          out->append("\\u00");
          out->push_back(kHex[c >> 4]);
          out->push_back(kHex[c & 0xf]);
      }
    }
  }
  out->append(s.data() + run, n - run);
  out->push_back('"');
}

std::string JsonString(std::string_view s) {
  std::string out;
  AppendJsonString(&out, s);
  return out;
}

}  // namespace rapport
