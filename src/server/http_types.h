// The HTTP request and response as handlers see them, free of Boost.Beast so handler files
// compile fast. A handler gets the request by reference (valid only during the call) and a
// Responder it must call exactly once, from any thread, possibly later (after an fsync).
// Streaming responses (Server-Sent Events) go through a StreamSink instead.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "govern/control_store.h"

namespace rapport {

struct HttpResponse {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  bool cors = false;  // sends "Access-Control-Allow-Origin: *" (ingest routes, for browser SDKs)

  static HttpResponse Json(unsigned status, std::string body);
  // {"error": code, "message": text} with the HTTP status for the Status code; 503 carries
  // Retry-After.
  static HttpResponse Error(const Status& status);
  static HttpResponse Error(unsigned http_status, std::string_view code, std::string_view message);
};

// HTTP status for a StatusCode (kInvalidArgument → 400, kNoSpace → 503, ...).
unsigned HttpStatusFor(StatusCode code);

// A response that stays open; Send() queues a chunk (thread-safe) and returns false once the
// client is gone or the server is stopping.
class StreamSink {
 public:
  virtual ~StreamSink() = default;
  virtual bool Send(std::string chunk) = 0;
  virtual bool closed() const = 0;
};

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // without the query string
  std::string query;   // after '?', raw
  std::string body;    // gunzipped when Content-Encoding was gzip
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::map<std::string, std::string> params;                 // from {name} route segments
  std::optional<Token> token;                                // set for token routes

  // The value of header `name` (lower-case), or "" when absent.
  std::string_view Header(std::string_view name) const;
  // The URL-decoded value of query parameter `key`, or nullopt.
  std::optional<std::string> Query(std::string_view key) const;

  // Set by the server: turns this request into a stream with the given response head. Call it
  // during the handler's call only: it refers to the connection without owning it.
  std::function<std::shared_ptr<StreamSink>(const HttpResponse& head)> start_stream;
};

using Responder = std::function<void(HttpResponse)>;
using Handler = std::function<void(HttpRequest&, Responder)>;

}  // namespace rapport
