#include "activate/dispatcher.h"

#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>

#include "activate/lane.h"
#include "common/threads.h"

namespace rapport {

namespace asio = boost::asio;

struct Dispatcher::Impl {
  Impl(Outbox* o, DispatcherOptions opts) : outbox(o), options(std::move(opts)) {
    if (options.clock == nullptr) options.clock = SystemClock::Default();
    if (options.threads < 1) options.threads = 1;
    // Asio reports TLS set-up problems by exception: keep them inside.
    try {
      auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
      ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                       asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                       asio::ssl::context::no_tlsv1_1);
      ctx->set_default_verify_paths();
      ctx->set_verify_mode(asio::ssl::verify_peer);
      if (!options.extra_ca_pem.empty()) {
        ctx->add_certificate_authority(asio::buffer(options.extra_ca_pem));
      }
      tls = std::move(ctx);
    } catch (const std::exception& e) {
      tls_error = Status::Internal(fmt::format("destinations: cannot set up TLS: {}", e.what()));
    }
  }

  // Stops `lane` (waiting for its strand when the threads run) and releases what it had in
  // flight, so a successor sends those items again.
  void Retire(const std::shared_ptr<Lane>& lane) {
    std::future<void> stopped = lane->Stop();
    if (running) stopped.wait();
    outbox->ReleaseInFlight(lane->name());
  }

  std::shared_ptr<Lane> MakeLane(const DestinationDef& def, const WebhookUrl& url) {
    return std::make_shared<Lane>(io, outbox, def, url, tls.get(), options);
  }

  Outbox* outbox;
  DispatcherOptions options;
  std::unique_ptr<asio::ssl::context> tls;  // outlives the io_context and what it holds
  Status tls_error;
  asio::io_context io;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::vector<std::thread> threads;
  std::mutex admin_mu;    // serializes Start, Stop, Add, Remove
  bool running = false;   // GUARDED_BY(admin_mu)
  mutable std::mutex mu;  // guards the maps (Wake and Health come from any thread)
  std::map<std::string, std::shared_ptr<Lane>, std::less<>> lanes;
  std::map<std::string, std::pair<DestinationDef, WebhookUrl>, std::less<>> defs;
};

Dispatcher::Dispatcher(Outbox* outbox, DispatcherOptions options)
    : impl_(std::make_unique<Impl>(outbox, std::move(options))) {
  outbox->SetListener([impl = impl_.get()](const std::string& name) {
    std::shared_ptr<Lane> lane;
    {
      std::lock_guard lock(impl->mu);
      auto it = impl->lanes.find(name);
      if (it == impl->lanes.end()) return;
      lane = it->second;
    }
    lane->Wake();
  });
}

Dispatcher::~Dispatcher() {
  Stop();
  impl_->outbox->SetListener(nullptr);
  std::lock_guard lock(impl_->mu);
  impl_->lanes.clear();
}

Status Dispatcher::Start() {
  std::lock_guard admin(impl_->admin_mu);
  if (impl_->running) return Status::OK();
  impl_->io.restart();
  impl_->work.emplace(impl_->io.get_executor());
  impl_->running = true;
  for (int i = 0; i < impl_->options.threads; ++i) {
    impl_->threads.emplace_back([this] {
      SetThreadName("dispatch");
      impl_->io.run();
    });
  }
  std::lock_guard lock(impl_->mu);
  for (auto& [name, lane] : impl_->lanes) lane->Start();
  return impl_->tls_error;
}

void Dispatcher::Stop() {
  std::lock_guard admin(impl_->admin_mu);
  if (!impl_->running) return;
  std::vector<std::shared_ptr<Lane>> lanes;
  {
    std::lock_guard lock(impl_->mu);
    for (auto& [name, lane] : impl_->lanes) lanes.push_back(lane);
  }
  for (auto& lane : lanes) impl_->Retire(lane);
  impl_->work.reset();
  impl_->io.stop();
  for (auto& t : impl_->threads) t.join();
  impl_->threads.clear();
  impl_->running = false;
  // Stopped lanes cannot start again: fresh ones for a later Start.
  std::lock_guard lock(impl_->mu);
  for (auto& [name, lane] : impl_->lanes) {
    const auto& [def, url] = impl_->defs.at(name);
    lane = impl_->MakeLane(def, url);
  }
}

Status Dispatcher::Add(const DestinationDef& def) {
  auto url = ParseWebhookUrl(def.url);
  if (!url.ok()) return url.status().WithContext(fmt::format("destination \"{}\"", def.name));
  std::lock_guard admin(impl_->admin_mu);
  std::shared_ptr<Lane> old;
  {
    std::lock_guard lock(impl_->mu);
    if (auto it = impl_->lanes.find(def.name); it != impl_->lanes.end()) old = it->second;
  }
  if (old) impl_->Retire(old);
  std::shared_ptr<Lane> lane = impl_->MakeLane(def, *url);
  {
    std::lock_guard lock(impl_->mu);
    impl_->lanes[def.name] = lane;
    impl_->defs[def.name] = {def, *url};
  }
  if (impl_->running) lane->Start();
  return Status::OK();
}

void Dispatcher::Remove(std::string_view name) {
  std::lock_guard admin(impl_->admin_mu);
  std::shared_ptr<Lane> lane;
  {
    std::lock_guard lock(impl_->mu);
    auto it = impl_->lanes.find(name);
    if (it == impl_->lanes.end()) return;
    lane = it->second;
    impl_->lanes.erase(it);
    impl_->defs.erase(impl_->defs.find(name));
  }
  impl_->Retire(lane);
}

std::optional<DestinationHealth> Dispatcher::Health(std::string_view name) const {
  std::shared_ptr<Lane> lane;
  {
    std::lock_guard lock(impl_->mu);
    auto it = impl_->lanes.find(name);
    if (it == impl_->lanes.end()) return std::nullopt;
    lane = it->second;
  }
  return lane->Health();
}

}  // namespace rapport
