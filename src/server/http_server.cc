#include "server/http_server.h"

#include <zlib.h>

#include <deque>
#include <limits>
#include <list>
#include <mutex>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "common/pacing.h"
#include "common/threads.h"

namespace rapport {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;

namespace {

// Inflates a gzip (or zlib) body, refusing output beyond `limit` bytes.
Result<std::string> Inflate(std::string_view in, size_t limit) {
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 32) != Z_OK) return Status::Internal("zlib init failed");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  std::string out;
  char buf[16384];
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&zs);
      return Status::InvalidArgument(
          "the body says Content-Encoding: gzip but is not valid gzip data");
    }
    out.append(buf, sizeof buf - zs.avail_out);
    if (rc == Z_STREAM_END && zs.avail_in > 0) {  // another gzip member follows (RFC 1952)
      if (inflateReset(&zs) != Z_OK) break;
      rc = Z_OK;
    }
    if (out.size() > limit) {
      inflateEnd(&zs);
      return Status::TooLarge(fmt::format(
          "the gzip body inflates to more than {} bytes, the limit per request", limit));
    }
    if (rc != Z_STREAM_END && zs.avail_in == 0 && zs.avail_out != 0) {
      inflateEnd(&zs);
      return Status::InvalidArgument("the gzip body is truncated");
    }
  }
  inflateEnd(&zs);
  return out;
}

class Session;

}  // namespace

struct HttpServer::Impl {
  HttpServerOptions options;
  Handler dispatch;
  net::io_context ioc;
  // Keeps the threads running while a handler holds a request with no socket operation pending
  // (e.g. waiting for an fsync) even after the acceptor closed.
  net::executor_work_guard<net::io_context::executor_type> work{ioc.get_executor()};
  tcp::acceptor acceptor{ioc};
  std::vector<std::thread> threads;
  std::atomic<bool> stopping{false};
  std::atomic<int64_t> in_flight{0};
  std::mutex sessions_mu;
  std::list<std::weak_ptr<Session>> sessions;  // GUARDED_BY(sessions_mu)
  uint16_t bound_port = 0;

  void Accept();
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, HttpServer::Impl* server)
      : stream_(std::move(socket)), server_(server) {
    // Beast reads at most the buffer's free capacity per recv (512 bytes when empty): give it
    // room, or a 100 KB batch costs ~200 system calls.
    buffer_.reserve(64 * 1024);
  }

  void Run() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->Read(); });
  }

  // Called at Stop(): closes the connection if it is between requests or streaming.
  void CloseIfIdle() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      if (!self->busy_ || self->streaming_) self->Close();
    });
  }

 private:
  class Sink;

  void Read() {
    if (server_->stopping) return Close();
    busy_ = false;
    parser_.emplace();
    body_limit_ = server_->options.max_body_bytes;
    parser_->body_limit(body_limit_);
    parser_->header_limit(16 * 1024);
    stream_.expires_after(server_->options.idle_timeout);
    if (!server_->options.body_limit) {
      bhttp::async_read(
          stream_, buffer_, *parser_,
          [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
      return;
    }
    // The limit depends on the route: read the head first. The parser checks a Content-Length
    // against its limit as the head ends, so it has none until the route's is known (not
    // boost::none: Boost 1.74 compares the length with it as `len > none`, always true).
    parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    bhttp::async_read_header(
        stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, size_t) {
          if (ec) return self->OnRead(ec);
          const auto& head = self->parser_->get();
          std::string_view target = head.target();
          self->body_limit_ = self->server_->options.body_limit(head.method_string(),
                                                                target.substr(0, target.find('?')));
          if (self->parser_->content_length().value_or(0) > self->body_limit_) {
            return self->OnRead(bhttp::error::body_limit);
          }
          self->parser_->body_limit(self->body_limit_);
          bhttp::async_read(self->stream_, self->buffer_, *self->parser_,
                            [self](beast::error_code ec, size_t) { self->OnRead(ec); });
        });
  }

  void OnRead(beast::error_code ec) {
    if (ec == bhttp::error::body_limit) {
      busy_ = true;
      ++server_->in_flight;
      keep_alive_ = false;
      return Write(HttpResponse::Error(
          413, "too_large",
          fmt::format("request body is over {} bytes, the limit of this endpoint ({})", body_limit_,
                      body_limit_ >= 1 << 20 ? fmt::format("{} MB", body_limit_ >> 20)
                                             : fmt::format("{} KB", body_limit_ / 1024))));
    }
    if (ec) return Close();  // end of stream, timeout, reset, or malformed HTTP
    busy_ = true;
    ++server_->in_flight;
    auto& msg = parser_->get();
    keep_alive_ = msg.keep_alive() && !server_->stopping;
    version_ = msg.version();
    if (server_->stopping) {  // read as the server began to stop: take nothing new
      return Write(HttpResponse::Error(Status::Unavailable("the server is stopping; retry")));
    }
    HttpRequest req;
    req.method = std::string(msg.method_string());
    std::string_view target = msg.target();
    size_t q = target.find('?');
    req.path = std::string(target.substr(0, q));
    if (q != std::string_view::npos) req.query = std::string(target.substr(q + 1));
    req.headers.reserve(12);
    for (const auto& field : msg) {
      std::string name(field.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      req.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    std::string_view encoding = req.Header("content-encoding");
    if (beast::iequals(encoding, "gzip") || beast::iequals(encoding, "deflate")) {
      auto inflated = Inflate(msg.body(), body_limit_);
      if (!inflated.ok()) return Write(HttpResponse::Error(inflated.status()));
      req.body = std::move(*inflated);
    } else if (!encoding.empty() && !beast::iequals(encoding, "identity")) {
      return Write(HttpResponse::Error(
          415, "unsupported_media_type",
          fmt::format("Content-Encoding \"{}\" is not supported; use gzip or none", encoding)));
    } else {
      req.body = std::move(msg.body());
    }
    req.start_stream = [self = shared_from_this()](const HttpResponse& head) {
      return self->StartStream(head);
    };
    auto self = shared_from_this();
    server_->dispatch(req, [self](HttpResponse res) {
      net::post(self->stream_.get_executor(),
                [self, res = std::move(res)]() mutable { self->Write(std::move(res)); });
    });
  }

  static void FillHead(const HttpResponse& r, bhttp::response_header<>* head) {
    head->result(r.status);
    head->set(bhttp::field::server, "rapport");
    if (!r.content_type.empty()) head->set(bhttp::field::content_type, r.content_type);
    for (const auto& [k, v] : r.headers) head->set(k, v);
  }

  void Write(HttpResponse r) {
    if (server_->stopping) keep_alive_ = false;  // tell the client this connection ends
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>();
    FillHead(r, &res->base());
    res->body() = std::move(r.body);
    res->version(version_);
    res->keep_alive(keep_alive_);
    res->prepare_payload();
    stream_.expires_after(std::chrono::seconds(30));
    bhttp::async_write(stream_, *res,
                       [self = shared_from_this(), res](beast::error_code ec, size_t) {
                         --self->server_->in_flight;
                         if (ec || !self->keep_alive_) return self->Close();
                         self->Read();
                       });
  }

  std::shared_ptr<StreamSink> StartStream(const HttpResponse& head);

  void Close() {
    if (closed_.exchange(true)) return;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  size_t body_limit_ = 0;  // of the request being read
  HttpServer::Impl* server_;
  bool keep_alive_ = true;
  unsigned version_ = 11;   // of the request being answered (HTTP/1.0 clients get 1.0 back)
  bool busy_ = false;       // a request is being handled
  bool streaming_ = false;  // the response is an open stream
  std::atomic<bool> closed_{false};  // read by stream senders on other threads
};

// Writes queued chunks in order on the session's strand; drops a client that falls too far
// behind (a stream must never hold memory without bound).
class Session::Sink : public StreamSink, public std::enable_shared_from_this<Sink> {
 public:
  explicit Sink(std::shared_ptr<Session> session) : session_(std::move(session)) {}

  bool Send(std::string chunk) override {
    if (closed()) return false;
    // A subscriber that stopped reading is dropped rather than buffered without bound.
    if (queued_bytes_.fetch_add(chunk.size()) + chunk.size() > kMaxQueuedBytes) {
      closed_ = true;
      net::post(session_->stream_.get_executor(),
                [self = shared_from_this()] { self->session_->Close(); });
      return false;
    }
    net::post(session_->stream_.get_executor(),
              [self = shared_from_this(), chunk = std::move(chunk)]() mutable {
                self->Enqueue(std::move(chunk));
              });
    return true;
  }
  bool closed() const override { return closed_ || session_->closed_; }

  void Enqueue(std::string chunk) {
    if (session_->closed_) {
      closed_ = true;
      return;
    }
    queue_.push_back(std::move(chunk));
    if (!writing_) WriteNext();
  }

  void WriteNext() {
    if (queue_.empty() || session_->closed_) {
      writing_ = false;
      return;
    }
    writing_ = true;
    session_->stream_.expires_never();
    net::async_write(session_->stream_, net::buffer(queue_.front()),
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       self->queued_bytes_ -= self->queue_.front().size();
                       self->queue_.pop_front();
                       if (ec) {
                         self->closed_ = true;
                         return self->session_->Close();
                       }
                       self->WriteNext();
                     });
  }

  std::atomic<bool> closed_{false};

 private:
  std::shared_ptr<Session> session_;
  static constexpr size_t kMaxQueuedBytes = 8 << 20;
  std::deque<std::string> queue_;
  std::atomic<size_t> queued_bytes_{0};  // posted or queued, not yet written
  bool writing_ = false;
};

std::shared_ptr<StreamSink> Session::StartStream(const HttpResponse& head) {
  // Called on the dispatching thread, before any response was written for this request.
  streaming_ = true;
  keep_alive_ = false;
  // The sink keeps the session alive; the session does not own the sink (no cycle): whoever
  // subscribed it does, until it reports closed().
  auto sink = std::make_shared<Sink>(shared_from_this());
  bhttp::response_header<> h;
  FillHead(head, &h);
  h.version(11);
  h.set(bhttp::field::cache_control, "no-cache");
  h.set(bhttp::field::connection, "close");
  std::ostringstream os;
  os << h;
  sink->Send(os.str());
  --server_->in_flight;  // a stream is not an in-flight request: Stop() need not wait for it
  return sink;
}

}  // namespace

void HttpServer::Impl::Accept() {
  acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (stopping) return;
    if (!ec) {
      socket.set_option(tcp::no_delay(true), ec);
      auto session = std::make_shared<Session>(std::move(socket), this);
      {
        std::lock_guard lock(sessions_mu);
        sessions.remove_if([](const std::weak_ptr<Session>& w) { return w.expired(); });
        sessions.push_back(session);
      }
      session->Run();
    } else if (ec != net::error::operation_aborted) {
      // Out of file descriptors or similar: back off instead of spinning on the error.
      auto timer = std::make_shared<net::steady_timer>(ioc, std::chrono::milliseconds(100));
      return timer->async_wait([this, timer](beast::error_code) {
        if (!stopping) Accept();
      });
    }
    Accept();
  });
}

HttpServer::HttpServer(HttpServerOptions options, Handler dispatch)
    : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->dispatch = std::move(dispatch);
}

HttpServer::~HttpServer() { Stop(std::chrono::milliseconds(0)); }

Status HttpServer::Start() {
  beast::error_code ec;
  auto address = net::ip::make_address(impl_->options.host, ec);
  if (ec) {
    // A host name (e.g. "localhost"): resolve it.
    tcp::resolver resolver(impl_->ioc);
    auto results = resolver.resolve(impl_->options.host, "", ec);
    if (ec || results.empty()) {
      return Status::InvalidArgument(
          fmt::format("cannot resolve host \"{}\": {}", impl_->options.host, ec.message()));
    }
    address = results.begin()->endpoint().address();
  }
  tcp::endpoint endpoint(address, impl_->options.port);
  auto& acc = impl_->acceptor;
  std::string where = fmt::format("{}:{}", impl_->options.host, impl_->options.port);
  if (acc.open(endpoint.protocol(), ec); ec) return Status::IOError("open socket: " + ec.message());
  acc.set_option(net::socket_base::reuse_address(true), ec);
  if (acc.bind(endpoint, ec); ec) {
    return Status::Unavailable(fmt::format("cannot listen on {}: {}", where, ec.message()));
  }
  if (acc.listen(net::socket_base::max_listen_connections, ec); ec) {
    return Status::IOError(fmt::format("listen on {}: {}", where, ec.message()));
  }
  impl_->bound_port = acc.local_endpoint().port();
  impl_->Accept();
  int n = impl_->options.threads > 0 ? impl_->options.threads
                                     : static_cast<int>(std::thread::hardware_concurrency());
  for (int i = 0; i < std::max(1, n); ++i) {
    impl_->threads.emplace_back([this] {
      SetThreadName("http-io");
      MarkForeground();
      impl_->ioc.run();
    });
  }
  return Status::OK();
}

uint16_t HttpServer::port() const { return impl_->bound_port; }

int64_t HttpServer::in_flight() const { return impl_->in_flight.load(); }

void HttpServer::Stop(std::chrono::milliseconds grace) {
  if (impl_->threads.empty()) return;
  impl_->stopping = true;
  net::post(impl_->ioc, [this] {
    beast::error_code ec;
    impl_->acceptor.close(ec);
  });
  auto close_idle = [this] {
    std::lock_guard lock(impl_->sessions_mu);
    for (auto& w : impl_->sessions) {
      if (auto s = w.lock()) s->CloseIfIdle();
    }
  };
  close_idle();
  auto deadline = std::chrono::steady_clock::now() + grace;
  while (impl_->in_flight.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  close_idle();  // sessions that finished their last request meanwhile
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  impl_->work.reset();
  impl_->ioc.stop();
  for (auto& t : impl_->threads) t.join();
  impl_->threads.clear();
}

}  // namespace rapport
