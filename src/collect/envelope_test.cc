#include "collect/envelope.h"

#include <gtest/gtest.h>

namespace rapport {
namespace {

NormalizedEvent Sample() {
  NormalizedEvent e;
  e.type = "track";
  e.message_id = "m-1";
  e.user_id = "u\xC3\xA9";
  e.anonymous_id = "";
  e.timestamp_us = -62135596800000000;  // 0001-01-01
  e.received_at_us = 1706702400000000;
  e.json = R"({"type":"track"})";
  return e;
}

TEST(EnvelopeTest, ExactBytes) {
  std::string got = EncodeEnvelope("src", Sample());
  std::string want;
  want += '\x01';
  want += std::string("\x03src", 4);
  want += std::string("\x03m-1", 4);
  want += '\x01';  // track
  want += std::string("\x03u\xC3\xA9", 4);
  want += '\x00';
  // -62135596800000000 = 0xFF234001_00D44000, little-endian two's complement.
  want += std::string("\x00\x40\xD4\x00\x01\x40\x23\xFF", 8);
  // 1706702400000000 = 0x0006103C_9E4A1000, little-endian.
  want += std::string("\x00\x10\x4A\x9E\x3C\x10\x06\x00", 8);
  want += '\x10';
  want += R"({"type":"track"})";
  EXPECT_EQ(got, want);
}

TEST(EnvelopeTest, TheHeaderIsEverythingButTheJson) {
  NormalizedEvent e = Sample();
  for (size_t size : {0, 16, 127, 128, 20000}) {  // 1, 2 and 3 bytes of length
    e.json = std::string(size, 'j');
    std::string header = "kept";
    AppendEnvelopeHeader("src", e, &header);
    EXPECT_EQ(header.substr(4) + e.json, EncodeEnvelope("src", e)) << size;
  }
}

TEST(EnvelopeTest, RoundTripsEveryType) {
  for (const char* type : {"track", "identify", "page", "screen", "group", "alias"}) {
    NormalizedEvent e = Sample();
    e.type = type;
    e.json = std::string(300, 'j');  // a two-byte varint length
    std::string record = EncodeEnvelope("source-1", e);
    auto v = DecodeEnvelope(record);
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    EXPECT_EQ(v->version, 1);
    EXPECT_EQ(v->source_id, "source-1");
    EXPECT_EQ(v->message_id, e.message_id);
    EXPECT_EQ(v->type, type);
    EXPECT_EQ(v->user_id, e.user_id);
    EXPECT_EQ(v->anonymous_id, e.anonymous_id);
    EXPECT_EQ(v->timestamp_us, e.timestamp_us);
    EXPECT_EQ(v->received_at_us, e.received_at_us);
    EXPECT_EQ(v->json, e.json);
  }
}

TEST(EnvelopeTest, EveryTruncationIsCorruption) {
  const std::string record = EncodeEnvelope("src", Sample());
  for (size_t n = 0; n < record.size(); ++n) {
    auto v = DecodeEnvelope(std::string_view(record).substr(0, n));
    ASSERT_FALSE(v.ok()) << n;
    EXPECT_EQ(v.status().code(), StatusCode::kCorruption);
  }
}

TEST(EnvelopeTest, MalformedRecords) {
  const std::string good = EncodeEnvelope("src", Sample());
  auto corrupt = [](std::string record) {
    auto v = DecodeEnvelope(record);
    return !v.ok() && v.status().code() == StatusCode::kCorruption;
  };
  EXPECT_TRUE(corrupt(good + "x"));  // trailing bytes
  std::string bad_version = good;
  bad_version[0] = 2;
  EXPECT_TRUE(corrupt(bad_version));
  EXPECT_EQ(DecodeEnvelope(bad_version).status().message(),
            "event envelope: unknown version 2 (this build reads 1)");
  std::string bad_type = good;
  bad_type[9] = 7;
  EXPECT_TRUE(corrupt(bad_type));
  bad_type[9] = 0;
  EXPECT_TRUE(corrupt(bad_type));
  std::string huge_len = good;
  huge_len[1] = '\x7f';  // source id longer than the record
  EXPECT_TRUE(corrupt(huge_len));
  // Varints: non-minimal, too long, over 32 bits.
  EXPECT_TRUE(corrupt(std::string("\x01\x83\x00src", 6)));
  EXPECT_TRUE(corrupt(std::string("\x01\xff\xff\xff\xff\xff\x01", 7)));
  EXPECT_TRUE(corrupt(std::string("\x01\xff\xff\xff\xff\x1f", 6)));
  EXPECT_TRUE(corrupt(""));
}

}  // namespace
}  // namespace rapport
