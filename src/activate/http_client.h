// HttpConnection: one keep-alive HTTP/1.1 client connection (plain TCP, or TLS with the peer's
// certificate and host name verified) to a webhook's host, on Boost.Beast. One request at a
// time; every step (resolve, connect, handshake, write, read) runs under the request's deadline.
// Internal to activate: all calls and callbacks happen on the executor (a lane's strand) given
// at construction, so it needs no lock.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ssl/context.hpp>

#include "activate/destination_def.h"

namespace rapport {

struct HttpCall {
  std::string method;  // "POST", "PUT"
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct HttpAnswer {
  int status = 0;            // 0: no HTTP answer (see error)
  std::string error;         // what went wrong when status == 0
  std::string retry_after;   // the Retry-After header, if any
  std::string body_excerpt;  // the start of the response body (for error messages)
  // A reused keep-alive connection failed before any byte of an answer (the server had closed
  // it): the request may be sent again at once on a new connection.
  bool stale = false;
};

inline constexpr size_t kMaxResponseBodyBytes = 1 << 20;
inline constexpr size_t kBodyExcerptBytes = 200;

class HttpConnection {
 public:
  using Clock = std::chrono::steady_clock;

  // `tls` is the client context for https:// URLs (nullptr for http://); it must outlive this.
  HttpConnection(boost::asio::any_io_executor executor, boost::asio::ssl::context* tls,
                 WebhookUrl url);
  ~HttpConnection();

  // Sends `call` (connecting first when not connected) and calls `done` on the executor.
  void Send(std::shared_ptr<const HttpCall> call, Clock::time_point deadline,
            std::function<void(HttpAnswer)> done);
  // Closes the socket; a request in progress finishes with an error.
  void Close();
  // Closes the socket and drops the callback of a request in progress (it will not be called):
  // for a sender that is going away.
  void Abandon();
  // Connected, and the last answer allows another request.
  bool reusable() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;  // shared with the handlers of a request in progress
};

}  // namespace rapport
