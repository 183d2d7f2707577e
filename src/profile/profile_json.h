// The JSON the profile API answers with (docs/api.md, "Profiles"): a profile with identities,
// traits (and where each came from), computed traits evaluated at `now_us`, accounts and merge
// history; an account with traits and members; a timeline page. Pure functions, thread-safe.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "profile/computed/computed_def.h"
#include "profile/profile_record.h"
#include "profile/state_store.h"

namespace rapport {

// `audience_names`: audience id → name; the profile's memberships of those are listed.
std::string ProfileJson(const ProfileRecord& record, const std::vector<ComputedDef>& defs,
                        int64_t now_us, const std::map<uint64_t, std::string>& audience_names = {});
std::string AccountJson(const AccountRecord& account);

// Timeline cursors: "t<ts_us>.<seq>" of the last event of a page.
std::string TimelineCursor(TimelinePos pos);
Result<TimelinePos> ParseTimelineCursor(std::string_view cursor);
// {"events":[...],"next":CURSOR|null}
std::string TimelineJson(const std::vector<TimelineEntry>& events, bool more);

}  // namespace rapport
