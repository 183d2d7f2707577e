// JourneyDef: a journey's definition — its trigger (entering an audience, or a track event with
// `where` conditions), its steps (wait, wait for an event with a timeout, branch on an audience-
// language condition, send to a destination, exit), re-entry, frequency cap, quiet hours and
// default time zone — parsed strictly from the JSON of `POST /api/v1/journeys` and written back
// in one canonical form. Pure functions, thread-safe. Field reference and limits:
// docs/journeys.md.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "audience/ast.h"
#include "common/status.h"
#include "profile/computed/computed_def.h"

namespace rapport {

enum class JourneyStepType : uint8_t { kWait, kWaitFor, kBranch, kSend, kExit };
enum class Reentry : uint8_t { kNever, kAfterExit, kAfterDays };

struct JourneyTrigger {
  std::string audience;            // entering this audience; or (exactly one)
  std::string event;               // this track event,
  std::vector<WhereClause> where;  // when these hold (event only)
  friend bool operator==(const JourneyTrigger&, const JourneyTrigger&) = default;
};

struct JourneyStep {
  std::string name;  // [a-z][a-z0-9_]{0,63}, unique in the journey, not "exit"
  JourneyStepType type = JourneyStepType::kExit;
  Window duration;                 // wait: how long; wait_for: the timeout
  std::string event;               // wait_for: the track event waited for,
  std::vector<WhereClause> where;  // with these conditions
  Node condition;                  // branch (no `performed` leaves)
  std::string destination;         // send
  std::string data;                // send: extra JSON object for the template ("" none)
  // Where the journey goes on: a later step's name, "exit", or "" for the following step (the
  // end of the list exits). `next`: wait and send ("next"), wait_for ("on_event"), branch
  // ("then"); `alt`: wait_for ("on_timeout"), branch ("else").
  std::string next, alt;
  friend bool operator==(const JourneyStep&, const JourneyStep&) = default;
};

struct JourneyDef {
  uint64_t id = 0;            // assigned by the control store, never reused (not in the JSON)
  int64_t created_at_us = 0;  // from the control store: only later triggers start the journey
  std::string name;           // [a-z][a-z0-9_]{0,63}
  std::string description;
  JourneyTrigger trigger;
  std::vector<JourneyStep> steps;
  Reentry reentry = Reentry::kNever;
  int32_t reentry_days = 0;  // kAfterDays: 1..3650 days after the previous entry
  int32_t cap_sends = 0;     // frequency cap: at most cap_sends sends (1..100) per profile
  int32_t cap_days = 0;      // in any cap_days days (1..365); 0 / 0: no cap
  int32_t quiet_start = 0;   // quiet hours: minutes of the local day, 0..1439; equal: none
  int32_t quiet_end = 0;
  std::string timezone;  // IANA name for profiles without a valid `timezone` trait; "": UTC

  bool has_cap() const { return cap_sends > 0; }
  bool has_quiet_hours() const { return quiet_start != quiet_end; }
  // Index of the step `step` goes to (alt: the second way out); steps.size() means exit.
  size_t Target(size_t step, bool alt) const;

  friend bool operator==(const JourneyDef&, const JourneyDef&) = default;
};

inline constexpr size_t kMaxJourneyDefBytes = 65536;
inline constexpr size_t kMaxJourneySteps = 64;
inline constexpr size_t kMaxJourneyDescriptionBytes = 1024;
inline constexpr size_t kMaxStepDataBytes = 4096;
inline constexpr int32_t kMaxCapSends = 100;
inline constexpr int32_t kMaxCapDays = 365;
inline constexpr int32_t kMaxReentryDays = 3650;

std::string_view JourneyStepTypeName(JourneyStepType t);  // "wait", "wait_for", ...
std::string_view ReentryName(Reentry r);                  // "never", "after_exit", "after_days"
// "3 days", "1 hour".
std::string FormatDuration(const Window& w);

// Parses and validates one definition. kInvalidArgument names the field and the reason
// (`journey "welcome": "steps[1].duration" must be a duration such as "3 days" ..., got "3d"`);
// kTooLarge over kMaxJourneyDefBytes. Names of audiences, destinations, computed traits and the
// time zone are checked for form only (the API checks that they exist).
Result<JourneyDef> ParseJourneyDef(std::string_view json);

// Canonical JSON: keys in the order name, description, trigger, reentry, reentry_days,
// frequency_cap, quiet_hours, timezone, steps (absent or default ones left out except reentry);
// branch conditions as canonical audience-language text. ParseJourneyDef(ToJson(d)) == d for
// every parsed d (id and created_at_us aside).
std::string ToJson(const JourneyDef& def);

}  // namespace rapport
