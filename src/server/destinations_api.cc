#include "server/destinations_api.h"

#include <simdjson.h>

#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "common/json_writer.h"
#include "common/time_format.h"

namespace rapport {
namespace {

constexpr size_t kMaxReplayIds = 1000;

Status NoDestination(std::string_view name) {
  return Status::NotFound(fmt::format("no destination named \"{}\"", name));
}

Result<uint64_t> ParseId(std::string_view field, std::string_view text) {
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || p != text.data() + text.size()) {
    return Status::InvalidArgument(
        fmt::format("{}: \"{}\" is not a dead-letter id (a whole number)", field, text));
  }
  return v;
}

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

std::string Ms(double v) { return fmt::format("{}", std::round(v * 1000) / 1000); }

// "****" and the last four characters of a long value, so a person can tell which one is set.
std::string Masked(const std::string& value) {
  return value.size() >= 12 ? "****" + value.substr(value.size() - 4) : "****";
}

}  // namespace

std::string DestinationsApi::HealthJson(const std::string& name) const {
  auto stats = outbox_->Stats(name);
  std::optional<DestinationHealth> lane = dispatcher_->Health(name);
  OutboxStats s = stats.ok() ? *stats : OutboxStats{};
  DestinationHealth h = lane ? *lane : DestinationHealth{};
  std::string out = "{\"state\":";
  AppendJsonString(&out, lane ? h.state : "stopped");
  out += fmt::format(
      ",\"queued\":{},\"inFlight\":{},\"delivered\":{},\"failedAttempts\":{},\"deadLetters\":{},"
      "\"deadLettered\":{},\"oldestQueuedAt\":",
      s.queued, s.in_flight, s.delivered, s.failed_attempts, s.dead_letters, s.dead_lettered);
  AppendJsonTimeOrNull(s.oldest_queued_us, &out);
  out += fmt::format(",\"latencyMs\":{{\"p50\":{},\"p90\":{},\"p99\":{},\"samples\":{}}}",
                     Ms(s.latency_p50_ms), Ms(s.latency_p90_ms), Ms(s.latency_p99_ms),
                     s.latency_samples);
  out += fmt::format(",\"consecutiveFailures\":{},\"lastError\":", h.consecutive_failures);
  if (h.last_error.empty()) {
    out += "null";
  } else {
    AppendJsonString(&out, h.last_error);
  }
  out += ",\"lastErrorAt\":";
  AppendJsonTimeOrNull(h.last_error_us, &out);
  out += ",\"lastSuccessAt\":";
  AppendJsonTimeOrNull(h.last_success_us, &out);
  out += ",\"downSince\":";
  AppendJsonTimeOrNull(h.down_since_us, &out);
  out += '}';
  return out;
}

std::string DestinationsApi::DestinationJson(const DestinationDef& def, bool reveal) const {
  DestinationDef shown = def;
  if (!reveal) {
    for (auto& [name, value] : shown.headers) value = Masked(value);
  }
  return "{\"definition\":" + ToJson(shown, reveal) + ",\"health\":" + HealthJson(def.name) + "}";
}

void DestinationsApi::List(HttpRequest&, Responder respond) {
  std::string out = "{\"destinations\":[";
  bool first = true;
  for (const DestinationDef& def : catalog_->List()) {
    if (!first) out += ',';
    first = false;
    out += DestinationJson(def, false);
  }
  out += "]}";
  respond(HttpResponse::Json(200, std::move(out)));
}

void DestinationsApi::Create(HttpRequest& req, Responder respond) {
  auto def = catalog_->Create(req.body);
  if (!def.ok()) return respond(HttpResponse::Error(def.status()));
  respond(HttpResponse::Json(201, DestinationJson(*def, true)));
}

void DestinationsApi::Get(HttpRequest& req, Responder respond) {
  const std::string& name = req.params["name"];
  std::optional<DestinationDef> def = catalog_->Get(name);
  if (!def) return respond(HttpResponse::Error(NoDestination(name)));
  respond(HttpResponse::Json(200, DestinationJson(*def, false)));
}

void DestinationsApi::Delete(HttpRequest& req, Responder respond) {
  Status s = catalog_->Delete(req.params["name"]);
  if (!s.ok()) return respond(HttpResponse::Error(s));
  respond(HttpResponse::Json(200, "{\"deleted\":true}"));
}

void DestinationsApi::Test(HttpRequest& req, Responder respond) {
  const std::string& name = req.params["name"];
  if (!catalog_->Get(name)) return respond(HttpResponse::Error(NoDestination(name)));
  auto sent = catalog_->SendTest(name);
  if (!sent.ok()) return respond(HttpResponse::Error(sent.status()));
  std::string out = fmt::format("{{\"enqueued\":true,\"id\":{},\"idempotencyKey\":", sent->id);
  AppendJsonString(&out, sent->idempotency_key);
  out += ",\"body\":";
  AppendJsonString(&out, sent->body);
  out += '}';
  respond(HttpResponse::Json(202, std::move(out)));
}

void DestinationsApi::DeadLetters(HttpRequest& req, Responder respond) {
  const std::string& name = req.params["name"];
  if (!catalog_->Get(name)) return respond(HttpResponse::Error(NoDestination(name)));
  auto limit = Limit(req);
  if (!limit.ok()) return respond(HttpResponse::Error(limit.status()));
  uint64_t after = 0;
  if (auto text = req.Query("after")) {
    auto id = ParseId("after", *text);
    if (!id.ok()) return respond(HttpResponse::Error(id.status()));
    after = *id;
  }
  auto items = outbox_->ListDeadLetters(name, *limit + 1, after);
  if (!items.ok()) return respond(HttpResponse::Error(items.status()));
  const bool more = items->size() > *limit;
  if (more) items->resize(*limit);
  std::string out = "{\"deadLetters\":[";
  for (size_t i = 0; i < items->size(); ++i) {
    const OutboxItem& d = (*items)[i];
    if (i) out += ',';
    out += fmt::format("{{\"id\":{},\"idempotencyKey\":", d.id);
    AppendJsonString(&out, d.idempotency_key);
    out += ",\"profileKey\":";
    AppendJsonString(&out, d.profile_key);
    out += ",\"flow\":";
    AppendJsonString(&out, d.flow);
    out += fmt::format(",\"attempts\":{},\"lastStatus\":", d.attempts);
    out += d.last_status ? std::to_string(d.last_status) : "null";
    out += ",\"lastError\":";
    AppendJsonString(&out, d.last_error);
    out += ",\"createdAt\":";
    AppendJsonTimeOrNull(d.created_us, &out);
    out += ",\"deadAt\":";
    AppendJsonTimeOrNull(d.dead_at_us, &out);
    out += ",\"body\":";
    AppendJsonString(&out, d.body);
    out += '}';
  }
  out += "],\"next\":";
  out += more ? std::to_string(items->back().id) : "null";
  out += '}';
  respond(HttpResponse::Json(200, std::move(out)));
}

void DestinationsApi::Replay(HttpRequest& req, Responder respond) {
  const std::string& name = req.params["name"];
  if (!catalog_->Get(name)) return respond(HttpResponse::Error(NoDestination(name)));
  auto fail = [&](std::string message) {
    respond(HttpResponse::Error(Status::InvalidArgument(std::move(message))));
  };
  constexpr std::string_view kShape =
      "the body must be {\"ids\": [dead-letter ids]} or {\"all\": true}";
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  if (parser.parse(req.body).get(obj) != simdjson::SUCCESS) return fail(std::string(kShape));
  bool all = false, has_ids = false, has_all = false;
  std::vector<uint64_t> ids;
  for (auto field : obj) {
    if (field.key == "all") {
      has_all = true;
      if (field.value.get_bool().get(all) != simdjson::SUCCESS || !all) {
        return fail("\"all\" must be true (or give \"ids\" instead)");
      }
    } else if (field.key == "ids") {
      has_ids = true;
      simdjson::dom::array array;
      if (field.value.get_array().get(array) != simdjson::SUCCESS || array.size() == 0 ||
          array.size() > kMaxReplayIds) {
        return fail(
            fmt::format("\"ids\" must be an array of 1 to {} dead-letter ids", kMaxReplayIds));
      }
      for (auto e : array) {
        uint64_t id = 0;
        std::string_view text;
        if (e.get_uint64().get(id) == simdjson::SUCCESS) {
          ids.push_back(id);
        } else if (e.get_string().get(text) == simdjson::SUCCESS && ParseId("ids", text).ok()) {
          ids.push_back(*ParseId("ids", text));
        } else {
          return fail("\"ids\" must hold dead-letter ids (whole numbers), got " +
                      simdjson::minify(e));
        }
      }
    } else {
      return fail("unknown field " + JsonString(field.key) + ": " + std::string(kShape));
    }
  }
  if (has_ids == has_all) return fail(std::string(kShape));
  auto n = outbox_->Replay(name, ids, all);
  if (!n.ok()) return respond(HttpResponse::Error(n.status()));
  respond(HttpResponse::Json(200, fmt::format("{{\"replayed\":{}}}", *n)));
}

void DestinationsApi::DeleteDeadLetter(HttpRequest& req, Responder respond) {
  const std::string& name = req.params["name"];
  if (!catalog_->Get(name)) return respond(HttpResponse::Error(NoDestination(name)));
  auto id = ParseId("id", req.params["id"]);
  if (!id.ok()) return respond(HttpResponse::Error(id.status()));
  Status s = outbox_->DeleteDeadLetter(name, *id);
  if (!s.ok()) return respond(HttpResponse::Error(s));
  respond(HttpResponse::Json(200, "{\"deleted\":true}"));
}

}  // namespace rapport
