// PreviewAudience: how many profiles a definition would hold now, before it is saved. Reads the
// state store only (thread-safe, never blocks the pipeline). A `performed` leaf whose hidden
// definition the pipeline already keeps is read from the profile; otherwise it is computed from
// the profile's timeline. Over `max_profiles` live profiles, an evenly spaced sample of profile
// ids is evaluated and the size extrapolated (`estimate` true).
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "audience/compile.h"
#include "profile/state_store.h"

namespace rapport {

struct PreviewOptions {
  std::vector<AudienceDef> saved;     // the saved audiences (for `in audience`)
  std::vector<ComputedDef> computed;  // the user's computed traits
  std::set<std::string> kept_hidden;  // hidden definitions the pipeline keeps up to date
  int64_t now_us = 0;
  uint64_t max_profiles = 100000;
  size_t examples = 10;  // member ids to return
};

struct PreviewResult {
  uint64_t size = 0;       // members (extrapolated when estimate)
  uint64_t evaluated = 0;  // profiles evaluated
  bool estimate = false;
  std::vector<uint64_t> examples;  // some members, by id
};

Result<PreviewResult> PreviewAudience(const Node& root, const StateStore& store,
                                      const PreviewOptions& options);

}  // namespace rapport
