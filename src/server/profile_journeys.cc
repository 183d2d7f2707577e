#include "server/profile_journeys.h"

#include <charconv>

#include <fmt/format.h>

#include "activate/journey_state.h"
#include "common/json_writer.h"
#include "common/time_format.h"

namespace rapport {

std::string ProfileJourneysJson(const ProfileRecord& record,
                                const std::map<uint64_t, JourneyNames>& journeys) {
  std::string out = "[";
  for (const auto& [key, bytes] : record.ext) {
    uint64_t id = 0;
    if (key.size() < 2 || key[0] != 'j') continue;
    auto [p, ec] = std::from_chars(key.data() + 1, key.data() + key.size(), id);
    if (ec != std::errc() || p != key.data() + key.size()) continue;
    auto names = journeys.find(id);
    if (names == journeys.end()) continue;  // deleted since
    auto state = JourneyState::Decode(bytes);
    if (!state.ok()) continue;  // never expected: the runner wrote it
    const bool known_step = state->active && state->step < names->second.steps.size();
    if (out.size() > 1) out += ',';
    out += fmt::format(R"({{"id":{},"name":{},"active":{},"step":{},"entries":{},)", id,
                       JsonString(names->second.name), state->active,
                       known_step ? JsonString(names->second.steps[state->step]) : "null",
                       state->entries);
    out += "\"lastEnteredAt\":";
    AppendJsonTimeOrNull(state->last_entered_us, &out);
    out += ",\"lastExitedAt\":";
    AppendJsonTimeOrNull(state->last_exited_us, &out);
    out += ",\"wakeAt\":";
    AppendJsonTimeOrNull(state->active ? state->wake_us : 0, &out);
    out += '}';
  }
  return out + "]";
}

}  // namespace rapport
