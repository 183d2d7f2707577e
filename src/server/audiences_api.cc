#include "server/audiences_api.h"

#include <simdjson.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <functional>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include "audience/json_form.h"
#include "audience/parser.h"
#include "audience/preview.h"
#include "audience/printer.h"
#include "common/json_writer.h"
#include "common/time_format.h"
#include "server/profiles_api.h"

namespace rapport {
namespace {

constexpr size_t kMaxDescriptionBytes = 1024;

// What a create or preview body says: {"name", "description", "definition" | "tree"}.
struct Body {
  std::string name, description;
  Node root;
};

HttpResponse DefinitionError(const Status& s, const ParseError& at) {
  std::string body = "{\"error\":\"invalid_argument\",\"message\":";
  AppendJsonString(&body, s.message());
  if (at.line > 0) {
    body += ",\"line\":" + std::to_string(at.line) + ",\"column\":" + std::to_string(at.column);
  }
  body += '}';
  return HttpResponse::Json(400, std::move(body));
}

// Parses the body; on failure *error is the response to send.
std::optional<Body> ParseBody(const std::string& text, bool need_name, HttpResponse* error) {
  auto fail = [&](std::string m) {
    *error = HttpResponse::Error(Status::InvalidArgument(std::move(m)));
    return std::nullopt;
  };
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  if (parser.parse(text).get(obj) != simdjson::SUCCESS) {
    return fail("the body must be a JSON object with \"definition\" (text) or \"tree\"");
  }
  Body body;
  std::string_view s;
  simdjson::dom::element e;
  for (auto field : obj) {
    if (field.key != "name" && field.key != "description" && field.key != "definition" &&
        field.key != "tree") {
      return fail("unknown field " + JsonString(field.key) +
                  " (fields: name, description, definition, tree)");
    }
  }
  if (obj["name"].get(e) == simdjson::SUCCESS) {
    if (e.get(s) != simdjson::SUCCESS || !IsAudienceName(s)) {
      return fail("\"name\" must be 1 to 64 characters of a-z, 0-9 and _, starting with a letter");
    }
    body.name = std::string(s);
  } else if (need_name) {
    return fail("\"name\" is required");
  }
  if (obj["description"].get(e) == simdjson::SUCCESS) {
    if (e.get(s) != simdjson::SUCCESS || s.size() > kMaxDescriptionBytes) {
      return fail("\"description\" must be a string of at most 1024 bytes");
    }
    body.description = std::string(s);
  }
  simdjson::dom::element def, tree;
  const bool has_def = obj["definition"].get(def) == simdjson::SUCCESS;
  const bool has_tree = obj["tree"].get(tree) == simdjson::SUCCESS;
  if (has_def == has_tree) {
    return fail("give exactly one of \"definition\" (the audience language) and \"tree\"");
  }
  ParseError at;
  Result<Node> root = Status::OK();
  if (has_def) {
    if (def.get(s) != simdjson::SUCCESS) return fail("\"definition\" must be a string");
    root = ParseAudience(s, &at);
  } else {
    root = AudienceFromJson(simdjson::minify(tree));
  }
  if (!root.ok()) {
    *error = DefinitionError(root.status(), at);
    return std::nullopt;
  }
  body.root = std::move(*root);
  return body;
}

Result<size_t> Limit(const HttpRequest& req) {
  auto text = req.Query("limit");
  if (!text) return size_t{100};
  size_t v = 0;
  auto [p, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc() || p != text->data() + text->size() || v < 1 || v > 1000) {
    return Status::InvalidArgument("limit: \"" + *text + "\" must be an integer from 1 to 1000");
  }
  return v;
}

bool ReadsComputed(const Node& n, std::string_view name) {
  if (n.kind == Node::Kind::kCompare && n.compare.scope == CompareScope::kComputed &&
      n.compare.clause.path == name) {
    return true;
  }
  return std::any_of(n.children.begin(), n.children.end(),
                     [&](const Node& c) { return ReadsComputed(c, name); });
}

}  // namespace

Result<std::vector<AudienceDef>> AudiencesApi::Load(ControlStore* control) {
  ASSIGN_OR_RETURN(auto stored, control->ListAudiences());
  std::vector<AudienceDef> out;
  for (const StoredAudience& a : stored) {
    auto root = AudienceFromJson(a.definition);
    if (!root.ok()) {
      spdlog::error("audience \"{}\" is not valid and is ignored: {}", a.name,
                    root.status().ToString());
      continue;
    }
    out.push_back({a.id, a.name, a.description, std::move(*root)});
  }
  return out;
}

Result<std::optional<std::string>> AudiencesApi::ComputedTraitUser(ControlStore* control,
                                                                   std::string_view name) {
  ASSIGN_OR_RETURN(auto audiences, Load(control));
  for (const AudienceDef& a : audiences) {
    if (ReadsComputed(a.root, name)) return std::optional<std::string>(a.name);
  }
  return std::optional<std::string>();
}

std::string AudiencesApi::AudienceJson(const StoredAudience& a, const Node& root) const {
  std::string out = "{\"id\":" + std::to_string(a.id) + ",\"name\":";
  AppendJsonString(&out, a.name);
  out += ",\"description\":";
  AppendJsonString(&out, a.description);
  out += ",\"definition\":";
  AppendJsonString(&out, FormatAudience(root));
  out += ",\"tree\":" + AudienceToJson(root) + ",\"createdAt\":";
  AppendJsonString(&out, FormatIso8601(a.created_at_us));
  const char* phase = "computing";
  double progress = 0;
  int64_t size = 0;
  for (const auto& s : engine_->Statuses()) {
    if (s.id != a.id) continue;
    size = s.size;
    if (s.phase == AudienceEngine::Phase::kLive) {
      phase = "live";
      progress = 1;
    } else if (s.phase == AudienceEngine::Phase::kScanning) {
      phase = "evaluating";
      auto next = pipeline_->store()->NextProfileId();
      const double total = next.ok() && *next > 1 ? static_cast<double>(*next - 1) : 1;
      progress = std::min(0.99, static_cast<double>(s.scanned) / total);
    }
  }
  out += ",\"status\":\"" + std::string(phase) + "\",\"progress\":";
  AppendJsonNumber(progress, &out);
  out += ",\"size\":" + std::to_string(size) + ",\"destinations\":[";
  auto links = control_->ListAudienceDestinations();
  bool first = true;
  if (links.ok()) {
    for (const auto& [audience, destination] : *links) {
      if (audience != a.name) continue;
      if (!first) out += ',';
      first = false;
      AppendJsonString(&out, destination);
    }
  }
  return out + "]}";
}

void AudiencesApi::List(HttpRequest&, Responder respond) {
  auto stored = control_->ListAudiences();
  if (!stored.ok()) return respond(HttpResponse::Error(stored.status()));
  std::string out = "{\"audiences\":[";
  bool first = true;
  for (const StoredAudience& a : *stored) {
    auto root = AudienceFromJson(a.definition);
    if (!root.ok()) continue;
    if (!first) out += ',';
    first = false;
    out += AudienceJson(a, *root);
  }
  respond(HttpResponse::Json(200, out + "]}"));
}

void AudiencesApi::Create(HttpRequest& req, Responder respond) {
  HttpResponse error;
  auto body = ParseBody(req.body, true, &error);
  if (!body) return respond(std::move(error));
  auto saved = Load(control_);
  if (!saved.ok()) return respond(HttpResponse::Error(saved.status()));
  auto computed = ProfilesApi::LoadDefinitions(control_);
  if (!computed.ok()) return respond(HttpResponse::Error(computed.status()));
  AudienceDef def{0, body->name, body->description, body->root};
  ParseError at;
  Status check = CheckAudience(def, *saved, *computed, &at);
  if (!check.ok()) return respond(DefinitionError(check, at));
  auto stored = control_->CreateAudience(body->name, body->description, AudienceToJson(body->root),
                                         clock_->NowMicros());
  if (!stored.ok()) return respond(HttpResponse::Error(stored.status()));
  pipeline_->DefinitionsChanged();
  respond(HttpResponse::Json(201, AudienceJson(*stored, body->root)));
}

void AudiencesApi::Get(HttpRequest& req, Responder respond) {
  auto stored = control_->ListAudiences();
  if (!stored.ok()) return respond(HttpResponse::Error(stored.status()));
  for (const StoredAudience& a : *stored) {
    if (a.name != req.params["name"]) continue;
    auto root = AudienceFromJson(a.definition);
    if (!root.ok()) return respond(HttpResponse::Error(root.status()));
    return respond(HttpResponse::Json(200, AudienceJson(a, *root)));
  }
  respond(
      HttpResponse::Error(Status::NotFound("no audience named " + JsonString(req.params["name"]))));
}

void AudiencesApi::History(HttpRequest& req, Responder respond) {
  constexpr int64_t kDayUs = 86'400'000'000;
  const std::string& name = req.params["name"];
  int64_t days = 90;
  if (auto text = req.Query("days")) {
    auto [p, ec] = std::from_chars(text->data(), text->data() + text->size(), days);
    if (ec != std::errc() || p != text->data() + text->size() || days < 1 ||
        days > static_cast<int64_t>(AudienceEngine::kHistoryDays)) {
      return respond(HttpResponse::Error(Status::InvalidArgument(fmt::format(
          "days: \"{}\" must be an integer from 1 to {}", *text, AudienceEngine::kHistoryDays))));
    }
  }
  std::optional<AudienceEngine::AudienceStatus> status;
  for (auto& s : engine_->Statuses()) {
    if (s.name == name) status = std::move(s);
  }
  if (!status)
    return respond(HttpResponse::Error(Status::NotFound("no audience named " + JsonString(name))));
  const auto history = engine_->History(status->id);
  const int64_t today = clock_->NowMicros() / kDayUs;
  // Sizes at the end of each day, from today's back: a day's size is the next day's minus that
  // next day's net change.
  std::vector<int64_t> sizes(static_cast<size_t>(days));
  int64_t size = status->size;
  for (int64_t i = days - 1; i >= 0; --i) {
    sizes[static_cast<size_t>(i)] = std::max<int64_t>(size, 0);
    auto it = history.find(today - (days - 1 - i));
    if (it != history.end()) {
      size -= static_cast<int64_t>(it->second.entered) - static_cast<int64_t>(it->second.exited);
    }
  }
  std::string out = "{\"audience\":" + JsonString(name) + ",\"days\":[";
  for (int64_t i = 0; i < days; ++i) {
    const int64_t day = today - (days - 1 - i);
    auto it = history.find(day);
    const AudienceEngine::DayCount c =
        it == history.end() ? AudienceEngine::DayCount{} : it->second;
    out += fmt::format(R"({}{{"day":"{}","entered":{},"exited":{},"size":{}}})", i ? "," : "",
                       FormatIso8601(day * kDayUs).substr(0, 10), c.entered, c.exited,
                       sizes[static_cast<size_t>(i)]);
  }
  respond(HttpResponse::Json(200, out + "]}"));
}

void AudiencesApi::Delete(HttpRequest& req, Responder respond) {
  const std::string& name = req.params["name"];
  auto saved = Load(control_);
  if (!saved.ok()) return respond(HttpResponse::Error(saved.status()));
  for (const AudienceDef& a : *saved) {
    std::function<bool(const Node&)> reads = [&](const Node& n) {
      if (n.kind == Node::Kind::kInAudience && n.name == name) return true;
      return std::any_of(n.children.begin(), n.children.end(), reads);
    };
    if (a.name != name && reads(a.root)) {
      return respond(HttpResponse::Error(
          409, "conflict",
          "audience " + JsonString(a.name) + " reads " + JsonString(name) + ": delete it first"));
    }
  }
  Status s = control_->DeleteAudience(name);
  if (!s.ok()) return respond(HttpResponse::Error(s));
  pipeline_->DefinitionsChanged();
  respond(HttpResponse::Json(200, "{\"deleted\":true}"));
}

void AudiencesApi::Members(HttpRequest& req, Responder respond) {
  auto limit = Limit(req);
  if (!limit.ok()) return respond(HttpResponse::Error(limit.status()));
  uint64_t after = 0;
  if (auto cursor = req.Query("after")) {
    auto id = ParseProfileId(*cursor);
    if (!id) {
      return respond(HttpResponse::Error(Status::InvalidArgument(
          "after: \"" + *cursor + "\" is not a profile id (they look like \"p42\")")));
    }
    after = *id;
  }
  auto stored = control_->ListAudiences();
  if (!stored.ok()) return respond(HttpResponse::Error(stored.status()));
  auto it = std::find_if(stored->begin(), stored->end(),
                         [&](const StoredAudience& a) { return a.name == req.params["name"]; });
  if (it == stored->end()) {
    return respond(HttpResponse::Error(
        Status::NotFound("no audience named " + JsonString(req.params["name"]))));
  }
  std::vector<std::pair<uint64_t, int64_t>> rows;
  Status s = pipeline_->store()->ListMembers(it->id, after, *limit + 1, &rows);
  if (!s.ok()) return respond(HttpResponse::Error(s));
  const bool more = rows.size() > *limit;
  if (more) rows.resize(*limit);
  std::string out = "{\"members\":[";
  for (size_t i = 0; i < rows.size(); ++i) {
    if (i) out += ',';
    out += "{\"id\":";
    AppendJsonString(&out, ProfileIdText(rows[i].first));
    out += ",\"since\":";
    AppendJsonString(&out, FormatIso8601(rows[i].second));
    out += '}';
  }
  out += "],\"next\":";
  if (more) {
    AppendJsonString(&out, ProfileIdText(rows.back().first));
  } else {
    out += "null";
  }
  respond(HttpResponse::Json(200, out + "}"));
}

void AudiencesApi::SetDestinations(HttpRequest& req, Responder respond) {
  if (!catalog_ || !sync_) {
    return respond(HttpResponse::Error(Status::Unavailable("destinations are not available")));
  }
  simdjson::dom::parser parser;
  simdjson::dom::array list;
  if (parser.parse(req.body)["destinations"].get(list) != simdjson::SUCCESS) {
    return respond(HttpResponse::Error(
        Status::InvalidArgument("the body must be {\"destinations\": [names of destinations]}")));
  }
  std::vector<std::string> names;
  for (simdjson::dom::element e : list) {
    std::string_view name;
    if (e.get(name) != simdjson::SUCCESS) {
      return respond(HttpResponse::Error(
          Status::InvalidArgument("\"destinations\" must hold destination names (strings)")));
    }
    if (!catalog_->Get(name)) {
      return respond(HttpResponse::Error(
          Status::InvalidArgument("there is no destination " + JsonString(name))));
    }
    names.emplace_back(name);
  }
  Status s = control_->SetAudienceDestinations(req.params["name"], names);
  if (!s.ok()) return respond(HttpResponse::Error(s));
  s = sync_->Reload();
  if (!s.ok()) return respond(HttpResponse::Error(s));
  Get(req, std::move(respond));
}

void AudiencesApi::Preview(HttpRequest& req, Responder respond) {
  HttpResponse error;
  auto body = ParseBody(req.body, false, &error);
  if (!body) return respond(std::move(error));
  PreviewOptions options;
  auto saved = Load(control_);
  if (!saved.ok()) return respond(HttpResponse::Error(saved.status()));
  auto computed = ProfilesApi::LoadDefinitions(control_);
  if (!computed.ok()) return respond(HttpResponse::Error(computed.status()));
  ParseError at;
  Status check = CheckAudience({UINT64_MAX, "_preview", "", body->root}, *saved, *computed, &at);
  if (!check.ok()) return respond(DefinitionError(check, at));
  options.saved = std::move(*saved);
  options.computed = std::move(*computed);
  for (const auto& d : pipeline_->Definitions()) {
    if (d.ready && !d.def.name.empty() && d.def.name[0] == '_')
      options.kept_hidden.insert(d.def.name);
  }
  options.now_us = clock_->NowMicros();
  auto result = PreviewAudience(body->root, *pipeline_->store(), options);
  if (!result.ok()) return respond(HttpResponse::Error(result.status()));
  std::string out = "{\"size\":" + std::to_string(result->size) +
                    ",\"evaluated\":" + std::to_string(result->evaluated) +
                    ",\"estimate\":" + (result->estimate ? "true" : "false") + ",\"examples\":[";
  for (size_t i = 0; i < result->examples.size(); ++i) {
    if (i) out += ',';
    AppendJsonString(&out, ProfileIdText(result->examples[i]));
  }
  out += "],\"definition\":";
  AppendJsonString(&out, FormatAudience(body->root));
  respond(HttpResponse::Json(200, out + "}"));
}

}  // namespace rapport
