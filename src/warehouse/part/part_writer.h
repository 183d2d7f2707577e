// WritePart: writes the rows of one UTC day as an immutable part file (docs/formats/warehouse.md)
// — sorted by (profile, ts, seq), cut into blocks of typed, compressed columns — atomically and
// durably: nothing is ever left at `path` unless the whole call succeeds. One call uses one
// thread and holds the encoded block being written (not the whole file) in memory. Thread-safe
// for distinct paths; *events must not be changed by others during the call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/env.h"
#include "common/status.h"
#include "warehouse/chunk.h"
#include "warehouse/row.h"

namespace rapport::warehouse {

struct PartMeta {
  uint64_t id = 0;
  int64_t day = 0;  // days since 1970-01-01 (UTC)
  uint64_t rows = 0;
  int64_t min_ts = 0, max_ts = 0;
  uint64_t min_seq = 0, max_seq = 0;
  uint64_t file_bytes = 0;
};

struct PartWriteOptions {
  size_t block_rows = 65536;       // rows per block (1 .. 2^20)
  int zstd_level = 1;              // for property and rest columns
  double column_min_share = 0.01;  // a path in at least this share of rows gets a typed column
  size_t max_columns = 256;        // ... if among the this many most frequent paths
  // Called after each block is written, if set: a background writer paces itself there
  // (common/pacing.h), so a part of millions of rows is not one long burst of CPU.
  std::function<void()> between_blocks;
};

// Writes `rows` (any order; sorted here) as part `id` of `day` at `path`: to path + ".tmp",
// fsynced, renamed over `path`, directory fsynced. Every row must be of `day`
// (DayOf(ts) == day) and there must be at least one, else kInvalidArgument; `path` must not
// exist (kAlreadyExists). Paths within a row must be unique; values of kind kAbsent are dropped
// (they mean "not in the event"). Event names are interned into *events (warehouse-wide ids; the
// caller persists the dictionary); names already in it are only looked up, so when the caller
// interned them all beforehand, others may read *events during the call. On any failure no file
// is left at `path` or path + ".tmp".
Result<PartMeta> WritePart(Env* env, const std::string& path, uint64_t id, int64_t day,
                           std::vector<Row> rows, EventDictionary* events,
                           const PartWriteOptions& options = {});

// The bytes WritePart would write, in memory (tests, fuzzer seeds). `meta->file_bytes` is set.
Result<std::string> EncodePart(uint64_t id, int64_t day, std::vector<Row> rows,
                               EventDictionary* events, const PartWriteOptions& options = {},
                               PartMeta* meta = nullptr);

}  // namespace rapport::warehouse
