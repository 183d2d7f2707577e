// loadgen: an HTTP/1.1 keep-alive load generator for Rapport's ingest API (and for peers such as
// nginx answering the same requests), built on Boost.Asio/Beast with C++20 coroutines.
//
// N connections over T threads (one io_context per thread) each send requests back to back for a
// bounded duration: `--mode batch` POSTs /v1/batch with --batch-size events of ~--event-bytes
// each; `--mode track` POSTs /v1/track with one event. Every event carries a unique messageId
// (written in place into a prebuilt body, so the generator stays cheap). Prints requests/s,
// events/s (events in 2xx answers only), MB/s of request bodies, latency percentiles and the
// number of non-2xx answers and connection errors; `--json` prints one JSON object instead.
// Traffic goes only to the address in --url, which must be a loopback address.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <utility>  // before Boost 1.74's awaitable.hpp, which uses std::exchange without it
#include <vector>

#include <fmt/format.h>
#include <boost/asio.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/core/detail/base64.hpp>
#include <boost/beast/http.hpp>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  std::string host = "127.0.0.1";
  std::string port = "8080";
  std::string path;  // default by mode
  std::string write_key = "bench";
  std::string mode = "batch";
  int connections = 64;
  int threads = 0;  // 0 = hardware_concurrency
  int batch_size = 100;
  int event_bytes = 1024;
  double duration = 10;
  bool json = false;
  bool auth_in_header = true;
};

[[noreturn]] void Usage(const char* msg) {
  if (msg) std::fprintf(stderr, "loadgen: %s\n", msg);
  std::fprintf(
      stderr,
      "usage: loadgen --url http://127.0.0.1:PORT [--mode batch|track] [--path /v1/batch]\n"
      "               [--write-key KEY] [--connections 64] [--threads T] [--duration 10]\n"
      "               [--batch-size 100] [--event-bytes 1024] [--key-in-body] [--json]\n");
  std::exit(2);
}

Options Parse(int argc, char** argv) {
  Options o;
  std::string url = "http://127.0.0.1:8080";
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Usage(fmt::format("{} needs a value", a).c_str());
      return argv[++i];
    };
    auto number = [&]() -> double {
      std::string v = value();
      char* end = nullptr;
      double d = std::strtod(v.c_str(), &end);
      if (end == v.c_str() || *end) Usage(fmt::format("{}: not a number: {}", a, v).c_str());
      return d;
    };
    if (a == "--url")
      url = value();
    else if (a == "--path")
      o.path = value();
    else if (a == "--write-key")
      o.write_key = value();
    else if (a == "--mode")
      o.mode = value();
    else if (a == "--connections" || a == "-c")
      o.connections = static_cast<int>(number());
    else if (a == "--threads" || a == "-t")
      o.threads = static_cast<int>(number());
    else if (a == "--batch-size")
      o.batch_size = static_cast<int>(number());
    else if (a == "--event-bytes")
      o.event_bytes = static_cast<int>(number());
    else if (a == "--duration" || a == "-d")
      o.duration = number();
    else if (a == "--json")
      o.json = true;
    else if (a == "--key-in-body")
      o.auth_in_header = false;
    else if (a == "--help" || a == "-h")
      Usage(nullptr);
    else
      Usage(fmt::format("unknown argument {}", a).c_str());
  }
  // --url http://HOST:PORT[/]
  std::string_view u = url;
  if (u.substr(0, 7) != "http://") Usage("--url must start with http://");
  u.remove_prefix(7);
  if (auto slash = u.find('/'); slash != std::string_view::npos) u = u.substr(0, slash);
  auto colon = u.rfind(':');
  if (colon == std::string_view::npos) Usage("--url needs a port");
  o.host = std::string(u.substr(0, colon));
  o.port = std::string(u.substr(colon + 1));
  if (o.mode != "batch" && o.mode != "track") Usage("--mode is batch or track");
  if (o.path.empty()) o.path = o.mode == "batch" ? "/v1/batch" : "/v1/track";
  if (o.mode == "track") o.batch_size = 1;
  if (o.connections < 1 || o.connections > 10000) Usage("--connections out of range");
  if (o.threads <= 0)
    o.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  o.threads = std::min(o.threads, o.connections);
  if (o.batch_size < 1 || o.batch_size > 100000) Usage("--batch-size out of range");
  if (o.event_bytes < 128 || o.event_bytes > 1 << 20)
    Usage("--event-bytes out of range (128..1 MiB)");
  if (!(o.duration > 0 && o.duration <= 3600)) Usage("--duration must be in (0, 3600] seconds");
  // Loopback only: this tool is never pointed at another machine.
  if (!(o.host == "localhost" || o.host.rfind("127.", 0) == 0 || o.host == "[::1]" ||
        o.host == "::1")) {
    Usage("--url must be a loopback address (127.0.0.0/8, localhost or [::1])");
  }
  if (o.host.size() > 2 && o.host.front() == '[') o.host = o.host.substr(1, o.host.size() - 2);
  return o;
}

// A request body with fixed-width messageId slots that are rewritten for every request.
class BodyTemplate {
 public:
  static constexpr int kIdLen = 32;  // hex digits

  BodyTemplate(const Options& o, uint32_t run, uint32_t conn) {
    std::string user = fmt::format("user-{:06d}", conn);
    for (int i = 0; i < o.batch_size; ++i) {
      std::string head = o.mode == "batch" ? R"({"type":"track",)" : "{";
      head += R"("event":"Bench Event","userId":")" + user + R"(","messageId":")";
      std::string mid = R"(","properties":{"plan":"pro","revenue":12.5,"pad":")";
      std::string tail = R"("}})";
      int fixed = static_cast<int>(head.size() + kIdLen + mid.size() + tail.size());
      int pad = std::max(0, o.event_bytes - fixed);
      if (i == 0 && o.mode == "batch") body_ += R"({"batch":[)";
      if (i > 0) body_ += ',';
      body_ += head;
      slots_.push_back(body_.size());
      body_.append(kIdLen, '0');
      body_ += mid;
      body_.append(pad, 'x');
      body_ += tail;
    }
    if (o.mode == "batch") body_ += "]";
    if (!o.auth_in_header) {
      // {"batch":[...],"writeKey":"K"} or {...event...,"writeKey":"K"}
      if (o.mode == "batch")
        body_ += R"(,"writeKey":")" + o.write_key + R"("})";
      else
        body_.insert(body_.size() - 1, R"(,"writeKey":")" + o.write_key + "\"");
    } else if (o.mode == "batch") {
      body_ += "}";
    }
    prefix_ = (uint64_t{run} << 32) | conn;
  }

  // Writes unique ids (prefix + sequence) into every slot; returns the body.
  const std::string& Next() {
    static constexpr char kHex[] = "0123456789abcdef";
    for (size_t pos : slots_) {
      uint64_t seq = seq_++;
      char* p = body_.data() + pos;
      for (int k = 15; k >= 0; --k) p[15 - k] = kHex[(prefix_ >> (k * 4)) & 0xf];
      for (int k = 15; k >= 0; --k) p[31 - k] = kHex[(seq >> (k * 4)) & 0xf];
    }
    return body_;
  }

 private:
  std::string body_;
  std::vector<size_t> slots_;
  uint64_t prefix_;
  uint64_t seq_ = 0;
};

struct Stats {
  uint64_t requests = 0;  // answered
  uint64_t ok = 0;        // 2xx
  uint64_t non2xx = 0;
  uint64_t errors = 0;  // connect/read/write failures
  uint64_t body_bytes = 0;
  uint64_t events_ok = 0;
  std::vector<uint32_t> latency_us;
  std::optional<std::string> first_non2xx;
};

struct Shared {
  Options opt;
  Clock::time_point deadline;
  std::string auth;
  uint32_t run = 0;
  tcp::resolver::results_type endpoints;
};

asio::awaitable<void> Connection(const Shared& sh, uint32_t id, Stats& st) {
  auto ex = co_await asio::this_coro::executor;
  BodyTemplate tmpl(sh.opt, sh.run, id);
  beast::flat_buffer buffer;
  while (Clock::now() < sh.deadline) {
    beast::tcp_stream stream(ex);
    boost::system::error_code ec;
    co_await stream.async_connect(sh.endpoints, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      ++st.errors;
      asio::steady_timer t(ex, std::chrono::milliseconds(100));
      co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    stream.socket().set_option(tcp::no_delay(true), ec);
    buffer.clear();
    while (Clock::now() < sh.deadline) {
      http::request<http::string_body> req{http::verb::post, sh.opt.path, 11};
      req.set(http::field::host, sh.opt.host + ":" + sh.opt.port);
      req.set(http::field::content_type, "application/json");
      req.set(http::field::user_agent, "rapport-loadgen/1");
      if (!sh.auth.empty()) req.set(http::field::authorization, sh.auth);
      req.keep_alive(true);
      req.body() = tmpl.Next();
      req.prepare_payload();
      auto t0 = Clock::now();
      co_await http::async_write(stream, req, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) break;
      http::response_parser<http::string_body> parser;
      parser.body_limit(64 * 1024 * 1024);
      co_await http::async_read(stream, buffer, parser,
                                asio::redirect_error(asio::use_awaitable, ec));
      if (ec) break;
      auto us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0).count();
      st.latency_us.push_back(static_cast<uint32_t>(std::min<int64_t>(us, UINT32_MAX)));
      ++st.requests;
      st.body_bytes += req.body().size();
      auto& res = parser.get();
      unsigned code = res.result_int();
      if (code >= 200 && code < 300) {
        ++st.ok;
        st.events_ok += static_cast<uint64_t>(sh.opt.batch_size);
      } else {
        ++st.non2xx;
        if (!st.first_non2xx)
          st.first_non2xx = fmt::format("{} {}", code, res.body().substr(0, 300));
      }
      if (!res.keep_alive()) break;
    }
    if (ec && Clock::now() < sh.deadline) ++st.errors;
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  }
}

double Percentile(const std::vector<uint32_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t idx = static_cast<size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(idx, sorted.size() - 1)] / 1000.0;
}

}  // namespace

int main(int argc, char** argv) {
  Shared sh;
  sh.opt = Parse(argc, argv);
  const Options& o = sh.opt;
  if (o.auth_in_header) {
    std::string raw = o.write_key + ":";
    std::string enc(beast::detail::base64::encoded_size(raw.size()), '\0');
    enc.resize(beast::detail::base64::encode(enc.data(), raw.data(), raw.size()));
    sh.auth = "Basic " + enc;
  }
  sh.run = static_cast<uint32_t>(std::random_device{}());
  try {
    asio::io_context resolve_ctx;
    tcp::resolver resolver(resolve_ctx);
    sh.endpoints = resolver.resolve(o.host, o.port);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "loadgen: cannot resolve %s:%s: %s\n", o.host.c_str(), o.port.c_str(),
                 e.what());
    return 1;
  }

  std::vector<std::unique_ptr<asio::io_context>> ctxs;
  std::vector<Stats> stats(o.connections);
  for (int t = 0; t < o.threads; ++t) ctxs.push_back(std::make_unique<asio::io_context>(1));
  auto start = Clock::now();
  sh.deadline = start + std::chrono::microseconds(static_cast<int64_t>(o.duration * 1e6));
  for (int c = 0; c < o.connections; ++c) {
    stats[c].latency_us.reserve(1 << 14);
    asio::co_spawn(*ctxs[c % o.threads], Connection(sh, static_cast<uint32_t>(c), stats[c]),
                   asio::detached);
  }
  // Safety net: whatever happens, stop 10 s after the deadline (a request stuck on a dead server).
  std::vector<std::thread> threads;
  std::atomic<int> running{o.threads};
  for (auto& ctx : ctxs) {
    threads.emplace_back([&ctx, &running] {
      ctx->run();
      --running;
    });
  }
  auto hard_stop = sh.deadline + std::chrono::seconds(10);
  while (running.load() > 0 && Clock::now() < hard_stop)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  for (auto& ctx : ctxs) ctx->stop();
  for (auto& th : threads) th.join();
  double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  elapsed = std::max(elapsed, 1e-9);

  Stats total;
  std::optional<std::string> first_non2xx;
  for (auto& s : stats) {
    total.requests += s.requests;
    total.ok += s.ok;
    total.non2xx += s.non2xx;
    total.errors += s.errors;
    total.body_bytes += s.body_bytes;
    total.events_ok += s.events_ok;
    total.latency_us.insert(total.latency_us.end(), s.latency_us.begin(), s.latency_us.end());
    if (!first_non2xx && s.first_non2xx) first_non2xx = s.first_non2xx;
  }
  std::sort(total.latency_us.begin(), total.latency_us.end());
  double rps = total.requests / elapsed;
  double eps = total.events_ok / elapsed;
  double mbps = total.body_bytes / elapsed / 1e6;
  double p50 = Percentile(total.latency_us, 0.50), p90 = Percentile(total.latency_us, 0.90);
  double p99 = Percentile(total.latency_us, 0.99);
  double pmax = total.latency_us.empty() ? 0 : total.latency_us.back() / 1000.0;

  if (o.json) {
    fmt::print(
        "{{\"mode\":\"{}\",\"url\":\"http://"
        "{}:{}{}\",\"connections\":{},\"threads\":{},\"batch_size\":{},"
        "\"event_bytes\":{},\"duration_s\":{:.3f},\"requests\":{},\"ok\":{},\"non_2xx\":{},"
        "\"errors\":{},"
        "\"requests_per_s\":{:.1f},\"events_per_s\":{:.1f},\"mb_per_s\":{:.2f},\"p50_ms\":{:.3f},"
        "\"p90_ms\":{:.3f},\"p99_ms\":{:.3f},\"max_ms\":{:.3f}}}\n",
        o.mode, o.host, o.port, o.path, o.connections, o.threads, o.batch_size, o.event_bytes,
        elapsed, total.requests, total.ok, total.non2xx, total.errors, rps, eps, mbps, p50, p90,
        p99, pmax);
  } else {
    fmt::print(
        "loadgen {} http://{}:{}{}  connections={} threads={} batch={} event≈{} B  {:.2f} s\n",
        o.mode, o.host, o.port, o.path, o.connections, o.threads, o.batch_size, o.event_bytes,
        elapsed);
    fmt::print("  requests/s {:>12.1f}   events/s {:>12.1f}   MB/s {:>8.2f}\n", rps, eps, mbps);
    fmt::print("  latency ms  p50 {:.3f}  p90 {:.3f}  p99 {:.3f}  max {:.3f}\n", p50, p90, p99,
               pmax);
    fmt::print("  answered {}  2xx {}  non-2xx {}  connection errors {}\n", total.requests,
               total.ok, total.non2xx, total.errors);
  }
  if (first_non2xx)
    std::fprintf(stderr, "loadgen: first non-2xx answer: %s\n", first_non2xx->c_str());
  return total.ok > 0 ? 0 : 1;
}
