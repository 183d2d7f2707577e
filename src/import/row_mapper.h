// RowMapper: applies a Mapping to one record at a time and writes the Segment-spec event (one
// minified JSON object). Create() resolves every column against the CSV header (or the JSON
// paths) so mapping errors surface before any row is read; Map() rejects a row with a reason a
// person can act on (which column, which value, which type). One per thread (owns a parser).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "import/mapping.h"
#include "import/record_reader.h"

namespace rapport {

struct RowMapperOptions {
  std::string file_name;              // recorded in context.import.file (a base name)
  std::string library_version = "0";  // context.library.version
};

class RowMapper {
 public:
  // `columns`: the CSV column names (unused for JSON Lines). kInvalidArgument naming the mapping
  // line when a mapped column is missing from them or appears in them twice.
  static Result<std::unique_ptr<RowMapper>> Create(const Mapping& mapping, InputFormat format,
                                                   const std::vector<std::string>& columns,
                                                   RowMapperOptions options);
  ~RowMapper();
  RowMapper(const RowMapper&) = delete;
  RowMapper& operator=(const RowMapper&) = delete;

  // Replaces `*event` with the event for `record` (whose `error` must be empty). kInvalidArgument
  // when the row cannot become an event; the message is the reason.
  Status Map(const Record& record, std::string* event);

  struct Impl;

 private:
  explicit RowMapper(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace rapport
