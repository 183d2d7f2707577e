#include "common/json_writer.h"

#include <gtest/gtest.h>

#include <string>

namespace rapport {
namespace {

TEST(JsonWriterTest, EscapesWhatJsonRequires) {
  EXPECT_EQ(JsonString("plain"), "\"plain\"");
  EXPECT_EQ(JsonString("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(JsonString("line\nbreak\ttab"), "\"line\\nbreak\\ttab\"");
  EXPECT_EQ(JsonString(std::string("nul\0x", 5)), "\"nul\\u0000x\"");
  EXPECT_EQ(JsonString("\x1f"), "\"\\u001f\"");
  EXPECT_EQ(JsonString("caf\xc3\xa9 \xf0\x9f\x8e\x89"), "\"caf\xc3\xa9 \xf0\x9f\x8e\x89\"");
}

// The escaping one byte at a time, as JSON (RFC 8259) states it: the reference for the
// word-at-a-time scan.
std::string ReferenceJsonString(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\b') {
      out += "\\b";
    } else if (c == '\f') {
      out += "\\f";
    } else if (c < 0x20) {
      static const char* kHex = "0123456789abcdef";
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

TEST(JsonWriterTest, EveryByteValueAtEveryPositionOfAWordIsEscapedLikeTheReference) {
  // Strings are scanned 8 bytes at a time: put each byte value at each position of strings of
  // 1 to 24 bytes (inside, at the edges of and across words), between clean 'a's and non-ASCII
  // bytes (their high bit set must not hide a byte to escape in the same word).
  for (char filler : {'a', '\xe9'}) {
    for (size_t len = 1; len <= 24; ++len) {
      for (size_t pos = 0; pos < len; ++pos) {
        for (int c = 0; c < 256; ++c) {
          std::string s(len, filler);
          s[pos] = static_cast<char>(c);
          ASSERT_EQ(JsonString(s), ReferenceJsonString(s))
              << "len " << len << " pos " << pos << " byte " << c;
        }
      }
    }
  }
  // Several to escape in one word, and a long clean run before a late one.
  const std::string mixed = "\"\\\x01\x7f\x80 \x1f\"" + std::string(1000, 'x') + "\n";
  EXPECT_EQ(JsonString(mixed), ReferenceJsonString(mixed));
}

}  // namespace
}  // namespace rapport
