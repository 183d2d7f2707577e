// Reading timestamps as silo exports write them: ISO-8601, Unix seconds or milliseconds (with an
// optional fraction), or a strftime-like pattern ("%d/%m/%Y %H:%M"). Results are microseconds
// since the Unix epoch (UTC), within years 0001-9999. Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "import/mapping.h"

namespace rapport {

// Parses `text` as `format` says. kInvalidArgument with a message saying what was expected.
Result<int64_t> ParseTime(std::string_view text, const TimeFormat& format);

// Checks a pattern: known directives only (%Y %y %m %d %e %H %I %p %M %S %f %b %B %h %z %F %T
// %%), and a year, month and day present.
Status ValidateTimePattern(std::string_view pattern);

// "+02:00", "-0530", "+01", "Z" -> microseconds east of UTC.
Result<int64_t> ParseUtcOffset(std::string_view text);

}  // namespace rapport
