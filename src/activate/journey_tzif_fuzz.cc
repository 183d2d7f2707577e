// libFuzzer target for the TZif reader (journey_tz.h): any bytes. An accepted zone answers
// offsets within RFC 8536's bounds at any time a microsecond clock can hold, local times map
// back to instants, and quiet hours always end strictly later when they hold now (so a waiting
// send always makes progress). Violations abort.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "activate/journey_tz.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

constexpr int64_t kMaxSeconds = 9'000'000'000'000;  // what int64 microseconds reach

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto zone = rapport::TimeZone::ParseTzif(bytes);
  if (!zone.ok()) {
    Check(zone.status().message().rfind("TZif: ", 0) == 0);
    return 0;
  }
  const int64_t times[] = {
      -kMaxSeconds,  -4'000'000'000, -1,         0, 1, 1'700'000'000, 2'147'483'648,
      4'102'444'800, 32'503'680'000, kMaxSeconds};
  const rapport::QuietHours quiet[] = {{21 * 60, 8 * 60}, {12 * 60, 14 * 60}, {0, 1}};
  for (int64_t t : times) {
    const int32_t off = zone->OffsetAt(t);
    Check(off >= -93599 && off <= 93599);
    const int64_t local = t + off;
    const int64_t back = zone->LocalToUtc(local);
    Check(back >= local - 200'000 && back <= local + 200'000);
    for (const auto& q : quiet) {
      const int64_t end = q.End(*zone, t);
      Check(end >= t);
      Check(!q.Contains(*zone, t) || end > t);
    }
  }
  return 0;
}
