// A RecordReader turns a ChunkSource into records (CSV rows or JSON Lines), one at a time, in
// bounded memory: a record over `max_record_bytes` is rejected (its line kept) and reading goes
// on at the next record boundary. Bad records come back as records with an `error`; only I/O
// errors stop a reader. Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "import/input.h"

namespace rapport {

struct Record {
  int64_t line = 0;  // 1-based line of the file where the record starts
  // The record as in the file, without its line terminator. For a record over the size limit
  // only its first min(kRawPrefixBytes, max_record_bytes) bytes.
  std::string raw;
  std::vector<std::string> fields;  // CSV: the unquoted fields; JSON Lines: empty
  std::string error;                // non-empty: the reader rejects this record, and why

  static constexpr size_t kRawPrefixBytes = 1024;
};

struct ReaderOptions {
  size_t max_record_bytes = 1 << 20;  // 1 MiB
  size_t chunk_bytes = InputBuffer::kDefaultChunkBytes;
};

class RecordReader {
 public:
  virtual ~RecordReader() = default;
  // Reads the next record into `*record`. Returns false at the end of the input; a Status only
  // for an I/O error of the source (a bad record is a record with `error` set).
  virtual Result<bool> Next(Record* record) = 0;
  // Bytes of the input consumed so far, and the input's total size when known.
  virtual uint64_t bytes_read() const = 0;
  virtual std::optional<uint64_t> bytes_total() const = 0;
};

}  // namespace rapport
