#include "server/profiles_api.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "common/json_writer.h"
#include "common/time_format.h"
#include "profile/profile_json.h"

namespace rapport {
namespace {

Result<size_t> Limit(const HttpRequest& req) {
  auto text = req.Query("limit");
  if (!text) return size_t{50};
  size_t v = 0;
  auto [p, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc() || p != text->data() + text->size() || v < 1 || v > 1000) {
    return Status::InvalidArgument(
        fmt::format("limit: \"{}\" must be an integer from 1 to 1000", *text));
  }
  return v;
}

}  // namespace

Result<std::vector<ComputedDef>> ProfilesApi::LoadDefinitions(ControlStore* control) {
  ASSIGN_OR_RETURN(auto stored, control->ListComputedTraits());
  std::vector<ComputedDef> defs;
  for (const StoredComputedTrait& t : stored) {
    auto def = ParseComputedDef(t.definition);
    if (!def.ok()) {
      spdlog::error("computed trait \"{}\" is not valid and is ignored: {}", t.name,
                    def.status().ToString());
      continue;
    }
    defs.push_back(std::move(*def));
  }
  return defs;
}

std::string ProfilesApi::ProfileView(const ProfileRecord& record) const {
  std::string json = ProfileJson(record, Defs(), clock_->NowMicros(), AudienceNames());
  if (json.empty() || json.back() != '}') return json;
  json.pop_back();
  json += ",\"journeys\":";
  json += ProfileJourneysJson(
      record, journey_names_ ? journey_names_() : std::map<uint64_t, JourneyNames>{});
  return json + "}";
}

std::map<uint64_t, std::string> ProfilesApi::AudienceNames() const {
  return audience_names_ ? audience_names_() : std::map<uint64_t, std::string>{};
}

std::vector<ComputedDef> ProfilesApi::Defs() const {
  std::vector<ComputedDef> defs;
  for (auto& d : pipeline_->Definitions()) {
    if (d.def.name.empty() || d.def.name[0] != '_') defs.push_back(std::move(d.def));  // not hidden
  }
  return defs;
}

Result<ProfileRecord> ProfilesApi::ProfileFor(const std::string& id_text) {
  std::optional<uint64_t> id = ParseProfileId(id_text);
  if (!id) {
    return Status::InvalidArgument(
        fmt::format("\"{}\" is not a profile id (they look like \"p42\")", id_text));
  }
  ASSIGN_OR_RETURN(auto record, pipeline_->store()->GetLiveProfile(*id));
  if (!record) return Status::NotFound(fmt::format("no profile \"{}\"", id_text));
  return std::move(*record);
}

void ProfilesApi::Lookup(HttpRequest& req, Responder respond) {
  auto identifier = req.Query("identifier");
  if (!identifier) {
    return respond(HttpResponse::Error(Status::InvalidArgument(
        "identifier: required, as TYPE:VALUE (e.g. email:ada@example.com)")));
  }
  size_t colon = identifier->find(':');
  std::string type = identifier->substr(0, colon);
  const IdentitySettings& settings = pipeline_->identity();
  if (colon == std::string::npos || !settings.Find(type)) {
    std::string types;
    for (const IdentityType& t : settings.types()) types += (types.empty() ? "" : ", ") + t.name;
    return respond(HttpResponse::Error(Status::InvalidArgument(fmt::format(
        "identifier: \"{}\" is not TYPE:VALUE with TYPE one of {}", *identifier, types))));
  }
  auto value = settings.Normalize(type, identifier->substr(colon + 1));
  if (!value) {
    return respond(HttpResponse::Error(
        Status::NotFound(fmt::format("no profile: \"{}\" is blank, blocked or not a valid {}",
                                     identifier->substr(colon + 1), type))));
  }
  auto id = pipeline_->store()->FindIdentifier({type, *value});
  if (!id.ok()) return respond(HttpResponse::Error(id.status()));
  if (!*id) {
    return respond(HttpResponse::Error(
        Status::NotFound(fmt::format("no profile has the identifier {}:{}", type, *value))));
  }
  auto record = ProfileFor(ProfileIdText(**id));
  if (!record.ok()) return respond(HttpResponse::Error(record.status()));
  respond(HttpResponse::Json(200, ProfileView(*record)));
}

void ProfilesApi::Get(HttpRequest& req, Responder respond) {
  auto record = ProfileFor(req.params["id"]);
  if (!record.ok()) return respond(HttpResponse::Error(record.status()));
  respond(HttpResponse::Json(200, ProfileView(*record)));
}

void ProfilesApi::Events(HttpRequest& req, Responder respond) {
  auto limit = Limit(req);
  if (!limit.ok()) return respond(HttpResponse::Error(limit.status()));
  std::optional<TimelinePos> after;
  if (auto cursor = req.Query("after")) {
    auto pos = ParseTimelineCursor(*cursor);
    if (!pos.ok()) return respond(HttpResponse::Error(pos.status()));
    after = *pos;
  }
  auto record = ProfileFor(req.params["id"]);
  if (!record.ok()) return respond(HttpResponse::Error(record.status()));
  std::vector<TimelineEntry> events;
  Status s = pipeline_->store()->ReadTimeline(*record, after, *limit + 1, &events);
  if (!s.ok()) return respond(HttpResponse::Error(s));
  bool more = events.size() > *limit;
  if (more) events.resize(*limit);
  respond(HttpResponse::Json(200, TimelineJson(events, more)));
}

void ProfilesApi::GetAccount(HttpRequest& req, Responder respond) {
  auto account = pipeline_->store()->GetAccount(req.params["id"]);
  if (!account.ok()) return respond(HttpResponse::Error(account.status()));
  if (!*account) {
    return respond(
        HttpResponse::Error(Status::NotFound(fmt::format("no account \"{}\"", req.params["id"]))));
  }
  respond(HttpResponse::Json(200, AccountJson(**account)));
}

void ProfilesApi::ListComputed(HttpRequest&, Responder respond) {
  auto stored = control_->ListComputedTraits();
  if (!stored.ok()) return respond(HttpResponse::Error(stored.status()));
  auto running = pipeline_->Definitions();
  std::string out = "{\"computedTraits\":[";
  for (size_t i = 0; i < stored->size(); ++i) {
    const StoredComputedTrait& t = (*stored)[i];
    bool ready = false;
    for (const auto& r : running) ready |= ToJson(r.def) == t.definition && r.ready;
    if (i) out.push_back(',');
    out.append("{\"definition\":").append(t.definition);
    out.append(",\"status\":").append(ready ? "\"ready\"" : "\"computing\"").append("}");
  }
  out.append("]}");
  respond(HttpResponse::Json(200, out));
}

void ProfilesApi::CreateComputed(HttpRequest& req, Responder respond) {
  auto def = ParseComputedDef(req.body);
  if (!def.ok()) return respond(HttpResponse::Error(def.status()));
  std::string json = ToJson(*def);
  Status s = control_->PutComputedTrait(def->name, json, clock_->NowMicros(), false);
  if (!s.ok()) return respond(HttpResponse::Error(s));
  pipeline_->DefinitionsChanged();
  respond(
      HttpResponse::Json(201, fmt::format("{{\"definition\":{},\"status\":\"computing\"}}", json)));
}

void ProfilesApi::DeleteComputed(HttpRequest& req, Responder respond) {
  if (computed_user_) {
    auto user = computed_user_(req.params["name"]);
    if (!user.ok()) return respond(HttpResponse::Error(user.status()));
    if (*user) {
      return respond(HttpResponse::Error(
          409, "conflict",
          fmt::format("audience \"{}\" reads computed trait \"{}\": delete it first", **user,
                      req.params["name"])));
    }
  }
  Status s = control_->DeleteComputedTrait(req.params["name"]);
  if (!s.ok()) return respond(HttpResponse::Error(s));
  pipeline_->DefinitionsChanged();
  respond(HttpResponse::Json(200, "{\"deleted\":true}"));
}

namespace {

bool Identified(const ProfileRecord& r) {
  return std::any_of(r.identities.begin(), r.identities.end(), [](const IdentityEntry& e) {
    return e.id.type == "user_id" || e.id.type == "email";
  });
}

}  // namespace

void ProfilesApi::Stats(HttpRequest&, Responder respond) {
  std::lock_guard lock(stats_mu_);
  const int64_t now = clock_->NowMicros();
  if (!stats_json_.empty() && now >= stats_at_us_ && now - stats_at_us_ <= sampling_.max_age_us) {
    return respond(HttpResponse::Json(200, stats_json_));
  }
  const StateStore* store = pipeline_->store();
  auto next_id = store->NextProfileId();
  if (!next_id.ok()) return respond(HttpResponse::Error(next_id.status()));
  const uint64_t ids = *next_id - 1;  // every id handed out; merged profiles' ids are gone
  // Up to exact_ids ids: every profile. Beyond: runs of profiles at evenly spaced ids, scaled
  // by the share of ids still live in them.
  const uint64_t runs = ids <= sampling_.exact_ids ? 1 : std::max<uint64_t>(sampling_.samples, 1);
  double profiles = 0;
  double identified = 0;
  double spanned = 0;
  for (uint64_t i = 0; i < runs; ++i) {
    const uint64_t from = 1 + i * (ids / runs);
    uint64_t seen = 0;
    uint64_t last = from;
    Status s = store->ScanProfiles(from, [&](const ProfileRecord& r) {
      ++seen;
      profiles += 1;
      identified += Identified(r);
      last = r.id;
      return runs == 1 || seen < sampling_.run;
    });
    if (!s.ok()) return respond(HttpResponse::Error(s.WithContext("profile stats")));
    spanned += static_cast<double>(last - from + 1);
  }
  const bool estimate = runs > 1;
  if (estimate && spanned > 0) {
    const double share = identified / std::max(profiles, 1.0);
    profiles = std::round(profiles / spanned * static_cast<double>(ids));
    identified = std::round(profiles * share);
  }
  stats_at_us_ = now;
  stats_json_ = fmt::format(R"({{"profiles":{},"identified":{},"estimate":{},"computedAt":"{}"}})",
                            profiles, identified, estimate, FormatIso8601(now));
  respond(HttpResponse::Json(200, stats_json_));
}

}  // namespace rapport
