#include "server/http_server.h"

#include <zlib.h>

#include <array>
#include <charconv>
#include <deque>
#include <limits>
#include <list>
#include <mutex>
#include <optional>
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
  // One event loop per I/O thread. A connection lives on one loop, so its handlers never run
  // concurrently (no strand) and a loop's thread sleeps in its own epoll: the threads do not
  // hand work to each other or wake each other up.
  struct Loop {
    net::io_context ioc{1};  // concurrency hint: one thread runs it
    // Keeps the thread running while a handler holds a request with no socket operation
    // pending (e.g. waiting for an fsync), even after the acceptor closed.
    net::executor_work_guard<net::io_context::executor_type> work{ioc.get_executor()};
  };

  HttpServerOptions options;
  Handler dispatch;
  std::vector<std::unique_ptr<Loop>> loops;
  std::optional<tcp::acceptor> acceptor;  // on loops[0]
  size_t next_loop = 0;                   // the loop of the next accepted connection
  std::vector<std::thread> threads;
  std::atomic<bool> stopping{false};
  std::atomic<int64_t> in_flight{0};
  std::mutex sessions_mu;
  std::list<std::weak_ptr<Session>> sessions;  // GUARDED_BY(sessions_mu)
  uint16_t bound_port = 0;

  void Accept();
};

namespace {

// Appends the status line and headers of `r` the way Beast's prepare_payload would:
// Content-Length (none for a stream, nor for 1xx, 204 and 304); Connection when the version's
// default does not hold.
void AppendHead(const HttpResponse& r, unsigned version, bool keep_alive,
                std::optional<size_t> content_length, std::string* out) {
  // Plain appends: this runs for every response (fmt's format parsing was ~1 % of /v1/track).
  auto number = [out](size_t n) {
    char digits[24];
    auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
    out->append(digits, end);
  };
  auto header = [out](std::string_view name, std::string_view value) {
    out->append(name).append(": ").append(value).append("\r\n");
  };
  auto reason = bhttp::obsolete_reason(static_cast<bhttp::status>(r.status));
  out->append("HTTP/");
  number(version / 10);
  out->push_back('.');
  number(version % 10);
  out->push_back(' ');
  number(r.status);
  out->push_back(' ');
  out->append(reason.data(), reason.size()).append("\r\nServer: rapport\r\n");
  if (!r.content_type.empty()) header("Content-Type", r.content_type);
  for (const auto& [k, v] : r.headers) header(k, v);
  if (r.cors) header("Access-Control-Allow-Origin", "*");
  if (content_length && r.status >= 200 && r.status != 204 && r.status != 304) {
    out->append("Content-Length: ");
    number(*content_length);
    out->append("\r\n");
  }
  if (version >= 11 && !keep_alive) out->append("Connection: close\r\n");
  if (version < 11 && keep_alive) out->append("Connection: keep-alive\r\n");
  out->append("\r\n");
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  using Clock = std::chrono::steady_clock;

  Session(tcp::socket socket, HttpServer::Impl* server)
      : socket_(std::move(socket)), timer_(socket_.get_executor()), server_(server) {
    // Beast reads at most the buffer's free capacity per recv (512 bytes when empty): give it
    // room, or a 100 KB batch costs ~200 system calls.
    buffer_.reserve(64 * 1024);
  }

  void Run() {
    net::dispatch(socket_.get_executor(), [self = shared_from_this()] {
      self->Read();
      if (!self->closed_) self->ArmTimer();  // Read closes when stopping
    });
  }

  // Called at Stop(): closes the connection if it is between requests or streaming.
  void CloseIfIdle() {
    net::post(socket_.get_executor(), [self = shared_from_this()] {
      if (!self->busy_ || self->streaming_) self->Close();
    });
  }

 private:
  class Sink;

  // Timeouts: a read or write must finish by deadline_. One timer per connection checks it and
  // is re-armed only when it fires, not per operation (Beast's tcp_stream re-arms per call).
  void ExpectWithin(Clock::duration d) { deadline_ = Clock::now() + d; }
  void NoDeadline() { deadline_ = Clock::time_point::max(); }
  // Fires at deadline_, or an idle timeout from now while there is none, to look again.
  void ArmTimer() {
    timer_.expires_at(deadline_ == Clock::time_point::max()
                          ? Clock::now() + server_->options.idle_timeout
                          : deadline_);
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec || self->closed_) return;
      if (Clock::now() >= self->deadline_) return self->Close();  // the pending operation fails
      self->ArmTimer();
    });
  }

  void Read() {
    if (server_->stopping) return Close();
    busy_ = false;
    parser_.emplace();
    body_limit_ = server_->options.max_body_bytes;
    parser_->body_limit(body_limit_);
    parser_->header_limit(16 * 1024);
    ExpectWithin(server_->options.idle_timeout);
    if (!server_->options.body_limit) {
      bhttp::async_read(
          socket_, buffer_, *parser_,
          [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
      return;
    }
    // The limit depends on the route: read the head first. The parser checks a Content-Length
    // against its limit as the head ends, so it has none until the route's is known (not
    // boost::none: Boost 1.74 compares the length with it as `len > none`, always true).
    parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    bhttp::async_read_header(
        socket_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, size_t) {
          if (ec) return self->OnRead(ec);
          const auto& head = self->parser_->get();
          std::string_view target = head.target();
          self->body_limit_ = self->server_->options.body_limit(head.method_string(),
                                                                target.substr(0, target.find('?')));
          if (self->parser_->content_length().value_or(0) > self->body_limit_) {
            return self->OnRead(bhttp::error::body_limit);
          }
          self->parser_->body_limit(self->body_limit_);
          bhttp::async_read(self->socket_, self->buffer_, *self->parser_,
                            [self](beast::error_code ec, size_t) { self->OnRead(ec); });
        });
  }

  void OnRead(beast::error_code ec) {
    NoDeadline();  // the handler may take its time (an fsync, a query)
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
    // A plain pointer fits in the std::function without an allocation: the request, and so
    // this function, lives only during the handler's call, while this session is held.
    req.start_stream = [self = this](const HttpResponse& head) { return self->StartStream(head); };
    // An answer given on this connection's thread is written at once; from another thread
    // (the log's group commit) it is queued to this connection's loop.
    server_->dispatch(req, [self = shared_from_this()](HttpResponse res) {
      net::dispatch(self->socket_.get_executor(),
                    [self, res = std::move(res)]() mutable { self->Write(std::move(res)); });
    });
  }

  void Write(HttpResponse r) {
    if (server_->stopping) keep_alive_ = false;  // tell the client this connection ends
    head_.clear();
    AppendHead(r, version_, keep_alive_, r.body.size(), &head_);
    body_ = std::move(r.body);
    ExpectWithin(std::chrono::seconds(30));
    std::array<net::const_buffer, 2> out{net::buffer(head_), net::buffer(body_)};
    net::async_write(socket_, out, [self = shared_from_this()](beast::error_code ec, size_t) {
      --self->server_->in_flight;
      if (ec || !self->keep_alive_) return self->Close();
      self->Read();
    });
  }

  std::shared_ptr<StreamSink> StartStream(const HttpResponse& head);

  void Close() {
    if (closed_.exchange(true)) return;
    timer_.cancel();
    beast::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
  }

  tcp::socket socket_;
  net::steady_timer timer_;
  Clock::time_point deadline_ = Clock::time_point::max();  // of the pending read or write
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::string head_, body_;  // of the response being written
  size_t body_limit_ = 0;    // of the request being read
  HttpServer::Impl* server_;
  bool keep_alive_ = true;
  unsigned version_ = 11;   // of the request being answered (HTTP/1.0 clients get 1.0 back)
  bool busy_ = false;       // a request is being handled
  bool streaming_ = false;  // the response is an open stream
  std::atomic<bool> closed_{false};  // read by stream senders on other threads
};

// Writes chunks in the order Send() took them, on the session's loop; drops a client that
// falls too far behind (a stream must never hold memory without bound). The order is kept by
// the sink's own queue: posts from the loop's thread and from others are not ordered.
class Session::Sink : public StreamSink, public std::enable_shared_from_this<Sink> {
 public:
  explicit Sink(std::shared_ptr<Session> session) : session_(std::move(session)) {}

  bool Send(std::string chunk) override {
    if (closed()) return false;
    bool post_drain = false;
    {
      std::lock_guard lock(mu_);
      // A subscriber that stopped reading is dropped rather than buffered without bound.
      if (queued_bytes_ + chunk.size() > kMaxQueuedBytes) {
        closed_ = true;
        net::post(session_->socket_.get_executor(),
                  [self = shared_from_this()] { self->session_->Close(); });
        return false;
      }
      queued_bytes_ += chunk.size();
      queue_.push_back(std::move(chunk));
      post_drain = !draining_;
      draining_ = true;
    }
    if (post_drain) {
      net::post(session_->socket_.get_executor(),
                [self = shared_from_this()] { self->WriteNext(); });
    }
    return true;
  }
  bool closed() const override { return closed_ || session_->closed_; }

 private:
  void WriteNext() {  // on the session's loop
    {
      std::lock_guard lock(mu_);
      if (session_->closed_) closed_ = true;
      if (queue_.empty() || closed_) {
        queue_.clear();
        draining_ = false;
        return;
      }
      writing_ = std::move(queue_.front());
      queue_.pop_front();
    }
    session_->NoDeadline();
    net::async_write(session_->socket_, net::buffer(writing_),
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       {
                         std::lock_guard lock(self->mu_);
                         self->queued_bytes_ -= self->writing_.size();
                       }
                       if (ec) {
                         self->closed_ = true;
                         self->session_->Close();
                       }
                       self->WriteNext();
                     });
  }

  std::shared_ptr<Session> session_;
  static constexpr size_t kMaxQueuedBytes = 8 << 20;
  std::atomic<bool> closed_{false};
  std::mutex mu_;
  std::deque<std::string> queue_;  // GUARDED_BY(mu_)
  size_t queued_bytes_ = 0;        // GUARDED_BY(mu_): queued or being written
  bool draining_ = false;          // GUARDED_BY(mu_): WriteNext is posted or writing
  std::string writing_;            // the chunk being written (the loop's only)
};

std::shared_ptr<StreamSink> Session::StartStream(const HttpResponse& head) {
  // Called on the dispatching thread, before any response was written for this request.
  streaming_ = true;
  keep_alive_ = false;
  // The sink keeps the session alive; the session does not own the sink (no cycle): whoever
  // subscribed it does, until it reports closed().
  auto sink = std::make_shared<Sink>(shared_from_this());
  HttpResponse h = head;
  h.headers.emplace_back("Cache-Control", "no-cache");
  std::string out;
  AppendHead(h, 11, /*keep_alive=*/false, std::nullopt, &out);
  sink->Send(std::move(out));
  --server_->in_flight;  // a stream is not an in-flight request: Stop() need not wait for it
  return sink;
}

}  // namespace

void HttpServer::Impl::Accept() {
  net::io_context& loop = loops[next_loop++ % loops.size()]->ioc;
  acceptor->async_accept(loop, [this](beast::error_code ec, tcp::socket socket) {
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
      auto timer = std::make_shared<net::steady_timer>(acceptor->get_executor(),
                                                       std::chrono::milliseconds(100));
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
  int n = impl_->options.threads > 0 ? impl_->options.threads
                                     : static_cast<int>(std::thread::hardware_concurrency());
  impl_->loops.clear();
  for (int i = 0; i < std::max(1, n); ++i) {
    impl_->loops.push_back(std::make_unique<Impl::Loop>());
  }
  net::io_context& first = impl_->loops[0]->ioc;
  beast::error_code ec;
  auto address = net::ip::make_address(impl_->options.host, ec);
  if (ec) {
    // A host name (e.g. "localhost"): resolve it.
    tcp::resolver resolver(first);
    auto results = resolver.resolve(impl_->options.host, "", ec);
    if (ec || results.empty()) {
      return Status::InvalidArgument(
          fmt::format("cannot resolve host \"{}\": {}", impl_->options.host, ec.message()));
    }
    address = results.begin()->endpoint().address();
  }
  tcp::endpoint endpoint(address, impl_->options.port);
  auto& acc = impl_->acceptor.emplace(first);
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
  for (auto& loop : impl_->loops) {
    impl_->threads.emplace_back([loop = loop.get()] {
      SetThreadName("http-io");
      MarkForeground();
      loop->ioc.run();
    });
  }
  return Status::OK();
}

uint16_t HttpServer::port() const { return impl_->bound_port; }

int64_t HttpServer::in_flight() const { return impl_->in_flight.load(); }

void HttpServer::Stop(std::chrono::milliseconds grace) {
  if (impl_->threads.empty()) return;
  impl_->stopping = true;
  net::post(impl_->loops[0]->ioc, [this] {
    beast::error_code ec;
    impl_->acceptor->close(ec);
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
  for (auto& loop : impl_->loops) {
    loop->work.reset();
    loop->ioc.stop();
  }
  for (auto& t : impl_->threads) t.join();
  impl_->threads.clear();
}

}  // namespace rapport
