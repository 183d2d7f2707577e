// The file layout of a warehouse part (docs/formats/warehouse.md): header, column chunks, footer
// (part fields and the block directory) and trailer. DecodeFooter checks every structural rule
// of the directory against the file it came from, so the reader can trust offsets and counts.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "warehouse/part/column_codec.h"

namespace rapport::warehouse::part {

inline constexpr std::string_view kMagic = "RWPART";
inline constexpr uint16_t kVersion = 1;
inline constexpr size_t kHeaderSize = 16;   // magic, version, flags, masked CRC
inline constexpr size_t kTrailerSize = 20;  // footer offset, footer CRC, version, magic
inline constexpr uint64_t kMaxBlockRows = uint64_t{1} << 20;

enum class ColumnKind : uint8_t {
  kTs = 0,
  kSeq = 1,
  kProfile = 2,
  kEvent = 3,
  kType = 4,
  kVariant = 5,  // one property path as a typed column
  kRest = 6,     // every other path of the block's rows
};
inline constexpr int kFixedColumns = 5;  // kTs..kType: every block has each exactly once

struct ColumnEntry {
  ColumnKind kind = ColumnKind::kTs;
  std::string name;  // the path of a kVariant column; empty otherwise
  uint64_t offset = 0, stored_len = 0, raw_len = 0;
  Codec codec = Codec::kRaw;
  uint32_t crc = 0;                     // masked CRC-32C of the stored bytes
  std::vector<std::string> rest_paths;  // kRest: the paths it holds, strictly increasing
};

struct BlockEntry {
  uint64_t rows = 0;
  int64_t min_ts = 0, max_ts = 0;
  uint64_t min_profile = 0, max_profile = 0;  // of the first and last row
  uint64_t min_seq = 0, max_seq = 0;
  // Fixed columns in kind order, then kVariant columns by name, then at most one kRest.
  std::vector<ColumnEntry> columns;
};

struct Footer {
  uint64_t id = 0;
  int64_t day = 0;
  uint64_t rows = 0;
  int64_t min_ts = 0, max_ts = 0;
  uint64_t min_seq = 0, max_seq = 0;
  uint64_t block_rows = 0;  // the writer's block size: every block but the last has exactly this
  std::vector<BlockEntry> blocks;
};

std::string EncodeHeader();
Status CheckHeader(std::string_view file);  // the first kHeaderSize bytes of the file
void EncodeFooter(const Footer& footer, std::string* out);
// The trailer after a footer that starts at `footer_offset` (its CRC covers the footer bytes and
// the trailer's offset field).
std::string EncodeTrailer(uint64_t footer_offset, std::string_view footer);

// Reads the trailer and footer of a whole part file and checks them: CRC, magic, version, and
// that the directory describes the file exactly (columns back to back from the header to the
// footer, in order, each block's rows within the block size, ranges consistent, the day right).
Status DecodeFooter(std::string_view file, Footer* footer);

}  // namespace rapport::warehouse::part
