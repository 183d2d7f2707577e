#include "server/http_server.h"

#include "server/test_client.h"

#include <zlib.h>

#include <future>
#include <thread>

#include <gtest/gtest.h>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace rapport {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;

std::string Gzip(const std::string& in) {
  z_stream zs{};
  deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, in.size()) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

using testing::TestClient;

class HttpServerTest : public ::testing::Test {
 protected:
  void Start(Handler handler, std::chrono::seconds idle_timeout = std::chrono::seconds(60)) {
    HttpServerOptions options;
    options.port = 0;
    options.threads = 2;
    options.max_body_bytes = 1000;
    options.idle_timeout = idle_timeout;
    server_ = std::make_unique<HttpServer>(options, std::move(handler));
    ASSERT_TRUE(server_->Start().ok());
  }
  std::unique_ptr<HttpServer> server_;
};

Handler Echo() {
  return [](HttpRequest& req, Responder respond) {
    respond(HttpResponse::Json(200, req.method + " " + req.path + " " + req.query + " " +
                                        std::to_string(req.body.size()) + " " + req.body));
  };
}

TEST_F(HttpServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  Start(Echo());
  TestClient c(server_->port());
  for (int i = 0; i < 3; ++i) {
    auto res = c.Send("POST", "/v1/track?x=" + std::to_string(i), "hello");
    EXPECT_EQ(res.result_int(), 200u);
    EXPECT_EQ(res.body(), "POST /v1/track x=" + std::to_string(i) + " 5 hello");
    EXPECT_TRUE(res.keep_alive());
  }
}

TEST_F(HttpServerTest, GzipBodiesAreInflated) {
  Start(Echo());
  TestClient c(server_->port());
  auto res = c.Send("POST", "/v1/batch", Gzip("{\"batch\":[]}"), {{"Content-Encoding", "gzip"}});
  EXPECT_EQ(res.result_int(), 200u);
  EXPECT_EQ(res.body(), "POST /v1/batch  12 {\"batch\":[]}");
  res = c.Send("POST", "/v1/batch", "not gzip at all", {{"Content-Encoding", "gzip"}});
  EXPECT_EQ(res.result_int(), 400u);
  EXPECT_NE(res.body().find("not valid gzip"), std::string::npos);
  // Inflating beyond the limit is refused (a zip bomb is not expanded).
  res = c.Send("POST", "/v1/batch", Gzip(std::string(5000, 'a')), {{"Content-Encoding", "gzip"}});
  EXPECT_EQ(res.result_int(), 413u);
  // Concatenated gzip members (RFC 1952) are one body.
  res = c.Send("POST", "/v1/batch", Gzip("{\"batch\":") + Gzip("[]}"),
               {{"Content-Encoding", "gzip"}});
  EXPECT_EQ(res.body(), "POST /v1/batch  12 {\"batch\":[]}");
  res = c.Send("POST", "/v1/batch", "x", {{"Content-Encoding", "br"}});
  EXPECT_EQ(res.result_int(), 415u);
}

TEST_F(HttpServerTest, OversizedBodyGets413) {
  Start(Echo());
  TestClient c(server_->port());
  auto res = c.Send("POST", "/v1/batch", std::string(1001, 'x'));
  EXPECT_EQ(res.result_int(), 413u);
  EXPECT_NE(res.body().find("\"error\":\"too_large\""), std::string::npos);
  EXPECT_NE(res.body().find("1000 bytes"), std::string::npos);
}

TEST_F(HttpServerTest, PerRouteBodyLimitsAboveTheDefault) {
  HttpServerOptions options;
  options.port = 0;
  options.max_body_bytes = 1000;
  options.body_limit = [](std::string_view, std::string_view path) -> size_t {
    return path == "/big" ? 5000 : 1000;
  };
  server_ = std::make_unique<HttpServer>(options, Echo());
  ASSERT_TRUE(server_->Start().ok());
  TestClient c(server_->port());
  auto big = c.Send("POST", "/big?x=1", std::string(5000, 'x'));
  EXPECT_EQ(big.result_int(), 200u) << big.body();
  auto over = c.Send("POST", "/big", std::string(5001, 'x'));
  EXPECT_EQ(over.result_int(), 413u);
  EXPECT_NE(over.body().find("5000 bytes"), std::string::npos) << over.body();
  TestClient d(server_->port());
  EXPECT_EQ(d.Send("POST", "/small", std::string(1001, 'x')).result_int(), 413u);
}

TEST_F(HttpServerTest, StopFinishesInFlightRequests) {
  std::promise<Responder> pending;
  Start([&](HttpRequest&, Responder respond) { pending.set_value(std::move(respond)); });
  auto reply = std::async(std::launch::async, [&] {
    TestClient c(server_->port());
    return c.Send("POST", "/slow", "x");
  });
  Responder respond = pending.get_future().get();
  EXPECT_EQ(server_->in_flight(), 1);
  std::thread answer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    respond(HttpResponse::Json(200, "done"));
  });
  server_->Stop(std::chrono::milliseconds(5000));  // returns only after the answer went out
  answer.join();
  auto res = reply.get();
  EXPECT_EQ(res.result_int(), 200u);
  EXPECT_EQ(res.body(), "done");
  EXPECT_FALSE(res.keep_alive());  // the server is stopping: it closes after answering
}

TEST_F(HttpServerTest, IdleConnectionsAreClosedAfterTheIdleTimeout) {
  Start(Echo(), std::chrono::seconds(1));
  TestClient c(server_->port());
  EXPECT_EQ(c.Send("POST", "/a", "x").result_int(), 200u);
  // A connection that sends nothing is closed once the timeout passes; one that stays busy
  // is not (below).
  net::io_context ioc;
  tcp::socket idle(ioc);
  idle.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), server_->port()));
  auto start = std::chrono::steady_clock::now();
  char buf[16];
  beast::error_code ec;
  size_t n = idle.read_some(net::buffer(buf), ec);  // blocks until the server closes it
  auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(n, 0u);
  EXPECT_EQ(ec, net::error::eof);
  EXPECT_GE(waited, std::chrono::milliseconds(900));
  EXPECT_LT(waited, std::chrono::seconds(10));
}

TEST_F(HttpServerTest, AHandlerSlowerThanTheIdleTimeoutStillAnswers) {
  std::mutex mu;
  std::vector<std::future<void>> answers;  // joined before the server stops
  Start(
      [&](HttpRequest&, Responder respond) {
        std::lock_guard lock(mu);
        answers.push_back(std::async(std::launch::async, [respond = std::move(respond)] {
          std::this_thread::sleep_for(std::chrono::milliseconds(1600));
          respond(HttpResponse::Json(200, "late"));
        }));
      },
      std::chrono::seconds(1));
  TestClient c(server_->port());
  auto res = c.Send("POST", "/slow", "x");
  EXPECT_EQ(res.result_int(), 200u);
  EXPECT_EQ(res.body(), "late");
  EXPECT_TRUE(res.keep_alive());
  EXPECT_EQ(c.Send("POST", "/slow", "y").body(), "late");  // the connection is still open
  std::lock_guard lock(mu);
  answers.clear();
}

TEST_F(HttpServerTest, ResponseHeadsMatchTheRequestVersion) {
  Start([](HttpRequest& req, Responder respond) {
    HttpResponse r;
    r.status = req.path == "/none" ? 204 : 201;
    if (r.status == 204) r.content_type.clear();
    r.headers.emplace_back("X-Test", "yes");
    if (r.status != 204) r.body = "abc";
    respond(std::move(r));
  });
  auto exchange = [&](const std::string& request) {
    net::io_context ioc;
    tcp::socket sock(ioc);
    sock.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), server_->port()));
    net::write(sock, net::buffer(request));
    std::string got;
    char buf[1024];
    beast::error_code ec;
    while (got.find("\r\n\r\n") == std::string::npos ||
           (got.find("abc") == std::string::npos && got.find(" 204 ") == std::string::npos)) {
      size_t n = sock.read_some(net::buffer(buf), ec);
      if (ec) break;
      got.append(buf, n);
    }
    return got;
  };
  std::string h11 = exchange("GET /x HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(h11.rfind("HTTP/1.1 201 Created\r\n", 0), 0u) << h11;
  EXPECT_NE(h11.find("\r\nContent-Length: 3\r\n"), std::string::npos) << h11;
  EXPECT_NE(h11.find("\r\nX-Test: yes\r\n"), std::string::npos) << h11;
  EXPECT_NE(h11.find("\r\nContent-Type: application/json\r\n"), std::string::npos) << h11;
  EXPECT_EQ(h11.find("Connection:"), std::string::npos) << h11;  // keep-alive is 1.1's default
  std::string h10 = exchange("GET /x HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  EXPECT_EQ(h10.rfind("HTTP/1.0 201 Created\r\n", 0), 0u) << h10;
  EXPECT_NE(h10.find("\r\nConnection: keep-alive\r\n"), std::string::npos) << h10;
  std::string closing = exchange("GET /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  EXPECT_NE(closing.find("\r\nConnection: close\r\n"), std::string::npos) << closing;
  std::string none = exchange("GET /none HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(none.rfind("HTTP/1.1 204 No Content\r\n", 0), 0u) << none;
  EXPECT_EQ(none.find("Content-Length"), std::string::npos) << none;
}

TEST_F(HttpServerTest, StreamsChunksUntilStopped) {
  std::promise<std::shared_ptr<StreamSink>> sink_promise;
  Start([&](HttpRequest& req, Responder) {
    HttpResponse head;
    head.content_type = "text/event-stream";
    auto sink = req.start_stream(head);
    sink->Send("data: one\n\n");
    sink_promise.set_value(sink);
  });
  net::io_context ioc;
  tcp::socket sock(ioc);
  sock.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), server_->port()));
  std::string req = "GET /stream HTTP/1.1\r\nHost: x\r\n\r\n";
  net::write(sock, net::buffer(req));
  auto sink = sink_promise.get_future().get();
  sink->Send("data: two\n\n");
  std::string got;
  char buf[1024];
  while (got.find("data: two") == std::string::npos) {
    size_t n = sock.read_some(net::buffer(buf));
    got.append(buf, n);
  }
  EXPECT_NE(got.find("HTTP/1.1 200"), std::string::npos);
  EXPECT_NE(got.find("text/event-stream"), std::string::npos);
  EXPECT_LT(got.find("data: one"), got.find("data: two"));
  server_->Stop(std::chrono::milliseconds(1000));
  EXPECT_TRUE(sink->closed() || !sink->Send("late"));
}

}  // namespace
}  // namespace rapport
