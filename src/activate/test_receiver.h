// TestReceiver: a real HTTP/1.1 webhook receiver on 127.0.0.1 for activate's tests (plain or
// TLS with a self-signed certificate made on the spot). A Behaviour decides each answer (status,
// headers, a delay, or hanging up); every request is recorded. Stop() takes it down (listener and
// open connections closed) and Start(port) brings it back on the same port. Test-only; one
// thread per connection; thread-safe.
#pragma once

#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace rapport::testing {

struct ReceivedRequest {
  std::string method, target, body;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::chrono::steady_clock::time_point at;
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

struct Reply {
  Reply(int s = 200, std::string b = "ok", std::chrono::milliseconds d = {})  // NOLINT
      : status(s), body(std::move(b)), delay(d) {}
  int status;
  std::string body;  // left out for 204 and 304
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds delay;  // answer only after this (or when stopped)
  bool hang_up = false;             // close the connection without answering
};

// A key and a self-signed certificate (also its own CA) for 127.0.0.1, as PEM.
inline std::pair<std::string, std::string> MakeSelfSignedCert() {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 86400);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("rapport test"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  for (auto [nid, value] : {std::pair{NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost"},
                            std::pair{NID_basic_constraints, "critical,CA:TRUE"},
                            std::pair{NID_key_usage, "critical,digitalSignature,keyCertSign"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
  }
  X509_sign(cert, key, EVP_sha256());
  auto to_pem = [](auto write) {
    BIO* bio = BIO_new(BIO_s_mem());
    write(bio);
    char* data = nullptr;
    long n = BIO_get_mem_data(bio, &data);
    std::string pem(data, static_cast<size_t>(n));
    BIO_free(bio);
    return pem;
  };
  std::string cert_pem = to_pem([&](BIO* b) { PEM_write_bio_X509(b, cert); });
  std::string key_pem = to_pem(
      [&](BIO* b) { PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr, nullptr); });
  X509_free(cert);
  EVP_PKEY_free(key);
  return {key_pem, cert_pem};
}

class TestReceiver {
 public:
  using Behaviour = std::function<Reply(const ReceivedRequest&)>;

  explicit TestReceiver(Behaviour behaviour = nullptr, bool tls = false)
      : behaviour_(std::move(behaviour)) {
    if (tls) {
      auto [key, cert] = MakeSelfSignedCert();
      cert_pem_ = cert;
      tls_ = std::make_unique<boost::asio::ssl::context>(boost::asio::ssl::context::tls_server);
      tls_->use_certificate_chain(boost::asio::buffer(cert));
      tls_->use_private_key(boost::asio::buffer(key), boost::asio::ssl::context::pem);
    }
  }
  ~TestReceiver() { Stop(); }

  // Listens on 127.0.0.1:`port` (0: any free port). False when the port cannot be bound.
  bool Start(uint16_t port = 0) {
    using boost::asio::ip::tcp;
    Stop();
    stopping_ = false;
    boost::system::error_code ec;
    acceptor_ = std::make_unique<tcp::acceptor>(io_);
    tcp::endpoint ep(boost::asio::ip::make_address("127.0.0.1"), port);
    acceptor_->open(ep.protocol(), ec);
    acceptor_->set_option(tcp::acceptor::reuse_address(true), ec);
    acceptor_->bind(ep, ec);
    if (ec) return false;
    acceptor_->listen(128, ec);
    if (ec) return false;
    port_ = acceptor_->local_endpoint().port();
    accept_thread_ = std::thread([this] { AcceptLoop(); });
    return true;
  }

  // Down: the listener and every open connection close; requests in progress get no answer.
  void Stop() {
    if (!acceptor_) return;
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
      for (auto* s : open_) ::shutdown(s->native_handle(), SHUT_RDWR);
    }
    cv_.notify_all();
    ::shutdown(acceptor_->native_handle(), SHUT_RDWR);  // wakes accept()
    accept_thread_.join();
    boost::system::error_code ignored;
    acceptor_->close(ignored);
    acceptor_.reset();
    std::vector<std::thread> threads;
    {
      std::lock_guard lock(mu_);
      threads.swap(threads_);
    }
    for (auto& t : threads) t.join();
  }

  uint16_t port() const { return port_; }
  std::string url(const std::string& path = "/hook") const {
    return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) + path;
  }
  const std::string& cert_pem() const { return cert_pem_; }

  void SetBehaviour(Behaviour b) {
    std::lock_guard lock(mu_);
    behaviour_ = std::move(b);
  }
  std::vector<ReceivedRequest> requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }
  size_t count() const {
    std::lock_guard lock(mu_);
    return requests_.size();
  }
  // The most requests being answered at the same time.
  int max_concurrent() const { return max_concurrent_.load(); }
  int connections() const { return connections_.load(); }

 private:
  using Socket = boost::asio::ip::tcp::socket;

  void AcceptLoop() {
    while (true) {
      auto socket = std::make_unique<Socket>(io_);
      boost::system::error_code ec;
      acceptor_->accept(*socket, ec);
      std::lock_guard lock(mu_);
      if (ec || stopping_) return;
      ++connections_;
      Socket* raw = socket.get();
      open_.insert(raw);
      threads_.emplace_back([this, s = std::move(socket)]() mutable { Serve(std::move(s)); });
    }
  }

  void Serve(std::unique_ptr<Socket> socket) {
    if (tls_) {
      boost::asio::ssl::stream<Socket&> stream(*socket, *tls_);
      boost::system::error_code ec;
      stream.handshake(boost::asio::ssl::stream_base::server, ec);
      if (!ec) Loop(stream);
    } else {
      Loop(*socket);
    }
    std::lock_guard lock(mu_);
    open_.erase(socket.get());
  }

  template <typename Stream>
  void Loop(Stream& stream) {
    namespace http = boost::beast::http;
    boost::beast::flat_buffer buffer;
    while (true) {
      http::request<http::string_body> req;
      boost::system::error_code ec;
      http::read(stream, buffer, req, ec);
      if (ec) return;
      ReceivedRequest r;
      r.method = std::string(req.method_string());
      r.target = std::string(req.target());
      r.body = req.body();
      r.at = std::chrono::steady_clock::now();
      for (const auto& f : req) {
        std::string name(f.name_string());
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        r.headers[name] = std::string(f.value());
      }
      Behaviour behaviour;
      {
        std::lock_guard lock(mu_);
        requests_.push_back(r);
        behaviour = behaviour_;
      }
      const int now_busy = ++busy_;
      int seen = max_concurrent_.load();
      while (now_busy > seen && !max_concurrent_.compare_exchange_weak(seen, now_busy)) {
      }
      Reply reply = behaviour ? behaviour(r) : Reply{};
      if (reply.delay.count() > 0) {
        std::unique_lock lock(mu_);
        cv_.wait_for(lock, reply.delay, [this] { return stopping_; });
      }
      --busy_;
      {
        std::lock_guard lock(mu_);
        if (stopping_ || reply.hang_up) return;
      }
      http::response<http::string_body> res{static_cast<http::status>(reply.status), 11};
      if (reply.status != 204 && reply.status != 304) res.body() = reply.body;
      for (const auto& [k, v] : reply.headers) res.set(k, v);
      res.keep_alive(req.keep_alive());
      res.prepare_payload();
      http::write(stream, res, ec);
      if (ec || !req.keep_alive()) return;
    }
  }

  boost::asio::io_context io_;
  std::unique_ptr<boost::asio::ssl::context> tls_;
  std::string cert_pem_;
  std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor_;
  std::thread accept_thread_;
  uint16_t port_ = 0;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  Behaviour behaviour_;
  std::vector<ReceivedRequest> requests_;
  std::vector<std::thread> threads_;
  std::set<Socket*> open_;
  std::atomic<int> busy_{0}, max_concurrent_{0}, connections_{0};
};

// Polls `done` until it holds or `timeout` passes; true when it held.
inline bool WaitFor(const std::function<bool()>& done,
                    std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

}  // namespace rapport::testing
