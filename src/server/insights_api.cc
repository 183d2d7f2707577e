#include "server/insights_api.h"

#include <simdjson.h>

#include <chrono>
#include <cstdio>

#include "common/json_writer.h"
#include "common/time_format.h"
#include "insight/clv_query.h"

namespace rapport {

namespace {

constexpr size_t kBatch = 500;  // identify calls per ingest batch

// The identifier an identify call can carry for this profile (following merges): its user_id,
// else an anonymous_id; nullopt when it has neither (or is gone).
std::optional<Identifier> CallerOf(const StateStore& state, uint64_t id) {
  for (int hops = 0; hops < 64; ++hops) {
    auto record = state.GetProfile(id);
    if (!record.ok() || !*record) return std::nullopt;
    const ProfileRecord& p = **record;
    if (p.merged_into != 0) {
      id = p.merged_into;
      continue;
    }
    const Identifier* anonymous = nullptr;
    for (const IdentityEntry& e : p.identities) {
      if (e.id.type == "user_id") return e.id;
      if (e.id.type == "anonymous_id" && !anonymous) anonymous = &e.id;
    }
    if (anonymous) return *anonymous;
    return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

InsightsApi::InsightsApi(warehouse::Warehouse* warehouse, const StateStore* state,
                         ControlStore* control, IngestService* ingest, Clock* clock)
    : warehouse_(warehouse), state_(state), control_(control), ingest_(ingest), clock_(clock) {}

InsightsApi::~InsightsApi() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) thread_.join();
}

void InsightsApi::Apply(HttpRequest& req, Responder respond) {
  std::lock_guard lock(mu_);
  if (running_) {
    return respond(HttpResponse::Error(
        Status::AlreadyExists("scores are being written by another run; try again when it ends")));
  }
  if (thread_.joinable()) thread_.join();
  running_ = true;
  thread_ = std::thread([this, kind = req.params["kind"], body = std::move(req.body), respond] {
    auto out = Run(kind, body);
    {
      std::lock_guard lock(mu_);
      running_ = false;
    }
    if (!out.ok()) return respond(HttpResponse::Error(out.status()));
    respond(HttpResponse::Json(200, *out));
  });
}

Result<std::string> InsightsApi::Run(const std::string& kind, const std::string& body) {
  const auto start = std::chrono::steady_clock::now();
  if (kind != "clv") {
    return Status::NotFound("there are no scores to apply for \"" + kind +
                            "\"; the insights with scores are: \"clv\"");
  }
  const std::string text = body.find_first_not_of(" \t\r\n") == std::string::npos ? "{}" : body;
  simdjson::dom::parser parser;
  simdjson::dom::object spec;
  if (parser.parse(text).get_object().get(spec) != simdjson::SUCCESS) {
    return Status::InvalidArgument("the spec must be a JSON object");
  }
  const int64_t now = clock_->NowMicros();
  warehouse::QueryOptions options;
  options.now_us = now;
  ASSIGN_OR_RETURN(const insight::ClvRun run,
                   insight::FitClv(*warehouse_->Snapshot(), spec, options));
  auto source = control_->SourceByName(kSourceName);
  if (!source.ok() && source.status().code() == StatusCode::kNotFound) {
    ASSIGN_OR_RETURN(auto created, control_->CreateSource(kSourceName, now));
    source = created.item;
  }
  if (!source.ok()) return source.status();
  const std::string stamp = FormatIso8601(now);
  size_t written = 0, skipped = 0;
  std::string batch;
  size_t in_batch = 0;
  auto flush = [&]() -> Status {
    if (in_batch == 0) return Status::OK();
    batch += "]}";
    RETURN_IF_ERROR(ingest_->IngestBatch(*source, batch));
    written += in_batch;
    batch.clear();
    in_batch = 0;
    return Status::OK();
  };
  for (size_t i = 0; i < run.customers.size(); ++i) {
    const uint64_t profile = run.customers[i].customer;
    const std::optional<Identifier> caller = CallerOf(*state_, profile);
    if (!caller) {
      ++skipped;
      continue;
    }
    batch += in_batch == 0 ? "{\"batch\":[" : ",";
    batch += "{\"type\":\"identify\",";
    AppendJsonString(&batch, caller->type == "user_id" ? "userId" : "anonymousId");
    batch += ':';
    AppendJsonString(&batch, caller->value);
    batch += ",\"traits\":" + insight::ClvTraitsJson(run, i) + ",\"timestamp\":";
    AppendJsonString(&batch, stamp);
    batch += ",\"messageId\":";
    AppendJsonString(&batch, "clv-" + std::to_string(now) + "-" + std::to_string(profile));
    batch += ",\"context\":{\"library\":{\"name\":\"rapport-insight\"}}}";
    if (++in_batch == kBatch) RETURN_IF_ERROR(flush());
  }
  RETURN_IF_ERROR(flush());
  const std::string months = std::to_string(run.spec.clv.horizon_months) + "m";
  std::string traits = "[\"p_alive\",\"churn_risk\",\"expected_purchases_" + months + "\"";
  if (!run.scores.empty()) {
    traits += ",\"expected_spend\",\"predicted_clv_" + months + "\"";
  }
  traits += "]";
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  char took[32];
  std::snprintf(took, sizeof took, "%.3f", ms);
  return "{\"kind\":\"clv\",\"profiles\":" + std::to_string(written) +
         ",\"skipped\":" + std::to_string(skipped) + ",\"traits\":" + traits +
         ",\"took_ms\":" + took + "}";
}

}  // namespace rapport
