// Time zones for journeys' quiet hours: a TZif reader (RFC 8536, versions 1 to 4, the files of
// Debian's tzdata under /usr/share/zoneinfo) with the POSIX TZ rule of the footer for times past
// the last transition, a cache of zones by IANA name, and quiet hours (a daily local-time
// window). libstdc++ 12 has no std::chrono tzdb, hence this. TimeZone is an immutable value,
// thread-safe to read; TimeZoneCache is thread-safe. Parsing never trusts its input (fuzzed:
// journey_tzif_fuzz). Times are seconds since the Unix epoch (leap seconds are not counted).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace rapport {

// A POSIX TZ rule ("CET-1CEST,M3.5.0,M10.5.0/3"), as a TZif footer holds it.
struct PosixTzRule {
  int32_t std_offset = 0;  // seconds east of UTC (the sign POSIX writes, reversed)
  bool has_dst = false;
  int32_t dst_offset = 0;
  // When daylight time starts and ends: a day rule and the local time of day (seconds, may be
  // negative or past 24 h: -167 h to 167 h).
  struct Date {
    enum class Kind : uint8_t { kJulian1, kJulian0, kMonthWeekDay };
    Kind kind = Kind::kMonthWeekDay;
    int day = 0;  // kJulian1: 1..365 (no Feb 29); kJulian0: 0..365; kMonthWeekDay: 0..6 (Sunday 0)
    int month = 0, week = 0;  // kMonthWeekDay: 1..12, 1..5 (5: the last)
    int32_t time = 7200;
  };
  Date start, end;

  // Parses a TZ string (without the leading ':'); kInvalidArgument saying what is wrong.
  static Result<PosixTzRule> Parse(std::string_view text);
  int32_t OffsetAt(int64_t utc_seconds) const;
};

class TimeZone {
 public:
  // Reads a TZif file. kInvalidArgument "TZif: ..." for anything malformed or unsupported
  // (leap-second "right/" files).
  static Result<TimeZone> ParseTzif(std::string_view bytes);
  // A fixed offset (UTC: 0).
  static TimeZone Fixed(int32_t offset_seconds);

  // Seconds east of UTC in effect at `utc_seconds` (Paris: 3600 in winter, 7200 in summer).
  int32_t OffsetAt(int64_t utc_seconds) const;
  // The earliest instant whose local wall-clock time is `local_seconds` (seconds since the epoch
  // counted on the local clock). Repeated wall times (clocks set back) give the first; skipped
  // ones (clocks set forward over them) give the instant the clocks jump.
  int64_t LocalToUtc(int64_t local_seconds) const;

  size_t transitions() const { return times_.size(); }
  bool has_rule() const { return has_rule_; }

 private:
  std::vector<int64_t> times_;    // transitions, ascending
  std::vector<uint8_t> indices_;  // type of each transition
  std::vector<int32_t> offsets_;  // per type
  bool has_rule_ = false;
  PosixTzRule rule_;  // for times at or after the last transition (or always, with none)
};

// Zones by IANA name ("Europe/Paris"), read once from `dir` and kept. Names are 1 to 64 bytes
// of letters, digits, '_', '-', '+' in '/'-separated parts (no '.' or '..' parts). Unknown or
// malformed zones answer nullptr (remembered too, up to a bound).
class TimeZoneCache {
 public:
  // `read` returns a file's bytes (tests inject); default: the file `dir`/NAME.
  explicit TimeZoneCache(std::string dir = "/usr/share/zoneinfo",
                         std::function<Result<std::string>(const std::string& path)> read = {});

  std::shared_ptr<const TimeZone> Get(std::string_view name);
  // Why Get(name) fails ("" when it does not).
  std::string Check(std::string_view name);

  static bool ValidName(std::string_view name);

 private:
  Result<std::shared_ptr<const TimeZone>> Load(std::string_view name);

  std::string dir_;
  std::function<Result<std::string>(const std::string&)> read_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<const TimeZone>, std::less<>> zones_;  // GUARDED_BY(mu_)
};

// A daily window of local time in which nothing is sent ("21:00" to "08:00": it may wrap past
// midnight). start != end; minutes of the day, 0..1439.
struct QuietHours {
  int start_minute = 0, end_minute = 0;
  bool enabled() const { return start_minute != end_minute; }
  bool Contains(const TimeZone& zone, int64_t utc_seconds) const;
  // The first instant at or after `utc_seconds` outside the window (itself when outside). Always
  // >= utc_seconds; on a day where the end's wall time is skipped, the instant the clocks jump.
  int64_t End(const TimeZone& zone, int64_t utc_seconds) const;
};

// Days since 1970-01-01 of a proleptic Gregorian date, and back.
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day);
void CivilFromDays(int64_t days, int64_t* year, unsigned* month, unsigned* day);

}  // namespace rapport
