#include "activate/journey_state.h"

#include <charconv>

#include "common/coding.h"

namespace rapport {
namespace {

constexpr uint8_t kStateVersion = 1;
constexpr uint8_t kCountsVersion = 1;
constexpr uint8_t kActive = 1, kInStep = 2;
constexpr uint64_t kMaxSends = 1000;  // more than any cap keeps
constexpr uint64_t kMaxSteps = 4096;

Status Bad(const char* what, const Decoder& d) {
  return Status::Corruption(std::string("journey state: ") + what + " at byte " +
                            std::to_string(d.position()));
}

}  // namespace

std::string JourneyState::Encode() const {
  std::string out;
  out.push_back(static_cast<char>(kStateVersion));
  PutSignedVarint64(&out, wake_us);
  out.push_back(static_cast<char>((active ? kActive : 0) | (in_step ? kInStep : 0)));
  PutVarint64(&out, entries);
  PutSignedVarint64(&out, last_entered_us);
  PutSignedVarint64(&out, last_exited_us);
  PutVarint64(&out, sends.size());
  for (int64_t t : sends) PutSignedVarint64(&out, t);
  if (active) {
    PutVarint64(&out, origin);
    PutVarint64(&out, instance);
    PutVarint64(&out, step);
    PutLengthPrefixed(&out, event);
  }
  return out;
}

Result<JourneyState> JourneyState::Decode(std::string_view bytes) {
  Decoder d(bytes);
  JourneyState s;
  uint8_t version = 0, flags = 0;
  if (!d.Byte(&version)) return Bad("empty", d);
  if (version != kStateVersion) return Bad("unknown version", d);
  uint64_t n = 0;
  if (!d.SignedVarint64(&s.wake_us) || !d.Byte(&flags) || flags > (kActive | kInStep) ||
      !d.Varint64(&s.entries) || !d.SignedVarint64(&s.last_entered_us) ||
      !d.SignedVarint64(&s.last_exited_us) || !d.Varint64(&n) || n > kMaxSends) {
    return Bad("truncated or malformed header", d);
  }
  s.active = flags & kActive;
  s.in_step = flags & kInStep;
  if (s.in_step && !s.active) return Bad("an inactive state in a step", d);
  s.sends.resize(n);
  for (uint64_t i = 0; i < n; ++i) {
    if (!d.SignedVarint64(&s.sends[i])) return Bad("truncated send times", d);
    if (i > 0 && s.sends[i] < s.sends[i - 1]) return Bad("send times out of order", d);
  }
  if (s.active) {
    uint64_t step = 0;
    if (!d.Varint64(&s.origin) || !d.Varint64(&s.instance) || !d.Varint64(&step) ||
        step > kMaxSteps || !d.LengthPrefixed(&s.event)) {
      return Bad("truncated instance", d);
    }
    s.step = static_cast<uint32_t>(step);
  }
  if (!d.done()) return Bad("unexpected bytes after the state", d);
  return s;
}

int64_t JourneyState::PeekWake(std::string_view bytes) {
  Decoder d(bytes);
  uint8_t version = 0;
  int64_t wake = 0;
  if (!d.Byte(&version) || version != kStateVersion || !d.SignedVarint64(&wake)) return 0;
  return wake;
}

std::string JourneyExtKey(uint64_t journey) { return "j" + std::to_string(journey); }

std::optional<uint64_t> ParseJourneyExtKey(std::string_view key) {
  if (key.size() < 2 || key[0] != 'j' || key[1] == '0') return std::nullopt;
  uint64_t id = 0;
  auto [p, ec] = std::from_chars(key.data() + 1, key.data() + key.size(), id);
  if (ec != std::errc() || p != key.data() + key.size()) return std::nullopt;
  return id;
}

std::string EncodeJourneyCounts(const std::map<uint64_t, JourneyCounts>& counts) {
  std::string out;
  out.push_back(static_cast<char>(kCountsVersion));
  PutVarint64(&out, counts.size());
  for (const auto& [id, c] : counts) {
    PutVarint64(&out, id);
    PutVarint64(&out, c.entered);
    PutVarint64(&out, c.exited);
    PutVarint64(&out, c.dropped);
    PutVarint64(&out, c.steps.size());
    for (const StepCounts& s : c.steps) {
      for (uint64_t v :
           {s.entered, s.exited, s.sent, s.capped, s.no_consent, s.no_destination, s.alt}) {
        PutVarint64(&out, v);
      }
    }
  }
  return out;
}

Result<std::map<uint64_t, JourneyCounts>> DecodeJourneyCounts(std::string_view bytes) {
  Decoder d(bytes);
  auto bad = [&](const char* what) {
    return Status::Corruption(std::string("journey counts: ") + what + " at byte " +
                              std::to_string(d.position()));
  };
  uint8_t version = 0;
  uint64_t n = 0;
  if (!d.Byte(&version) || version != kCountsVersion) return bad("unknown version");
  if (!d.Varint64(&n) || n > bytes.size()) return bad("bad journey count");
  std::map<uint64_t, JourneyCounts> out;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t id = 0, steps = 0;
    JourneyCounts c;
    if (!d.Varint64(&id) || !d.Varint64(&c.entered) || !d.Varint64(&c.exited) ||
        !d.Varint64(&c.dropped) || !d.Varint64(&steps) || steps > kMaxSteps) {
      return bad("truncated journey");
    }
    c.steps.resize(steps);
    for (StepCounts& s : c.steps) {
      for (uint64_t* v :
           {&s.entered, &s.exited, &s.sent, &s.capped, &s.no_consent, &s.no_destination, &s.alt}) {
        if (!d.Varint64(v)) return bad("truncated step");
      }
    }
    if (!out.emplace(id, std::move(c)).second) return bad("a journey appears twice");
  }
  if (!d.done()) return bad("unexpected bytes after the counts");
  return out;
}

}  // namespace rapport
