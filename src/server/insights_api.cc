#include "server/insights_api.h"

#include <chrono>
#include <cstdio>

#include "common/json_writer.h"
#include "common/time_format.h"
#include "insight/run.h"

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
  std::thread last;
  {
    std::lock_guard lock(mu_);
    last = std::move(thread_);
  }
  if (last.joinable()) last.join();  // without the lock: a running apply takes it at its end
}

void InsightsApi::Apply(HttpRequest& req, Responder respond) {
  std::lock_guard lock(mu_);
  if (running_) {
    return respond(HttpResponse::Error(
        Status::AlreadyExists("scores are being written by another run; try again when it ends")));
  }
  if (thread_.joinable()) thread_.join();  // finished: it cleared running_ before answering
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
  const int64_t now = clock_->NowMicros();
  warehouse::QueryOptions options;
  options.now_us = now;
  ASSIGN_OR_RETURN(const insight::ProfileScores scores,
                   insight::ScoresFor(*warehouse_->Snapshot(), kind, body, options));
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
  for (const auto& [profile, traits] : scores.profiles) {
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
    batch += ",\"traits\":" + traits + ",\"timestamp\":";
    AppendJsonString(&batch, stamp);
    batch += ",\"messageId\":";
    AppendJsonString(&batch, kind + "-" + std::to_string(now) + "-" + std::to_string(profile));
    batch += ",\"context\":{\"library\":{\"name\":\"rapport-insight\"}}}";
    if (++in_batch == kBatch) RETURN_IF_ERROR(flush());
  }
  RETURN_IF_ERROR(flush());
  std::string names = "[";
  for (size_t i = 0; i < scores.traits.size(); ++i) {
    if (i) names += ',';
    AppendJsonString(&names, scores.traits[i]);
  }
  names += ']';
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  char took[32];
  std::snprintf(took, sizeof took, "%.3f", ms);
  std::string out = "{\"kind\":";
  AppendJsonString(&out, kind);
  return out + ",\"profiles\":" + std::to_string(written) +
         ",\"skipped\":" + std::to_string(skipped) + ",\"traits\":" + names +
         ",\"took_ms\":" + took + "}";
}

}  // namespace rapport
