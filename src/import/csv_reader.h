// CsvReader: a streaming RFC 4180 reader. Quoted fields with "" escapes and embedded newlines,
// CRLF or LF line ends, an optional UTF-8 byte-order mark, any one-byte delimiter. Blank lines are
// skipped. Every field is checked to be UTF-8 and every row to have the header's column count.
// Lenient where RFC 4180 is silent: a quote inside an unquoted field is kept as a character.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "import/record_reader.h"

namespace rapport {

struct CsvOptions {
  char delimiter = ',';
  // true: the first record is the header (column names). false: `columns` names the columns.
  bool header = true;
  std::vector<std::string> columns;
};

class CsvReader final : public RecordReader {
 public:
  // Reads the header (when options.header) before returning. kInvalidArgument when the file is
  // empty or the header row is malformed (not UTF-8, unterminated quote, too long, an empty or
  // duplicate column name is allowed but cannot be mapped by name).
  static Result<std::unique_ptr<CsvReader>> Open(ChunkSource* source, CsvOptions csv,
                                                 ReaderOptions options);

  // The column names: the header row, or CsvOptions::columns.
  const std::vector<std::string>& columns() const { return columns_; }

  Result<bool> Next(Record* record) override;
  uint64_t bytes_read() const override { return in_.consumed(); }
  std::optional<uint64_t> bytes_total() const override { return in_.total(); }

 private:
  CsvReader(ChunkSource* source, CsvOptions csv, ReaderOptions options);
  // Reads one record without the column-count and UTF-8 checks.
  Result<bool> ReadRecord(Record* record);
  void CheckRecord(Record* record) const;

  CsvOptions csv_;
  ReaderOptions options_;
  InputBuffer in_;
  std::vector<std::string> columns_;
  int64_t line_ = 1;  // line number of the next byte of input
  bool eof_ = false;
};

}  // namespace rapport
