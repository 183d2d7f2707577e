#include "server/journeys_api.h"

#include <spdlog/spdlog.h>

#include <functional>

#include <fmt/format.h>

#include "common/json_writer.h"
#include "common/time_format.h"

namespace rapport {
namespace {

bool Reads(const Node& n, std::string_view audience) {
  if (n.kind == Node::Kind::kInAudience && n.name == audience) return true;
  for (const Node& c : n.children) {
    if (Reads(c, audience)) return true;
  }
  return false;
}

HttpResponse Invalid(const std::string& message) {
  return HttpResponse::Error(Status::InvalidArgument(message));
}

}  // namespace

Result<std::vector<JourneyDef>> JourneysApi::Load(ControlStore* control) {
  ASSIGN_OR_RETURN(auto stored, control->ListJourneys());
  std::vector<JourneyDef> out;
  for (const StoredJourney& j : stored) {
    auto def = ParseJourneyDef(j.definition);
    if (!def.ok()) {
      spdlog::error("journey \"{}\" is not valid and is ignored: {}", j.name,
                    def.status().ToString());
      continue;
    }
    def->id = j.id;
    def->created_at_us = j.created_at_us;
    out.push_back(std::move(*def));
  }
  return out;
}

Result<std::optional<std::string>> JourneysApi::AudienceUser(ControlStore* control,
                                                             std::string_view name) {
  ASSIGN_OR_RETURN(auto journeys, Load(control));
  for (const JourneyDef& j : journeys) {
    bool reads = j.trigger.audience == name;
    for (const JourneyStep& s : j.steps) {
      reads = reads || (s.type == JourneyStepType::kBranch && Reads(s.condition, name));
    }
    if (reads) return std::optional<std::string>(j.name);
  }
  return std::optional<std::string>();
}

std::string JourneysApi::JourneyJson(const StoredJourney& stored, const JourneyDef& def) const {
  std::string out = "{\"id\":" + std::to_string(stored.id) + ",\"name\":";
  AppendJsonString(&out, stored.name);
  out += ",\"createdAt\":";
  AppendJsonString(&out, FormatIso8601(stored.created_at_us));
  out += ",\"definition\":" + ToJson(def);
  std::optional<JourneyCounts> counts = options_.runner->Counts(stored.id);
  out += ",\"status\":";
  AppendJsonString(&out, counts ? "running" : "starting");
  JourneyCounts c = counts.value_or(JourneyCounts{});
  c.steps.resize(def.steps.size());
  out += fmt::format(",\"entered\":{},\"exited\":{},\"active\":{},\"dropped\":{},\"steps\":[",
                     c.entered, c.exited, c.entered - c.exited, c.dropped);
  for (size_t i = 0; i < def.steps.size(); ++i) {
    const StepCounts& s = c.steps[i];
    if (i > 0) out += ',';
    out += "{\"name\":";
    AppendJsonString(&out, def.steps[i].name);
    out += ",\"type\":";
    AppendJsonString(&out, JourneyStepTypeName(def.steps[i].type));
    out += fmt::format(",\"now\":{},\"entered\":{},\"exited\":{}", s.entered - s.exited, s.entered,
                       s.exited);
    switch (def.steps[i].type) {
      case JourneyStepType::kSend:
        out += fmt::format(
            ",\"sent\":{},\"skipped\":{{\"frequencyCap\":{},\"consent\":{},\"destination\":{}}}",
            s.sent, s.capped, s.no_consent, s.no_destination);
        break;
      case JourneyStepType::kWaitFor:
        out += fmt::format(",\"received\":{},\"timedOut\":{}", s.exited - s.alt, s.alt);
        break;
      case JourneyStepType::kBranch:
        out += fmt::format(",\"then\":{},\"else\":{}", s.exited - s.alt, s.alt);
        break;
      default:
        break;
    }
    out += '}';
  }
  out += "],\"problems\":[";
  const std::string prefix = "journey " + JsonString(stored.name) + ": ";
  bool first = true;
  for (const std::string& p : options_.runner->Problems()) {
    if (p.rfind(prefix, 0) != 0) continue;
    if (!first) out += ',';
    first = false;
    AppendJsonString(&out, p.substr(prefix.size()));
  }
  return out + "]}";
}

void JourneysApi::List(HttpRequest&, Responder respond) {
  auto stored = options_.control->ListJourneys();
  if (!stored.ok()) return respond(HttpResponse::Error(stored.status()));
  std::string out = "{\"journeys\":[";
  bool first = true;
  for (const StoredJourney& j : *stored) {
    auto def = ParseJourneyDef(j.definition);
    if (!def.ok()) continue;
    if (!first) out += ',';
    first = false;
    out += JourneyJson(j, *def);
  }
  respond(HttpResponse::Json(200, out + "]}"));
}

void JourneysApi::Create(HttpRequest& req, Responder respond) {
  auto def = ParseJourneyDef(req.body);
  if (!def.ok()) return respond(HttpResponse::Error(def.status()));
  const std::string prefix = "journey " + JsonString(def->name) + ": ";
  std::vector<AudienceDef> audiences;
  if (options_.audiences) {
    auto loaded = options_.audiences();
    if (!loaded.ok()) return respond(HttpResponse::Error(loaded.status()));
    audiences = std::move(*loaded);
  }
  std::vector<ComputedDef> computed;
  if (options_.computed) {
    auto loaded = options_.computed();
    if (!loaded.ok()) return respond(HttpResponse::Error(loaded.status()));
    computed = std::move(*loaded);
  }
  if (!def->trigger.audience.empty() &&
      std::none_of(audiences.begin(), audiences.end(),
                   [&](const AudienceDef& a) { return a.name == def->trigger.audience; })) {
    return respond(Invalid(prefix + "\"trigger.audience\": there is no audience " +
                           JsonString(def->trigger.audience)));
  }
  for (size_t i = 0; i < def->steps.size(); ++i) {
    const JourneyStep& s = def->steps[i];
    const std::string field = fmt::format("\"steps[{}].", i);
    if (s.type == JourneyStepType::kBranch) {
      Status check = CheckAudience({UINT64_MAX, "_journey", "", s.condition}, audiences, computed);
      if (!check.ok()) return respond(Invalid(prefix + field + "condition\": " + check.message()));
    }
    if (s.type == JourneyStepType::kSend && options_.destinations &&
        !options_.destinations->Purpose(s.destination)) {
      return respond(Invalid(prefix + field + "destination\": there is no destination " +
                             JsonString(s.destination)));
    }
  }
  if (!def->timezone.empty()) {
    const std::string problem = options_.runner->zones()->Check(def->timezone);
    if (!problem.empty()) {
      return respond(
          Invalid(prefix + "\"timezone\": " + JsonString(def->timezone) + ": " + problem));
    }
  }
  auto stored =
      options_.control->CreateJourney(def->name, ToJson(*def), options_.clock->NowMicros());
  if (!stored.ok()) return respond(HttpResponse::Error(stored.status()));
  Status reload = options_.runner->Reload();
  if (!reload.ok()) {
    spdlog::error("journeys: reload after creating \"{}\": {}", def->name, reload.ToString());
  }
  respond(HttpResponse::Json(201, JourneyJson(*stored, *def)));
}

void JourneysApi::Get(HttpRequest& req, Responder respond) {
  auto stored = options_.control->ListJourneys();
  if (!stored.ok()) return respond(HttpResponse::Error(stored.status()));
  for (const StoredJourney& j : *stored) {
    if (j.name != req.params["name"]) continue;
    auto def = ParseJourneyDef(j.definition);
    if (!def.ok()) return respond(HttpResponse::Error(def.status()));
    return respond(HttpResponse::Json(200, JourneyJson(j, *def)));
  }
  respond(
      HttpResponse::Error(Status::NotFound("no journey named " + JsonString(req.params["name"]))));
}

void JourneysApi::Delete(HttpRequest& req, Responder respond) {
  Status s = options_.control->DeleteJourney(req.params["name"]);
  if (!s.ok()) return respond(HttpResponse::Error(s));
  Status reload = options_.runner->Reload();
  if (!reload.ok()) {
    spdlog::error("journeys: reload after deleting \"{}\": {}", req.params["name"],
                  reload.ToString());
  }
  respond(HttpResponse::Json(200, "{\"deleted\":true}"));
}

}  // namespace rapport
