#include "activate/lane.h"

#include <algorithm>
#include <limits>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

#include "activate/signature.h"

namespace rapport {

namespace asio = boost::asio;

Lane::Lane(asio::io_context& io, Outbox* outbox, DestinationDef def, WebhookUrl url,
           asio::ssl::context* tls, const DispatcherOptions& options)
    : strand_(asio::make_strand(io)),
      timer_(strand_),
      outbox_(outbox),
      def_(std::move(def)),
      url_(std::move(url)),
      tls_(tls),
      clock_(options.clock ? options.clock : SystemClock::Default()),
      tick_us_(std::max<int64_t>(1000, options.tick.count() * 1000)),
      trip_after_(std::max(1, options.trip_after)),
      bucket_(def_.rate_limit_per_second, def_.rate_limit_per_second),
      rng_(std::random_device{}()) {
  // The last error lives on in the latest dead letter, so a restart does not forget why.
  auto last = outbox_->LatestDeadLetter(def_.name);
  if (last.ok() && *last) {
    health_.last_error = (*last)->last_error;
    health_.last_error_us = (*last)->dead_at_us;
    published_ = health_;
  }
}

void Lane::Start() {
  asio::post(strand_, [self = shared_from_this()] { self->Pump(); });
}

std::future<void> Lane::Stop() {
  auto done = std::make_shared<std::promise<void>>();
  std::future<void> result = done->get_future();
  asio::post(strand_, [self = shared_from_this(), done] {
    self->stopped_ = true;
    self->timer_.cancel();
    for (auto& c : self->idle_) c->Close();
    for (auto& c : self->busy_) c->Abandon();  // their answers will never be looked at
    self->idle_.clear();
    self->busy_.clear();
    done->set_value();
  });
  return result;
}

void Lane::Wake() {
  if (!wake_pending_.exchange(true)) {
    asio::post(strand_, [self = shared_from_this()] { self->Pump(); });
  }
}

int64_t Lane::SteadyMicros() const {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void Lane::ArmTimer(int64_t micros) {
  timer_.expires_after(std::chrono::microseconds(std::max<int64_t>(micros, 100)));
  timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (!ec) self->Pump();
  });
}

void Lane::Pump() {
  wake_pending_ = false;
  if (stopped_) return;
  const int64_t now = clock_->NowMicros();
  if (paused_until_us_ > now) return ArmTimer(std::min(paused_until_us_ - now, tick_us_));
  const int cap = down_ ? 1 : def_.concurrency;
  if (in_flight_ < cap) {
    const double tokens = bucket_.Available(SteadyMicros());
    const size_t n = static_cast<size_t>(std::min<double>(cap - in_flight_, tokens));
    if (n > 0) {
      auto items = outbox_->TakeDue(def_.name, now, n);
      if (!items.ok()) {
        if (items.status().code() != StatusCode::kNotFound) {
          spdlog::error("destination \"{}\": {}", def_.name, items.status().ToString());
        }
        return ArmTimer(tick_us_);
      }
      for (OutboxItem& item : *items) {
        bucket_.Take();
        Send(std::move(item));
      }
    }
  }
  if (in_flight_ >= cap) return ArmTimer(tick_us_);  // an answer pumps again
  const int64_t next = outbox_->NextDue(def_.name);
  if (next <= now) return ArmTimer(std::max<int64_t>(bucket_.MicrosToNextToken(), 1000));
  if (next == std::numeric_limits<int64_t>::max()) return ArmTimer(tick_us_);
  ArmTimer(std::min(next - now, tick_us_));
}

void Lane::Send(OutboxItem item) {
  ++in_flight_;
  auto call = std::make_shared<HttpCall>();
  call->method = std::string(WebhookMethodName(def_.method));
  const int64_t ts = clock_->NowMicros() / 1'000'000;
  call->headers = {{"Content-Type", "application/json"},
                   {"Idempotency-Key", item.idempotency_key},
                   {"X-Rapport-Timestamp", std::to_string(ts)},
                   {"X-Rapport-Signature", SignPayload(def_.secret, ts, item.body)}};
  for (const auto& h : def_.headers) call->headers.push_back(h);
  call->body = std::move(item.body);
  auto f = std::make_shared<InFlight>();
  f->item = std::move(item);
  f->call = std::move(call);
  if (!idle_.empty()) {
    f->conn = std::move(idle_.back());
    idle_.pop_back();
  } else {
    f->conn = std::make_shared<HttpConnection>(strand_, url_.tls ? tls_ : nullptr, url_);
  }
  Transmit(std::move(f));
}

void Lane::Transmit(std::shared_ptr<InFlight> f) {
  busy_.insert(f->conn);
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(def_.timeout_ms);
  auto conn = f->conn;
  conn->Send(f->call, deadline,
             [self = shared_from_this(), f](HttpAnswer a) { self->OnAnswer(f, std::move(a)); });
}

std::string Lane::Describe(const HttpAnswer& a) {
  if (a.status == 0) return a.error;
  std::string out = fmt::format("HTTP {}", a.status);
  if (!a.body_excerpt.empty()) {
    out += ": ";
    for (char c : a.body_excerpt) out.push_back(c >= 0x20 && c != 0x7f ? c : ' ');
  }
  return out;
}

void Lane::OnAnswer(std::shared_ptr<InFlight> f, HttpAnswer a) {
  busy_.erase(f->conn);
  if (stopped_) return;
  if (a.stale && !f->resent) {
    // The server had closed the idle connection: send again at once on a new one.
    f->resent = true;
    f->conn = std::make_shared<HttpConnection>(strand_, url_.tls ? tls_ : nullptr, url_);
    return Transmit(std::move(f));
  }
  --in_flight_;
  if (f->conn->reusable() && idle_.size() < static_cast<size_t>(def_.concurrency)) {
    idle_.push_back(f->conn);
  }
  const int64_t now = clock_->NowMicros();
  const OutboxItem& item = f->item;
  Status s;
  switch (Judge(a.status)) {
    case Verdict::kDelivered:
      s = outbox_->Delivered(def_.name, item.id, now);
      health_.last_success_us = now;
      Alive(now);
      break;
    case Verdict::kDeadLetter:
      health_.last_error = Describe(a);
      health_.last_error_us = now;
      s = outbox_->DeadLetter(def_.name, item.id, item.attempts + 1, health_.last_error, a.status,
                              now);
      Alive(now);  // it answered
      break;
    case Verdict::kRetry:
      Retry(item, now, a, Describe(a));
      break;
  }
  if (!s.ok() && s.code() != StatusCode::kNotFound) {
    spdlog::error("destination \"{}\": item {}: {}", def_.name, item.id, s.ToString());
  }
  PublishHealth();
  Pump();
}

void Lane::Retry(const OutboxItem& item, int64_t now, const HttpAnswer& a,
                 const std::string& error) {
  health_.last_error = error;
  health_.last_error_us = now;
  const bool destination_level = DestinationLevelFailure(a.status);
  std::optional<int64_t> retry_after_ms;
  if (!a.retry_after.empty()) retry_after_ms = ParseRetryAfterMs(a.retry_after, now);
  if (retry_after_ms) retry_after_ms = std::min(*retry_after_ms, def_.backoff_max_ms);
  // Equal jitter for the pauses of a down destination: never a burst of probes.
  auto pause_ms = [this](int k) {
    const int64_t cap = BackoffCapMs(def_, k);
    return cap / 2 + static_cast<int64_t>(rng_() % static_cast<uint64_t>(cap / 2 + 1));
  };
  Status s;
  if (down_ && destination_level) {
    // A probe of a down destination failed: the item is not charged an attempt.
    ++down_probes_;
    paused_until_us_ = std::max(
        paused_until_us_, now + 1000 * (retry_after_ms ? *retry_after_ms : pause_ms(down_probes_)));
    s = outbox_->Retry(def_.name, item.id, item.attempts, now, error, a.status);
  } else {
    const int attempts = item.attempts + 1;
    if (attempts >= def_.max_attempts) {
      s = outbox_->DeadLetter(def_.name, item.id, attempts, error, a.status, now);
    } else {
      const int64_t delay_ms = retry_after_ms ? *retry_after_ms : BackoffMs(def_, attempts, rng_());
      s = outbox_->Retry(def_.name, item.id, attempts, now + delay_ms * 1000, error, a.status);
    }
    if (!destination_level) {
      Alive(now);  // it answered, just not with success
    } else {
      ++health_.consecutive_failures;
      if (retry_after_ms) {
        paused_until_us_ = std::max(paused_until_us_, now + *retry_after_ms * 1000);
      }
      if (!down_ && health_.consecutive_failures >= trip_after_) {
        down_ = true;
        down_probes_ = 1;
        health_.down_since_us = now;
        paused_until_us_ = std::max(paused_until_us_, now + 1000 * pause_ms(1));
        spdlog::warn("destination \"{}\" is down ({}): probing with one request at a time",
                     def_.name, error);
      }
    }
  }
  if (!s.ok() && s.code() != StatusCode::kNotFound) {
    spdlog::error("destination \"{}\": item {}: {}", def_.name, item.id, s.ToString());
  }
}

void Lane::Alive(int64_t now) {
  health_.consecutive_failures = 0;
  if (!down_) return;
  down_ = false;
  down_probes_ = 0;
  health_.down_since_us = 0;
  paused_until_us_ = 0;
  spdlog::info("destination \"{}\" answers again", def_.name);
}

void Lane::PublishHealth() {
  DestinationHealth h = health_;
  h.state = down_ ? "down" : "up";
  std::lock_guard lock(health_mu_);
  published_ = h;
  published_paused_until_us_ = paused_until_us_;
}

DestinationHealth Lane::Health() const {
  std::lock_guard lock(health_mu_);
  DestinationHealth h = published_;
  if (h.state == "up" && published_paused_until_us_ > clock_->NowMicros()) h.state = "paused";
  return h;
}

}  // namespace rapport
