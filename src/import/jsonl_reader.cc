#include "import/jsonl_reader.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "import/utf8.h"

namespace rapport {
namespace {

bool IsBlank(std::string_view s) { return s.find_first_not_of(" \t\r") == std::string_view::npos; }

}  // namespace

Result<bool> JsonlReader::Next(Record* r) {
  // What an oversized line keeps: the same whatever the chunking.
  const size_t raw_cap = std::min(Record::kRawPrefixBytes, options_.max_record_bytes);
  while (true) {
    r->line = line_;
    r->raw.clear();
    r->fields.clear();
    r->error.clear();
    uint64_t bytes = 0;  // bytes of the line so far, terminator excluded
    bool oversized = false;
    bool ended = false;  // saw the newline
    while (!ended) {
      std::string_view d = in_.data();
      if (d.empty()) {
        if (!eof_) {
          ASSIGN_OR_RETURN(bool more, in_.Fill());
          if (!more) eof_ = true;
          continue;
        }
        if (bytes == 0) return false;
        break;
      }
      const void* nl = std::memchr(d.data(), '\n', d.size());
      const size_t len =
          nl ? static_cast<size_t>(static_cast<const char*>(nl) - d.data()) : d.size();
      bytes += len;
      if (!oversized) {
        r->raw.append(d.data(), len);
        // A CR at the end (before the newline, maybe in the next chunk) does not count.
        const uint64_t counted = bytes - (!r->raw.empty() && r->raw.back() == '\r');
        if (counted > options_.max_record_bytes) {
          oversized = true;
          r->raw.resize(std::min(r->raw.size(), raw_cap));
        }
      } else if (r->raw.size() < raw_cap) {
        r->raw.append(d.data(), std::min(len, raw_cap - r->raw.size()));
      }
      in_.Consume(len + (nl ? 1 : 0));
      if (nl) {
        ++line_;
        ended = true;
      }
    }
    if (oversized) {
      r->error =
          fmt::format("the line is over the limit of {} bytes (max_record_bytes) and was skipped",
                      options_.max_record_bytes);
      return true;
    }
    if (!r->raw.empty() && r->raw.back() == '\r') r->raw.pop_back();
    if (IsBlank(r->raw)) {
      if (!ended) return false;
      continue;
    }
    if (size_t at = Utf8ErrorOffset(r->raw); at != std::string_view::npos) {
      r->error = fmt::format("invalid UTF-8 at byte {} of the line", at + 1);
    }
    return true;
  }
}

}  // namespace rapport
