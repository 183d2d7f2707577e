#include "activate/http_client.h"

#include <openssl/ssl.h>

#include <optional>

#include <fmt/format.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace rapport {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct HttpConnection::Impl : std::enable_shared_from_this<HttpConnection::Impl> {
  Impl(asio::any_io_executor ex, asio::ssl::context* tls_context, WebhookUrl u)
      : executor(ex), tls_ctx(tls_context), url(std::move(u)), resolver(ex), resolve_timer(ex) {}

  asio::any_io_executor executor;
  asio::ssl::context* tls_ctx;
  WebhookUrl url;
  tcp::resolver resolver;
  asio::steady_timer resolve_timer;
  std::unique_ptr<beast::tcp_stream> plain;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls;
  beast::flat_buffer buffer;
  http::request<http::string_body> request;
  std::optional<http::response_parser<http::string_body>> parser;
  bool connected = false;
  bool keep_alive = false;
  bool reused = false;
  Clock::time_point deadline;
  std::chrono::milliseconds budget{0};
  std::function<void(HttpAnswer)> done;

  beast::tcp_stream& Lowest() { return tls ? beast::get_lowest_layer(*tls) : *plain; }

  void Finish(HttpAnswer answer) {
    auto callback = std::move(done);
    done = nullptr;
    if (callback) callback(std::move(answer));
  }

  void Fail(std::string_view stage, beast::error_code ec, bool stale) {
    Close();
    HttpAnswer a;
    if (ec == beast::error::timeout || ec == asio::error::operation_aborted) {
      a.error = fmt::format("timeout: no answer within {} ms ({})", budget.count(), stage);
    } else {
      a.error = fmt::format("{}: {}", stage, ec.message());
    }
    a.stale = stale;
    Finish(std::move(a));
  }

  void Close() {
    beast::error_code ignored;
    resolver.cancel();
    resolve_timer.cancel();
    if (plain || tls) Lowest().socket().close(ignored);
    connected = false;
  }

  void Start() {
    if (connected) {
      reused = true;
      Write();
      return;
    }
    reused = false;
    resolve_timer.expires_at(deadline);
    resolve_timer.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->resolver.cancel();  // the deadline passed while resolving
    });
    resolver.async_resolve(
        url.host, std::to_string(url.port),
        [self = shared_from_this()](beast::error_code ec, tcp::resolver::results_type results) {
          self->resolve_timer.cancel();
          if (ec) return self->Fail("resolve " + self->url.host, ec, false);
          self->Connect(results);
        });
  }

  void Connect(const tcp::resolver::results_type& results) {
    if (tls_ctx != nullptr && url.tls) {
      tls = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(executor, *tls_ctx);
      plain.reset();
    } else {
      plain = std::make_unique<beast::tcp_stream>(executor);
      tls.reset();
    }
    Lowest().expires_at(deadline);
    Lowest().async_connect(results,
                           [self = shared_from_this()](beast::error_code ec, const tcp::endpoint&) {
                             if (ec) return self->Fail("connect", ec, false);
                             beast::error_code ignored;
                             self->Lowest().socket().set_option(tcp::no_delay(true), ignored);
                             if (self->tls) return self->Handshake();
                             self->connected = true;
                             self->Write();
                           });
  }

  void Handshake() {
    beast::error_code ec;
    const std::string& host = url.host;
    asio::ip::make_address(host, ec);
    const bool is_ip = !ec;  // no SNI for an IP address
    if (!is_ip && !SSL_set_tlsext_host_name(tls->native_handle(), host.c_str())) {
      return Fail(
          "tls",
          beast::error_code(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category()),
          false);
    }
    tls->set_verify_mode(asio::ssl::verify_peer);
    tls->set_verify_callback(asio::ssl::host_name_verification(host));
    Lowest().expires_at(deadline);
    tls->async_handshake(asio::ssl::stream_base::client,
                         [self = shared_from_this()](beast::error_code ec) {
                           if (ec) return self->Fail("tls handshake", ec, false);
                           self->connected = true;
                           self->Write();
                         });
  }

  void Write() {
    Lowest().expires_at(deadline);
    auto on_write = [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->Fail("send", ec, self->reused);
      self->Read();
    };
    if (tls) {
      http::async_write(*tls, request, std::move(on_write));
    } else {
      http::async_write(*plain, request, std::move(on_write));
    }
  }

  void Read() {
    parser.emplace();
    parser->body_limit(kMaxResponseBodyBytes);
    Lowest().expires_at(deadline);
    auto on_read = [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); };
    if (tls) {
      http::async_read(*tls, buffer, *parser, std::move(on_read));
    } else {
      http::async_read(*plain, buffer, *parser, std::move(on_read));
    }
  }

  void OnRead(beast::error_code ec) {
    const bool header = parser->is_header_done();
    if (ec && !(ec == http::error::body_limit && header)) {
      // A reused connection the server had closed fails before any byte of an answer.
      const bool stale = reused && !parser->got_some() &&
                         (ec == http::error::end_of_stream || ec == asio::error::eof ||
                          ec == asio::error::connection_reset || ec == asio::error::broken_pipe);
      return Fail("read answer", ec, stale);
    }
    HttpAnswer a;
    auto& res = parser->get();
    a.status = static_cast<int>(res.result_int());
    if (auto it = res.find(http::field::retry_after); it != res.end()) {
      a.retry_after = std::string(it->value());
    }
    const std::string& body = res.body();
    a.body_excerpt = body.substr(0, kBodyExcerptBytes);
    keep_alive = !ec && res.keep_alive();
    if (!keep_alive) Close();
    buffer.consume(buffer.size());
    Finish(std::move(a));
  }
};

HttpConnection::HttpConnection(asio::any_io_executor executor, asio::ssl::context* tls,
                               WebhookUrl url)
    : impl_(std::make_shared<Impl>(executor, tls, std::move(url))) {}

HttpConnection::~HttpConnection() { impl_->Close(); }

void HttpConnection::Send(std::shared_ptr<const HttpCall> call, Clock::time_point deadline,
                          std::function<void(HttpAnswer)> done) {
  Impl& i = *impl_;
  i.done = std::move(done);
  i.deadline = deadline;
  i.budget = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  i.request = {};
  i.request.version(11);
  i.request.method(call->method == "PUT" ? http::verb::put : http::verb::post);
  i.request.target(i.url.target);
  i.request.set(http::field::host, i.url.host_header);
  i.request.set(http::field::user_agent, "Rapport-Webhooks/1");
  for (const auto& [name, value] : call->headers) i.request.set(name, value);
  i.request.body() = call->body;
  i.request.keep_alive(true);
  i.request.prepare_payload();
  if (i.url.tls && i.tls_ctx == nullptr) {
    // Answer later, on the executor, like every other outcome (never from inside Send).
    return asio::post(i.executor, [impl = impl_] {
      HttpAnswer a;
      a.error = "https is not available: TLS could not be set up";
      impl->Finish(std::move(a));
    });
  }
  i.Start();
}

void HttpConnection::Close() { impl_->Close(); }

void HttpConnection::Abandon() {
  impl_->done = nullptr;  // it may hold this connection: no cycle left behind
  impl_->Close();
}

bool HttpConnection::reusable() const { return impl_->connected && impl_->keep_alive; }

}  // namespace rapport
