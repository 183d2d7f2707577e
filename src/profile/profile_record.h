// ProfileRecord: everything the state store keeps about one customer profile — identifiers,
// traits (each with the event time, log order and source that set it), computed-trait states,
// accounts, the profiles merged into it and the merge decisions. Encode/Decode are a compact,
// deterministic binary form (docs/formats/profile-state.md); MergeFrom folds another profile in so
// that the result does not depend on which profile came first. Plain value; thread-compatible.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "identity/identifier.h"

namespace rapport {

struct StampedValue {
  std::string json;   // the value as minified JSON
  int64_t ts_us = 0;  // event time that set it
  uint64_t seq = 0;   // log order (append time): breaks ties between equal event times
  std::string source;
  // Latest event time wins; equal times: later in the log.
  bool NewerThan(const StampedValue& o) const {
    return ts_us != o.ts_us ? ts_us > o.ts_us : seq > o.seq;
  }
  bool operator==(const StampedValue&) const = default;
};

using TraitMap = std::map<std::string, StampedValue, std::less<>>;

struct IdentityEntry {
  Identifier id;
  int64_t first_seen_us = 0;  // event time
  std::string source;
  bool operator==(const IdentityEntry&) const = default;
};

// A decision of identity resolution recorded on the profile it concerns.
struct MergeEvent {
  enum class Kind : uint8_t { kMerge = 1, kBlocked = 2 };
  Kind kind = Kind::kMerge;
  uint64_t from = 0;            // kMerge: the profile merged in
  std::vector<Identifier> ids;  // kMerge: the event's identifiers linking them;
                                // kBlocked: the identifiers left out
  std::string conflict;         // kBlocked: the type whose limit was hit
  std::string message_id;       // the event that caused it
  std::string source;
  int64_t ts_us = 0;  // that event's time
  uint64_t seq = 0;   // its log order
  bool operator==(const MergeEvent&) const = default;
};

// Where a profile stands with one audience (kept while a member or a time-driven change is due).
struct AudienceMark {
  bool member = false;
  int64_t since_us = 0;  // member: when it entered
  int64_t next_us = 0;   // when the membership may change without a new event (0: never)
  bool operator==(const AudienceMark&) const = default;
};

// A position in a timeline: newest first by (event time, log order).
struct TimelinePos {
  int64_t ts_us = 0;
  uint64_t seq = 0;
  bool operator==(const TimelinePos&) const = default;
};

struct ProfileRecord {
  uint64_t id = 0;
  uint64_t merged_into = 0;  // != 0: merged away; only `id` and this are meaningful
  int64_t first_seen_us = 0, last_seen_us = 0;  // event times
  uint64_t event_count = 0;
  std::vector<IdentityEntry> identities;  // in the order they joined
  TraitMap traits;
  std::map<std::string, std::string> computed;  // trait name → ComputedState bytes
  std::vector<std::string> accounts;            // group ids, sorted
  std::vector<uint64_t> members;                // profiles merged in (transitively), sorted
  std::vector<MergeEvent> merges;               // sorted by (seq, kind, from)
  uint64_t blocked_dropped = 0;  // kBlocked decisions not kept (over kMaxBlockedKept)
  // Consent per category (context.consent.categoryPreferences): json "true"/"false", latest
  // event time wins.
  TraitMap consent;
  std::map<uint64_t, AudienceMark> audiences;  // by audience id (owned by src/audience)
  int64_t next_check_us = 0;  // the earliest AudienceMark::next_us (0: none); keys the timer
  // Opaque state of subsystems that react to the profile (journeys: "j<id>"), by key.
  std::map<std::string, std::string> ext;
  // The positions of this profile's newest timeline entries (stored under its id), in the order
  // they were added, until kTimelineChunk of them move to an index chunk (StateStore).
  std::vector<TimelinePos> timeline;

  static constexpr size_t kMaxBlockedKept = 100;
  static constexpr size_t kTimelineChunk = 16;

  std::vector<Identifier> Identifiers() const;
  // Sets a trait unless the stored value is newer.
  void SetTrait(std::string_view name, StampedValue value);
  // Sets a consent category ("true"/"false") unless the stored value is newer.
  void SetConsent(std::string_view category, StampedValue value);
  void AddAccount(std::string_view group_id);
  void AddMergeEvent(MergeEvent e);
  // Folds `other` (a live profile) in: identities (this one's first), traits and consent by
  // NewerThan, first/last seen, counts, accounts, members (+ other.id), merge history. Audience
  // marks and `ext` stay this profile's: their owners decide what a merge means. Computed states
  // are merged by the caller, which knows the definitions; `timeline` positions stay with the
  // profile they are stored under (the caller moves other's to an index chunk).
  void MergeFrom(const ProfileRecord& other);

  std::string Encode() const;
  // Encode into *out (cleared first), reusing its capacity: no allocation once it is large enough.
  void EncodeTo(std::string* out) const;
  static Result<ProfileRecord> Decode(std::string_view bytes);
  bool operator==(const ProfileRecord&) const = default;
};

// External form of a profile id: "p" + decimal ("p42"); ParseProfileId accepts exactly that.
std::string ProfileIdText(uint64_t id);
std::optional<uint64_t> ParseProfileId(std::string_view text);

}  // namespace rapport
