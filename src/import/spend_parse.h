// Marketing spend as users send it (`POST /api/v1/spend`, `rapport spend import`): CSV with a
// header row naming date, channel, cost and optionally campaign (any order), a JSON document
// {"rows":[{"date","channel","campaign","cost"}, …]}, or JSON Lines of the same row objects.
// All or nothing: one bad row and no row is returned; the error names each bad row (CSV and JSON
// Lines by line, JSON by index) up to kMaxSpendProblems. Pure functions, thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "govern/control_store.h"

namespace rapport {

inline constexpr size_t kMaxSpendBytes = 20 * 1024 * 1024;
inline constexpr size_t kMaxSpendRows = 200'000;
inline constexpr size_t kMaxSpendChannelChars = 100;
inline constexpr size_t kMaxSpendCampaignChars = 200;
inline constexpr size_t kMaxSpendProblems = 20;  // bad rows named in one error

enum class SpendFormat { kCsv, kJson, kJsonLines };

// Every row of `text`, in the input's order. Each row: date YYYY-MM-DD (a calendar date, UTC);
// channel 1-100 characters; campaign 0-200 characters (missing = ""); cost a finite number >= 0
// (in CSV a plain decimal such as 120.50). Leading and trailing spaces of text fields are dropped.
// The same (date, channel, campaign) twice is an error naming both rows. kTooLarge over
// kMaxSpendBytes or kMaxSpendRows; kInvalidArgument for anything else.
Result<std::vector<StoredSpend>> ParseSpend(std::string_view text, SpendFormat format);

// "2026-01-31" → days since 1970-01-01; kInvalidArgument for anything but a calendar date
// written YYYY-MM-DD (years 0001-9999).
Result<int64_t> ParseSpendDay(std::string_view text);
// Days since 1970-01-01 → "2026-01-31" (clamped to years 0001-9999).
std::string FormatSpendDay(int64_t day);

}  // namespace rapport
