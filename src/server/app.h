// App: one running Rapport server — opens the data directory (control database, event log,
// de-duplication index), recovers, registers every route, serves HTTP, and runs background
// upkeep (log retention). Open → Start → Stop, from one thread; Stop is graceful and flushes.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "common/clock.h"
#include "common/config.h"
#include "common/metrics.h"
#include "common/status.h"

namespace rapport {

namespace warehouse {
class Warehouse;
class WarehouseFeed;
}  // namespace warehouse
class QueryApi;
class AdminApi;
class CatalogJourneySender;
class JourneyHooks;
class JourneyRunner;
class JourneysApi;
class AudienceSync;
class DestinationCatalog;
class DestinationsApi;
class Dispatcher;
class Outbox;
class AudienceEngine;
class AudiencesApi;
class TestClockApi;
class Env;
class Authenticator;
class ControlStore;
class Deduplicator;
class EventHub;
class EventLog;
class EventsApi;
class CompactionPacer;
class HttpServer;
class IngestService;
class ProfilePipeline;
class ProfilesApi;
class ImportsApi;
class InsightsApi;
class SpendApi;
class DashboardsApi;
class ConsoleFiles;
class Router;

class App {
 public:
  // `clock` and `env` (file I/O of the event log) default to the real ones; tests inject.
  static Result<std::unique_ptr<App>> Open(const Config& config, Clock* clock = nullptr,
                                           Env* env = nullptr);
  ~App();

  Status Start();
  void Stop();
  uint16_t port() const;
  Registry* metrics() { return &metrics_; }
  Router* router() { return router_.get(); }
  // On a first start (no API token exists yet): creates an admin token and returns its secret,
  // for `rapport serve` to print once with the console's sign-in address; "" otherwise.
  Result<std::string> FirstStartToken();
  // Blocks until every event durable when called is applied to profiles and visible to the
  // warehouse (`rapport demo` waits so before it stops); false when `timeout_us` passes first.
  bool WaitCaughtUp(int64_t timeout_us);

 private:
  App(const Config& config, Clock* clock, Env* env);
  Status OpenStorage();
  void RegisterRoutes();
  // The console at `/` (app_console.cc): kNotFound when a configured console dir is not one.
  Status LoadConsole();
  void Upkeep();

  Config config_;
  Clock* clock_;
  Env* env_;
  Registry metrics_;
  // Declaration order is destruction order reversed: the HTTP server goes first, then the log
  // (its writer thread finishes queued appends, whose callbacks use everything declared above).
  std::unique_ptr<ControlStore> control_;
  std::unique_ptr<Deduplicator> dedup_;
  std::unique_ptr<Authenticator> auth_;
  std::unique_ptr<EventHub> hub_;
  std::unique_ptr<IngestService> ingest_;
  std::unique_ptr<EventsApi> events_;
  std::unique_ptr<AdminApi> admin_;
  std::unique_ptr<EventLog> log_;
  // Destinations: the outbox outlives its dispatcher and the catalog; all outlive the pipeline,
  // whose batches enqueue into them.
  std::unique_ptr<Outbox> outbox_;
  std::unique_ptr<Dispatcher> dispatcher_;
  std::unique_ptr<DestinationCatalog> catalog_;
  std::unique_ptr<AudienceSync> audience_sync_;  // a reactor of the engine
  std::unique_ptr<CatalogJourneySender> journey_sender_;
  std::unique_ptr<JourneyRunner> journeys_;          // a reactor of the engine
  std::unique_ptr<AudienceEngine> audience_engine_;  // the pipeline's hooks: outlives it
  std::unique_ptr<JourneyHooks> journey_hooks_;      // the engine + journeys' counts: outlives it
  std::unique_ptr<ProfilePipeline> pipeline_;        // reads the log: goes before it
  std::unique_ptr<warehouse::Warehouse> warehouse_;
  std::unique_ptr<warehouse::WarehouseFeed> warehouse_feed_;  // reads the pipeline's store
  std::unique_ptr<QueryApi> query_api_;                       // reads the warehouse
  std::unique_ptr<ProfilesApi> profiles_;
  std::unique_ptr<AudiencesApi> audiences_;
  std::unique_ptr<TestClockApi> test_clock_;  // only on a ManualClock
  std::unique_ptr<DestinationsApi> destinations_;
  std::unique_ptr<JourneysApi> journeys_api_;
  std::unique_ptr<ImportsApi> imports_;    // its threads ingest: goes before the log
  std::unique_ptr<InsightsApi> insights_;  // ingests scores: goes before the log
  std::unique_ptr<SpendApi> spend_;
  std::unique_ptr<DashboardsApi> dashboards_;
  std::unique_ptr<ConsoleFiles> console_;
  std::unique_ptr<Router> router_;
  std::unique_ptr<HttpServer> http_;
  std::unique_ptr<CompactionPacer> compaction_pacer_;
  std::atomic<bool> ready_{false};

  std::mutex upkeep_mu_;
  std::condition_variable upkeep_cv_;
  bool stopping_ = false;  // GUARDED_BY(upkeep_mu_)
  std::thread upkeep_;
};

}  // namespace rapport
