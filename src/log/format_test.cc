#include "log/format.h"

#include <gtest/gtest.h>

#include <cstring>

#include "common/crc32c.h"
#include "common/env.h"
#include "log/record_scanner.h"
#include "log/test_util.h"

namespace rapport::log_internal {
namespace {

TEST(LogFormat, SegmentHeaderRoundTripAndLayout) {
  std::string h = EncodeSegmentHeader({7, 123456789});
  ASSERT_EQ(h.size(), kSegmentHeaderSize);
  EXPECT_EQ(h.substr(0, 8), "RPTLOGS1");
  SegmentHeader d;
  ASSERT_TRUE(DecodeSegmentHeader(h, &d).ok());
  EXPECT_EQ(d.partition, 7u);
  EXPECT_EQ(d.base_offset, 123456789u);
  for (size_t i = 0; i < h.size(); ++i) {
    std::string bad = h;
    bad[i] ^= 1;
    EXPECT_EQ(DecodeSegmentHeader(bad, &d).code(), StatusCode::kCorruption) << i;
  }
  EXPECT_FALSE(DecodeSegmentHeader(h.substr(0, 20), &d).ok());
}

TEST(LogFormat, RecordLayoutIsByteExact) {
  std::string buf;
  EncodeRecord(0x0102030405060708ull, 1700000000000000, "hello", &buf);
  ASSERT_EQ(buf.size(), kRecordHeaderSize + 5);
  RecordHeader h = DecodeRecordHeader(buf.data());
  EXPECT_EQ(h.length, 5u);
  EXPECT_EQ(h.offset, 0x0102030405060708ull);
  EXPECT_EQ(h.append_time_us, 1700000000000000);
  EXPECT_EQ(static_cast<uint8_t>(buf[8]), 0x08);  // little-endian offset at byte 8
  EXPECT_EQ(buf.substr(24), "hello");
  // The CRC covers bytes [4, end) and is masked.
  uint32_t crc = crc32c::Value(buf.data() + 4, buf.size() - 4);
  uint32_t stored;
  std::memcpy(&stored, buf.data(), 4);
  EXPECT_EQ(stored, crc32c::Mask(crc));
  EXPECT_TRUE(RecordChecksumOk(buf.data(), std::string_view(buf).substr(24)));
  for (size_t i = 0; i < buf.size(); ++i) {
    std::string bad = buf;
    bad[i] ^= 0x10;
    EXPECT_FALSE(RecordChecksumOk(bad.data(), std::string_view(bad).substr(24))) << i;
  }
}

TEST(LogFormat, IndexAndCheckpointFilesRoundTripAndDetectDamage) {
  IndexFile f;
  f.base_offset = 42;
  f.log_size = 9000;
  f.record_count = 77;
  f.last_append_us = -5;
  f.entries = {{0, 32}, {40, 4200}, {76, 8800}};
  std::string enc = EncodeIndexFile(f);
  EXPECT_EQ(enc.size(), 48u + 3 * 8 + 4);
  IndexFile g;
  ASSERT_TRUE(DecodeIndexFile(enc, &g).ok());
  EXPECT_EQ(g.base_offset, 42u);
  EXPECT_EQ(g.log_size, 9000u);
  EXPECT_EQ(g.record_count, 77u);
  EXPECT_EQ(g.last_append_us, -5);
  ASSERT_EQ(g.entries.size(), 3u);
  EXPECT_EQ(g.entries[1].relative_offset, 40u);
  EXPECT_EQ(g.entries[1].position, 4200u);
  enc[30] ^= 1;
  EXPECT_EQ(DecodeIndexFile(enc, &g).code(), StatusCode::kCorruption);
  EXPECT_FALSE(DecodeIndexFile(enc.substr(0, 40), &g).ok());

  std::string ck = EncodeCheckpointFile({1, 2, 300});
  std::vector<uint64_t> v;
  ASSERT_TRUE(DecodeCheckpointFile(ck, &v).ok());
  EXPECT_EQ(v, (std::vector<uint64_t>{1, 2, 300}));
  ck[17] ^= 1;
  EXPECT_EQ(DecodeCheckpointFile(ck, &v).code(), StatusCode::kCorruption);
}

TEST(LogFormat, Names) {
  EXPECT_EQ(PartitionDirName(7), "p-007");
  EXPECT_EQ(ParsePartitionDirName("p-007"), 7);
  EXPECT_EQ(ParsePartitionDirName("p-x07"), std::nullopt);
  EXPECT_EQ(SegmentFileName(42), "00000000000000000042.log");
  EXPECT_EQ(IndexFileName(42), "00000000000000000042.idx");
  EXPECT_EQ(ParseSegmentFileName("00000000000000000042.log"), 42u);
  EXPECT_EQ(ParseSegmentFileName("00000000000000000042.idx"), std::nullopt);
  EXPECT_EQ(ParseSegmentFileName("0000000000000000042.log"), std::nullopt);
  EXPECT_TRUE(ValidConsumerName("dedup-1.v2_x"));
  EXPECT_FALSE(ValidConsumerName(""));
  EXPECT_FALSE(ValidConsumerName(".hidden"));
  EXPECT_FALSE(ValidConsumerName("a/b"));
  EXPECT_FALSE(ValidConsumerName(std::string(65, 'a')));
}

TEST(LogFormat, ScannerClassifiesStops) {
  log_test::TempDir dir;
  const std::string path = dir.path() + "/seg";
  std::string data(kSegmentHeaderSize, '\0');
  for (int i = 0; i < 5; ++i) EncodeRecord(i, 0, std::string(3000, 'a' + i), &data);
  log_test::WriteAll(path, data);
  auto file = Env::Default()->OpenReadable(path);
  ASSERT_TRUE(file.ok());
  RecordScanner all(file->get(), kSegmentHeaderSize, data.size(), 100);  // tiny chunks grow
  RecordView rec;
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(all.Next(&rec), RecordScanner::Outcome::kRecord);
    EXPECT_EQ(rec.offset, uint64_t(i));
    EXPECT_EQ(rec.payload, std::string(3000, 'a' + i));
  }
  EXPECT_EQ(all.Next(&rec), RecordScanner::Outcome::kEnd);

  RecordScanner cut(file->get(), kSegmentHeaderSize, data.size() - 1);
  for (int i = 0; i < 4; ++i) ASSERT_EQ(cut.Next(&rec), RecordScanner::Outcome::kRecord);
  EXPECT_EQ(cut.Next(&rec), RecordScanner::Outcome::kTruncated);

  data[kSegmentHeaderSize + 3024 + 100] ^= 1;  // payload of record 1
  log_test::WriteAll(path, data);
  RecordScanner bad(file->get(), kSegmentHeaderSize, data.size());
  ASSERT_EQ(bad.Next(&rec), RecordScanner::Outcome::kRecord);
  EXPECT_EQ(bad.Next(&rec), RecordScanner::Outcome::kCorrupt);
  EXPECT_EQ(bad.position(), kSegmentHeaderSize + 3024);
  auto next = FindNextValidRecord(file->get(), bad.position(), data.size(), 1);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(*next, kSegmentHeaderSize + 2 * 3024);
  EXPECT_FALSE(FindNextValidRecord(file->get(), kSegmentHeaderSize + 4 * 3024 + 1, data.size(), 4)
                   .has_value());
}

}  // namespace
}  // namespace rapport::log_internal
