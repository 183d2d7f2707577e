#include "server/admin_api.h"

#include <map>

#include <fmt/format.h>
#include <simdjson.h>

#include "common/json_writer.h"
#include "common/time_format.h"

namespace rapport {
namespace {

// The string fields of a flat JSON object body; only `allowed` keys are accepted.
Result<std::map<std::string, std::string>> StringFields(
    const std::string& body, std::initializer_list<const char*> allowed) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (auto err = parser.parse(body).get(doc); err) {
    return Status::InvalidArgument(
        fmt::format("request body is not valid JSON: {}", simdjson::error_message(err)));
  }
  simdjson::dom::object obj;
  if (doc.get(obj)) return Status::InvalidArgument("request body must be a JSON object");
  std::map<std::string, std::string> out;
  for (auto field : obj) {
    std::string key(field.key);
    bool known = false;
    for (const char* a : allowed) known |= key == a;
    if (!known) return Status::InvalidArgument(fmt::format("unknown field \"{}\"", key));
    std::string_view value;
    if (field.value.get(value)) {
      return Status::InvalidArgument(fmt::format("{}: must be a string", key));
    }
    out[key] = std::string(value);
  }
  return out;
}

std::string SourceJson(const Source& s) {
  return fmt::format("{{\"id\":{},\"name\":{},\"createdAt\":{}}}", JsonString(s.id),
                     JsonString(s.name), JsonString(FormatIso8601(s.created_at_us)));
}

std::string TokenJson(const Token& t) {
  return fmt::format("{{\"id\":{},\"role\":{},\"name\":{},\"createdAt\":{}}}", JsonString(t.id),
                     JsonString(RoleName(t.role)), JsonString(t.name),
                     JsonString(FormatIso8601(t.created_at_us)));
}

}  // namespace

void AdminApi::ListSources(HttpRequest&, Responder respond) {
  auto sources = control_->ListSources();
  if (!sources.ok()) return respond(HttpResponse::Error(sources.status()));
  std::string body = "{\"sources\":[";
  for (size_t i = 0; i < sources->size(); ++i) body += (i ? "," : "") + SourceJson((*sources)[i]);
  respond(HttpResponse::Json(200, body + "]}"));
}

void AdminApi::CreateSource(HttpRequest& req, Responder respond) {
  auto fields = StringFields(req.body, {"name"});
  if (!fields.ok()) return respond(HttpResponse::Error(fields.status()));
  if (!fields->count("name")) {
    return respond(HttpResponse::Error(Status::InvalidArgument("name: required")));
  }
  auto created = control_->CreateSource((*fields)["name"], clock_->NowMicros());
  if (!created.ok()) return respond(HttpResponse::Error(created.status()));
  respond(HttpResponse::Json(
      201, fmt::format("{{\"id\":{},\"name\":{},\"writeKey\":{}}}", JsonString(created->item.id),
                       JsonString(created->item.name), JsonString(created->secret))));
}

void AdminApi::ListTokens(HttpRequest&, Responder respond) {
  auto tokens = control_->ListTokens();
  if (!tokens.ok()) return respond(HttpResponse::Error(tokens.status()));
  std::string body = "{\"tokens\":[";
  for (size_t i = 0; i < tokens->size(); ++i) body += (i ? "," : "") + TokenJson((*tokens)[i]);
  respond(HttpResponse::Json(200, body + "]}"));
}

void AdminApi::CreateToken(HttpRequest& req, Responder respond) {
  auto fields = StringFields(req.body, {"role", "name"});
  if (!fields.ok()) return respond(HttpResponse::Error(fields.status()));
  auto role = ParseRole((*fields)["role"]);
  if (!role.ok()) return respond(HttpResponse::Error(role.status().WithContext("role")));
  auto created = control_->CreateToken(*role, (*fields)["name"], clock_->NowMicros());
  if (!created.ok()) return respond(HttpResponse::Error(created.status()));
  respond(HttpResponse::Json(
      201, fmt::format("{{\"id\":{},\"role\":{},\"token\":{}}}", JsonString(created->item.id),
                       JsonString(RoleName(created->item.role)), JsonString(created->secret))));
}

void AdminApi::WhoAmI(HttpRequest& req, Responder respond) {
  respond(HttpResponse::Json(
      200, fmt::format("{{\"role\":{},\"tokenId\":{}}}", JsonString(RoleName(req.token->role)),
                       JsonString(req.token->id))));
}

}  // namespace rapport
