// Time zones for quiet hours: the TZif reader against the C library on the system's zone files
// (past and far-future times, so the footer's POSIX rule is covered), POSIX rules, local time to
// UTC across DST changes, quiet hours across them, malformed files, and the zone cache.
#include "activate/journey_tz.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>

#include "common/time_format.h"

namespace rapport {
namespace {

constexpr char kZoneDir[] = "/usr/share/zoneinfo";

int64_t At(const char* iso) {
  auto us = ParseIso8601(iso);
  EXPECT_TRUE(us.ok()) << iso;
  return us.ok() ? *us / 1'000'000 : 0;
}

std::string Iso(int64_t seconds) { return FormatIso8601(seconds * 1'000'000); }

std::shared_ptr<const TimeZone> Zone(TimeZoneCache* cache, const char* name) {
  return cache->Get(name);
}

#define REQUIRE_ZONE(var, cache, name)                                                     \
  auto var = Zone(&cache, name);                                                           \
  if (!var) GTEST_SKIP() << "no " << name << " under " << kZoneDir << " (install tzdata)"; \
  static_assert(true)

TEST(TimeZoneTest, ParisOffsets) {
  TimeZoneCache cache;
  REQUIRE_ZONE(paris, cache, "Europe/Paris");
  EXPECT_EQ(paris->OffsetAt(At("2024-01-15T12:00:00Z")), 3600);
  EXPECT_EQ(paris->OffsetAt(At("2024-07-15T12:00:00Z")), 7200);
  // The 2024 changes, to the second.
  EXPECT_EQ(paris->OffsetAt(At("2024-03-31T00:59:59Z")), 3600);
  EXPECT_EQ(paris->OffsetAt(At("2024-03-31T01:00:00Z")), 7200);
  EXPECT_EQ(paris->OffsetAt(At("2024-10-27T00:59:59Z")), 7200);
  EXPECT_EQ(paris->OffsetAt(At("2024-10-27T01:00:00Z")), 3600);
  // Far future: the footer's rule ("CET-1CEST,M3.5.0,M10.5.0/3").
  EXPECT_EQ(paris->OffsetAt(At("2200-07-01T00:00:00Z")), 7200);
  EXPECT_EQ(paris->OffsetAt(At("2200-12-01T00:00:00Z")), 3600);
  // Before standard time: local mean time, +0:09:21.
  EXPECT_EQ(paris->OffsetAt(At("1850-01-01T00:00:00Z")), 561);
}

// Every offset agrees with glibc's reading of the same file, from 1850 to 2250.
TEST(TimeZoneTest, MatchesTheCLibrary) {
  const char* zones[] = {"Europe/Paris",     "America/New_York",  "Australia/Sydney",
                         "Asia/Kolkata",     "America/Sao_Paulo", "Europe/Dublin",
                         "Pacific/Chatham",  "Africa/Casablanca", "America/St_Johns",
                         "Asia/Tehran",      "Pacific/Apia",      "America/Nuuk",
                         "Antarctica/Troll", "Etc/GMT+5",         "UTC",
                         "Asia/Gaza",        "America/Santiago",  "Australia/Lord_Howe"};
  TimeZoneCache cache;
  const char* saved = std::getenv("TZ");
  const std::string saved_tz = saved ? saved : "";
  int checked_zones = 0;
  for (const char* name : zones) {
    auto zone = cache.Get(name);
    if (!zone) continue;
    ++checked_zones;
    const std::string tz = std::string(":") + kZoneDir + "/" + name;
    setenv("TZ", tz.c_str(), 1);
    tzset();
    int mismatches = 0;
    // Steps of a prime number of seconds, so times of day and days of the week vary.
    for (int64_t t = At("1850-01-01T00:00:00Z"); t < At("2250-01-01T00:00:00Z"); t += 86'413 * 3) {
      const time_t tt = static_cast<time_t>(t);
      struct tm tm {};
      ASSERT_NE(localtime_r(&tt, &tm), nullptr);
      if (zone->OffsetAt(t) != tm.tm_gmtoff && ++mismatches <= 5) {
        ADD_FAILURE() << name << " at " << Iso(t) << ": " << zone->OffsetAt(t) << " vs libc "
                      << tm.tm_gmtoff;
      }
    }
    EXPECT_EQ(mismatches, 0) << name;
  }
  if (saved) {
    setenv("TZ", saved_tz.c_str(), 1);
  } else {
    unsetenv("TZ");
  }
  tzset();
  if (checked_zones == 0) GTEST_SKIP() << "no zone files (install tzdata)";
}

TEST(TimeZoneTest, LocalToUtcAcrossChanges) {
  TimeZoneCache cache;
  REQUIRE_ZONE(paris, cache, "Europe/Paris");
  auto local = [](const char* iso) { return At(iso); };  // wall time written as if UTC
  EXPECT_EQ(Iso(paris->LocalToUtc(local("2024-06-01T12:00:00Z"))), "2024-06-01T10:00:00.000Z");
  // 02:30 does not exist on 31 March: the instant the clocks jump (03:00 CEST).
  EXPECT_EQ(Iso(paris->LocalToUtc(local("2024-03-31T02:30:00Z"))), "2024-03-31T01:00:00.000Z");
  // 02:30 happens twice on 27 October: the first.
  EXPECT_EQ(Iso(paris->LocalToUtc(local("2024-10-27T02:30:00Z"))), "2024-10-27T00:30:00.000Z");
  EXPECT_EQ(Iso(paris->LocalToUtc(local("2024-10-27T03:00:00Z"))), "2024-10-27T02:00:00.000Z");
}

TEST(TimeZoneTest, QuietHoursAcrossDaylightSaving) {
  TimeZoneCache cache;
  REQUIRE_ZONE(paris, cache, "Europe/Paris");
  const QuietHours night{21 * 60, 8 * 60};
  // Saturday 22:00 CET; the night ends at 08:00 CEST, an hour shorter.
  EXPECT_TRUE(night.Contains(*paris, At("2024-03-30T21:00:00Z")));
  EXPECT_EQ(Iso(night.End(*paris, At("2024-03-30T21:00:00Z"))), "2024-03-31T06:00:00.000Z");
  // Saturday 22:00 CEST; it ends at 08:00 CET, an hour longer.
  EXPECT_EQ(Iso(night.End(*paris, At("2024-10-26T20:00:00Z"))), "2024-10-27T07:00:00.000Z");
  // Outside: at once. Just before the end and exactly at it.
  EXPECT_FALSE(night.Contains(*paris, At("2024-06-01T10:00:00Z")));
  EXPECT_EQ(night.End(*paris, At("2024-06-01T10:00:00Z")), At("2024-06-01T10:00:00Z"));
  EXPECT_TRUE(night.Contains(*paris, At("2024-06-01T05:59:59Z")));
  EXPECT_FALSE(night.Contains(*paris, At("2024-06-01T06:00:00Z")));
  // Early morning, same night.
  EXPECT_EQ(Iso(night.End(*paris, At("2024-06-01T03:00:00Z"))), "2024-06-01T06:00:00.000Z");

  const QuietHours lunch{12 * 60, 14 * 60};  // does not wrap
  EXPECT_TRUE(lunch.Contains(*paris, At("2024-06-01T10:30:00Z")));
  EXPECT_EQ(Iso(lunch.End(*paris, At("2024-06-01T10:30:00Z"))), "2024-06-01T12:00:00.000Z");

  // An end that the clocks skip: quiet until the jump.
  const QuietHours late{0, 2 * 60 + 30};
  EXPECT_EQ(Iso(late.End(*paris, At("2024-03-30T23:30:00Z"))), "2024-03-31T01:00:00.000Z");
  // Inside the repeated hour (second 02:10): the end's first occurrence has passed; the next
  // 02:45 on the clock is the one that counts.
  const QuietHours twice{2 * 60, 2 * 60 + 45};
  EXPECT_TRUE(twice.Contains(*paris, At("2024-10-27T01:10:00Z")));
  EXPECT_EQ(Iso(twice.End(*paris, At("2024-10-27T01:10:00Z"))), "2024-10-27T01:45:00.000Z");
}

TEST(TimeZoneTest, QuietHoursEndIsAlwaysLater) {
  TimeZoneCache cache;
  REQUIRE_ZONE(sydney, cache, "Australia/Sydney");
  const QuietHours q{22 * 60, 7 * 60};
  for (int64_t t = At("2023-01-01T00:00:00Z"); t < At("2025-01-01T00:00:00Z"); t += 977) {
    const int64_t end = q.End(*sydney, t);
    ASSERT_GE(end, t);
    ASSERT_FALSE(q.Contains(*sydney, end)) << Iso(t);
    if (end > t) {
      ASSERT_TRUE(q.Contains(*sydney, end - 1)) << Iso(t);
    }
  }
}

TEST(PosixTzRuleTest, Rules) {
  auto cet = PosixTzRule::Parse("CET-1CEST,M3.5.0,M10.5.0/3");
  ASSERT_TRUE(cet.ok()) << cet.status().ToString();
  EXPECT_EQ(cet->std_offset, 3600);
  EXPECT_EQ(cet->dst_offset, 7200);
  EXPECT_EQ(cet->OffsetAt(At("2031-03-30T00:59:59Z")), 3600);  // last Sunday of March 2031
  EXPECT_EQ(cet->OffsetAt(At("2031-03-30T01:00:00Z")), 7200);

  auto fixed = PosixTzRule::Parse("<+0330>-3:30");
  ASSERT_TRUE(fixed.ok());
  EXPECT_EQ(fixed->OffsetAt(0), 12600);

  // Dublin: standard time in summer, "daylight" (negative) in winter.
  auto dublin = PosixTzRule::Parse("IST-1GMT0,M10.5.0,M3.5.0/1");
  ASSERT_TRUE(dublin.ok());
  EXPECT_EQ(dublin->OffsetAt(At("2030-01-15T12:00:00Z")), 0);
  EXPECT_EQ(dublin->OffsetAt(At("2030-07-15T12:00:00Z")), 3600);

  // Southern hemisphere, and version 3's hours outside 0..24.
  auto nuuk = PosixTzRule::Parse("<-02>2<-01>,M3.5.0/-1,M10.5.0/0");
  ASSERT_TRUE(nuuk.ok()) << nuuk.status().ToString();
  EXPECT_EQ(nuuk->OffsetAt(At("2030-07-01T00:00:00Z")), -3600);
  auto sydney = PosixTzRule::Parse("AEST-10AEDT,M10.1.0,M4.1.0/3");
  ASSERT_TRUE(sydney.ok());
  EXPECT_EQ(sydney->OffsetAt(At("2030-01-01T00:00:00Z")), 39600);
  EXPECT_EQ(sydney->OffsetAt(At("2030-07-01T00:00:00Z")), 36000);

  // Daylight time all year, across New Year.
  auto all_year = PosixTzRule::Parse("EST5EDT,0/0,J365/25");
  ASSERT_TRUE(all_year.ok());
  for (const char* t : {"2030-01-01T02:00:00Z", "2030-06-01T00:00:00Z", "2030-12-31T23:59:59Z"}) {
    EXPECT_EQ(all_year->OffsetAt(At(t)), -4 * 3600) << t;
  }
  // Julian days without and with February 29.
  auto julian = PosixTzRule::Parse("XXX0YYY,J60/0,300/0");
  ASSERT_TRUE(julian.ok());
  EXPECT_EQ(julian->OffsetAt(At("2028-02-29T12:00:00Z")), 0);  // J60 is 1 March
  EXPECT_EQ(julian->OffsetAt(At("2028-03-01T12:00:00Z")), 3600);
  // A daylight name without a rule: POSIX's default (second Sunday of March).
  auto no_rule = PosixTzRule::Parse("EST5EDT");
  ASSERT_TRUE(no_rule.ok());
  EXPECT_EQ(no_rule->OffsetAt(At("2030-07-01T00:00:00Z")), -4 * 3600);

  for (const char* bad :
       {"", "C-1", "CET", "CET-25", "CET-1CEST,M13.1.0,M10.5.0", "CET-1CEST,M3.5.0",
        "CET-1CEST,M3.5.0,M10.5.0/3x", "<+0>-1", "<+01-1", "CET-1CEST,J0,J365", "CET-1:60",
        "CET-1CEST,M3.5.7,M10.5.0", "CET-1CEST,M3.0.0,M10.5.0", "CET-1CEST,366,1",
        "CET-1CEST,M3.5.0/168,M10.5.0"}) {
    auto r = PosixTzRule::Parse(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    }
  }
}

// A TZif file built by hand: version `v` ('\0', '2', '3'); `times`/`indices` transitions,
// `offsets` types; a footer for v2+.
std::string Tzif(char v, const std::vector<int64_t>& times, const std::vector<uint8_t>& indices,
                 const std::vector<int32_t>& offsets, const std::string& footer) {
  auto be = [](std::string* out, uint64_t x, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) out->push_back(static_cast<char>(x >> (8 * i)));
  };
  auto block = [&](std::string* out, int time_size) {
    *out += "TZif";
    out->push_back(v);
    out->append(15, '\0');
    for (uint32_t n : {0u, 0u, 0u, static_cast<uint32_t>(times.size()),
                       static_cast<uint32_t>(offsets.size()), 4u}) {
      be(out, n, 4);
    }
    for (int64_t t : times) be(out, static_cast<uint64_t>(t), time_size);
    for (uint8_t i : indices) out->push_back(static_cast<char>(i));
    for (int32_t o : offsets) {
      be(out, static_cast<uint32_t>(o), 4);
      out->push_back(0);
      out->push_back(0);
    }
    out->append("ABC", 4);  // designations, NUL-terminated
  };
  std::string out;
  block(&out, 4);
  if (v != '\0') {
    block(&out, 8);
    out += "\n" + footer + "\n";
  }
  return out;
}

TEST(TzifTest, HandBuiltFiles) {
  auto v1 = TimeZone::ParseTzif(Tzif('\0', {1000, 2000}, {1, 0}, {100, 200}, ""));
  ASSERT_TRUE(v1.ok()) << v1.status().ToString();
  EXPECT_EQ(v1->OffsetAt(0), 100);  // before the first transition: type 0
  EXPECT_EQ(v1->OffsetAt(1000), 200);
  EXPECT_EQ(v1->OffsetAt(1999), 200);
  EXPECT_EQ(v1->OffsetAt(5000), 100);

  auto v2 = TimeZone::ParseTzif(Tzif('2', {1000}, {1}, {0, 3600}, "CET-1CEST,M3.5.0,M10.5.0/3"));
  ASSERT_TRUE(v2.ok()) << v2.status().ToString();
  EXPECT_TRUE(v2->has_rule());
  EXPECT_EQ(v2->OffsetAt(500), 0);
  EXPECT_EQ(v2->OffsetAt(At("2030-07-01T00:00:00Z")), 7200);  // the rule, past the last one

  auto slim = TimeZone::ParseTzif(Tzif('3', {}, {}, {0}, "<+05>-5"));
  ASSERT_TRUE(slim.ok()) << slim.status().ToString();
  EXPECT_EQ(slim->OffsetAt(0), 18000);

  auto empty_footer = TimeZone::ParseTzif(Tzif('2', {10}, {0}, {60}, ""));
  ASSERT_TRUE(empty_footer.ok());
  EXPECT_EQ(empty_footer->OffsetAt(100), 60);

  const std::string good = Tzif('2', {1000}, {1}, {0, 3600}, "CET-1");
  struct Case {
    std::string bytes;
    std::string message;
  } cases[] = {
      {"", "no \"TZif\" magic"},
      {"TZif", "truncated header"},
      {"TZiX" + good.substr(4), "no \"TZif\" magic"},
      {good.substr(0, 4) + "9" + good.substr(5), "unknown version"},
      {good.substr(0, good.size() - 20), "truncated"},
      {good + "x", "footer"},
      {good.substr(0, good.size() - 1), "footer"},
      {Tzif('2', {1000}, {1}, {0, 3600}, "bogus"), "TZ rule"},
      {Tzif('\0', {2000, 1000}, {0, 0}, {0}, ""), "not ascending"},
      {Tzif('\0', {1000}, {3}, {0}, ""), "unknown type"},
      {Tzif('\0', {}, {}, {}, ""), "local time types"},
      {Tzif('\0', {}, {}, {100000}, ""), "out of range"},
      {Tzif('\0', {}, {}, {0}, "") + "x", "unexpected bytes"},
  };
  for (const Case& c : cases) {
    auto r = TimeZone::ParseTzif(c.bytes);
    ASSERT_FALSE(r.ok()) << c.message;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status().message().rfind("TZif: ", 0), 0u) << r.status().message();
    EXPECT_NE(r.status().message().find(c.message), std::string::npos) << r.status().message();
  }
}

TEST(TzifTest, EverySystemZoneParses) {
  if (!std::filesystem::exists(std::string(kZoneDir) + "/Europe/Paris")) {
    GTEST_SKIP() << "no zone files (install tzdata)";
  }
  int parsed = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(kZoneDir)) {
    const std::string rel = entry.path().string().substr(sizeof(kZoneDir));
    if (!entry.is_regular_file() || rel.rfind("right/", 0) == 0 || rel.rfind("posix/", 0) == 0 ||
        !TimeZoneCache::ValidName(rel)) {
      continue;
    }
    std::string bytes;
    std::FILE* f = std::fopen(entry.path().c_str(), "rb");
    ASSERT_NE(f, nullptr);
    char buf[4096];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) bytes.append(buf, n);
    std::fclose(f);
    if (bytes.rfind("TZif", 0) != 0) continue;  // tables such as zone.tab
    auto zone = TimeZone::ParseTzif(bytes);
    EXPECT_TRUE(zone.ok()) << rel << ": " << zone.status().ToString();
    ++parsed;
  }
  EXPECT_GT(parsed, 300);
}

TEST(TimeZoneCacheTest, NamesAndCaching) {
  int reads = 0;
  TimeZoneCache cache("/zones", [&](const std::string& path) -> Result<std::string> {
    ++reads;
    if (path == "/zones/Test/Zone") return Tzif('2', {}, {}, {0}, "<+02>-2");
    if (path == "/zones/Test/Bad") return std::string("not a zone");
    return Status::NotFound(path);
  });
  auto zone = cache.Get("Test/Zone");
  ASSERT_NE(zone, nullptr);
  EXPECT_EQ(zone->OffsetAt(0), 7200);
  EXPECT_EQ(cache.Get("Test/Zone"), zone);
  EXPECT_EQ(reads, 1);
  EXPECT_EQ(cache.Get("Test/Missing"), nullptr);
  EXPECT_EQ(cache.Get("Test/Missing"), nullptr);
  EXPECT_EQ(reads, 2);  // remembered
  EXPECT_NE(cache.Check("Test/Missing").find("unknown time zone"), std::string::npos);
  EXPECT_NE(cache.Check("Test/Bad").find("TZif"), std::string::npos);
  EXPECT_EQ(cache.Check("Test/Zone"), "");
  for (const char* bad : {"", "../etc/passwd", "Europe/../x", "/etc/passwd", "Europe//Paris",
                          "Europe/", "a b", "Europe/Paris\n"}) {
    EXPECT_FALSE(TimeZoneCache::ValidName(bad)) << bad;
    EXPECT_EQ(cache.Get(bad), nullptr);
  }
  EXPECT_EQ(cache.Check("../x").rfind("not a time zone name", 0), 0u);
  for (const char* good : {"UTC", "Europe/Paris", "Etc/GMT+5", "America/Argentina/Buenos_Aires",
                           "America/Port-au-Prince"}) {
    EXPECT_TRUE(TimeZoneCache::ValidName(good)) << good;
  }
}

TEST(CivilTest, DaysRoundTrip) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(2000, 3, 1), 11017);
  EXPECT_EQ(DaysFromCivil(1969, 12, 31), -1);
  for (int64_t d = -800'000; d < 800'000; d += 37) {
    int64_t y = 0;
    unsigned m = 0, day = 0;
    CivilFromDays(d, &y, &m, &day);
    ASSERT_EQ(DaysFromCivil(y, m, day), d);
  }
}

}  // namespace
}  // namespace rapport
