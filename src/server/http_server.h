// HttpServer: HTTP/1.1 with keep-alive on Boost.Beast, one io_context run by N threads (one
// per core by default). Reads each request (body capped, gzip bodies inflated), hands it to the
// dispatch function, writes the response when the Responder fires. Stop() is graceful: stops
// accepting, lets in-flight requests finish (up to a grace period), closes idle connections and
// streams, then joins the threads. Start/Stop from one thread; dispatch runs on I/O threads.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/status.h"
#include "server/http_types.h"

namespace rapport {

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;            // 0 picks a free port; see HttpServer::port()
  int threads = 0;                 // 0: one per core
  size_t max_body_bytes = 512000;  // raw and inflated; larger bodies get 413
  // When set, the body limit of a request by method and path (instead of max_body_bytes), e.g.
  // larger for file uploads.
  std::function<size_t(std::string_view method, std::string_view path)> body_limit;
  std::chrono::seconds idle_timeout{60};
};

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, Handler dispatch);
  ~HttpServer();

  Status Start();
  uint16_t port() const;
  // Graceful stop; waits at most `grace` for in-flight requests.
  void Stop(std::chrono::milliseconds grace = std::chrono::milliseconds(10000));
  // Number of requests read whose response has not been written yet.
  int64_t in_flight() const;

  struct Impl;  // internal: the io_context, acceptor, threads and live sessions

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace rapport
