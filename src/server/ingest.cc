#include "server/ingest.h"

#include <spdlog/spdlog.h>

#include <future>

#include "collect/envelope.h"
#include "common/crc32c.h"

namespace rapport {
namespace {

const std::string kSuccess = "{\"success\":true}";

}  // namespace

int PartitionFor(const NormalizedEvent& event, int partitions) {
  const std::string& key = event.anonymous_id.empty() ? event.user_id : event.anonymous_id;
  return static_cast<int>(crc32c::Value(key) % static_cast<uint32_t>(partitions));
}

IngestService::IngestService(EventLog* log, Deduplicator* dedup, Authenticator* auth, EventHub* hub,
                             Registry* metrics, Clock* clock, CollectLimits limits)
    : log_(log),
      dedup_(dedup),
      auth_(auth),
      hub_(hub),
      clock_(clock),
      limits_(limits),
      accepted_(metrics->GetCounter("rapport_events_accepted_total",
                                    "Events stored durably in the log.")),
      duplicates_(
          metrics->GetCounter("rapport_events_duplicate_total",
                              "Events dropped as duplicates of a messageId already stored.")),
      bytes_(metrics->GetCounter("rapport_ingest_bytes_total",
                                 "Request body bytes received by the ingest endpoints.")),
      metrics_(metrics) {
  // Every series exists from the start (at 0), so rates and alerts work before the first error.
  for (StatusCode code : {StatusCode::kInvalidArgument, StatusCode::kUnauthenticated,
                          StatusCode::kTooLarge, StatusCode::kUnavailable}) {
    Rejected(code);
  }
}

Counter* IngestService::Rejected(StatusCode code) {
  // Storage errors reach clients as "unavailable" (503); count them the same way.
  if (code == StatusCode::kNoSpace || code == StatusCode::kIOError) code = StatusCode::kUnavailable;
  return metrics_->GetCounter("rapport_events_rejected_total",
                              "Ingest requests rejected, by reason (a rejected request stores "
                              "nothing).",
                              {{"reason", std::string(StatusCodeName(code))}});
}

void IngestService::Reject(const Status& status, const HttpRequest& req, const Source* source,
                           Responder& respond) {
  Rejected(status.code())->Inc();
  rejections_.Record(clock_->NowMicros(), source ? std::string_view(source->name) : "", req.path,
                     status, req.body);
  respond(HttpResponse::Error(status));
}

void IngestService::Handle(Endpoint endpoint, HttpRequest& req, Responder respond) {
  bytes_->Inc(req.body.size());
  int64_t received_at = clock_->NowMicros();
  // A key in the header is checked before parsing, so bad keys cost no parsing.
  auto source = auth_->SourceForBasic(req.Header("authorization"));
  if (!source.ok()) return Reject(source.status(), req, nullptr, respond);
  auto parsed = Parse(endpoint, req, received_at);
  if (!parsed.ok()) return Reject(parsed.status(), req, source->get(), respond);
  if (!*source) {
    source = auth_->SourceForWriteKey(parsed->write_key);
    if (!source.ok()) return Reject(source.status(), req, nullptr, respond);
  }
  Store(**source, std::move(parsed->events), received_at, Answer(std::move(respond)));
}

void IngestService::HandleForSource(HttpRequest& req, Responder respond) {
  bytes_->Inc(req.body.size());
  int64_t received_at = clock_->NowMicros();
  auto source = auth_->SourceByIdOrName(req.params["source"]);
  if (!source.ok()) return Reject(source.status(), req, nullptr, respond);
  auto parsed = Parse(Endpoint::kBatch, req, received_at);
  if (!parsed.ok()) return Reject(parsed.status(), req, &*source, respond);
  Store(*source, std::move(parsed->events), received_at, Answer(std::move(respond)));
}

Status IngestService::IngestBatch(const Source& source, const std::string& body) {
  bytes_->Inc(body.size());
  int64_t received_at = clock_->NowMicros();
  HttpRequest req;
  req.body = body;
  auto parsed = Parse(Endpoint::kBatch, req, received_at);
  if (!parsed.ok()) {
    Rejected(parsed.status().code())->Inc();
    return parsed.status();
  }
  std::promise<Status> done;
  auto future = done.get_future();
  Store(source, std::move(parsed->events), received_at,
        [&done](const Status& s) { done.set_value(s); });
  return future.get();
}

IngestService::Done IngestService::Answer(Responder respond) {
  return [respond = std::move(respond)](const Status& s) {
    respond(s.ok() ? HttpResponse::Json(200, kSuccess) : HttpResponse::Error(s));
  };
}

Result<ParsedRequest> IngestService::Parse(Endpoint endpoint, const HttpRequest& req,
                                           int64_t received_at) {
  // One parser per I/O thread (it reuses its buffers); rebuilt if another service on this
  // thread uses other limits.
  thread_local std::unique_ptr<RequestParser> parser;
  if (!parser || !(parser->limits() == limits_)) parser = std::make_unique<RequestParser>(limits_);
  return parser->Parse(endpoint, req.body, received_at);
}

struct IngestService::Appending {
  std::vector<NormalizedEvent> events;
  std::vector<std::string_view> stored;  // JSON of the events appended (not duplicates)
  std::vector<int> partitions;           // of the appended events, in order
  std::vector<DedupKey> keys;            // claimed for them
  std::string source_id;
  int64_t received_at = 0;
  Done respond;
};

void IngestService::Store(const Source& source, std::vector<NormalizedEvent> parsed,
                          int64_t received_at, Done respond) {
  // One allocation carries everything the log's answer needs.
  auto a = std::make_shared<Appending>();
  a->events = std::move(parsed);
  thread_local std::vector<std::string_view> ids;  // reused: no allocation per request
  ids.clear();
  for (const auto& e : a->events) ids.push_back(e.message_id);
  auto claim = dedup_->Claim(source.id, ids);
  if (!claim.ok()) {
    Rejected(claim.status().code())->Inc();
    return respond(claim.status());
  }

  std::vector<LogRecord> records;
  records.reserve(a->events.size());
  a->stored.reserve(a->events.size());
  a->partitions.reserve(a->events.size());
  for (size_t i = 0; i < a->events.size(); ++i) {
    if (!claim->fresh[i]) continue;
    const NormalizedEvent& e = a->events[i];
    // The envelope's header, then the stored JSON where it is (a->events lives until the
    // log's callback): no copy of the JSON.
    LogRecord& r = records.emplace_back();
    r.partition = PartitionFor(e, log_->partitions());
    AppendEnvelopeHeader(source.id, e, &r.payload);
    r.tail = e.json;
    a->partitions.push_back(records.back().partition);
    a->stored.push_back(e.json);
  }
  duplicates_->Inc(a->events.size() - records.size());
  if (records.empty()) return respond(Status::OK());

  a->keys = std::move(claim->keys);
  a->source_id = source.id;
  a->received_at = received_at;
  a->respond = std::move(respond);
  log_->Append(std::move(records),
               [this, a = std::move(a)](const Status& status, std::vector<uint64_t> offsets) {
                 Stored(*a, status, offsets);
               });
}

void IngestService::Stored(Appending& a, const Status& status,
                           const std::vector<uint64_t>& offsets) {
  // On the log's writer thread: keep it short.
  if (!status.ok()) {
    dedup_->Release(a.keys);
    spdlog::warn("ingest: log append failed: {}", status.ToString());
    Rejected(status.code())->Inc();
    return a.respond(status.code() == StatusCode::kNoSpace
                         ? Status::NoSpace("the disk is full; retry later")
                         : Status::Unavailable("the event log cannot take writes right now (" +
                                               status.message() + "); retry later"));
  }
  accepted_->Inc(a.stored.size());
  hub_->Publish(a.source_id, a.stored);
  std::vector<std::pair<int, uint64_t>> positions;
  positions.reserve(offsets.size());
  for (size_t i = 0; i < offsets.size(); ++i) positions.emplace_back(a.partitions[i], offsets[i]);
  // The events are durable: answer now. From here a resend is a duplicate (MarkDurable); the
  // index is written in log order on its own thread, and a crash before that is covered by the
  // index replaying the log on start.
  dedup_->MarkDurable(a.keys);
  a.respond(Status::OK());
  dedup_->CommitAsync(std::move(a.keys), a.received_at, std::move(positions), [](const Status& s) {
    if (!s.ok()) {
      spdlog::error(
          "ingest: de-duplication index write failed (replayed from "
          "the log on the next start): {}",
          s.ToString());
    }
  });
}

}  // namespace rapport
