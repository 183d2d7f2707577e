#include "profile/profile_json.h"

#include <charconv>

#include <fmt/format.h>

#include "common/json_writer.h"
#include "common/time_format.h"
#include "profile/computed/computed_state.h"

namespace rapport {
namespace {

void AppendKey(std::string* out, std::string_view key) {
  AppendJsonString(out, key);
  out->push_back(':');
}

void AppendIdentifiers(std::string* out, const std::vector<Identifier>& ids) {
  out->push_back('[');
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i) out->push_back(',');
    out->append("{\"type\":");
    AppendJsonString(out, ids[i].type);
    out->append(",\"value\":");
    AppendJsonString(out, ids[i].value);
    out->push_back('}');
  }
  out->push_back(']');
}

// "traits":{...},"traitSources":{...}
void AppendTraits(std::string* out, const TraitMap& traits) {
  out->append("\"traits\":{");
  bool first = true;
  for (const auto& [name, v] : traits) {
    if (!first) out->push_back(',');
    first = false;
    AppendKey(out, name);
    out->append(v.json);
  }
  out->append("},\"traitSources\":{");
  first = true;
  for (const auto& [name, v] : traits) {
    if (!first) out->push_back(',');
    first = false;
    AppendKey(out, name);
    out->append("{\"source\":");
    AppendJsonString(out, v.source);
    out->append(",\"timestamp\":");
    AppendJsonTime(v.ts_us, out);
    out->push_back('}');
  }
  out->push_back('}');
}

}  // namespace

std::string ProfileJson(const ProfileRecord& r, const std::vector<ComputedDef>& defs,
                        int64_t now_us, const std::map<uint64_t, std::string>& audience_names) {
  std::string out = "{\"id\":";
  AppendJsonString(&out, ProfileIdText(r.id));
  out.append(",\"firstSeen\":");
  AppendJsonTime(r.first_seen_us, &out);
  out.append(",\"lastSeen\":");
  AppendJsonTime(r.last_seen_us, &out);
  out.append(fmt::format(",\"eventCount\":{},\"identities\":[", r.event_count));
  for (size_t i = 0; i < r.identities.size(); ++i) {
    const IdentityEntry& e = r.identities[i];
    if (i) out.push_back(',');
    out.append("{\"type\":");
    AppendJsonString(&out, e.id.type);
    out.append(",\"value\":");
    AppendJsonString(&out, e.id.value);
    out.append(",\"firstSeen\":");
    AppendJsonTime(e.first_seen_us, &out);
    out.append(",\"source\":");
    AppendJsonString(&out, e.source);
    out.push_back('}');
  }
  out.append("],");
  AppendTraits(&out, r.traits);
  out.append(",\"computed\":{");
  bool first = true;
  for (const ComputedDef& def : defs) {
    if (!first) out.push_back(',');
    first = false;
    AppendKey(&out, def.name);
    auto it = r.computed.find(def.name);
    ComputedState state;
    if (it != r.computed.end()) {
      auto decoded = ComputedState::Decode(it->second);
      if (decoded.ok()) state = std::move(*decoded);
    }
    out.append(state.Evaluate(def, now_us));
  }
  out.append("},\"audiences\":[");
  first = true;
  for (const auto& [id, mark] : r.audiences) {
    auto name = audience_names.find(id);
    if (!mark.member || name == audience_names.end()) continue;
    if (!first) out.push_back(',');
    first = false;
    out.append("{\"name\":");
    AppendJsonString(&out, name->second);
    out.append(",\"since\":");
    AppendJsonTime(mark.since_us, &out);
    out.push_back('}');
  }
  out.append("],\"accounts\":[");
  for (size_t i = 0; i < r.accounts.size(); ++i) {
    if (i) out.push_back(',');
    AppendJsonString(&out, r.accounts[i]);
  }
  out.append("],\"mergedIds\":[");
  for (size_t i = 0; i < r.members.size(); ++i) {
    if (i) out.push_back(',');
    AppendJsonString(&out, ProfileIdText(r.members[i]));
  }
  out.append("],\"merges\":[");
  for (size_t i = 0; i < r.merges.size(); ++i) {
    const MergeEvent& m = r.merges[i];
    if (i) out.push_back(',');
    bool merge = m.kind == MergeEvent::Kind::kMerge;
    out.append(merge ? "{\"kind\":\"merge\",\"from\":" : "{\"kind\":\"blocked\",\"conflict\":");
    AppendJsonString(&out, merge ? ProfileIdText(m.from) : m.conflict);
    out.append(",\"identifiers\":");
    AppendIdentifiers(&out, m.ids);
    out.append(",\"messageId\":");
    AppendJsonString(&out, m.message_id);
    out.append(",\"source\":");
    AppendJsonString(&out, m.source);
    out.append(",\"timestamp\":");
    AppendJsonTime(m.ts_us, &out);
    out.push_back('}');
  }
  out.append(fmt::format("],\"blockedNotShown\":{}}}", r.blocked_dropped));
  return out;
}

std::string AccountJson(const AccountRecord& a) {
  std::string out = "{\"id\":";
  AppendJsonString(&out, a.group_id);
  out.push_back(',');
  AppendTraits(&out, a.traits);
  out.append(",\"members\":[");
  for (size_t i = 0; i < a.members.size(); ++i) {
    if (i) out.push_back(',');
    AppendJsonString(&out, ProfileIdText(a.members[i]));
  }
  out.append("]}");
  return out;
}

std::string TimelineCursor(TimelinePos pos) { return fmt::format("t{}.{}", pos.ts_us, pos.seq); }

Result<TimelinePos> ParseTimelineCursor(std::string_view cursor) {
  auto bad = [&] {
    return Status::InvalidArgument(fmt::format(
        "after: \"{}\" is not a cursor of this timeline (use the \"next\" value of a page)",
        cursor));
  };
  if (cursor.size() < 4 || cursor[0] != 't') return bad();
  size_t dot = cursor.find('.');
  if (dot == std::string_view::npos) return bad();
  TimelinePos pos;
  const char* b = cursor.data() + 1;
  const char* m = cursor.data() + dot;
  const char* e = cursor.data() + cursor.size();
  auto r1 = std::from_chars(b, m, pos.ts_us);
  auto r2 = std::from_chars(m + 1, e, pos.seq);
  if (r1.ec != std::errc() || r1.ptr != m || r2.ec != std::errc() || r2.ptr != e) return bad();
  return pos;
}

std::string TimelineJson(const std::vector<TimelineEntry>& events, bool more) {
  std::string out = "{\"events\":[";
  for (size_t i = 0; i < events.size(); ++i) {
    if (i) out.push_back(',');
    out.append(events[i].json);
  }
  out.append("],\"next\":");
  if (more && !events.empty()) {
    AppendJsonString(&out, TimelineCursor(events.back().pos));
  } else {
    out.append("null");
  }
  out.push_back('}');
  return out;
}

}  // namespace rapport
