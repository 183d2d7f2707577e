// ISO-8601 / RFC 3339 date-times <-> microseconds since the Unix epoch (UTC).
// Parsing is strict (the grammar below; years 0001-9999) and returns kInvalidArgument on anything
// else; formatting always writes "YYYY-MM-DDTHH:MM:SS.mmmZ". Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace rapport {

// The format shown to users in error messages.
inline constexpr std::string_view kIso8601Example = "2024-01-31T12:00:00.123Z";

// Accepts exactly:
//   YYYY-MM-DD                                             (midnight UTC)
//   YYYY-MM-DD(T| )HH:MM:SS[.f{1,9}](Z|±HH:MM|±HHMM|±HH)
// Ranges are checked (month, day of month with leap years, hour <= 23, minute <= 59, offset
// hours <= 23 and minutes <= 59). A leap second (SS = 60) is accepted and read as
// SS = 59.999999 of the same minute (so order within the minute is kept and the date never
// changes). Fraction digits beyond microseconds are truncated (rounded toward the past).
Result<int64_t> ParseIso8601(std::string_view text);

// "2024-01-31T12:00:00.123Z": milliseconds (rounded toward the past), always UTC. Values outside
// 0001-01-01T00:00:00.000Z .. 9999-12-31T23:59:59.999Z are clamped to that range so the output
// always parses back.
std::string FormatIso8601(int64_t micros);
// Appends the same text to `out` (no allocation when `out` has room).
void AppendIso8601(int64_t micros, std::string* out);
// Appends it as a JSON string ("\"2024-01-31T12:00:00.123Z\""); ...OrNull writes null for 0
// (a time never set).
void AppendJsonTime(int64_t micros, std::string* out);
void AppendJsonTimeOrNull(int64_t micros, std::string* out);

}  // namespace rapport
