// Journey state kept per profile in ProfileRecord::ext["j<journey id>"] (so it commits with the
// pipeline's batch and replays identically), and the counts per journey and step kept in the
// state store's meta key "journeys". Compact versioned binary forms (docs/journeys.md, "On
// disk"); Decode checks every length and never trusts its input (fuzzed). Plain values,
// thread-compatible.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace rapport {

struct JourneyState {
  int64_t wake_us = 0;  // when the active instance needs attention (0: none / inactive)
  bool active = false;  // an instance is running
  // Active: false → the instance enters `step` at wake_us (it was just started by an audience
  // transition); true → it is in `step` (waiting, or a send held by quiet hours) until wake_us.
  bool in_step = false;
  uint64_t entries = 0;         // instances this profile started (the next one is entries + 1)
  int64_t last_entered_us = 0;  // when the latest instance started (0: never)
  int64_t last_exited_us = 0;   // when the latest instance ended (0: never)
  std::vector<int64_t> sends;   // the profile's sends still inside the cap window, ascending
  // Active only:
  uint64_t origin = 0;    // the profile the instance started on (merges keep it)
  uint64_t instance = 0;  // its number on `origin` (1, 2, ...)
  uint32_t step = 0;
  std::string event;  // the trigger event (trimmed JSON), "" for an audience trigger

  std::string Encode() const;
  static Result<JourneyState> Decode(std::string_view bytes);
  // wake_us straight from encoded bytes (0 when they do not decode).
  static int64_t PeekWake(std::string_view bytes);
  bool operator==(const JourneyState&) const = default;
};

// "j42" for journey 42, and back (nullopt for any other key).
std::string JourneyExtKey(uint64_t journey);
std::optional<uint64_t> ParseJourneyExtKey(std::string_view key);

struct StepCounts {
  uint64_t entered = 0;         // instances that reached the step
  uint64_t exited = 0;          // instances that left it (now at the step: entered - exited)
  uint64_t sent = 0;            // send: messages handed to the destination
  uint64_t capped = 0;          // send: skipped by the frequency cap
  uint64_t no_consent = 0;      // send: skipped, no consent for the destination's purpose
  uint64_t no_destination = 0;  // send: skipped, the destination does not exist
  uint64_t alt = 0;             // wait_for: timed out; branch: took "else"
  bool operator==(const StepCounts&) const = default;
};

struct JourneyCounts {
  uint64_t entered = 0;  // instances started
  uint64_t exited = 0;   // instances ended (active: entered - exited)
  uint64_t dropped = 0;  // of those, ended because a merge brought two together
  std::vector<StepCounts> steps;
  bool operator==(const JourneyCounts&) const = default;
};

// Every journey's counts, by journey id.
std::string EncodeJourneyCounts(const std::map<uint64_t, JourneyCounts>& counts);
Result<std::map<uint64_t, JourneyCounts>> DecodeJourneyCounts(std::string_view bytes);

}  // namespace rapport
