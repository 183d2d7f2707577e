#include "import/jsonl_reader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace rapport {
namespace {

std::vector<Record> ReadJsonl(const std::string& text, size_t chunk = 1 << 16,
                              size_t max = 1 << 20) {
  auto source = StringSource(text);
  ReaderOptions options;
  options.chunk_bytes = chunk;
  options.max_record_bytes = max;
  JsonlReader reader(source.get(), options);
  std::vector<Record> out;
  Record r;
  while (true) {
    auto got = reader.Next(&r);
    EXPECT_TRUE(got.ok());
    if (!got.ok() || !*got) break;
    out.push_back(r);
  }
  EXPECT_EQ(reader.bytes_read(), text.size());
  EXPECT_EQ(reader.bytes_total(), text.size());
  return out;
}

TEST(JsonlReaderTest, OneRecordPerLineBlankLinesSkipped) {
  for (size_t chunk : {1u, 3u, 1u << 16}) {
    auto r = ReadJsonl("\xEF\xBB\xBF{\"a\":1}\r\n\n   \n{\"a\":2}\n{\"a\":3}", chunk);
    ASSERT_EQ(r.size(), 3u);
    EXPECT_EQ(r[0].raw, "{\"a\":1}");
    EXPECT_EQ(r[0].line, 1);
    EXPECT_EQ(r[1].raw, "{\"a\":2}");
    EXPECT_EQ(r[1].line, 4);
    EXPECT_EQ(r[2].raw, "{\"a\":3}");  // no trailing newline
    EXPECT_EQ(r[2].line, 5);
    EXPECT_TRUE(r[2].fields.empty());
  }
}

TEST(JsonlReaderTest, EmptyInput) {
  EXPECT_TRUE(ReadJsonl("").empty());
  EXPECT_TRUE(ReadJsonl("\n\n").empty());
}

TEST(JsonlReaderTest, InvalidUtf8) {
  auto r = ReadJsonl("{\"a\":\"\xC0\xAF\"}\n{\"a\":\"ok\"}\n");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].error, "invalid UTF-8 at byte 7 of the line");
  EXPECT_TRUE(r[1].error.empty());
}

TEST(JsonlReaderTest, OversizedLineIsRejectedAndReadingGoesOn) {
  const std::string big = "{\"a\":\"" + std::string(3000, 'z') + "\"}";
  for (size_t chunk : {1u, 100u, 1u << 16}) {
    SCOPED_TRACE(chunk);
    auto r = ReadJsonl("{}\n" + big + "\n{\"b\":1}\n" + big, chunk, 1024);
    ASSERT_EQ(r.size(), 4u);
    EXPECT_TRUE(r[0].error.empty());
    EXPECT_EQ(r[1].line, 2);
    EXPECT_EQ(r[1].error,
              "the line is over the limit of 1024 bytes (max_record_bytes) and was skipped");
    EXPECT_EQ(r[1].raw.size(), Record::kRawPrefixBytes);
    EXPECT_EQ(r[2].line, 3);
    EXPECT_EQ(r[2].raw, "{\"b\":1}");
    EXPECT_FALSE(r[3].error.empty());
  }
}

TEST(JsonlReaderTest, LineAtTheLimitWithCrlfInEveryChunking) {
  const std::string line = "{\"a\":\"" + std::string(1016, 'q') + "\"}";  // 1024 bytes
  for (size_t chunk : {1u, 2u, 1023u, 1024u, 1025u, 4096u}) {
    SCOPED_TRACE(chunk);
    auto r = ReadJsonl(line + "\r\n" + line + "x\r\n", chunk, 1024);
    ASSERT_EQ(r.size(), 2u);
    EXPECT_TRUE(r[0].error.empty()) << r[0].error;
    EXPECT_EQ(r[0].raw, line);
    EXPECT_FALSE(r[1].error.empty());
    EXPECT_EQ(r[1].raw, line);  // the first max_record_bytes, whatever the chunking
  }
}

}  // namespace
}  // namespace rapport
