// The journeys part of a profile's 360° view: for every journey the profile has state in
// (ProfileRecord::ext "j<id>", activate/journey_state.h), whether an instance runs and at which
// step, how often it entered, and when it last entered and exited. Journeys since deleted are
// left out. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "profile/profile_record.h"

namespace rapport {

struct JourneyNames {
  std::string name;
  std::vector<std::string> steps;  // by step index
};

// {"id","name","active","step","entries","lastEnteredAt","lastExitedAt","wakeAt"} per journey,
// by id, as a JSON array.
std::string ProfileJourneysJson(const ProfileRecord& record,
                                const std::map<uint64_t, JourneyNames>& journeys);

}  // namespace rapport
