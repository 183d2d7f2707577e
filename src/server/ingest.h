// IngestService: the Segment Tracking API endpoints (/v1/track … /v1/batch, /v1/import).
// Authenticates the write key, parses and validates the body, drops duplicate messageIds,
// appends the events to the log and answers 200 only after the log's fsync covered them.
// Storage trouble answers 503 with Retry-After and leaves nothing half-stored. Requests refused
// for what they hold (bad input, key, size) are kept in rejections() for the console. Thread-safe.
#pragma once

#include "collect/dedup.h"
#include "collect/request_parser.h"
#include "common/clock.h"
#include "common/metrics.h"
#include "log/event_log.h"
#include "server/auth.h"
#include "server/event_hub.h"
#include "server/http_types.h"
#include "server/rejections.h"

namespace rapport {

// Partition of an event: by anonymousId when present (so a device's events stay in order
// before and after identify), else by userId.
int PartitionFor(const NormalizedEvent& event, int partitions);

class IngestService {
 public:
  IngestService(EventLog* log, Deduplicator* dedup, Authenticator* auth, EventHub* hub,
                Registry* metrics, Clock* clock, CollectLimits limits = {});

  // The Segment endpoints: the source is the write key's (Basic header or body `writeKey`).
  void Handle(Endpoint endpoint, HttpRequest& req, Responder respond);
  // POST /api/v1/sources/{source}/batch: a `/v1/batch` body sent with an API token (imports,
  // the console) into the source named by id or name; a body `writeKey` is ignored.
  void HandleForSource(HttpRequest& req, Responder respond);
  // The same as a `/v1/batch` body sent into `source`, for in-process producers (imports):
  // blocks until the events are durable (OK) or refused (the error an HTTP client would get).
  // Must not be called on an HTTP I/O thread or the log's writer thread.
  Status IngestBatch(const Source& source, const std::string& body);
  const RejectionLog& rejections() const { return rejections_; }

 private:
  using Done = std::function<void(const Status&)>;
  static Done Answer(Responder respond);  // OK → 200 {"success":true}; else the error
  void Store(const Source& source, std::vector<NormalizedEvent> parsed, int64_t received_at,
             Done done);
  struct Appending;  // a request's events between Store and the log's answer
  // On the log's writer thread: publish, mark durable, answer, queue the index commit.
  void Stored(Appending& a, const Status& status, const std::vector<uint64_t>& offsets);
  Result<ParsedRequest> Parse(Endpoint endpoint, const HttpRequest& req, int64_t received_at);
  // Answers the error, counts it, and keeps it in rejections_ (`source`: null when unknown).
  void Reject(const Status& status, const HttpRequest& req, const Source* source,
              Responder& respond);
  Counter* Rejected(StatusCode code);

  EventLog* log_;
  Deduplicator* dedup_;
  Authenticator* auth_;
  EventHub* hub_;
  Clock* clock_;
  CollectLimits limits_;
  Counter* accepted_;
  Counter* duplicates_;
  Counter* bytes_;
  Registry* metrics_;
  RejectionLog rejections_;
};

}  // namespace rapport
