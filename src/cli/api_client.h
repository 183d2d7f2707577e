// ApiClient: the blocking HTTP/1.1 client the CLI's server commands (`rapport import`,
// `rapport query`) talk to `rapport serve` with — one keep-alive connection, a bearer token,
// one reconnect when the connection drops. Plain http only. Not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "common/status.h"

namespace rapport::cli {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

struct Url {
  std::string host;
  std::string port;
  std::string base;  // path prefix without a trailing '/'
  std::string text;  // as given, for messages
};

// "http://host:port[/base]" (or "host:port"); kInvalidArgument naming --server otherwise.
Result<Url> ParseUrl(std::string text);

struct Response {
  int status = 0;
  std::string body;
  int64_t retry_after_s = -1;
};

// A blocking keep-alive HTTP/1.1 client on one connection; reconnects when it drops.
class ApiClient {
 public:
  ApiClient(Url url, std::string token, std::string user_agent)
      : url_(std::move(url)), token_(std::move(token)), user_agent_(std::move(user_agent)) {}

  const Url& url() const { return url_; }

  // kUnavailable when the server cannot be reached (after one reconnect). A POST's body is sent
  // with `content_type`.
  Result<Response> Send(http::verb verb, const std::string& path, const std::string& body,
                        const std::string& content_type = "application/json");

 private:
  beast::error_code Connect();

  Url url_;
  std::string token_;
  std::string user_agent_;
  asio::io_context ioc_;
  std::optional<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
};

// The "message" of an API error body, else the body itself (shortened).
std::string ErrorMessage(const Response& r);

// What a server command makes of an answer: exit 0 for a 200; 3 when the server cannot be
// reached or refuses the token (401, 403); 1 for any other refusal; with the message to print.
struct Outcome {
  int exit_code = 0;
  std::string message;
};
Outcome JudgeAnswer(const Result<Response>& r);

// Where a server command talks to and with which token: --server (else DefaultServerUrl of
// --config) and --token (else RAPPORT_TOKEN). kInvalidArgument (a usage error) saying what is
// wrong or missing; `roles` names the roles that may run the command, for that message.
struct ServerTarget {
  Url url;
  std::string token;
};
Result<ServerTarget> ResolveServerTarget(const std::string& server, const std::string& config_file,
                                         const std::string& token, std::string_view roles);

// The whole of file `path`, or of stdin for "-"; kInvalidArgument naming `flag` when unreadable.
Result<std::string> ReadFileOrStdin(const std::string& path, std::string_view flag);

// "http://" + the [server] http setting of the config file (`config_file`, else RAPPORT_CONFIG)
// and the environment: where `rapport serve` listens with the same settings.
Result<std::string> DefaultServerUrl(const std::string& config_file);

}  // namespace rapport::cli
