#include "import/time_parse.h"

#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>

#include <fmt/format.h>

#include "common/time_format.h"

namespace rapport {
namespace {

constexpr int64_t kSecond = 1'000'000;
// 0001-01-01T00:00:00Z and 10000-01-01T00:00:00Z in microseconds.
constexpr int64_t kMinMicros = -62135596800LL * kSecond;
constexpr int64_t kEndMicros = 253402300800LL * kSecond;

constexpr const char* kMonths[] = {"january",   "february", "march",    "april",
                                   "may",       "june",     "july",     "august",
                                   "september", "october",  "november", "december"};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads 1..max_digits digits at text[*pos].
bool ReadInt(std::string_view text, size_t* pos, int max_digits, int min_digits, int* out) {
  int v = 0, n = 0;
  while (*pos < text.size() && n < max_digits && IsDigit(text[*pos])) {
    v = v * 10 + (text[*pos] - '0');
    ++*pos;
    ++n;
  }
  if (n < min_digits) return false;
  *out = v;
  return true;
}

bool ReadOffset(std::string_view text, size_t* pos, int64_t* out) {
  if (*pos >= text.size()) return false;
  const char c = text[*pos];
  if (c == 'Z' || c == 'z') {
    ++*pos;
    *out = 0;
    return true;
  }
  if (c != '+' && c != '-') return false;
  ++*pos;
  int h = 0, m = 0;
  if (!ReadInt(text, pos, 2, 2, &h)) return false;
  if (*pos < text.size() && text[*pos] == ':') {
    ++*pos;
    if (!ReadInt(text, pos, 2, 2, &m)) return false;
  } else if (*pos + 1 < text.size() && IsDigit(text[*pos])) {
    if (!ReadInt(text, pos, 2, 2, &m)) return false;
  }
  if (h > 23 || m > 59) return false;
  *out = (c == '-' ? -1 : 1) * (h * 3600LL + m * 60LL) * kSecond;
  return true;
}

Result<int64_t> InRange(int64_t micros, std::string_view text) {
  if (micros < kMinMicros || micros >= kEndMicros) {
    return Status::InvalidArgument(fmt::format("\"{}\" is outside the years 0001-9999", text));
  }
  return micros;
}

// A decimal number of `unit` microseconds: "1700000000", "-12.5", "1.7e9".
Result<int64_t> ParseScaled(std::string_view text, int64_t unit, std::string_view what) {
  auto bad = [&] {
    return Status::InvalidArgument(fmt::format("\"{}\" is not a number of {}", text, what));
  };
  std::string_view t = text;
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.front()))) t.remove_prefix(1);
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.remove_suffix(1);
  if (t.empty()) return bad();
  const bool exponent = t.find_first_of("eE") != std::string_view::npos;
  const size_t dot = t.find('.');
  if (!exponent && dot == std::string_view::npos) {
    int64_t v = 0;
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (ec != std::errc() || p != t.data() + t.size()) return bad();
    if (v > kEndMicros / unit || v < kMinMicros / unit) return InRange(kEndMicros, text);
    return InRange(v * unit, text);
  }
  double v = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc() || p != t.data() + t.size() || !std::isfinite(v)) return bad();
  const double micros = std::floor(v * static_cast<double>(unit));
  if (micros < static_cast<double>(kMinMicros) || micros >= static_cast<double>(kEndMicros)) {
    return InRange(kEndMicros, text);
  }
  return static_cast<int64_t>(micros);
}

struct Parts {
  int year = -1, month = -1, day = -1;
  int hour = 0, minute = 0, second = 0;
  int64_t fraction_us = 0;
  int hour12 = -1;  // %I
  int pm = -1;      // %p: 0 AM, 1 PM
  bool has_offset = false;
  int64_t offset_us = 0;
};

// Matches `pattern` against `text` from `*t` on, advancing `*t`; false on the first mismatch.
bool MatchAt(std::string_view pattern, std::string_view text, size_t* pt, Parts* p) {
  size_t& t = *pt;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == ' ') {  // one or more spaces
      if (t >= text.size() || !std::isspace(static_cast<unsigned char>(text[t]))) return false;
      while (t < text.size() && std::isspace(static_cast<unsigned char>(text[t]))) ++t;
      continue;
    }
    if (c != '%') {
      if (t >= text.size() || text[t] != c) return false;
      ++t;
      continue;
    }
    if (++i >= pattern.size()) return false;
    switch (pattern[i]) {
      case 'Y':
        if (!ReadInt(text, &t, 4, 4, &p->year)) return false;
        break;
      case 'y': {
        int y = 0;
        if (!ReadInt(text, &t, 2, 2, &y)) return false;
        p->year = y < 69 ? 2000 + y : 1900 + y;  // POSIX strptime's pivot
        break;
      }
      case 'm':
        if (!ReadInt(text, &t, 2, 1, &p->month)) return false;
        break;
      case 'd':
      case 'e':
        while (pattern[i] == 'e' && t < text.size() && text[t] == ' ') ++t;
        if (!ReadInt(text, &t, 2, 1, &p->day)) return false;
        break;
      case 'H':
        if (!ReadInt(text, &t, 2, 1, &p->hour)) return false;
        break;
      case 'I':
        if (!ReadInt(text, &t, 2, 1, &p->hour12)) return false;
        break;
      case 'M':
        if (!ReadInt(text, &t, 2, 1, &p->minute)) return false;
        break;
      case 'S':
        if (!ReadInt(text, &t, 2, 1, &p->second)) return false;
        break;
      case 'f': {
        int64_t v = 0;
        int n = 0;
        while (t < text.size() && IsDigit(text[t])) {
          if (n < 6) v = v * 10 + (text[t] - '0');
          ++n;
          ++t;
        }
        if (n == 0 || n > 9) return false;
        for (int k = n; k < 6; ++k) v *= 10;
        p->fraction_us = v;
        break;
      }
      case 'p': {
        if (t + 2 > text.size()) return false;
        const char a = static_cast<char>(std::tolower(static_cast<unsigned char>(text[t])));
        const char m = static_cast<char>(std::tolower(static_cast<unsigned char>(text[t + 1])));
        if ((a != 'a' && a != 'p') || m != 'm') return false;
        p->pm = a == 'p';
        t += 2;
        break;
      }
      case 'b':
      case 'B':
      case 'h': {
        size_t end = t;
        while (end < text.size() && std::isalpha(static_cast<unsigned char>(text[end]))) ++end;
        std::string word(text.substr(t, end - t));
        for (char& ch : word) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        p->month = -1;
        for (int m = 0; m < 12; ++m) {
          std::string_view full = kMonths[m];
          if (word == full || (word.size() == 3 && full.substr(0, 3) == word) ||
              (m == 8 && word == "sept")) {
            p->month = m + 1;
          }
        }
        if (p->month < 0) return false;
        t = end;
        break;
      }
      case 'z':
        if (!ReadOffset(text, &t, &p->offset_us)) return false;
        p->has_offset = true;
        break;
      case 'F':
        if (!MatchAt("%Y-%m-%d", text, &t, p)) return false;
        break;
      case 'T':
        if (!MatchAt("%H:%M:%S", text, &t, p)) return false;
        break;
      case '%':
        if (t >= text.size() || text[t] != '%') return false;
        ++t;
        break;
      default:
        return false;
    }
  }
  return true;
}

bool MatchPattern(std::string_view pattern, std::string_view text, Parts* p) {
  size_t t = 0;
  return MatchAt(pattern, text, &t, p) && t == text.size();
}

}  // namespace

Status ValidateTimePattern(std::string_view pattern) {
  bool year = false, month = false, day = false, hour12 = false, ampm = false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != '%') continue;
    if (++i >= pattern.size()) {
      return Status::InvalidArgument(fmt::format("time format \"{}\" ends with a lone %", pattern));
    }
    switch (pattern[i]) {
      case 'Y':
      case 'y':
        year = true;
        break;
      case 'm':
      case 'b':
      case 'B':
      case 'h':
        month = true;
        break;
      case 'd':
      case 'e':
        day = true;
        break;
      case 'F':
        year = month = day = true;
        break;
      case 'I':
        hour12 = true;
        break;
      case 'p':
        ampm = true;
        break;
      case 'H':
      case 'M':
      case 'S':
      case 'f':
      case 'z':
      case 'T':
      case '%':
        break;
      default:
        return Status::InvalidArgument(fmt::format(
            "time format \"{}\": %{} is not supported (use %Y %y %m %d %e %H %I %p %M %S %f %b "
            "%B %z %F %T %%)",
            pattern, pattern[i]));
    }
  }
  if (!year || !month || !day) {
    return Status::InvalidArgument(fmt::format(
        "time format \"{}\" needs a year (%Y or %y), a month (%m or %b) and a day (%d)", pattern));
  }
  if (hour12 != ampm) {
    return Status::InvalidArgument(
        fmt::format("time format \"{}\": %I (12-hour clock) goes with %p (AM/PM)", pattern));
  }
  return Status::OK();
}

Result<int64_t> ParseUtcOffset(std::string_view text) {
  size_t pos = 0;
  int64_t out = 0;
  if (!ReadOffset(text, &pos, &out) || pos != text.size()) {
    return Status::InvalidArgument(
        fmt::format("\"{}\" is not a UTC offset like \"+02:00\", \"-0530\" or \"Z\"", text));
  }
  return out;
}

Result<int64_t> ParseTime(std::string_view text, const TimeFormat& format) {
  switch (format.kind) {
    case TimeFormat::Kind::kIso8601: {
      auto r = ParseIso8601(text);
      if (!r.ok()) {
        return Status::InvalidArgument(
            fmt::format("\"{}\" is not an ISO-8601 date-time (like {})", text, kIso8601Example));
      }
      return r;
    }
    case TimeFormat::Kind::kUnix:
      return ParseScaled(text, kSecond, "seconds since 1970 (format = \"unix\")");
    case TimeFormat::Kind::kUnixMs:
      return ParseScaled(text, 1000, "milliseconds since 1970 (format = \"unix_ms\")");
    case TimeFormat::Kind::kPattern:
      break;
  }
  Parts p;
  auto mismatch = [&] {
    return Status::InvalidArgument(
        fmt::format("\"{}\" does not match the time format \"{}\"", text, format.pattern));
  };
  if (!MatchPattern(format.pattern, text, &p)) return mismatch();
  if (p.hour12 >= 0) {
    if (p.hour12 < 1 || p.hour12 > 12) return mismatch();
    p.hour = p.hour12 % 12 + (p.pm == 1 ? 12 : 0);
  }
  namespace chr = std::chrono;
  const chr::year_month_day ymd{chr::year{p.year}, chr::month{static_cast<unsigned>(p.month)},
                                chr::day{static_cast<unsigned>(p.day)}};
  if (p.year < 1 || p.year > 9999 || !ymd.ok() || p.hour > 23 || p.minute > 59 || p.second > 60) {
    return Status::InvalidArgument(
        fmt::format("\"{}\" is not a valid date and time (format \"{}\")", text, format.pattern));
  }
  int64_t micros = chr::sys_days(ymd).time_since_epoch().count() * 86400LL * kSecond;
  micros += (p.hour * 3600LL + p.minute * 60LL + std::min(p.second, 59)) * kSecond;
  micros += p.second == 60 ? kSecond - 1 : p.fraction_us;  // a leap second: end of the minute
  micros -= p.has_offset ? p.offset_us : format.utc_offset_us;
  return InRange(micros, text);
}

}  // namespace rapport
