// JsonlReader: a streaming JSON Lines reader. One record per line (LF or CRLF), blank lines
// skipped, each line checked to be UTF-8 and bounded in size; the JSON itself is parsed by the
// mapper (RowMapper), so a line that is not a JSON object is rejected there with its line number.
// Not thread-safe.
#pragma once

#include <memory>

#include "import/record_reader.h"

namespace rapport {

class JsonlReader final : public RecordReader {
 public:
  JsonlReader(ChunkSource* source, ReaderOptions options)
      : options_(options), in_(source, options.chunk_bytes) {}

  Result<bool> Next(Record* record) override;
  uint64_t bytes_read() const override { return in_.consumed(); }
  std::optional<uint64_t> bytes_total() const override { return in_.total(); }

 private:
  ReaderOptions options_;
  InputBuffer in_;
  int64_t line_ = 1;
  bool eof_ = false;
};

}  // namespace rapport
