#include "activate/audience_sync.h"

#include "common/json_writer.h"
#include "common/time_format.h"

namespace rapport {

std::string TransitionContext(const AudienceTransition& t, const ProfileRecord& p) {
  std::string out = "{\"type\":\"audience\",\"event\":";
  AppendJsonString(&out, t.entered ? "Audience Entered" : "Audience Exited");
  out += ",\"messageId\":";
  AppendJsonString(&out, t.key);
  out += ",\"timestamp\":";
  AppendJsonString(&out, FormatIso8601(t.at_us));
  out += ",\"audience\":{\"id\":" + std::to_string(t.audience) + ",\"name\":";
  AppendJsonString(&out, t.name);
  out += "},\"profile\":{\"id\":";
  AppendJsonString(&out, ProfileIdText(p.id));
  out += ",\"traits\":{";
  bool first = true;
  for (const auto& [name, v] : p.traits) {
    if (!first) out += ',';
    first = false;
    AppendJsonString(&out, name);
    out += ':';
    out += v.json;  // stored minified JSON
  }
  out += "},\"identities\":[";
  for (size_t i = 0; i < p.identities.size(); ++i) {
    if (i) out += ',';
    out += "{\"type\":";
    AppendJsonString(&out, p.identities[i].id.type);
    out += ",\"value\":";
    AppendJsonString(&out, p.identities[i].id.value);
    out += '}';
  }
  return out + "]}}";
}

Status AudienceSync::Reload() {
  ASSIGN_OR_RETURN(auto links, control_->ListAudienceDestinations());
  std::map<std::string, std::vector<std::string>> targets;
  for (const auto& [audience, destination] : links) targets[audience].push_back(destination);
  std::lock_guard lock(mu_);
  targets_ = std::move(targets);
  return Status::OK();
}

void AudienceSync::OnTransition(const AudienceTransition& t, ProfileRecord* p) {
  const ProfileRecord& profile = *p;
  std::vector<std::string> destinations;
  {
    std::lock_guard lock(mu_);
    auto it = targets_.find(t.name);
    if (it == targets_.end()) return;
    destinations = it->second;
  }
  std::string context;
  for (const std::string& d : destinations) {
    std::optional<DestinationDef> def = catalog_->Get(d);
    if (!def) continue;  // deleted since
    if (!def->purpose.empty()) {
      auto consent = profile.consent.find(def->purpose);
      if (consent == profile.consent.end() || consent->second.json != "true") {
        without_consent_.fetch_add(1, std::memory_order_relaxed);
        continue;
      }
    }
    if (context.empty()) context = TransitionContext(t, profile);
    pending_[d].push_back({t.key, ProfileIdText(t.profile), context, "audience:" + t.name});
  }
}

Status AudienceSync::Flush() {
  for (auto& [destination, messages] : pending_) {
    Status s = catalog_->Send(destination, messages);
    if (s.code() == StatusCode::kNotFound) continue;  // the destination was deleted meanwhile
    if (!s.ok()) return s.WithContext("audience sync to \"" + destination + "\"");
    sent_.fetch_add(messages.size(), std::memory_order_relaxed);
  }
  pending_.clear();
  return Status::OK();
}

}  // namespace rapport
