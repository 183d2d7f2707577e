// Damaged part files: every single-byte change, every truncation and directories that disagree
// with their columns are reported as kCorruption — never a crash, never different data.
#include <gtest/gtest.h>

#include <functional>

#include "warehouse/part/format.h"
#include "warehouse/part/part_reader.h"
#include "warehouse/part/part_writer.h"
#include "warehouse/part/test_util.h"

namespace rapport::warehouse {
namespace {

struct SmallPart {
  std::string bytes;
  EventDictionary events;
  std::vector<std::string> paths;
  std::vector<ChunkPtr> chunks;  // every block with every path
  std::vector<Row> rows;         // ReadRows
};

SmallPart MakeSmallPart() {
  testing::RowGenOptions o;
  o.rows = 40;
  o.frequent_paths = 3;
  o.rare_paths = 4;
  std::vector<Row> rows = testing::RandomRows(21, o);
  for (size_t i = 0; i < rows.size(); i += 9) {
    rows[i].props.emplace_back("context.sparse", Value::String("only some rows"));
  }
  PartWriteOptions options;
  options.block_rows = 16;
  options.column_min_share = 0.2;  // context.sparse goes to the rest column
  SmallPart p;
  p.paths = testing::AllPaths(rows);
  p.paths.push_back("absent.path");
  auto bytes = EncodePart(5, o.day, rows, &p.events, options);
  EXPECT_TRUE(bytes.ok());
  p.bytes = std::move(*bytes);
  auto reader = PartReader::OpenBuffer(p.bytes);
  EXPECT_TRUE(reader.ok());
  for (size_t b = 0; b < (*reader)->blocks(); ++b) p.chunks.push_back(*(*reader)->Load(b, p.paths));
  p.rows = *(*reader)->ReadRows(p.events);
  return p;
}

enum class Outcome { kDetected, kSameData };

// Opens `bytes` and reads everything; fails the test on a code other than kCorruption or on
// data that differs from the original part's.
Outcome Check(const SmallPart& p, std::string bytes, const std::string& what) {
  auto reader = PartReader::OpenBuffer(std::move(bytes));
  if (!reader.ok()) {
    EXPECT_EQ(reader.status().code(), StatusCode::kCorruption) << what;
    return Outcome::kDetected;
  }
  bool detected = false;
  EXPECT_EQ((*reader)->blocks(), p.chunks.size()) << what;
  for (size_t b = 0; b < std::min((*reader)->blocks(), p.chunks.size()); ++b) {
    auto chunk = (*reader)->Load(b, p.paths);
    if (!chunk.ok()) {
      EXPECT_EQ(chunk.status().code(), StatusCode::kCorruption) << what;
      EXPECT_NE(chunk.status().message().find("block " + std::to_string(b)), std::string::npos);
      detected = true;
    } else {
      EXPECT_TRUE(testing::SameChunk(**chunk, *p.chunks[b])) << what << " block " << b;
    }
  }
  auto rows = (*reader)->ReadRows(p.events);
  if (!rows.ok()) {
    EXPECT_EQ(rows.status().code(), StatusCode::kCorruption) << what;
    detected = true;
  } else {
    EXPECT_TRUE(*rows == p.rows) << what;
  }
  return detected ? Outcome::kDetected : Outcome::kSameData;
}

TEST(PartDamage, EverySingleByteChangeIsDetected) {
  const SmallPart p = MakeSmallPart();
  ASSERT_EQ(p.chunks.size(), 3u);
  int same = 0;
  for (size_t i = 0; i < p.bytes.size(); ++i) {
    for (uint8_t mask : {0x01, 0x80, 0xff}) {
      std::string bad = p.bytes;
      bad[i] = static_cast<char>(bad[i] ^ mask);
      if (Check(p, bad, "byte " + std::to_string(i) + " ^ " + std::to_string(mask)) ==
          Outcome::kSameData) {
        ++same;
      }
    }
  }
  // Every byte of the file is under a checksum (or is the magic), so nothing goes unnoticed.
  EXPECT_EQ(same, 0);
}

TEST(PartDamage, TruncatedAndExtendedFilesAreRefused) {
  const SmallPart p = MakeSmallPart();
  for (size_t len = 0; len < p.bytes.size(); ++len) {
    auto reader = PartReader::OpenBuffer(p.bytes.substr(0, len), nullptr, "cut");
    ASSERT_FALSE(reader.ok()) << len;
    EXPECT_EQ(reader.status().code(), StatusCode::kCorruption) << len;
    EXPECT_NE(reader.status().message().find("part cut"), std::string::npos);
  }
  EXPECT_EQ(PartReader::OpenBuffer(p.bytes + "x").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(PartReader::OpenBuffer("x" + p.bytes).status().code(), StatusCode::kCorruption);
}

// Rewrites the footer (with a fresh checksum) after `edit`.
std::string WithFooter(const std::string& bytes, const std::function<void(part::Footer*)>& edit) {
  part::Footer f;
  EXPECT_TRUE(part::DecodeFooter(bytes, &f).ok());
  uint64_t footer_offset =
      f.blocks.back().columns.back().offset + f.blocks.back().columns.back().stored_len;
  edit(&f);
  std::string out = bytes.substr(0, footer_offset);
  std::string footer;
  part::EncodeFooter(f, &footer);
  out += footer;
  out += part::EncodeTrailer(footer_offset, footer);
  return out;
}

TEST(PartDamage, DirectoriesThatDisagreeWithTheColumnsAreCorrupt) {
  const SmallPart p = MakeSmallPart();
  ASSERT_EQ(Check(p, WithFooter(p.bytes, [](part::Footer*) {}), "unchanged"), Outcome::kSameData);
  auto expect_corrupt = [&](const std::function<void(part::Footer*)>& edit, const char* what) {
    EXPECT_EQ(Check(p, WithFooter(p.bytes, edit), what), Outcome::kDetected) << what;
  };
  expect_corrupt([](part::Footer* f) { f->blocks[1].max_ts -= 1; }, "max ts");
  expect_corrupt([](part::Footer* f) { f->blocks[2].min_ts += 1; }, "min ts");
  expect_corrupt([](part::Footer* f) { f->blocks[2].max_profile += 1; }, "max profile");
  expect_corrupt([](part::Footer* f) { f->rows += 1; }, "rows");
  expect_corrupt([](part::Footer* f) { f->day += 1; }, "day");
  expect_corrupt([](part::Footer* f) { f->blocks[0].columns[0].crc ^= 1; }, "crc");
  expect_corrupt(
      [](part::Footer* f) { std::swap(f->blocks[0].columns[0], f->blocks[0].columns[1]); },
      "column order");
  expect_corrupt(
      [](part::Footer* f) {
        auto& cols = f->blocks[0].columns;
        std::swap(cols[0].offset, cols[1].offset);
      },
      "offsets");
  expect_corrupt(
      [](part::Footer* f) {
        auto& cols = f->blocks[1].columns;
        std::swap(cols[0].crc, cols[1].crc);
      },
      "crc swap");
  expect_corrupt(
      [](part::Footer* f) {
        for (auto& b : f->blocks) {
          for (auto& c : b.columns) {
            if (c.kind == part::ColumnKind::kRest) c.rest_paths.push_back("zzz.not.there");
          }
        }
      },
      "rest path list");
}

}  // namespace
}  // namespace rapport::warehouse
