// UTF-8 validation that says where the first bad byte is (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF), for messages like "invalid UTF-8 at byte 7 of column X".
// Pure functions, thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace rapport {

// Offset (0-based) of the first byte of the first invalid sequence in `s`, or npos when `s` is
// valid UTF-8 (a truncated sequence at the end is invalid at its first byte).
size_t Utf8ErrorOffset(std::string_view s);

}  // namespace rapport

namespace rapport {

// `s` with every invalid sequence replaced by U+FFFD, so it can go into JSON.
std::string ToValidUtf8(std::string_view s);

}  // namespace rapport
