#include "profile/apply.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "collect/envelope.h"
#include "common/json_minify.h"
#include "identity/extract.h"
#include "profile/computed/computed_match.h"
#include "profile/computed/computed_state.h"

namespace rapport {
namespace {

std::optional<std::string> IdText(simdjson::dom::element e) {
  std::string_view s;
  if (e.get(s) == simdjson::SUCCESS) return std::string(s);
  int64_t i;
  if (e.get(i) == simdjson::SUCCESS) return std::to_string(i);
  uint64_t u;
  if (e.get(u) == simdjson::SUCCESS) return std::to_string(u);
  return std::nullopt;
}

template <typename SetFn>
void ForEachTrait(simdjson::simdjson_result<simdjson::dom::element> obj, SetFn set) {
  simdjson::dom::object traits;
  if (obj.get(traits) != simdjson::SUCCESS) return;
  for (auto field : traits) set(field.key, Minified(field.value));
}

void ReplaceMember(std::vector<uint64_t>* members, uint64_t from, uint64_t to) {
  members->erase(std::remove(members->begin(), members->end(), from), members->end());
  auto it = std::lower_bound(members->begin(), members->end(), to);
  if (it == members->end() || *it != to) members->insert(it, to);
}

}  // namespace

Status EventApplier::Apply(const LogEntry& entry, StateOverlay* overlay, ApplyStats* stats) {
  last_.profile = 0;
  last_.created = false;
  last_.merged.clear();
  last_.matched.clear();
  last_.now = entry.append_time_us;
  auto envelope = DecodeEnvelope(entry.payload);
  simdjson::dom::element doc;
  if (!envelope.ok() ||
      parser_.parse(envelope->json.data(), envelope->json.size()).get(doc) != simdjson::SUCCESS) {
    ++stats->malformed;
    return Status::OK();
  }
  const EnvelopeView& ev = *envelope;
  const int64_t ts = ev.timestamp_us;
  const uint64_t seq = static_cast<uint64_t>(entry.append_time_us);
  ASSIGN_OR_RETURN(ExtractedIds extracted, ExtractIdentifiers(*identity_, ev, doc, overlay));
  if (extracted.ids.empty()) {
    ++stats->unattributed;
    return Status::OK();
  }
  ASSIGN_OR_RETURN(Resolution res, Resolve(*identity_, extracted.ids, overlay));

  ProfileRecord* p = nullptr;
  if (res.create) {
    p = overlay->NewProfile();
    p->first_seen_us = p->last_seen_us = ts;
  } else {
    ASSIGN_OR_RETURN(p, overlay->Profile(res.profile));
  }
  for (const Resolution::Merge& m : res.merges) {
    RETURN_IF_ERROR(ApplyMerge(p, m.from, overlay));
    stats->min_merged_into = std::min(stats->min_merged_into, p->id);
    p->AddMergeEvent({MergeEvent::Kind::kMerge, m.from, m.via, "", std::string(ev.message_id),
                      std::string(ev.source_id), ts, seq});
    ++stats->merges;
  }
  for (const Identifier& id : res.add) {
    p->identities.push_back({id, ts, std::string(ev.source_id)});
    overlay->Bind(id, p->id);
  }
  if (!res.dropped.empty()) {
    p->AddMergeEvent({MergeEvent::Kind::kBlocked, 0, res.dropped, res.conflict,
                      std::string(ev.message_id), std::string(ev.source_id), ts, seq});
    ++stats->blocked;
  }

  if (p->event_count == 0) {
    p->first_seen_us = p->last_seen_us = ts;
  } else {
    p->first_seen_us = std::min(p->first_seen_us, ts);
    p->last_seen_us = std::max(p->last_seen_us, ts);
  }
  ++p->event_count;
  auto stamped = [&](std::string json) {
    return StampedValue{std::move(json), ts, seq, std::string(ev.source_id)};
  };
  auto set_trait = [&](std::string_view key, std::string json) {
    p->SetTrait(key, stamped(std::move(json)));
  };
  if (ev.type == "identify") ForEachTrait(doc["traits"], set_trait);
  simdjson::dom::element context;
  if (doc["context"].get(context) == simdjson::SUCCESS) ForEachTrait(context["traits"], set_trait);
  if (ev.type == "group") {
    simdjson::dom::element group_id;
    std::optional<std::string> gid;
    if (doc["groupId"].get(group_id) == simdjson::SUCCESS) gid = IdText(group_id);
    if (gid && !gid->empty()) {
      ASSIGN_OR_RETURN(AccountRecord * account, overlay->Account(*gid));
      ForEachTrait(doc["traits"], [&](std::string_view key, std::string json) {
        StampedValue v = stamped(std::move(json));
        auto it = account->traits.find(key);
        if (it == account->traits.end()) {
          account->traits.emplace(std::string(key), std::move(v));
        } else if (v.NewerThan(it->second)) {
          it->second = std::move(v);
        }
      });
      ReplaceMember(&account->members, p->id, p->id);
      p->AddAccount(*gid);
    }
  }
  if (doc["context"].get(context) == simdjson::SUCCESS) {
    simdjson::dom::object prefs;
    if (context["consent"]["categoryPreferences"].get(prefs) == simdjson::SUCCESS) {
      for (auto field : prefs) {
        bool granted = false;
        if (field.value.get(granted) != simdjson::SUCCESS) continue;  // only true / false count
        p->SetConsent(field.key, stamped(granted ? "true" : "false"));
      }
    }
  }
  UpdateComputed(p, doc, ts, seq, entry.append_time_us);
  overlay->AddTimeline(p, {ts, seq}, ev.source_id, ev.json);
  last_.profile = p->id;
  last_.created = res.create;
  last_.doc = doc;
  return Status::OK();
}

Status EventApplier::ApplyMerge(ProfileRecord* into, uint64_t from_id, StateOverlay* overlay) {
  ASSIGN_OR_RETURN(ProfileRecord * from, overlay->Profile(from_id));
  for (const ComputedDef& def : *defs_) {
    auto mine = into->computed.find(def.name);
    auto theirs = from->computed.find(def.name);
    if (theirs == from->computed.end()) continue;
    if (mine == into->computed.end()) {
      into->computed[def.name] = theirs->second;
      continue;
    }
    auto a = ComputedState::Decode(mine->second);
    auto b = ComputedState::Decode(theirs->second);
    if (!a.ok() || !b.ok()) {
      return Status::Corruption("computed trait \"" + def.name + "\" of profile " +
                                ProfileIdText(into->id) + " or " + ProfileIdText(from_id) +
                                " does not decode");
    }
    a->Merge(def, *b);
    mine->second = a->Encode();
  }
  into->MergeFrom(*from);
  overlay->AddMerge(last_.now, from->id, into->id);
  for (const IdentityEntry& e : from->identities) overlay->Bind(e.id, into->id);
  for (const std::string& group : from->accounts) {
    ASSIGN_OR_RETURN(AccountRecord * account, overlay->Account(group));
    ReplaceMember(&account->members, from->id, into->id);
  }
  last_.merged.push_back(
      {from->id, std::move(from->audiences), from->next_check_us, std::move(from->ext)});
  overlay->SpillTimeline(from);  // its entries stay under its id, read through into->members
  ProfileRecord gone;
  gone.id = from->id;
  gone.merged_into = into->id;
  *from = std::move(gone);
  return Status::OK();
}

void EventApplier::UpdateComputed(ProfileRecord* p, simdjson::dom::element doc, int64_t ts,
                                  uint64_t seq, int64_t now) {
  for (const ComputedDef& def : *defs_) {
    if (!Matches(def, doc)) continue;
    last_.matched.push_back(&def);
    ComputedState state;
    auto it = p->computed.find(def.name);
    if (it != p->computed.end()) {
      auto decoded = ComputedState::Decode(it->second);
      if (decoded.ok()) {
        state = std::move(*decoded);
      } else {
        spdlog::error("profile {}: computed trait \"{}\" did not decode ({}); starting it over",
                      ProfileIdText(p->id), def.name, decoded.status().ToString());
      }
    }
    state.Add(def, Extract(def, doc, ts), ts, seq);
    state.Prune(def, now);
    if (state.empty()) {
      if (it != p->computed.end()) p->computed.erase(it);
    } else {
      if (it == p->computed.end()) it = p->computed.emplace(def.name, std::string()).first;
      state.EncodeTo(&it->second);  // in place: its capacity is reused
    }
  }
}

Status EventApplier::Recompute(const ComputedDef& def, const StateStore& store,
                               ProfileRecord* record) {
  std::vector<TimelineEntry> events;
  RETURN_IF_ERROR(store.ReadTimeline(*record, std::nullopt, SIZE_MAX, &events));
  std::sort(events.begin(), events.end(),
            [](const TimelineEntry& a, const TimelineEntry& b) { return a.pos.seq < b.pos.seq; });
  ComputedState state;
  for (const TimelineEntry& e : events) {
    if (!e.source.empty() && e.source[0] == kDerivedSourcePrefix) continue;
    simdjson::dom::element doc;
    if (parser_.parse(e.json.data(), e.json.size()).get(doc) != simdjson::SUCCESS) continue;
    if (!Matches(def, doc)) continue;
    state.Add(def, Extract(def, doc, e.pos.ts_us), e.pos.ts_us, e.pos.seq);
    state.Prune(def, static_cast<int64_t>(e.pos.seq));
  }
  if (state.empty()) {
    record->computed.erase(def.name);
  } else {
    record->computed[def.name] = state.Encode();
  }
  return Status::OK();
}

}  // namespace rapport
