// JSON output helpers: appending correctly escaped JSON strings (RFC 8259: quotes, backslash
// and control characters escaped; UTF-8 passed through). Parsing is simdjson's job; this only
// writes. Stateless and thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace rapport {

// Appends `s` as a quoted JSON string to `out`.
void AppendJsonString(std::string* out, std::string_view s);
// `s` as a quoted JSON string.
std::string JsonString(std::string_view s);

}  // namespace rapport
