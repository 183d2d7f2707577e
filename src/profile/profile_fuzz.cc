// libFuzzer target for the profile state's decoders (docs/formats/profile-state.md). The first
// input byte picks the target:
//   0: ProfileRecord::Decode. Accepted bytes must decode again, after Encode, to the same record,
//      and that encoding must be stable (a version 1 or 2 record re-encodes as version 3).
//   1: AccountRecord::Decode, the same round trip.
//   2: DecodeTimelineChunk, the same round trip.
// Rejected bytes must be kCorruption. Anything else is ignored. Violations abort.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "profile/profile_record.h"
#include "profile/state_store.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

template <typename Record>
void RoundTrip(std::string_view body) {
  auto r = Record::Decode(body);
  if (!r.ok()) {
    Check(r.status().code() == rapport::StatusCode::kCorruption);
    return;
  }
  const std::string bytes = r->Encode();
  auto again = Record::Decode(bytes);
  Check(again.ok() && *again == *r && again->Encode() == bytes);
}

void FuzzChunk(std::string_view body) {
  std::vector<rapport::TimelinePos> positions;
  rapport::Status s = rapport::DecodeTimelineChunk(body, &positions);
  if (!s.ok()) {
    Check(s.code() == rapport::StatusCode::kCorruption);
    return;
  }
  Check(!positions.empty());
  const std::string bytes = rapport::EncodeTimelineChunk(positions);
  std::vector<rapport::TimelinePos> again;
  Check(rapport::DecodeTimelineChunk(bytes, &again).ok() && again == positions);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0]) {
    case 0:
      RoundTrip<rapport::ProfileRecord>(body);
      break;
    case 1:
      RoundTrip<rapport::AccountRecord>(body);
      break;
    case 2:
      FuzzChunk(body);
      break;
    default:
      break;
  }
  return 0;
}
