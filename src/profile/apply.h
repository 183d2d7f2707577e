// EventApplier: what one event does to profile state — identity resolution and merges, traits
// (latest event time wins), account membership and account traits, computed traits and the
// timeline — applied to a StateOverlay. Deterministic: it reads no clock (windows are pruned at
// the event's log append time). Single-threaded; reuses its JSON parser between events.
#pragma once

#include <simdjson.h>

#include <map>
#include <vector>

#include "identity/identifier.h"
#include "log/log_types.h"
#include "profile/computed/computed_def.h"
#include "profile/overlay.h"

namespace rapport {

struct ApplyStats {
  uint64_t unattributed = 0;  // no usable identifier (e.g. only blocked values)
  uint64_t malformed = 0;     // undecodable records, skipped
  uint64_t merges = 0;
  uint64_t blocked = 0;                   // resolutions that dropped identifiers because of a limit
  uint64_t min_merged_into = UINT64_MAX;  // the lowest profile id another was merged into
};

// What the last Apply did, for observers such as the audience engine.
struct AppliedEvent {
  uint64_t profile = 0;        // the live profile the event went to; 0 when skipped
  bool created = false;        // the event created that profile
  simdjson::dom::element doc;  // the event (valid until the next Apply)
  int64_t now = 0;             // its log append time
  // Profiles this event merged into `profile`, with what they held before (their records are
  // now forwarding entries).
  struct Gone {
    uint64_t id = 0;
    std::map<uint64_t, AudienceMark> audiences;
    int64_t next_check_us = 0;
    std::map<std::string, std::string> ext;
  };
  std::vector<Gone> merged;
  // The computed-trait definitions the event matched (pointers into the applier's definitions).
  std::vector<const ComputedDef*> matched;
};

// Timeline entries whose source starts with this are derived (audience transitions), not events.
inline constexpr char kDerivedSourcePrefix = '_';

class EventApplier {
 public:
  EventApplier(const IdentitySettings* identity, const std::vector<ComputedDef>* defs)
      : identity_(identity), defs_(defs) {}

  // Storage errors only; a malformed record is counted and skipped.
  Status Apply(const LogEntry& entry, StateOverlay* overlay, ApplyStats* stats);
  const AppliedEvent& last() const { return last_; }

  // Recomputes `def` for `record` from the events in its timeline (its own and its members'),
  // in log order: what the record would hold had the definition always existed.
  Status Recompute(const ComputedDef& def, const StateStore& store, ProfileRecord* record);

 private:
  Status ApplyMerge(ProfileRecord* into, uint64_t from_id, StateOverlay* overlay);
  void UpdateComputed(ProfileRecord* p, simdjson::dom::element doc, int64_t ts, uint64_t seq,
                      int64_t now);

  const IdentitySettings* identity_;
  const std::vector<ComputedDef>* defs_;
  simdjson::dom::parser parser_;
  AppliedEvent last_;
};

}  // namespace rapport
