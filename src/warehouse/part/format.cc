#include "warehouse/part/format.h"

#include <cstring>

#include "common/coding.h"
#include "common/crc32c.h"
#include "warehouse/row.h"

namespace rapport::warehouse::part {
namespace {

void PutFixed16(std::string* out, uint16_t v) {
  out->push_back(static_cast<char>(v));
  out->push_back(static_cast<char>(v >> 8));
}
void PutFixed32(std::string* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
}
void PutFixed64(std::string* out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
}
uint64_t GetFixed(std::string_view s, size_t at, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(s[at + i]);
  return v;
}

bool GetFixed32(Decoder* d, uint32_t* v) {
  uint8_t b[4];
  for (auto& x : b) {
    if (!d->Byte(&x)) return false;
  }
  *v = static_cast<uint32_t>(b[0]) | static_cast<uint32_t>(b[1]) << 8 |
       static_cast<uint32_t>(b[2]) << 16 | static_cast<uint32_t>(b[3]) << 24;
  return true;
}

Status Bad(const std::string& what) { return Status::Corruption("footer: " + what); }

}  // namespace

std::string EncodeHeader() {
  std::string h(kMagic);
  PutFixed16(&h, kVersion);
  PutFixed32(&h, 0);  // flags
  PutFixed32(&h, crc32c::Mask(crc32c::Value(h)));
  return h;
}

Status CheckHeader(std::string_view file) {
  if (file.size() < kHeaderSize) return Status::Corruption("header: file too short");
  if (file.substr(0, kMagic.size()) != kMagic) return Status::Corruption("header: bad magic");
  if (crc32c::Unmask(static_cast<uint32_t>(GetFixed(file, 12, 4))) !=
      crc32c::Value(file.data(), 12)) {
    return Status::Corruption("header: checksum mismatch");
  }
  if (GetFixed(file, 6, 2) != kVersion) return Status::Corruption("header: unsupported version");
  if (GetFixed(file, 8, 4) != 0) return Status::Corruption("header: unknown flags");
  return Status::OK();
}

void EncodeFooter(const Footer& f, std::string* out) {
  PutVarint64(out, f.id);
  PutSignedVarint64(out, f.day);
  PutVarint64(out, f.rows);
  PutSignedVarint64(out, f.min_ts);
  PutSignedVarint64(out, f.max_ts);
  PutVarint64(out, f.min_seq);
  PutVarint64(out, f.max_seq);
  PutVarint64(out, f.block_rows);
  PutVarint64(out, f.blocks.size());
  for (const BlockEntry& b : f.blocks) {
    PutVarint64(out, b.rows);
    PutSignedVarint64(out, b.min_ts);
    PutSignedVarint64(out, b.max_ts);
    PutVarint64(out, b.min_profile);
    PutVarint64(out, b.max_profile);
    PutVarint64(out, b.min_seq);
    PutVarint64(out, b.max_seq);
    PutVarint64(out, b.columns.size());
    for (const ColumnEntry& c : b.columns) {
      out->push_back(static_cast<char>(c.kind));
      PutLengthPrefixed(out, c.name);
      PutVarint64(out, c.offset);
      PutVarint64(out, c.stored_len);
      PutVarint64(out, c.raw_len);
      out->push_back(static_cast<char>(c.codec));
      PutFixed32(out, c.crc);
      if (c.kind == ColumnKind::kRest) {
        PutVarint64(out, c.rest_paths.size());
        for (const std::string& p : c.rest_paths) PutLengthPrefixed(out, p);
      }
    }
  }
}

std::string EncodeTrailer(uint64_t footer_offset, std::string_view footer) {
  std::string t;
  PutFixed64(&t, footer_offset);
  const uint32_t crc = crc32c::Extend(crc32c::Value(footer), t.data(), 8);
  PutFixed32(&t, crc32c::Mask(crc));
  PutFixed16(&t, kVersion);
  t.append(kMagic);
  return t;
}

Status DecodeFooter(std::string_view file, Footer* f) {
  if (file.size() < kHeaderSize + kTrailerSize) return Bad("file too short");
  const size_t trailer = file.size() - kTrailerSize;
  if (file.substr(file.size() - kMagic.size()) != kMagic) return Bad("bad trailer magic");
  if (GetFixed(file, trailer + 12, 2) != kVersion) return Bad("unsupported version");
  const uint64_t footer_offset = GetFixed(file, trailer, 8);
  if (footer_offset < kHeaderSize || footer_offset >= trailer) return Bad("offset out of range");
  const std::string_view bytes = file.substr(footer_offset, trailer - footer_offset);
  const uint32_t crc = crc32c::Extend(crc32c::Value(bytes), file.data() + trailer, 8);
  if (crc32c::Unmask(static_cast<uint32_t>(GetFixed(file, trailer + 8, 4))) != crc) {
    return Bad("checksum mismatch");
  }

  Decoder d(bytes);
  uint64_t blocks = 0;
  if (!d.Varint64(&f->id) || !d.SignedVarint64(&f->day) || !d.Varint64(&f->rows) ||
      !d.SignedVarint64(&f->min_ts) || !d.SignedVarint64(&f->max_ts) || !d.Varint64(&f->min_seq) ||
      !d.Varint64(&f->max_seq) || !d.Varint64(&f->block_rows) || !d.Varint64(&blocks)) {
    return Bad("truncated part fields");
  }
  if (f->block_rows == 0 || f->block_rows > kMaxBlockRows) return Bad("bad block size");
  // A block entry takes at least 58 bytes (8 varints, 5 column entries of at least 10).
  if (blocks == 0 || blocks > bytes.size() / 58) return Bad("bad block count");
  if (f->min_ts > f->max_ts || DayOf(f->min_ts) != f->day || DayOf(f->max_ts) != f->day) {
    return Bad("times outside the part's day");
  }
  if (f->min_seq > f->max_seq) return Bad("bad seq range");
  f->blocks.assign(blocks, {});
  uint64_t offset = kHeaderSize, rows = 0;
  for (uint64_t i = 0; i < blocks; ++i) {
    BlockEntry& b = f->blocks[i];
    const std::string where = "block " + std::to_string(i) + ": ";
    uint64_t columns = 0;
    if (!d.Varint64(&b.rows) || !d.SignedVarint64(&b.min_ts) || !d.SignedVarint64(&b.max_ts) ||
        !d.Varint64(&b.min_profile) || !d.Varint64(&b.max_profile) || !d.Varint64(&b.min_seq) ||
        !d.Varint64(&b.max_seq) || !d.Varint64(&columns)) {
      return Bad(where + "truncated");
    }
    if (b.rows == 0 || b.rows > f->block_rows || (i + 1 < blocks && b.rows != f->block_rows)) {
      return Bad(where + "bad row count");
    }
    rows += b.rows;
    if (b.min_ts > b.max_ts || b.min_ts < f->min_ts || b.max_ts > f->max_ts) {
      return Bad(where + "bad time range");
    }
    if (b.min_seq > b.max_seq || b.min_seq < f->min_seq || b.max_seq > f->max_seq) {
      return Bad(where + "bad seq range");
    }
    if (b.min_profile > b.max_profile || (i > 0 && f->blocks[i - 1].max_profile > b.min_profile)) {
      return Bad(where + "profiles out of order");
    }
    if (columns < kFixedColumns || columns > bytes.size() / 10) {
      return Bad(where + "bad column count");
    }
    b.columns.resize(columns);
    for (uint64_t c = 0; c < columns; ++c) {
      ColumnEntry& e = b.columns[c];
      uint8_t kind, codec;
      if (!d.Byte(&kind) || !d.LengthPrefixed(&e.name) || !d.Varint64(&e.offset) ||
          !d.Varint64(&e.stored_len) || !d.Varint64(&e.raw_len) || !d.Byte(&codec) ||
          !GetFixed32(&d, &e.crc)) {
        return Bad(where + "truncated column entry");
      }
      if (kind > static_cast<uint8_t>(ColumnKind::kRest) || codec > kMaxCodec) {
        return Bad(where + "bad column kind or codec");
      }
      e.kind = static_cast<ColumnKind>(kind);
      e.codec = static_cast<Codec>(codec);
      // Fixed columns in order, then variant columns by name, then at most one rest column.
      const bool fixed_slot = c < kFixedColumns;
      if (fixed_slot ? kind != c : kind < static_cast<uint8_t>(ColumnKind::kVariant)) {
        return Bad(where + "columns out of order");
      }
      if (e.kind == ColumnKind::kVariant) {
        const ColumnEntry& prev = b.columns[c - 1];
        if (prev.kind == ColumnKind::kVariant && prev.name >= e.name) {
          return Bad(where + "column names out of order");
        }
      } else if (!e.name.empty()) {
        return Bad(where + "name on an unnamed column");
      }
      if (e.kind == ColumnKind::kRest) {
        if (c + 1 != columns) return Bad(where + "rest column not last");
        uint64_t paths;
        if (!d.Varint64(&paths) || paths == 0 || paths > bytes.size()) {
          return Bad(where + "bad rest path count");
        }
        e.rest_paths.resize(paths);
        for (uint64_t p = 0; p < paths; ++p) {
          if (!d.LengthPrefixed(&e.rest_paths[p])) return Bad(where + "truncated rest paths");
          if (p > 0 && e.rest_paths[p - 1] >= e.rest_paths[p]) {
            return Bad(where + "rest paths out of order");
          }
        }
        // A path is a typed column or in the rest, never both (both lists are sorted).
        size_t v = kFixedColumns;
        for (const std::string& p : e.rest_paths) {
          while (v < c && b.columns[v].name < p) ++v;
          if (v < c && b.columns[v].name == p) return Bad(where + "path both typed and rest");
        }
      }
      if (e.offset != offset || e.stored_len > footer_offset - offset) {
        return Bad(where + "column outside the data area");
      }
      offset += e.stored_len;
      if (e.raw_len > kMaxColumnBytes || (e.codec == Codec::kRaw && e.raw_len != e.stored_len)) {
        return Bad(where + "bad column length");
      }
    }
  }
  if (!d.done()) return Bad("bytes after the directory");
  if (offset != footer_offset) return Bad("data area not covered by the directory");
  if (rows != f->rows) return Bad("row count mismatch");
  int64_t min_ts = f->blocks[0].min_ts, max_ts = f->blocks[0].max_ts;
  uint64_t min_seq = f->blocks[0].min_seq, max_seq = f->blocks[0].max_seq;
  for (const BlockEntry& b : f->blocks) {
    min_ts = std::min(min_ts, b.min_ts);
    max_ts = std::max(max_ts, b.max_ts);
    min_seq = std::min(min_seq, b.min_seq);
    max_seq = std::max(max_seq, b.max_seq);
  }
  if (min_ts != f->min_ts || max_ts != f->max_ts || min_seq != f->min_seq ||
      max_seq != f->max_seq) {
    return Bad("part ranges differ from its blocks'");
  }
  return Status::OK();
}

}  // namespace rapport::warehouse::part
