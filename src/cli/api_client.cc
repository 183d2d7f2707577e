#include "cli/api_client.h"

#include <simdjson.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include <fmt/format.h>

#include "common/config.h"

namespace rapport::cli {

Result<Url> ParseUrl(std::string text) {
  Url url;
  url.text = text;
  std::string_view rest = text;
  if (rest.substr(0, 8) == "https://") {
    return Status::InvalidArgument(
        "--server: https is not supported; use the server's http:// address "
        "(or a local TLS-terminating proxy)");
  }
  if (rest.substr(0, 7) == "http://") rest.remove_prefix(7);
  const size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) url.base = std::string(rest.substr(slash));
  while (!url.base.empty() && url.base.back() == '/') url.base.pop_back();
  auto hp =
      ParseHostPort(authority.find(':') == std::string_view::npos ? std::string(authority) + ":80"
                                                                  : std::string(authority));
  if (!hp.ok() || hp->host.empty()) {
    return Status::InvalidArgument(
        fmt::format("--server: \"{}\" is not an address like http://127.0.0.1:8080", text));
  }
  url.host = hp->host;
  if (url.host == "0.0.0.0") url.host = "127.0.0.1";  // a listen-on-all address: talk locally
  if (url.host == "::") url.host = "::1";
  url.port = std::to_string(hp->port);
  return url;
}

Result<Response> ApiClient::Send(http::verb verb, const std::string& path, const std::string& body,
                                 const std::string& content_type) {
  beast::error_code ec;
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!stream_) {
      ec = Connect();
      if (ec) break;
    }
    http::request<http::string_body> req{verb, url_.base + path, 11};
    req.set(http::field::host, url_.host);
    req.set(http::field::user_agent, user_agent_);
    req.set(http::field::authorization, "Bearer " + token_);
    if (verb == http::verb::post) req.set(http::field::content_type, content_type);
    req.keep_alive(true);
    req.body() = body;
    req.prepare_payload();
    stream_->expires_after(std::chrono::seconds(120));
    http::write(*stream_, req, ec);
    http::response_parser<http::string_body> parser;
    parser.body_limit(16 * 1024 * 1024);
    if (!ec) http::read(*stream_, buffer_, parser, ec);
    if (ec) {
      stream_.reset();  // a dropped keep-alive connection: reconnect and send again once
      buffer_.clear();
      continue;
    }
    auto res = parser.release();
    Response out;
    out.status = static_cast<int>(res.result_int());
    out.body = std::move(res.body());
    if (auto it = res.find(http::field::retry_after); it != res.end()) {
      out.retry_after_s = std::atoll(std::string(it->value()).c_str());
    }
    if (!res.keep_alive()) stream_.reset();
    return out;
  }
  return Status::Unavailable(
      fmt::format("cannot reach the server at {}: {}", url_.text, ec.message()));
}
beast::error_code ApiClient::Connect() {
  beast::error_code ec;
  asio::ip::tcp::resolver resolver(ioc_);
  auto endpoints = resolver.resolve(url_.host, url_.port, ec);
  if (ec) return ec;
  stream_.emplace(ioc_);
  stream_->expires_after(std::chrono::seconds(10));
  stream_->connect(endpoints, ec);
  if (ec) stream_.reset();
  return ec;
}
std::string ErrorMessage(const Response& r) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  std::string_view message;
  if (parser.parse(r.body).get(root) == simdjson::SUCCESS &&
      root["message"].get_string().get(message) == simdjson::SUCCESS) {
    return std::string(message);
  }
  return r.body.size() > 200 ? r.body.substr(0, 200) + "…" : r.body;
}

Outcome JudgeAnswer(const Result<Response>& r) {
  if (!r.ok()) return {3, r.status().message() + " (is `rapport serve` running there?)"};
  if (r->status == 401 || r->status == 403) {
    return {3, fmt::format("the server refused the token ({}: {})", r->status, ErrorMessage(*r))};
  }
  if (r->status != 200) return {1, fmt::format("{} ({})", ErrorMessage(*r), r->status)};
  return {0, ""};
}

Result<std::string> ReadFileOrStdin(const std::string& path, std::string_view flag) {
  std::stringstream text;
  if (path == "-") {
    text << std::cin.rdbuf();
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Status::InvalidArgument(fmt::format("cannot read {} {}", flag, path));
    text << in.rdbuf();
  }
  return text.str();
}

Result<ServerTarget> ResolveServerTarget(const std::string& server, const std::string& config_file,
                                         const std::string& token, std::string_view roles) {
  std::string address = server;
  if (address.empty()) {
    auto s = DefaultServerUrl(config_file);
    if (!s.ok()) return s.status().WithContext("configuration");
    address = *s;
  }
  ASSIGN_OR_RETURN(Url url, ParseUrl(address));
  std::string secret = token;
  if (secret.empty()) {
    if (const char* env = std::getenv("RAPPORT_TOKEN")) secret = env;  // NOLINT
  }
  if (secret.empty()) {
    return Status::InvalidArgument(
        fmt::format("an API token is needed: --token or RAPPORT_TOKEN ({}; create one with "
                    "`rapport admin token create --role {}`)",
                    roles, roles.starts_with("any") ? "analyst" : "marketer"));
  }
  return ServerTarget{std::move(url), std::move(secret)};
}

Result<std::string> DefaultServerUrl(const std::string& config_file) {
  Config c;
  std::string file = config_file;
  if (file.empty()) {
    if (const char* env = std::getenv("RAPPORT_CONFIG")) file = env;  // NOLINT
  }
  if (!file.empty()) RETURN_IF_ERROR(ApplyConfigFile(file, &c));
  RETURN_IF_ERROR(ApplyEnvironment([](const char* n) { return std::getenv(n); }, &c));  // NOLINT
  RETURN_IF_ERROR(ParseHostPort(c.http).status().WithContext("http"));
  return "http://" + c.http;
}

}  // namespace rapport::cli
