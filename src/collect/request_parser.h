// Segment HTTP Tracking API bodies (/v1/{track,identify,page,screen,group,alias,batch,import}):
// parsing (simdjson), validation and normalisation into NormalizedEvents whose `json` is the
// event as stored and read back by users. A request is accepted whole or rejected whole.
// RequestParser owns a simdjson parser and scratch buffers: NOT thread-safe, use one per thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace rapport {

enum class Endpoint { kTrack, kIdentify, kPage, kScreen, kGroup, kAlias, kBatch, kImport };

// "/v1/track" -> kTrack, ... (one trailing '/' tolerated). kNotFound naming the valid paths.
Result<Endpoint> EndpointFromPath(std::string_view path);
// kTrack -> "/v1/track", ...
std::string_view EndpointPath(Endpoint endpoint);

struct CollectLimits {
  size_t max_event_bytes = 32 * 1024;   // a single-event body, or one batch item re-minified
  size_t max_batch_bytes = 500 * 1024;  // a /v1/batch or /v1/import body
  size_t max_batch_events = 2500;       // items in one batch
  size_t max_message_id_bytes = 256;
  bool operator==(const CollectLimits&) const = default;
};

struct NormalizedEvent {
  std::string type;          // "track", "identify", "page", "screen", "group" or "alias"
  std::string message_id;    // the client's, or a new UUID v4 when missing or empty
  std::string user_id;       // as text ("" when absent); a number becomes its decimal text
  std::string anonymous_id;  // likewise
  int64_t timestamp_us = 0;  // corrected event time (see README.md), microseconds UTC
  int64_t received_at_us = 0;
  std::string json;  // the event as stored: one minified JSON object
};

struct ParsedRequest {
  std::string write_key;  // the body's "writeKey" ("" if none); never left in `events[i].json`
  std::vector<NormalizedEvent> events;
};

class RequestParser {
 public:
  explicit RequestParser(CollectLimits limits = {});
  ~RequestParser();
  RequestParser(const RequestParser&) = delete;
  RequestParser& operator=(const RequestParser&) = delete;

  // Errors: kInvalidArgument (HTTP 400) for malformed or invalid input, kTooLarge (HTTP 413) over
  // a limit; the message names the first bad item and field. `received_at_us` is the server clock.
  Result<ParsedRequest> Parse(Endpoint endpoint, std::string_view body, int64_t received_at_us);

  const CollectLimits& limits() const { return limits_; }

 private:
  struct Impl;  // keeps simdjson.h out of this header
  CollectLimits limits_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rapport
