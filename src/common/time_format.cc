#include "common/time_format.h"

#include <fmt/format.h>

namespace rapport {
namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kMicrosPerDay = 86'400 * kMicrosPerSecond;

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

struct Civil {
  int64_t year;
  unsigned month, day;
};

// The inverse of DaysFromCivil.
Civil CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<int64_t>(yoe) + era * 400 + (m <= 2), m, d};
}

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned DaysInMonth(int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// A cursor over the text; every read is bounds-checked.
class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}
  bool AtEnd() const { return pos_ == s_.size(); }
  char Peek() const { return AtEnd() ? '\0' : s_[pos_]; }
  bool Consume(char c) {
    if (Peek() != c || AtEnd()) return false;
    ++pos_;
    return true;
  }
  // Reads exactly `n` ASCII digits.
  bool Digits(int n, unsigned* out) {
    unsigned v = 0;
    for (int i = 0; i < n; ++i) {
      if (AtEnd() || s_[pos_] < '0' || s_[pos_] > '9') return false;
      v = v * 10 + static_cast<unsigned>(s_[pos_++] - '0');
    }
    *out = v;
    return true;
  }
  bool IsDigit() const { return !AtEnd() && s_[pos_] >= '0' && s_[pos_] <= '9'; }
  char Next() { return s_[pos_++]; }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

// At most 64 bytes of `text`, cut on a UTF-8 character boundary, for error messages.
std::string_view Excerpt(std::string_view text) {
  if (text.size() <= 64) return text;
  size_t n = 64;
  while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
  return text.substr(0, n);
}

Status Invalid(std::string_view text, std::string_view why) {
  return Status::InvalidArgument(
      fmt::format("\"{}{}\" is not an ISO-8601 date-time ({}); expected e.g. \"{}\"", Excerpt(text),
                  text.size() > 64 ? "..." : "", why, kIso8601Example));
}

}  // namespace

Result<int64_t> ParseIso8601(std::string_view text) {
  Cursor c(text);
  unsigned year, month, day;
  if (!c.Digits(4, &year) || !c.Consume('-') || !c.Digits(2, &month) || !c.Consume('-') ||
      !c.Digits(2, &day)) {
    return Invalid(text, "the date must be YYYY-MM-DD");
  }
  if (year < 1) return Invalid(text, "the year must be 0001 to 9999");
  if (month < 1 || month > 12) return Invalid(text, "the month must be 01 to 12");
  if (day < 1 || day > DaysInMonth(year, month)) {
    return Invalid(text, "the day does not exist in that month");
  }
  const int64_t days = DaysFromCivil(year, month, day);
  if (c.AtEnd()) return days * kMicrosPerDay;

  if (!c.Consume('T') && !c.Consume(' ')) return Invalid(text, "expected 'T' after the date");
  unsigned hour, minute, second;
  if (!c.Digits(2, &hour) || !c.Consume(':') || !c.Digits(2, &minute) || !c.Consume(':') ||
      !c.Digits(2, &second)) {
    return Invalid(text, "the time must be HH:MM:SS");
  }
  if (hour > 23 || minute > 59 || second > 60) return Invalid(text, "the time is out of range");
  int64_t micros = 0;
  if (c.Consume('.')) {
    int digits = 0;
    int64_t scale = 100'000;
    while (c.IsDigit()) {
      const int d = c.Next() - '0';
      if (++digits > 9) return Invalid(text, "at most 9 fraction digits");
      micros += d * scale;
      scale /= 10;
    }
    if (digits == 0) return Invalid(text, "expected digits after '.'");
  }
  if (second == 60) {  // A leap second: the last microsecond of the minute.
    second = 59;
    micros = kMicrosPerSecond - 1;
  }

  int64_t offset_seconds = 0;
  if (c.Consume('Z')) {
  } else if (c.Peek() == '+' || c.Peek() == '-') {
    const int sign = c.Next() == '-' ? -1 : 1;
    unsigned oh, om = 0;
    if (!c.Digits(2, &oh)) return Invalid(text, "the offset must be ±HH:MM, ±HHMM or ±HH");
    if (!c.AtEnd()) {
      c.Consume(':');
      if (!c.Digits(2, &om)) return Invalid(text, "the offset must be ±HH:MM, ±HHMM or ±HH");
    }
    if (oh > 23 || om > 59) return Invalid(text, "the offset is out of range");
    offset_seconds = sign * static_cast<int64_t>(oh * 3600 + om * 60);
  } else {
    return Invalid(text, "a time needs a zone: Z or ±HH:MM");
  }
  if (!c.AtEnd()) return Invalid(text, "unexpected text after the zone");

  const int64_t local_seconds = days * 86'400 + hour * 3600 + minute * 60 + second;
  return (local_seconds - offset_seconds) * kMicrosPerSecond + micros;
}

void AppendIso8601(int64_t micros, std::string* out) {
  static const int64_t kMin = DaysFromCivil(1, 1, 1) * kMicrosPerDay;
  static const int64_t kMax = DaysFromCivil(10000, 1, 1) * kMicrosPerDay - 1000;
  if (micros < kMin) micros = kMin;
  if (micros > kMax) micros = kMax;
  int64_t days = micros / kMicrosPerDay;
  int64_t rest = micros % kMicrosPerDay;
  if (rest < 0) {
    rest += kMicrosPerDay;
    --days;
  }
  const Civil civil = CivilFromDays(days);
  const auto secs = static_cast<unsigned>(rest / kMicrosPerSecond);
  const auto millis = static_cast<unsigned>(rest % kMicrosPerSecond / 1000);
  // Hot path (every stored event): digits written by hand, no formatting library.
  char buf[] = "0000-00-00T00:00:00.000Z";
  auto put = [&buf](int pos, int width, unsigned v) {
    for (int i = pos + width - 1; i >= pos; --i, v /= 10) buf[i] = static_cast<char>('0' + v % 10);
  };
  put(0, 4, static_cast<unsigned>(civil.year));
  put(5, 2, civil.month);
  put(8, 2, civil.day);
  put(11, 2, secs / 3600);
  put(14, 2, secs / 60 % 60);
  put(17, 2, secs % 60);
  put(20, 3, millis);
  out->append(buf, sizeof(buf) - 1);
}

void AppendJsonTime(int64_t micros, std::string* out) {
  out->push_back('"');
  AppendIso8601(micros, out);
  out->push_back('"');
}

void AppendJsonTimeOrNull(int64_t micros, std::string* out) {
  if (micros == 0) {
    out->append("null");
  } else {
    AppendJsonTime(micros, out);
  }
}

std::string FormatIso8601(int64_t micros) {
  std::string out;
  AppendIso8601(micros, &out);
  return out;
}

}  // namespace rapport
