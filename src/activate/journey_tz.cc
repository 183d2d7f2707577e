#include "activate/journey_tz.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "common/env.h"

namespace rapport {
namespace {

constexpr int64_t kDay = 86400;
constexpr int32_t kMinUtOffset = -89999;  // RFC 8536: -25 h + 1 s .. 26 h - 1 s
constexpr int32_t kMaxUtOffset = 93599;
constexpr size_t kMaxNegativeEntries = 4096;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }
int64_t FloorMod(int64_t a, int64_t b) { return a - FloorDiv(a, b) * b; }

bool IsLeap(int64_t y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }

unsigned DaysInMonth(int64_t y, unsigned m) {
  static constexpr std::array<unsigned, 12> kDays = {31, 28, 31, 30, 31, 30,
                                                     31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

Status Bad(std::string_view what) { return Status::InvalidArgument("TZif: " + std::string(what)); }

// Reads big-endian integers from a bounded input.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  size_t left() const { return in_.size() - pos_; }
  size_t pos() const { return pos_; }
  bool Skip(uint64_t n) {
    if (n > left()) return false;
    pos_ += n;
    return true;
  }
  bool Bytes(size_t n, std::string_view* out) {
    if (n > left()) return false;
    *out = in_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  bool U8(uint8_t* v) {
    if (left() < 1) return false;
    *v = static_cast<uint8_t>(in_[pos_++]);
    return true;
  }
  bool U32(uint32_t* v) {
    if (left() < 4) return false;
    uint32_t r = 0;
    for (int i = 0; i < 4; ++i) r = (r << 8) | static_cast<uint8_t>(in_[pos_++]);
    *v = r;
    return true;
  }
  bool I64(int64_t* v) {
    if (left() < 8) return false;
    uint64_t r = 0;
    for (int i = 0; i < 8; ++i) r = (r << 8) | static_cast<uint8_t>(in_[pos_++]);
    *v = static_cast<int64_t>(r);
    return true;
  }

 private:
  std::string_view in_;
  size_t pos_ = 0;
};

struct Header {
  char version = 0;
  uint32_t isutcnt = 0, isstdcnt = 0, leapcnt = 0, timecnt = 0, typecnt = 0, charcnt = 0;
  // Bytes of the data block that follows, with `time_size`-byte times.
  uint64_t BlockSize(uint64_t time_size) const {
    return uint64_t{timecnt} * time_size + timecnt + uint64_t{typecnt} * 6 + charcnt +
           uint64_t{leapcnt} * (time_size + 4) + isstdcnt + isutcnt;
  }
};

Status ReadHeader(Reader* r, Header* h) {
  std::string_view magic;
  if (!r->Bytes(4, &magic) || magic != "TZif") return Bad("not a TZif file (no \"TZif\" magic)");
  uint8_t version = 0;
  if (!r->U8(&version) || !r->Skip(15)) return Bad("truncated header");
  if (version != 0 && version != '2' && version != '3' && version != '4') {
    return Bad("unknown version " + std::to_string(version));
  }
  h->version = static_cast<char>(version);
  if (!r->U32(&h->isutcnt) || !r->U32(&h->isstdcnt) || !r->U32(&h->leapcnt) ||
      !r->U32(&h->timecnt) || !r->U32(&h->typecnt) || !r->U32(&h->charcnt)) {
    return Bad("truncated header");
  }
  if (h->typecnt == 0 || h->typecnt > 256) return Bad("needs 1 to 256 local time types");
  if (h->charcnt == 0) return Bad("no time zone designations");
  if (h->isutcnt != 0 && h->isutcnt != h->typecnt) return Bad("bad UT indicator count");
  if (h->isstdcnt != 0 && h->isstdcnt != h->typecnt) return Bad("bad standard indicator count");
  if (h->leapcnt != 0) return Bad("leap-second (\"right/\") zones are not supported");
  return Status::OK();
}

// One data block: transitions, their types and the types' offsets.
Status ReadBlock(Reader* r, const Header& h, int time_size, std::vector<int64_t>* times,
                 std::vector<uint8_t>* indices, std::vector<int32_t>* offsets) {
  if (h.BlockSize(time_size) > r->left()) return Bad("truncated data block");
  times->resize(h.timecnt);
  for (uint32_t i = 0; i < h.timecnt; ++i) {
    int64_t t = 0;
    if (time_size == 4) {
      uint32_t v = 0;
      r->U32(&v);
      t = static_cast<int32_t>(v);
    } else {
      r->I64(&t);
    }
    if (i > 0 && t <= (*times)[i - 1]) return Bad("transition times are not ascending");
    (*times)[i] = t;
  }
  indices->resize(h.timecnt);
  for (uint32_t i = 0; i < h.timecnt; ++i) {
    r->U8(&(*indices)[i]);
    if ((*indices)[i] >= h.typecnt) return Bad("a transition names an unknown type");
  }
  offsets->resize(h.typecnt);
  for (uint32_t i = 0; i < h.typecnt; ++i) {
    uint32_t utoff = 0;
    uint8_t isdst = 0, desig = 0;
    r->U32(&utoff);
    r->U8(&isdst);
    r->U8(&desig);
    const int32_t off = static_cast<int32_t>(utoff);
    if (off < kMinUtOffset || off > kMaxUtOffset) return Bad("a UT offset is out of range");
    if (isdst > 1) return Bad("a DST indicator is not 0 or 1");
    if (desig >= h.charcnt) return Bad("a designation index is out of range");
    (*offsets)[i] = off;
  }
  r->Skip(h.charcnt);
  r->Skip(uint64_t{h.leapcnt} * (time_size + 4));
  for (uint32_t i = 0; i < h.isstdcnt + h.isutcnt; ++i) {
    uint8_t v = 0;
    r->U8(&v);
    if (v > 1) return Bad("an indicator is not 0 or 1");
  }
  return Status::OK();
}

// A cursor over a POSIX TZ string.
class TzText {
 public:
  explicit TzText(std::string_view s) : s_(s) {}
  bool done() const { return pos_ == s_.size(); }
  char peek() const { return done() ? '\0' : s_[pos_]; }
  bool Eat(char c) {
    if (peek() != c) return false;
    ++pos_;
    return true;
  }
  bool Name() {
    if (Eat('<')) {
      size_t n = 0;
      while (!done() && peek() != '>') {
        const char c = peek();
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-') return false;
        ++pos_;
        ++n;
      }
      return n >= 3 && Eat('>');
    }
    size_t n = 0;
    while (std::isalpha(static_cast<unsigned char>(peek()))) {
      ++pos_;
      ++n;
    }
    return n >= 3;
  }
  // Digits as a number up to `max` (at most 3 digits).
  bool Number(int max, int* out) {
    int v = 0, n = 0;
    while (n < 3 && std::isdigit(static_cast<unsigned char>(peek()))) {
      v = v * 10 + (s_[pos_++] - '0');
      ++n;
    }
    if (n == 0 || v > max) return false;
    *out = v;
    return true;
  }
  // [+-]hh[:mm[:ss]] in seconds, hours up to `max_hours`.
  bool Duration(int max_hours, int32_t* out) {
    const bool negative = Eat('-');
    if (!negative) Eat('+');
    int h = 0, m = 0, sec = 0;
    if (!Number(max_hours, &h)) return false;
    if (Eat(':')) {
      if (!Number(59, &m)) return false;
      if (Eat(':') && !Number(59, &sec)) return false;
    }
    const int32_t v = h * 3600 + m * 60 + sec;
    *out = negative ? -v : v;
    return true;
  }
  bool Date(PosixTzRule::Date* d) {
    if (Eat('J')) {
      d->kind = PosixTzRule::Date::Kind::kJulian1;
      return Number(365, &d->day) && d->day >= 1;
    }
    if (Eat('M')) {
      d->kind = PosixTzRule::Date::Kind::kMonthWeekDay;
      return Number(12, &d->month) && d->month >= 1 && Eat('.') && Number(5, &d->week) &&
             d->week >= 1 && Eat('.') && Number(6, &d->day);
    }
    d->kind = PosixTzRule::Date::Kind::kJulian0;
    return Number(365, &d->day);
  }
  bool Rule(PosixTzRule::Date* d) {
    if (!Date(d)) return false;
    d->time = 7200;
    return !Eat('/') || Duration(167, &d->time);
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

// Days since the epoch of the day `d` names in `year`.
int64_t RuleDay(const PosixTzRule::Date& d, int64_t year) {
  const int64_t jan1 = DaysFromCivil(year, 1, 1);
  switch (d.kind) {
    case PosixTzRule::Date::Kind::kJulian1:
      return jan1 + d.day - 1 + (IsLeap(year) && d.day >= 60 ? 1 : 0);
    case PosixTzRule::Date::Kind::kJulian0:
      return jan1 + d.day;
    case PosixTzRule::Date::Kind::kMonthWeekDay: {
      const int64_t first = DaysFromCivil(year, d.month, 1);
      const int64_t weekday = FloorMod(first + 4, 7);  // 1970-01-01 was a Thursday
      int64_t day = 1 + FloorMod(d.day - weekday, 7) + 7 * (d.week - 1);
      while (day > DaysInMonth(year, d.month)) day -= 7;
      return first + day - 1;
    }
  }
  return jan1;
}

}  // namespace

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = FloorDiv(y, 400);
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void CivilFromDays(int64_t z, int64_t* year, unsigned* month, unsigned* day) {
  z += 719468;
  const int64_t era = FloorDiv(z, 146097);
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  *day = static_cast<unsigned>(doy - (153 * mp + 2) / 5 + 1);
  *month = static_cast<unsigned>(mp < 10 ? mp + 3 : mp - 9);
  *year = yoe + era * 400 + (*month <= 2);
}

Result<PosixTzRule> PosixTzRule::Parse(std::string_view text) {
  auto fail = [&](std::string_view what) {
    return Status::InvalidArgument("TZ rule \"" + std::string(text.substr(0, 64)) +
                                   "\": " + std::string(what));
  };
  TzText t(text);
  PosixTzRule rule;
  int32_t v = 0;
  if (!t.Name()) return fail("expected a zone abbreviation");
  if (!t.Duration(24, &v)) return fail("expected an offset after the abbreviation");
  rule.std_offset = -v;
  if (t.done()) return rule;
  if (!t.Name()) return fail("expected a daylight-saving abbreviation");
  rule.has_dst = true;
  rule.dst_offset = rule.std_offset + 3600;
  if (t.peek() != ',' && !t.done()) {
    if (!t.Duration(24, &v)) return fail("expected a daylight-saving offset");
    rule.dst_offset = -v;
  }
  if (t.done()) {  // POSIX's default rule (as glibc): second Sunday of March to first of November
    rule.start = {Date::Kind::kMonthWeekDay, 0, 3, 2, 7200};
    rule.end = {Date::Kind::kMonthWeekDay, 0, 11, 1, 7200};
    return rule;
  }
  if (!t.Eat(',') || !t.Rule(&rule.start)) return fail("expected the start of daylight saving");
  if (!t.Eat(',') || !t.Rule(&rule.end)) return fail("expected the end of daylight saving");
  if (!t.done()) return fail("unexpected text after the rule");
  return rule;
}

int32_t PosixTzRule::OffsetAt(int64_t utc) const {
  if (!has_dst) return std_offset;
  int64_t year = 0;
  unsigned month = 0, day = 0;
  CivilFromDays(FloorDiv(utc, kDay), &year, &month, &day);
  // The changes of the years around: the last one at or before `utc` decides. Rule times may
  // reach a week into the next year, hence two years back and one ahead.
  struct Change {
    int64_t at;
    bool to_dst;
  };
  std::array<Change, 8> changes;
  size_t n = 0;
  for (int64_t y = year - 2; y <= year + 1; ++y) {
    changes[n++] = {RuleDay(start, y) * kDay + start.time - std_offset, true};
    changes[n++] = {RuleDay(end, y) * kDay + end.time - dst_offset, false};
  }
  // Ties: the end first, so that an all-year rule ("0/0,J365/25") stays in daylight time.
  std::sort(changes.begin(), changes.end(), [](const Change& a, const Change& b) {
    return a.at != b.at ? a.at < b.at : a.to_dst < b.to_dst;
  });
  bool dst = false;
  for (const Change& c : changes) {
    if (c.at > utc) break;
    dst = c.to_dst;
  }
  return dst ? dst_offset : std_offset;
}

Result<TimeZone> TimeZone::ParseTzif(std::string_view bytes) {
  Reader r(bytes);
  Header h;
  RETURN_IF_ERROR(ReadHeader(&r, &h));
  TimeZone zone;
  if (h.version == 0) {
    RETURN_IF_ERROR(ReadBlock(&r, h, 4, &zone.times_, &zone.indices_, &zone.offsets_));
    if (r.left() != 0) return Bad("unexpected bytes after the data");
    return zone;
  }
  // Version 2+: skip the 32-bit block; the 64-bit one and the footer follow.
  if (!r.Skip(h.BlockSize(4))) return Bad("truncated data block");
  Header h2;
  RETURN_IF_ERROR(ReadHeader(&r, &h2));
  if (h2.version != h.version) return Bad("the two headers disagree on the version");
  RETURN_IF_ERROR(ReadBlock(&r, h2, 8, &zone.times_, &zone.indices_, &zone.offsets_));
  std::string_view rest;
  r.Bytes(r.left(), &rest);
  if (rest.size() < 2 || rest.front() != '\n' || rest.back() != '\n') {
    return Bad("the footer must be a TZ string between newlines");
  }
  const std::string_view footer = rest.substr(1, rest.size() - 2);
  if (footer.find('\n') != std::string_view::npos) return Bad("unexpected bytes after the footer");
  if (!footer.empty()) {
    auto rule = PosixTzRule::Parse(footer);
    if (!rule.ok()) return Bad(rule.status().message());
    zone.rule_ = *rule;
    zone.has_rule_ = true;
  }
  return zone;
}

TimeZone TimeZone::Fixed(int32_t offset_seconds) {
  TimeZone zone;
  zone.offsets_.push_back(offset_seconds);
  return zone;
}

int32_t TimeZone::OffsetAt(int64_t utc) const {
  if (times_.empty()) return has_rule_ ? rule_.OffsetAt(utc) : offsets_.front();
  if (utc < times_.front()) return offsets_.front();
  if (utc >= times_.back() && has_rule_) return rule_.OffsetAt(utc);
  const size_t i = std::upper_bound(times_.begin(), times_.end(), utc) - times_.begin() - 1;
  return offsets_[indices_[i]];
}

int64_t TimeZone::LocalToUtc(int64_t local) const {
  // The offsets in effect well before and well after: zones change at most once in between.
  constexpr int64_t kAround = 36 * 3600;
  const int32_t before = OffsetAt(local - kAround);
  const int32_t after = OffsetAt(local + kAround);
  const int64_t a = local - before, b = local - after;
  const bool a_ok = OffsetAt(a) == before, b_ok = OffsetAt(b) == after;
  if (a_ok && b_ok) return std::min(a, b);
  if (a_ok) return a;
  if (b_ok) return b;
  if (before == after) {  // more than one change nearby: settle by iterating
    int64_t u = a;
    for (int i = 0; i < 4; ++i) u = local - OffsetAt(u);
    return u;
  }
  // Skipped: the first instant past the jump, between the two candidates.
  int64_t lo = std::min(a, b), hi = std::max(a, b);
  const int32_t first = OffsetAt(lo);
  while (hi - lo > 1) {
    const int64_t mid = lo + (hi - lo) / 2;
    (OffsetAt(mid) == first ? lo : hi) = mid;
  }
  return hi;
}

bool QuietHours::Contains(const TimeZone& zone, int64_t utc) const {
  if (!enabled()) return false;
  const int64_t minute = FloorMod(utc + zone.OffsetAt(utc), kDay) / 60;
  return start_minute < end_minute ? minute >= start_minute && minute < end_minute
                                   : minute >= start_minute || minute < end_minute;
}

int64_t QuietHours::End(const TimeZone& zone, int64_t utc) const {
  if (!Contains(zone, utc)) return utc;
  const int32_t offset = zone.OffsetAt(utc);
  const int64_t local = utc + offset;
  int64_t end = FloorDiv(local, kDay) * kDay + int64_t{end_minute} * 60;
  if (end <= local) end += kDay;
  const int64_t u = zone.LocalToUtc(end);
  // A repeated hour can put the first occurrence of the end before `utc`: keep going forward.
  return u > utc ? u : end - offset;
}

TimeZoneCache::TimeZoneCache(std::string dir,
                             std::function<Result<std::string>(const std::string&)> read)
    : dir_(std::move(dir)), read_(std::move(read)) {
  if (!read_) {
    read_ = [](const std::string& path) -> Result<std::string> {
      std::string out;
      RETURN_IF_ERROR(ReadFileToString(Env::Default(), path, &out));
      return out;
    };
  }
}

bool TimeZoneCache::ValidName(std::string_view name) {
  if (name.empty() || name.size() > 64 || name.front() == '/' || name.back() == '/') return false;
  char prev = '/';
  for (char c : name) {
    const bool ok =
        std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '+' || c == '/';
    if (!ok || (c == '/' && prev == '/')) return false;
    prev = c;
  }
  return true;
}

Result<std::shared_ptr<const TimeZone>> TimeZoneCache::Load(std::string_view name) {
  if (!ValidName(name)) {
    return Status::InvalidArgument(
        "not a time zone name (IANA names such as \"Europe/Paris\" or \"UTC\")");
  }
  auto bytes = read_(dir_ + "/" + std::string(name));
  if (!bytes.ok()) return Status::NotFound("unknown time zone (no such file in " + dir_ + ")");
  ASSIGN_OR_RETURN(TimeZone zone, TimeZone::ParseTzif(*bytes));
  return std::make_shared<const TimeZone>(std::move(zone));
}

std::shared_ptr<const TimeZone> TimeZoneCache::Get(std::string_view name) {
  std::lock_guard lock(mu_);
  auto it = zones_.find(name);
  if (it != zones_.end()) return it->second;
  auto loaded = Load(name);
  std::shared_ptr<const TimeZone> zone = loaded.ok() ? *loaded : nullptr;
  if (zone || zones_.size() < kMaxNegativeEntries) zones_.emplace(std::string(name), zone);
  return zone;
}

std::string TimeZoneCache::Check(std::string_view name) {
  if (Get(name)) return "";
  auto loaded = Load(name);
  return loaded.ok() ? "" : loaded.status().message();
}

}  // namespace rapport
