// libFuzzer target for the spend parser (import/spend_parse.h). The first byte picks the form:
//   0: CSV, 1: JSON {"rows":[…]}, 2: JSON Lines, 3: a date alone (ParseSpendDay).
// Beyond "no crash", it checks what the contract promises: accepted rows are valid (a calendar
// day that formats and parses back, a non-empty channel and a campaign within their lengths and
// free of control characters, a finite cost in [0, 1e15] that is not -0) and unique by (day,
// channel, campaign); a refusal is kInvalidArgument or kTooLarge with a UTF-8 message.
#include <simdjson.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>
#include <tuple>

#include "import/spend_parse.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

size_t Chars(std::string_view s) {
  size_t n = 0;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    Check(u >= 0x20 && u != 0x7f);
    n += (u & 0xC0) != 0x80;
  }
  Check(simdjson::validate_utf8(s.data(), s.size()));
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  const int mode = data[0] % 4;
  if (mode == 3) {
    auto day = rapport::ParseSpendDay(input);
    if (day.ok()) Check(rapport::FormatSpendDay(*day) == input);
    return 0;
  }
  const rapport::SpendFormat format = mode == 0   ? rapport::SpendFormat::kCsv
                                      : mode == 1 ? rapport::SpendFormat::kJson
                                                  : rapport::SpendFormat::kJsonLines;
  auto rows = rapport::ParseSpend(input, format);
  if (!rows.ok()) {
    const auto code = rows.status().code();
    Check(code == rapport::StatusCode::kInvalidArgument || code == rapport::StatusCode::kTooLarge);
    const std::string& message = rows.status().message();
    Check(!message.empty() && simdjson::validate_utf8(message.data(), message.size()));
    return 0;
  }
  Check(!rows->empty() && rows->size() <= rapport::kMaxSpendRows);
  std::set<std::tuple<int64_t, std::string, std::string>> keys;
  for (const rapport::StoredSpend& r : *rows) {
    auto back = rapport::ParseSpendDay(rapport::FormatSpendDay(r.day));
    Check(back.ok() && *back == r.day);
    const size_t channel = Chars(r.channel);
    Check(channel >= 1 && channel <= rapport::kMaxSpendChannelChars);
    Check(Chars(r.campaign) <= rapport::kMaxSpendCampaignChars);
    Check(std::isfinite(r.cost) && r.cost >= 0 && r.cost <= 1e15 && !std::signbit(r.cost));
    Check(keys.emplace(r.day, r.channel, r.campaign).second);
  }
  return 0;
}
