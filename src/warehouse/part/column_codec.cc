#include "warehouse/part/column_codec.h"

#include <lz4.h>
#include <zstd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>

#include "common/coding.h"
#include "warehouse/part/int_codec.h"

namespace rapport::warehouse::part {
namespace {

constexpr uint8_t kNumbersRaw = 0;  // float64 little-endian
constexpr uint8_t kNumbersInt = 1;  // an integer stream of zig-zag int64

struct ZstdContexts {
  ZSTD_CCtx* c = ZSTD_createCCtx();
  ZSTD_DCtx* d = ZSTD_createDCtx();
  ~ZstdContexts() {
    ZSTD_freeCCtx(c);
    ZSTD_freeDCtx(d);
  }
};

ZstdContexts& Zstd() {
  thread_local ZstdContexts contexts;
  return contexts;
}

Status Bad(std::string what) { return Status::Corruption(std::move(what)); }

bool IsString(uint8_t kind) {
  return kind == static_cast<uint8_t>(ValueKind::kString) ||
         kind == static_cast<uint8_t>(ValueKind::kJson);
}

// Whether x converts to int64 and back unchanged (and is not -0).
bool IsExactInt(double x) {
  if (!(x >= -9.2e18 && x <= 9.2e18)) return false;  // also false for NaN
  const auto i = static_cast<int64_t>(x);
  return static_cast<double>(i) == x && !(i == 0 && std::signbit(x));
}

}  // namespace

Codec Compress(std::string_view raw, Codec codec, int zstd_level, std::string* out) {
  out->clear();
  if (raw.size() < 64 || codec == Codec::kRaw) {
    out->assign(raw);
    return Codec::kRaw;
  }
  const size_t limit = raw.size() - raw.size() / 8;  // must save at least 1/8
  size_t n = 0;
  if (codec == Codec::kLz4) {
    out->resize(static_cast<size_t>(LZ4_compressBound(static_cast<int>(raw.size()))));
    const int r = LZ4_compress_default(raw.data(), out->data(), static_cast<int>(raw.size()),
                                       static_cast<int>(out->size()));
    n = r > 0 ? static_cast<size_t>(r) : limit;
  } else {
    out->resize(ZSTD_compressBound(raw.size()));
    const size_t r =
        ZSTD_compressCCtx(Zstd().c, out->data(), out->size(), raw.data(), raw.size(), zstd_level);
    n = ZSTD_isError(r) ? limit : r;
  }
  if (n >= limit) {
    out->assign(raw);
    return Codec::kRaw;
  }
  out->resize(n);
  return codec;
}

Status Decompress(Codec codec, std::string_view stored, uint64_t raw_len,
                  std::unique_ptr<char[]>* buf, std::string_view* out) {
  if (raw_len > kMaxColumnBytes) return Bad("payload length " + std::to_string(raw_len));
  switch (codec) {
    case Codec::kRaw:
      if (raw_len != stored.size()) return Bad("raw payload length mismatch");
      *out = stored;
      return Status::OK();
    case Codec::kLz4: {
      // lz4 expands at most 255 times.
      if (raw_len > stored.size() * 255 + 16 || stored.size() > kMaxColumnBytes) {
        return Bad("lz4 payload length out of range");
      }
      *buf = std::make_unique_for_overwrite<char[]>(raw_len);
      const int r = LZ4_decompress_safe(stored.data(), buf->get(), static_cast<int>(stored.size()),
                                        static_cast<int>(raw_len));
      if (r < 0 || static_cast<uint64_t>(r) != raw_len) return Bad("bad lz4 data");
      *out = std::string_view(buf->get(), raw_len);
      return Status::OK();
    }
    case Codec::kZstd: {
      if (ZSTD_getFrameContentSize(stored.data(), stored.size()) != raw_len) {
        return Bad("zstd frame size mismatch");
      }
      *buf = std::make_unique_for_overwrite<char[]>(raw_len);
      const size_t r =
          ZSTD_decompressDCtx(Zstd().d, buf->get(), raw_len, stored.data(), stored.size());
      if (ZSTD_isError(r) || r != raw_len) return Bad("bad zstd data");
      *out = std::string_view(buf->get(), raw_len);
      return Status::OK();
    }
  }
  return Bad("unknown codec " + std::to_string(static_cast<int>(codec)));
}

void VariantBuilder::Reset(size_t n) {
  kinds_.assign(n, 0);
  numbers_.clear();
  dict_.clear();
  std::fill(slots_.begin(), slots_.end(), 0);
  codes_.clear();
}

uint32_t VariantBuilder::Code(std::string_view s) {
  if (slots_.size() < 2 * (dict_.size() + 1)) {  // grow and re-insert
    slots_.assign(std::max<size_t>(64, slots_.size() * 2), 0);
    const size_t mask = slots_.size() - 1;
    for (size_t code = 0; code < dict_.size(); ++code) {
      size_t at = std::hash<std::string_view>()(dict_[code]) & mask;
      while (slots_[at] != 0) at = (at + 1) & mask;
      slots_[at] = static_cast<uint32_t>(code + 1);
    }
  }
  const size_t mask = slots_.size() - 1;
  size_t at = std::hash<std::string_view>()(s) & mask;
  while (slots_[at] != 0) {
    const uint32_t code = slots_[at] - 1;
    if (dict_[code] == s) return code;
    at = (at + 1) & mask;
  }
  slots_[at] = static_cast<uint32_t>(dict_.size() + 1);
  dict_.push_back(s);
  return static_cast<uint32_t>(dict_.size() - 1);
}

void VariantBuilder::Set(size_t i, const Value& v) {
  kinds_[i] = static_cast<uint8_t>(v.kind);
  if (v.kind == ValueKind::kNumber) {
    numbers_.push_back(v.number);
  } else if (v.kind == ValueKind::kString || v.kind == ValueKind::kJson) {
    codes_.push_back(Code(v.text));
  }
}

void VariantBuilder::Encode(std::string* out) const {
  std::vector<uint64_t> tmp(kinds_.begin(), kinds_.end());
  EncodeInts(tmp.data(), tmp.size(), IntTransform::kNone, out);
  if (!numbers_.empty()) {
    bool ints = true;
    for (double x : numbers_) ints = ints && IsExactInt(x);
    if (ints) {
      out->push_back(static_cast<char>(kNumbersInt));
      tmp.clear();
      for (double x : numbers_) tmp.push_back(ZigZag(static_cast<int64_t>(x)));
      EncodeIntsBest(tmp.data(), tmp.size(), {IntTransform::kNone, IntTransform::kZigZagDelta},
                     out);
    } else {
      out->push_back(static_cast<char>(kNumbersRaw));
      const size_t at = out->size();
      out->resize(at + numbers_.size() * 8);
      std::memcpy(out->data() + at, numbers_.data(), numbers_.size() * 8);
    }
  }
  if (!codes_.empty()) {
    PutVarint64(out, dict_.size());
    tmp.clear();
    for (std::string_view s : dict_) tmp.push_back(s.size());
    EncodeInts(tmp.data(), tmp.size(), IntTransform::kNone, out);
    for (std::string_view s : dict_) out->append(s);
    EncodeIntsBest(codes_.data(), codes_.size(), {IntTransform::kNone, IntTransform::kZigZagDelta},
                   out);
  }
}

Status DecodeVariant(std::string_view in, size_t* pos, size_t n, bool allow_absent,
                     PropertyColumn* col) {
  col->kind.resize(n);
  auto* kinds = reinterpret_cast<uint8_t*>(col->kind.data());
  if (!DecodeInts(in, pos, n, kinds)) return Bad("bad kind stream");
  size_t numbers = 0, strings = 0, present = 0;
  uint8_t max_kind = 0, min_kind = 0xff;
  for (size_t i = 0; i < n; ++i) {
    const uint8_t k = kinds[i];
    max_kind = std::max(max_kind, k);
    min_kind = std::min(min_kind, k);
    numbers += k == static_cast<uint8_t>(ValueKind::kNumber);
    strings += IsString(k);
    present += k != 0;
  }
  if (max_kind > static_cast<uint8_t>(ValueKind::kJson)) return Bad("value kind out of range");
  if (!allow_absent && min_kind == 0) return Bad("absent value in a rest group");
  if (present == 0) return Bad("column without values");
  col->number.assign(n, 0);
  col->code.assign(n, 0);
  col->strings.clear();
  if (numbers > 0) {
    if (*pos >= in.size()) return Bad("truncated numbers");
    const auto mode = static_cast<uint8_t>(in[(*pos)++]);
    std::vector<double> values(numbers);
    if (mode == kNumbersRaw) {
      if ((in.size() - *pos) / 8 < numbers) return Bad("truncated numbers");
      std::memcpy(values.data(), in.data() + *pos, numbers * 8);
      *pos += numbers * 8;
    } else if (mode == kNumbersInt) {
      std::vector<uint64_t> ints(numbers);
      if (!DecodeInts(in, pos, numbers, ints.data())) return Bad("bad number stream");
      for (size_t j = 0; j < numbers; ++j) values[j] = static_cast<double>(UnZigZag(ints[j]));
    } else {
      return Bad("unknown number encoding");
    }
    for (size_t i = 0, j = 0; i < n; ++i) {
      if (kinds[i] == static_cast<uint8_t>(ValueKind::kNumber)) col->number[i] = values[j++];
    }
  }
  if (strings > 0) {
    uint64_t dict_size;
    if (!GetVarint(in, pos, &dict_size) || dict_size == 0 || dict_size > strings) {
      return Bad("bad dictionary size");
    }
    std::vector<uint64_t> lengths(dict_size);
    if (!DecodeInts(in, pos, dict_size, lengths.data())) return Bad("bad string lengths");
    col->strings.resize(dict_size);
    for (size_t d = 0; d < dict_size; ++d) {
      if (lengths[d] > in.size() - *pos) return Bad("string past the end");
      col->strings[d].assign(in.data() + *pos, lengths[d]);
      *pos += lengths[d];
    }
    std::vector<uint32_t> codes(strings);
    if (!DecodeInts(in, pos, strings, codes.data())) return Bad("bad string codes");
    uint32_t max_code = 0;
    for (uint32_t c : codes) max_code = std::max(max_code, c);
    if (max_code >= dict_size) return Bad("string code out of range");
    for (size_t i = 0, j = 0; i < n; ++i) {
      if (IsString(kinds[i])) col->code[i] = codes[j++];
    }
  }
  return Status::OK();
}

void EncodeRest(const std::vector<const RestGroupBuilder*>& groups, std::string* out) {
  PutVarint64(out, groups.size());
  std::string group;
  for (const RestGroupBuilder* g : groups) {
    group.clear();
    PutVarint64(&group, g->rows.size());
    EncodeInts(g->rows.data(), g->rows.size(), IntTransform::kDelta, &group);
    g->values.Encode(&group);
    PutLengthPrefixed(out, g->path);
    PutLengthPrefixed(out, group);
  }
}

Status ForEachRestGroup(std::string_view payload,
                        const std::function<Status(std::string_view, std::string_view)>& fn) {
  Decoder d(payload);
  uint64_t count;
  if (!d.Varint64(&count) || count == 0 || count > payload.size()) {
    return Bad("bad rest group count");
  }
  std::string_view prev;
  for (uint64_t g = 0; g < count; ++g) {
    std::string_view path, group;
    if (!d.LengthPrefixed(&path) || !d.LengthPrefixed(&group)) return Bad("truncated rest group");
    if (g > 0 && path <= prev) return Bad("rest paths out of order");
    prev = path;
    RETURN_IF_ERROR(fn(path, group));
  }
  if (!d.done()) return Bad("bytes after the rest groups");
  return Status::OK();
}

Status DecodeRestGroup(std::string_view group, size_t n, std::vector<uint32_t>* rows,
                       PropertyColumn* values) {
  size_t pos = 0;
  uint64_t m;
  if (!GetVarint(group, &pos, &m) || m == 0 || m > n) return Bad("bad rest group size");
  rows->resize(m);
  if (!DecodeInts(group, &pos, m, rows->data())) return Bad("bad rest rows");
  for (size_t j = 0; j < m; ++j) {
    if ((*rows)[j] >= n || (j > 0 && (*rows)[j] <= (*rows)[j - 1])) {
      return Bad("rest rows out of order or range");
    }
  }
  RETURN_IF_ERROR(DecodeVariant(group, &pos, m, /*allow_absent=*/false, values));
  if (pos != group.size()) return Bad("bytes after a rest group");
  return Status::OK();
}

std::shared_ptr<PropertyColumn> Scatter(std::string path, const std::vector<uint32_t>& rows,
                                        PropertyColumn values, size_t n) {
  auto col = std::make_shared<PropertyColumn>();
  col->path = std::move(path);
  col->kind.assign(n, ValueKind::kAbsent);
  col->number.assign(n, 0);
  col->code.assign(n, 0);
  for (size_t j = 0; j < rows.size(); ++j) {
    const uint32_t r = rows[j];
    col->kind[r] = values.kind[j];
    col->number[r] = values.number[j];
    col->code[r] = values.code[j];
  }
  col->strings = std::move(values.strings);
  return col;
}

}  // namespace rapport::warehouse::part
