// libFuzzer target for journeys' other parsers. The first input byte picks the target:
//   0: ParseJourneyDef of the rest. Accepted definitions survive ToJson → Parse unchanged, and
//      ToJson is stable; every step target is a later step or the exit.
//   1: JourneyState::Decode. Accepted states survive Encode → Decode unchanged.
//   2: DecodeJourneyCounts. Accepted counts survive Encode → Decode unchanged.
//   3: PosixTzRule::Parse. Accepted rules answer bounded offsets at any time.
// Anything else is ignored. Violations abort.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "activate/journey_def.h"
#include "activate/journey_state.h"
#include "activate/journey_tz.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

void FuzzDef(std::string_view json) {
  auto def = rapport::ParseJourneyDef(json);
  if (!def.ok()) {
    Check(def.status().message().rfind("journey", 0) == 0);
    return;
  }
  const std::string canonical = rapport::ToJson(*def);
  auto again = rapport::ParseJourneyDef(canonical);
  Check(again.ok());
  Check(*again == *def);
  Check(rapport::ToJson(*again) == canonical);
  for (size_t i = 0; i < def->steps.size(); ++i) {
    for (bool alt : {false, true}) {
      const size_t to = def->Target(i, alt);
      Check(to > i && to <= def->steps.size());
    }
  }
}

void FuzzState(std::string_view bytes) {
  auto state = rapport::JourneyState::Decode(bytes);
  if (!state.ok()) return;
  Check(rapport::JourneyState::PeekWake(bytes) == state->wake_us);
  auto again = rapport::JourneyState::Decode(state->Encode());
  Check(again.ok() && *again == *state);
}

void FuzzCounts(std::string_view bytes) {
  auto counts = rapport::DecodeJourneyCounts(bytes);
  if (!counts.ok()) return;
  auto again = rapport::DecodeJourneyCounts(rapport::EncodeJourneyCounts(*counts));
  Check(again.ok() && *again == *counts);
}

void FuzzRule(std::string_view text) {
  auto rule = rapport::PosixTzRule::Parse(text);
  if (!rule.ok()) return;
  for (int64_t t : {int64_t{-9'000'000'000'000}, int64_t{0}, int64_t{1'700'000'000},
                    int64_t{9'000'000'000'000}}) {
    const int32_t off = rule->OffsetAt(t);
    Check(off >= -93599 && off <= 93599);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0]) {
    case 0:
      FuzzDef(rest);
      break;
    case 1:
      FuzzState(rest);
      break;
    case 2:
      FuzzCounts(rest);
      break;
    case 3:
      FuzzRule(rest);
      break;
    default:
      break;
  }
  return 0;
}
