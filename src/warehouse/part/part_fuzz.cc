// libFuzzer target: arbitrary bytes as a part file. Opening must succeed or fail with
// kCorruption — never crash, hang or read out of bounds; every block then loads (all paths, twice:
// decoded, then from the cache) or fails with kCorruption, and what loads must be a well-formed
// chunk that agrees with the block directory; ReadRows must agree with the chunks. When the
// input's size is odd, every checksum is first recomputed, so that mutations reach the decoders
// behind them.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "common/crc32c.h"
#include "warehouse/part/format.h"
#include "warehouse/part/part_reader.h"

namespace {

using namespace rapport;             // NOLINT
using namespace rapport::warehouse;  // NOLINT

void Check(bool ok) {
  if (!ok) __builtin_trap();
}

// Makes the header, footer and column checksums of `bytes` right (when its directory parses).
std::string RepairChecksums(std::string bytes) {
  namespace part = rapport::warehouse::part;
  if (bytes.size() < part::kHeaderSize + part::kTrailerSize) return bytes;
  const uint32_t header_crc = crc32c::Mask(crc32c::Value(bytes.data(), 12));
  std::memcpy(&bytes[12], &header_crc, 4);
  const size_t trailer = bytes.size() - part::kTrailerSize;
  uint64_t offset;
  std::memcpy(&offset, &bytes[trailer], 8);
  if (offset < part::kHeaderSize || offset >= trailer) return bytes;
  const uint32_t footer_crc = crc32c::Mask(crc32c::Extend(
      crc32c::Value(bytes.data() + offset, trailer - offset), bytes.data() + trailer, 8));
  std::memcpy(&bytes[trailer + 8], &footer_crc, 4);
  part::Footer footer;
  if (!part::DecodeFooter(bytes, &footer).ok()) return bytes;
  for (auto& block : footer.blocks) {
    for (auto& c : block.columns) {
      c.crc = crc32c::Mask(crc32c::Value(bytes.data() + c.offset, c.stored_len));
    }
  }
  std::string encoded;
  part::EncodeFooter(footer, &encoded);
  std::string out = bytes.substr(0, offset);
  out += encoded;
  out += part::EncodeTrailer(offset, encoded);
  return out;
}

// The invariants every chunk a reader returns must hold.
void CheckChunk(const Chunk& c, const ChunkInfo& info, const std::vector<std::string>& paths) {
  Check(c.rows == info.rows && c.rows > 0);
  Check(c.min_ts == info.min_ts && c.max_ts == info.max_ts);
  const FixedColumns& f = *c.fixed;
  Check(f.ts.size() == c.rows && f.seq.size() == c.rows && f.profile.size() == c.rows &&
        f.event.size() == c.rows && f.type.size() == c.rows);
  Check(f.profile.front() == info.min_profile && f.profile.back() == info.max_profile);
  for (size_t i = 0; i < c.rows; ++i) {
    Check(f.ts[i] >= c.min_ts && f.ts[i] <= c.max_ts);
    Check(static_cast<int>(f.type[i]) < kEventTypes);
    Check(DayOf(f.ts[i]) == info.day);
    if (i > 0) Check(f.profile[i] >= f.profile[i - 1]);
  }
  for (size_t k = 0; k < c.columns.size(); ++k) {
    const PropertyColumn& col = *c.columns[k];
    if (k > 0) Check(c.columns[k - 1]->path < col.path);
    Check(std::find(paths.begin(), paths.end(), col.path) != paths.end());
    Check(col.kind.size() == c.rows && col.number.size() == c.rows && col.code.size() == c.rows);
    bool present = false;
    for (size_t i = 0; i < c.rows; ++i) {
      const auto kind = static_cast<uint8_t>(col.kind[i]);
      Check(kind <= static_cast<uint8_t>(ValueKind::kJson));
      present |= kind != 0;
      if (col.kind[i] == ValueKind::kString || col.kind[i] == ValueKind::kJson) {
        Check(col.code[i] < col.strings.size());
      } else {
        Check(col.code[i] == 0);
      }
      if (col.kind[i] != ValueKind::kNumber) Check(col.number[i] == 0);
    }
    Check(present);
    Check(c.Find(col.path) == &col);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  if (size % 2 == 1) {
    bytes = RepairChecksums(std::move(bytes));
    size = bytes.size();
  }
  BlockCache cache(8 << 20);
  auto reader = PartReader::OpenBuffer(bytes, &cache, "fuzz");
  if (!reader.ok()) {
    Check(reader.status().code() == StatusCode::kCorruption);
    return 0;
  }
  const PartReader& r = **reader;
  Check(r.blocks() > 0 && r.meta().file_bytes == size);
  uint64_t rows = 0;
  std::vector<ChunkPtr> chunks;
  bool all_loaded = true;
  for (size_t b = 0; b < r.blocks(); ++b) {
    std::vector<std::string> paths = r.Paths(b);
    paths.push_back("not.a.path");
    for (int pass = 0; pass < 2; ++pass) {  // the second pass reads from the cache
      auto chunk = r.Load(b, paths);
      if (!chunk.ok()) {
        Check(chunk.status().code() == StatusCode::kCorruption);
        all_loaded = false;
        break;
      }
      CheckChunk(**chunk, r.info(b), paths);
      Check((*chunk)->columns.size() == paths.size() - 1);
      if (pass == 1) chunks.push_back(*chunk);
    }
    rows += r.info(b).rows;
  }
  Check(rows == r.meta().rows);
  // Names for every id the file could hold are not known: give it a dictionary of 64 names.
  EventDictionary events;
  for (int i = 1; i < 64; ++i) events.Intern("e" + std::to_string(i));
  auto all = r.ReadRows(events);
  if (!all.ok()) {
    Check(all.status().code() == StatusCode::kCorruption);
    return 0;
  }
  Check(all->size() == rows);
  if (!all_loaded) return 0;
  // ReadRows agrees with the chunks.
  size_t i = 0;
  for (const ChunkPtr& c : chunks) {
    for (size_t k = 0; k < c->rows; ++k, ++i) {
      const Row& row = (*all)[i];
      Check(row.ts == c->ts()[k] && row.seq == c->seq()[k] && row.profile == c->profile()[k]);
      Check(row.event == events.Name(c->event()[k]) && row.type == c->type()[k]);
      size_t present = 0;
      for (const auto& col : c->columns) present += col->kind[k] != ValueKind::kAbsent;
      Check(row.props.size() == present);
      for (const auto& [path, value] : row.props) {
        const PropertyColumn* col = c->Find(path);
        Check(col != nullptr && col->kind[k] == value.kind);
      }
    }
  }
  return 0;
}
