#include "server/dashboards_api.h"

#include <simdjson.h>

#include <string>
#include <string_view>

#include <fmt/format.h>

#include "common/json_writer.h"
#include "common/time_format.h"

namespace rapport {
namespace {

struct Body {
  std::string name;
  std::string tiles;  // minified JSON array
};

// Characters of valid UTF-8 (simdjson has validated it): bytes that do not continue one.
size_t CharCount(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

Status Bad(std::string message) { return Status::InvalidArgument(std::move(message)); }

Result<std::string> Tile(simdjson::dom::element element, size_t i) {
  const std::string at = fmt::format("tiles[{}]", i);
  simdjson::dom::object tile;
  if (element.get_object().get(tile) != simdjson::SUCCESS) {
    return Bad(at + ": must be an object {\"title\", \"query\", \"view\"}");
  }
  std::string_view title;
  std::string query;
  std::string view;
  for (auto field : tile) {
    if (field.key == "title") {
      if (field.value.get_string().get(title) != simdjson::SUCCESS) {
        return Bad(at + ".title: must be a string");
      }
    } else if (field.key == "query") {
      simdjson::dom::object q;
      std::string_view kind;
      if (field.value.get_object().get(q) != simdjson::SUCCESS ||
          q["kind"].get_string().get(kind) != simdjson::SUCCESS || kind.empty()) {
        return Bad(at +
                   ".query: must be a query object with a \"kind\" (the body of POST "
                   "/api/v1/query)");
      }
      query = simdjson::minify(field.value);
      if (query.size() > DashboardsApi::kMaxQueryBytes) {
        return Bad(fmt::format("{}.query: {} bytes is over the limit of {}", at, query.size(),
                               DashboardsApi::kMaxQueryBytes));
      }
    } else if (field.key == "view") {
      if (!field.value.is_object()) return Bad(at + ".view: must be an object");
      view = simdjson::minify(field.value);
      if (view.size() > DashboardsApi::kMaxViewBytes) {
        return Bad(fmt::format("{}.view: {} bytes is over the limit of {}", at, view.size(),
                               DashboardsApi::kMaxViewBytes));
      }
    } else {
      return Bad(fmt::format("{}: unknown field {} (a tile has title, query and view)", at,
                             JsonString(field.key)));
    }
  }
  const size_t chars = CharCount(title);
  if (chars == 0 || chars > DashboardsApi::kMaxTitleChars) {
    return Bad(
        fmt::format("{}.title: needs 1 to {} characters", at, DashboardsApi::kMaxTitleChars));
  }
  if (query.empty()) return Bad(at + ".query: missing (the body of POST /api/v1/query)");
  std::string out = "{\"title\":" + JsonString(title) + ",\"query\":" + query;
  if (!view.empty()) out += ",\"view\":" + view;
  return out + "}";
}

Result<Body> ParseBody(std::string_view text) {
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  if (parser.parse(text.data(), text.size()).get(obj) != simdjson::SUCCESS) {
    return Bad("the body must be a JSON object {\"name\", \"tiles\"}");
  }
  Body body;
  bool has_name = false;
  bool has_tiles = false;
  for (auto field : obj) {
    if (field.key == "name") {
      std::string_view name;
      if (field.value.get_string().get(name) != simdjson::SUCCESS) {
        return Bad("name: must be a string");
      }
      const size_t chars = CharCount(name);
      if (chars == 0 || chars > DashboardsApi::kMaxNameChars) {
        return Bad(fmt::format("name: needs 1 to {} characters", DashboardsApi::kMaxNameChars));
      }
      body.name = std::string(name);
      has_name = true;
    } else if (field.key == "tiles") {
      simdjson::dom::array tiles;
      if (field.value.get_array().get(tiles) != simdjson::SUCCESS) {
        return Bad("tiles: must be an array");
      }
      if (tiles.size() > DashboardsApi::kMaxTiles) {
        return Bad(fmt::format("tiles: {} tiles is over the limit of {}", tiles.size(),
                               DashboardsApi::kMaxTiles));
      }
      body.tiles = "[";
      size_t i = 0;
      for (auto element : tiles) {
        auto tile = Tile(element, i);
        if (!tile.ok()) return tile.status();
        if (i++ > 0) body.tiles += ',';
        body.tiles += *tile;
      }
      body.tiles += ']';
      has_tiles = true;
    } else {
      return Bad(
          fmt::format("unknown field {} (a dashboard has name and tiles)", JsonString(field.key)));
    }
  }
  if (!has_name) return Bad("name: missing");
  if (!has_tiles) body.tiles = "[]";
  return body;
}

void AppendDashboard(std::string* out, const StoredDashboard& d) {
  *out += "{\"id\":";
  AppendJsonString(out, d.id);
  *out += ",\"name\":";
  AppendJsonString(out, d.name);
  *out += ",\"tiles\":";
  *out += d.tiles;
  *out += ",\"createdAt\":";
  AppendJsonTime(d.created_at_us, out);
  *out += ",\"updatedAt\":";
  AppendJsonTime(d.updated_at_us, out);
  *out += '}';
}

HttpResponse Answer(unsigned status, const Result<StoredDashboard>& d) {
  if (!d.ok()) return HttpResponse::Error(d.status());
  std::string out;
  AppendDashboard(&out, *d);
  return HttpResponse::Json(status, std::move(out));
}

}  // namespace

void DashboardsApi::List(HttpRequest&, Responder respond) {
  auto all = control_->ListDashboards();
  if (!all.ok()) return respond(HttpResponse::Error(all.status()));
  std::string out = "{\"dashboards\":[";
  for (size_t i = 0; i < all->size(); ++i) {
    if (i > 0) out += ',';
    AppendDashboard(&out, (*all)[i]);
  }
  respond(HttpResponse::Json(200, out + "]}"));
}

void DashboardsApi::Create(HttpRequest& req, Responder respond) {
  auto body = ParseBody(req.body);
  if (!body.ok()) return respond(HttpResponse::Error(body.status()));
  respond(Answer(201, control_->CreateDashboard(body->name, body->tiles, clock_->NowMicros())));
}

void DashboardsApi::Get(HttpRequest& req, Responder respond) {
  respond(Answer(200, control_->GetDashboard(req.params["id"])));
}

void DashboardsApi::Update(HttpRequest& req, Responder respond) {
  auto body = ParseBody(req.body);
  if (!body.ok()) return respond(HttpResponse::Error(body.status()));
  respond(Answer(200, control_->UpdateDashboard(req.params["id"], body->name, body->tiles,
                                                clock_->NowMicros())));
}

void DashboardsApi::Delete(HttpRequest& req, Responder respond) {
  Status st = control_->DeleteDashboard(req.params["id"]);
  if (!st.ok()) return respond(HttpResponse::Error(st));
  respond(HttpResponse::Json(204, ""));
}

}  // namespace rapport
