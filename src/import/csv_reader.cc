#include "import/csv_reader.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include <fmt/format.h>

#include "import/utf8.h"

namespace rapport {

CsvReader::CsvReader(ChunkSource* source, CsvOptions csv, ReaderOptions options)
    : csv_(std::move(csv)), options_(options), in_(source, options.chunk_bytes) {}

Result<std::unique_ptr<CsvReader>> CsvReader::Open(ChunkSource* source, CsvOptions csv,
                                                   ReaderOptions options) {
  if (csv.delimiter == '"' || csv.delimiter == '\n' || csv.delimiter == '\r') {
    return Status::InvalidArgument("the CSV delimiter cannot be a quote or a line break");
  }
  std::unique_ptr<CsvReader> reader(new CsvReader(source, std::move(csv), options));
  if (!reader->csv_.header) {
    if (reader->csv_.columns.empty()) {
      return Status::InvalidArgument("a CSV file without a header row needs its column names");
    }
    reader->columns_ = reader->csv_.columns;
    return reader;
  }
  Record header;
  ASSIGN_OR_RETURN(bool got, reader->ReadRecord(&header));
  if (!got) {
    return Status::InvalidArgument(
        "the file is empty: a CSV file starts with a header row (the column names)");
  }
  if (!header.error.empty()) {
    return Status::InvalidArgument(
        fmt::format("the header row (line {}): {}", header.line, header.error));
  }
  for (size_t i = 0; i < header.fields.size(); ++i) {
    if (size_t at = Utf8ErrorOffset(header.fields[i]); at != std::string_view::npos) {
      return Status::InvalidArgument(
          fmt::format("the header row (line {}): invalid UTF-8 at byte {} of column {} (the "
                      "file must be UTF-8; convert it with iconv)",
                      header.line, at + 1, i + 1));
    }
  }
  reader->columns_ = std::move(header.fields);
  return reader;
}

Result<bool> CsvReader::Next(Record* record) {
  ASSIGN_OR_RETURN(bool got, ReadRecord(record));
  if (got) CheckRecord(record);
  return got;
}

void CsvReader::CheckRecord(Record* r) const {
  if (!r->error.empty()) return;
  if (r->fields.size() != columns_.size()) {
    r->error = fmt::format("the row has {} column{}; the {} has {}", r->fields.size(),
                           r->fields.size() == 1 ? "" : "s",
                           csv_.header ? "header" : "mapping's column list", columns_.size());
    return;
  }
  for (size_t i = 0; i < r->fields.size(); ++i) {
    if (size_t at = Utf8ErrorOffset(r->fields[i]); at != std::string_view::npos) {
      r->error = fmt::format("invalid UTF-8 at byte {} of column \"{}\"", at + 1, columns_[i]);
      return;
    }
  }
}

// A state machine over the buffered bytes; a record may span any number of chunks.
Result<bool> CsvReader::ReadRecord(Record* r) {
  enum class State { kFieldStart, kUnquoted, kQuoted, kQuoteInQuoted, kCr };
  const char delim = csv_.delimiter;
  const size_t max = options_.max_record_bytes;
  // What an oversized record keeps: never its terminator, the same whatever the chunking.
  const size_t raw_cap = std::min(Record::kRawPrefixBytes, max);

  State state = State::kFieldStart;
  bool cr_after_quote = false;  // in kCr: the CR followed a closing quote
  bool oversized = false;
  bool done = false;
  size_t term = 0;            // bytes of the line terminator that ended the record
  uint64_t record_bytes = 0;  // bytes of the record consumed so far (terminator included)
  int64_t quote_line = 0;     // line of the quote that opened the current quoted field
  std::string field;

  auto reset = [&] {
    r->line = line_;
    r->raw.clear();
    r->fields.clear();
    r->error.clear();
    state = State::kFieldStart;
    oversized = false;
    done = false;
    term = 0;
    record_bytes = 0;
    field.clear();
  };
  auto end_field = [&] {
    if (!oversized) r->fields.push_back(std::move(field));
    field.clear();
  };
  auto fail = [&](std::string message) {
    if (r->error.empty()) r->error = std::move(message);
  };
  reset();

  while (!done) {
    std::string_view d = in_.data();
    if (d.empty()) {
      if (!eof_) {
        ASSIGN_OR_RETURN(bool more, in_.Fill());
        if (!more) eof_ = true;
        continue;
      }
      // End of input.
      if (record_bytes == 0) return false;
      if (state == State::kQuoted) {
        fail(fmt::format("unterminated quoted field: the quote opened on line {} is never closed",
                         quote_line));
      }
      end_field();
      break;
    }

    size_t i = 0;
    const size_t n = d.size();
    while (i < n && !done) {
      switch (state) {
        case State::kFieldStart:
          if (d[i] == '"') {
            state = State::kQuoted;
            quote_line = line_;
            ++i;
            break;
          }
          state = State::kUnquoted;
          [[fallthrough]];
        case State::kUnquoted: {
          size_t j = i;
          while (j < n && d[j] != delim && d[j] != '\n' && d[j] != '\r') ++j;
          if (!oversized) field.append(d.data() + i, j - i);
          i = j;
          if (i == n) break;
          const char c = d[i++];
          if (c == delim) {
            end_field();
            state = State::kFieldStart;
          } else if (c == '\n') {
            ++line_;
            end_field();
            term = 1;
            done = true;
          } else {
            state = State::kCr;
            cr_after_quote = false;
          }
          break;
        }
        case State::kQuoted: {
          const void* q = std::memchr(d.data() + i, '"', n - i);
          const size_t j = q ? static_cast<size_t>(static_cast<const char*>(q) - d.data()) : n;
          line_ += std::count(d.begin() + i, d.begin() + j, '\n');
          if (!oversized) field.append(d.data() + i, j - i);
          i = j;
          if (i < n) {
            ++i;
            state = State::kQuoteInQuoted;
          }
          break;
        }
        case State::kQuoteInQuoted: {
          const char c = d[i];
          if (c == '"') {
            if (!oversized) field.push_back('"');
            state = State::kQuoted;
            ++i;
          } else if (c == delim) {
            end_field();
            state = State::kFieldStart;
            ++i;
          } else if (c == '\n') {
            ++line_;
            end_field();
            term = 1;
            done = true;
            ++i;
          } else if (c == '\r') {
            state = State::kCr;
            cr_after_quote = true;
            ++i;
          } else {
            fail(fmt::format(
                "unexpected character after the closing quote of column {} (a quote inside a "
                "quoted field is written \"\")",
                r->fields.size() + 1));
            state = State::kUnquoted;  // keep the rest of the field, find the row's end
          }
          break;
        }
        case State::kCr:
          if (d[i] == '\n') {
            ++line_;
            end_field();
            term = 2;
            done = true;
            ++i;
          } else {
            // A lone CR is data (RFC 4180 ends lines with CRLF).
            if (cr_after_quote) {
              fail(fmt::format("unexpected character after the closing quote of column {}",
                               r->fields.size() + 1));
            }
            if (!oversized) field.push_back('\r');
            state = State::kUnquoted;
          }
          break;
      }
    }

    // Account for the bytes of this chunk that belong to the record.
    record_bytes += i;
    if (!oversized) {
      r->raw.append(d.data(), i);
      // A CR waiting for its LF may be the start of the line terminator: not counted yet.
      const uint64_t pending_cr = !done && state == State::kCr ? 1 : 0;
      if (record_bytes - term - pending_cr > max) {
        oversized = true;
        if (r->raw.size() > raw_cap) r->raw.resize(raw_cap);
        r->fields.clear();
        field.clear();
      }
    } else if (r->raw.size() < raw_cap) {
      r->raw.append(d.data(), std::min(i, raw_cap - r->raw.size()));
    }
    in_.Consume(i);

    if (done && record_bytes == term && !oversized) reset();  // a blank line: skip it
  }

  if (oversized) {
    r->fields.clear();
    std::string where = eof_ && in_.data().empty() ? std::string("the end of the file")
                                                   : fmt::format("line {}", line_);
    r->error = fmt::format(
        "the record is over the limit of {} bytes (max_record_bytes) and was skipped up to {}", max,
        where);
    if (state == State::kQuoted) {
      r->error += fmt::format("; the quote opened on line {} is never closed", quote_line);
    }
  } else if (term > 0) {
    r->raw.resize(r->raw.size() - term);
  } else if (state == State::kCr && !r->raw.empty() && r->raw.back() == '\r') {
    r->raw.pop_back();  // a lone CR at the very end of the file ends the line
  }
  return true;
}

}  // namespace rapport
