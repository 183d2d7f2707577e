#include "common/json_writer.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace rapport
