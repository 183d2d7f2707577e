// Lane: the delivery loop of one destination, run on its own strand of the dispatcher's
// io_context — takes due items from the outbox within the rate limit and the concurrency,
// signs and sends them on pooled keep-alive connections, and reports each answer back to the
// outbox (delivered, retry at a backoff, dead letter). Internal to the dispatcher: Start, Stop
// and Wake may be called from any thread; everything else runs on the strand.
#pragma once

#include <atomic>
#include <future>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "activate/dispatcher.h"
#include "activate/http_client.h"
#include "activate/retry_policy.h"

namespace rapport {

class Lane : public std::enable_shared_from_this<Lane> {
 public:
  Lane(boost::asio::io_context& io, Outbox* outbox, DestinationDef def, WebhookUrl url,
       boost::asio::ssl::context* tls, const DispatcherOptions& options);

  void Start();
  // Stops sending and closes every connection; answers that arrive later are ignored (their
  // items stay in flight in the outbox until released). Ready once the strand has done it.
  std::future<void> Stop();
  // New items may be due (coalesced).
  void Wake();
  DestinationHealth Health() const;
  const std::string& name() const { return def_.name; }

 private:
  struct InFlight {
    OutboxItem item;
    std::shared_ptr<HttpConnection> conn;
    std::shared_ptr<const HttpCall> call;
    bool resent = false;
  };

  void Pump();
  void ArmTimer(int64_t micros);
  void Send(OutboxItem item);
  void Transmit(std::shared_ptr<InFlight> f);
  void OnAnswer(std::shared_ptr<InFlight> f, HttpAnswer answer);
  void Retry(const OutboxItem& item, int64_t now, const HttpAnswer& a, const std::string& error);
  void Alive(int64_t now);
  void PublishHealth();
  int64_t SteadyMicros() const;
  static std::string Describe(const HttpAnswer& a);

  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::steady_timer timer_;
  Outbox* outbox_;
  const DestinationDef def_;
  const WebhookUrl url_;
  boost::asio::ssl::context* tls_;
  Clock* clock_;
  const int64_t tick_us_;
  const int trip_after_;
  std::atomic<bool> wake_pending_{false};

  // Strand-only state.
  bool stopped_ = false;
  int in_flight_ = 0;
  TokenBucket bucket_;
  std::vector<std::shared_ptr<HttpConnection>> idle_;
  std::set<std::shared_ptr<HttpConnection>> busy_;
  std::mt19937_64 rng_;
  bool down_ = false;
  int down_probes_ = 0;
  int64_t paused_until_us_ = 0;  // no new request before (clock time)
  DestinationHealth health_;

  mutable std::mutex health_mu_;
  DestinationHealth published_;            // GUARDED_BY(health_mu_)
  int64_t published_paused_until_us_ = 0;  // GUARDED_BY(health_mu_)
};

}  // namespace rapport
