// Column payloads of the part format (docs/formats/warehouse.md): the codecs (raw, lz4, zstd),
// variant (property) columns and the rest column of rare paths. Encoders append to a string;
// decoders are bounds-checked, never read outside their input and return kCorruption whose
// message says what was wrong (the reader adds file, block and column). Thread-safe (zstd
// contexts are thread-local).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "warehouse/chunk.h"
#include "warehouse/row.h"

namespace rapport::warehouse::part {

enum class Codec : uint8_t { kRaw = 0, kLz4 = 1, kZstd = 2 };
inline constexpr uint8_t kMaxCodec = 2;
// No column payload may be larger (the reader refuses bigger claims before allocating).
inline constexpr uint64_t kMaxColumnBytes = uint64_t{1} << 30;

// Compresses `raw` with `codec` into *out (replacing it) when that saves at least 1/8 and raw is
// at least 64 bytes; otherwise *out = raw. Returns the codec *out is in.
Codec Compress(std::string_view raw, Codec codec, int zstd_level, std::string* out);
// The payload of a column stored as `stored` with `codec`, `raw_len` bytes long: `stored` itself
// for kRaw, else decompressed into *buf (which then owns the bytes *out points to).
Status Decompress(Codec codec, std::string_view stored, uint64_t raw_len,
                  std::unique_ptr<char[]>* buf, std::string_view* out);

// One path's values over consecutive rows (a typed column) or entries (a rest group), as the
// writer collects them. The strings are views into the caller's rows.
class VariantBuilder {
 public:
  void Reset(size_t n);                // n values, all absent
  void Set(size_t i, const Value& v);  // i increasing; v not absent
  void Append(const Value& v) {
    kinds_.push_back(0);
    Set(kinds_.size() - 1, v);
  }
  size_t size() const { return kinds_.size(); }
  void Encode(std::string* out) const;

 private:
  uint32_t Code(std::string_view s);  // adds s to dict_ when new

  std::vector<uint8_t> kinds_;
  std::vector<double> numbers_;
  std::vector<std::string_view> dict_;  // first-appearance order
  // Open addressing over dict_ (1 + code; 0 = empty), a power of two at least twice its size:
  // no allocation per string, cleared in place between blocks.
  std::vector<uint32_t> slots_;
  std::vector<uint64_t> codes_;
};

// Decodes a variant payload of `n` values at in[*pos] into col->kind/number/code (n each) and
// col->strings, advancing *pos. `allow_absent` false: every value must be present (rest groups).
// A column must have at least one present value.
Status DecodeVariant(std::string_view in, size_t* pos, size_t n, bool allow_absent,
                     PropertyColumn* col);

// A rest group as the writer collects it: the rows (increasing) of one path and their values.
struct RestGroupBuilder {
  std::string_view path;
  std::vector<uint64_t> rows;
  VariantBuilder values;
};
// Appends the rest payload of `groups` (sorted by path, none empty).
void EncodeRest(const std::vector<const RestGroupBuilder*>& groups, std::string* out);
// Calls fn(path, group bytes) for each group of a rest payload in order; checks the framing and
// that paths strictly increase. Stops at the first error fn returns.
Status ForEachRestGroup(std::string_view payload,
                        const std::function<Status(std::string_view, std::string_view)>& fn);
// Decodes one group of a block of `n` rows: rows[j] (strictly increasing, < n) holds value j of
// *values (values->kind/number/code have rows->size() entries).
Status DecodeRestGroup(std::string_view group, size_t n, std::vector<uint32_t>* rows,
                       PropertyColumn* values);
// The dense column of `n` rows a rest group stands for (absent where it has no entry).
std::shared_ptr<PropertyColumn> Scatter(std::string path, const std::vector<uint32_t>& rows,
                                        PropertyColumn values, size_t n);

}  // namespace rapport::warehouse::part
