#include "server/app.h"

#include <chrono>
#include <filesystem>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "activate/audience_sync.h"
#include "activate/catalog.h"
#include "activate/dispatcher.h"
#include "activate/journey_def.h"
#include "activate/journey_runner.h"
#include "activate/outbox.h"
#include "collect/dedup.h"
#include "common/pacing.h"
#include "common/rocks_options.h"
#include "common/threads.h"
#include "identity/identifier.h"
#include "import/spend_parse.h"
#include "log/event_log.h"
#include "profile/pipeline.h"
#include "server/admin_api.h"
#include "server/audiences_api.h"
#include "server/auth.h"
#include "server/compaction_pacer.h"
#include "server/console.h"
#include "server/dashboards_api.h"
#include "server/destinations_api.h"
#include "server/event_hub.h"
#include "server/events_api.h"
#include "server/http_server.h"
#include "server/imports_api.h"
#include "server/ingest.h"
#include "server/insights_api.h"
#include "server/journeys_api.h"
#include "server/profiles_api.h"
#include "server/query_api.h"
#include "server/router.h"
#include "server/spend_api.h"
#include "server/test_clock_api.h"
#include "warehouse/feed.h"
#include "warehouse/store.h"

namespace rapport {
namespace {

constexpr auto kUpkeepEvery = std::chrono::minutes(10);
const std::vector<Role> kAllRoles = {Role::kAdmin, Role::kMarketer, Role::kAnalyst};
const std::vector<Role> kAdminOnly = {Role::kAdmin};
const std::vector<Role> kWriters = {Role::kAdmin, Role::kMarketer};

}  // namespace

App::App(const Config& config, Clock* clock, Env* env)
    : config_(config), clock_(clock ? clock : SystemClock::Default()), env_(env) {}

App::~App() { Stop(); }

Result<std::unique_ptr<App>> App::Open(const Config& config, Clock* clock, Env* env) {
  RETURN_IF_ERROR(config.Validate());
  SetBackgroundNice(config.background_nice);  // before any background thread starts
  if (config.background_nice > 0) LowerCompactionPriority();
  SetBackgroundShare(config.background_share / 100.0);
  std::unique_ptr<App> app(new App(config, clock, env));
  RETURN_IF_ERROR(app->OpenStorage());
  app->RegisterRoutes();
  RETURN_IF_ERROR(app->LoadConsole());
  return app;
}

Status App::OpenStorage() {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(config_.data_dir, ec);
  if (ec) {
    return Status::IOError(
        fmt::format("cannot create data directory {}: {}", config_.data_dir, ec.message()));
  }
  ASSIGN_OR_RETURN(control_, ControlStore::Open(config_.data_dir + "/control.db"));

  LogOptions log_options;
  log_options.dir = config_.data_dir + "/log";
  log_options.partitions = config_.partitions;
  log_options.segment_bytes = static_cast<uint64_t>(config_.segment_mb) << 20;
  log_options.clock = clock_;
  log_options.env = env_;
  Histogram* fsync = metrics_.GetHistogram("rapport_log_fsync_seconds",
                                           "Latency of the event log's group-commit fsync.",
                                           ExponentialBuckets(0.0001, 2, 16));
  log_options.on_sync = [fsync](int64_t micros) { fsync->Observe(micros / 1e6); };
  RecoveryReport report;
  ASSIGN_OR_RETURN(log_, EventLog::Open(log_options, &report));
  for (const auto& m : report.messages) spdlog::warn("log recovery: {}", m);

  DedupOptions dedup_options;
  dedup_options.dir = config_.data_dir + "/dedup";
  dedup_options.window_us = config_.dedup_window_hours * 3600LL * 1000000LL;
  dedup_options.filter_max_bytes = static_cast<size_t>(config_.dedup_filter_mb) << 20;
  dedup_options.clock = clock_;
  ASSIGN_OR_RETURN(dedup_, Deduplicator::Open(dedup_options));
  ASSIGN_OR_RETURN(uint64_t replayed, dedup_->CatchUp(*log_));
  if (replayed > 0) spdlog::info("de-duplication index caught up on {} log records", replayed);

  ASSIGN_OR_RETURN(IdentitySettings identity, MakeIdentitySettings(config_.identity));
  warehouse::FeedOptions feed_options;
  feed_options.identity = identity;
  feed_options.clock = clock_;
  PipelineOptions pipeline_options;
  pipeline_options.log = log_.get();
  pipeline_options.dir = config_.data_dir + "/state";
  pipeline_options.cache_mb = config_.profiles_cache_mb;
  pipeline_options.identity = std::move(identity);
  pipeline_options.metrics = &metrics_;
  // Computed traits, and the hidden ones audiences' `performed` conditions need.
  pipeline_options.load_definitions = [control =
                                           control_.get()]() -> Result<std::vector<ComputedDef>> {
    ASSIGN_OR_RETURN(std::vector<ComputedDef> defs, ProfilesApi::LoadDefinitions(control));
    ASSIGN_OR_RETURN(std::vector<AudienceDef> audiences, AudiencesApi::Load(control));
    for (ComputedDef& d : AudienceEngine::HiddenDefinitions(audiences))
      defs.push_back(std::move(d));
    return defs;
  };
  // Destinations, and the audience sync that feeds them from the pipeline's batches.
  ASSIGN_OR_RETURN(outbox_, Outbox::Open({.dir = config_.data_dir + "/outbox", .clock = clock_}));
  // On a manual (test) clock, lanes look at it often, so that a jump is seen at once.
  const bool manual_clock = dynamic_cast<ManualClock*>(clock_) != nullptr;
  DispatcherOptions dispatch;
  dispatch.clock = clock_;
  dispatch.tick = std::chrono::milliseconds(manual_clock ? 10 : 1000);
  dispatcher_ = std::make_unique<Dispatcher>(outbox_.get(), dispatch);
  catalog_ = std::make_unique<DestinationCatalog>(control_.get(), outbox_.get(), dispatcher_.get(),
                                                  clock_);
  RETURN_IF_ERROR(catalog_->Load());
  audience_sync_ = std::make_unique<AudienceSync>(control_.get(), catalog_.get());
  RETURN_IF_ERROR(audience_sync_->Reload());
  journey_sender_ = std::make_unique<CatalogJourneySender>(catalog_.get());
  journeys_ = std::make_unique<JourneyRunner>(JourneyRunnerOptions{
      .load = [control = control_.get()] { return JourneysApi::Load(control); },
      .audiences = [control = control_.get()]() -> Result<std::map<std::string, uint64_t>> {
        ASSIGN_OR_RETURN(auto saved, control->ListAudiences());
        std::map<std::string, uint64_t> ids;
        for (const StoredAudience& a : saved) ids[a.name] = a.id;
        return ids;
      },
      .sender = journey_sender_.get(),
      .metrics = &metrics_});
  RETURN_IF_ERROR(journeys_->Reload());
  pipeline_options.sync_before_checkpoint = [outbox = outbox_.get()] { return outbox->Sync(); };

  audience_engine_ = std::make_unique<AudienceEngine>(AudienceEngineOptions{
      .load = [control = control_.get()] { return AudiencesApi::Load(control); },
      .metrics = &metrics_});
  audience_engine_->AddReactor(audience_sync_.get());
  audience_engine_->AddReactor(journeys_.get());
  journey_hooks_ = std::make_unique<JourneyHooks>(audience_engine_.get(), journeys_.get());
  pipeline_options.hooks = journey_hooks_.get();
  ASSIGN_OR_RETURN(pipeline_, ProfilePipeline::Open(std::move(pipeline_options)));
  // The warehouse follows the pipeline (identities first, then the event's columns).
  ASSIGN_OR_RETURN(warehouse_,
                   warehouse::Warehouse::Open(
                       {.dir = config_.data_dir + "/warehouse",
                        .env = env_,
                        .cache_bytes = static_cast<size_t>(config_.warehouse_cache_mb) << 20,
                        // The feed's thread writes and merges parts: background work.
                        .part = {.between_blocks = [] { PaceBackground(); }}}));
  warehouse_feed_ = std::make_unique<warehouse::WarehouseFeed>(
      log_.get(), pipeline_->store(), warehouse_.get(), std::move(feed_options));
  query_api_ =
      std::make_unique<QueryApi>(warehouse_.get(), clock_, MakeSpendReader(control_.get()));
  profiles_ = std::make_unique<ProfilesApi>(pipeline_.get(), control_.get(), clock_);
  profiles_->SetAudienceNames([control = control_.get()] {
    std::map<uint64_t, std::string> names;
    auto saved = control->ListAudiences();
    if (saved.ok()) {
      for (const StoredAudience& a : *saved) names[a.id] = a.name;
    }
    return names;
  });
  profiles_->SetJourneyNames([control = control_.get()] {
    std::map<uint64_t, JourneyNames> names;
    auto saved = control->ListJourneys();
    if (!saved.ok()) return names;
    for (const StoredJourney& j : *saved) {
      auto def = ParseJourneyDef(j.definition);
      if (!def.ok()) continue;  // the journeys API reports it
      JourneyNames& n = names[j.id];
      n.name = j.name;
      for (const JourneyStep& step : def->steps) n.steps.push_back(step.name);
    }
    return names;
  });
  profiles_->SetComputedTraitUser([control = control_.get()](std::string_view name) {
    return AudiencesApi::ComputedTraitUser(control, name);
  });
  if (auto* manual = dynamic_cast<ManualClock*>(clock_)) {
    test_clock_ = std::make_unique<TestClockApi>(manual);
  }
  audiences_ = std::make_unique<AudiencesApi>(pipeline_.get(), audience_engine_.get(),
                                              control_.get(), clock_);
  audiences_->SetSync(catalog_.get(), audience_sync_.get());
  destinations_ =
      std::make_unique<DestinationsApi>(catalog_.get(), outbox_.get(), dispatcher_.get(), clock_);
  journeys_api_ = std::make_unique<JourneysApi>(JourneysApiOptions{
      .control = control_.get(),
      .runner = journeys_.get(),
      .destinations = journey_sender_.get(),
      .clock = clock_,
      .audiences = [control = control_.get()] { return AudiencesApi::Load(control); },
      .computed = [control = control_.get()] { return ProfilesApi::LoadDefinitions(control); }});

  auth_ = std::make_unique<Authenticator>(control_.get(), clock_);
  hub_ = std::make_unique<EventHub>();
  ingest_ = std::make_unique<IngestService>(log_.get(), dedup_.get(), auth_.get(), hub_.get(),
                                            &metrics_, clock_);
  imports_ = std::make_unique<ImportsApi>(config_.data_dir + "/imports", control_.get(),
                                          ingest_.get(), clock_);
  insights_ = std::make_unique<InsightsApi>(warehouse_.get(), pipeline_->store(), control_.get(),
                                            ingest_.get(), clock_);
  events_ = std::make_unique<EventsApi>(log_.get(), control_.get(), hub_.get());
  admin_ = std::make_unique<AdminApi>(control_.get(), clock_);
  spend_ = std::make_unique<SpendApi>(control_.get());
  dashboards_ = std::make_unique<DashboardsApi>(control_.get(), clock_);
  router_ = std::make_unique<Router>(auth_.get(), &metrics_);
  return Status::OK();
}

void App::RegisterRoutes() {
  auto method = [](auto* obj, auto fn) {
    return [obj, fn](HttpRequest& req, Responder respond) { (obj->*fn)(req, std::move(respond)); };
  };
  for (std::string_view name :
       {"track", "identify", "page", "screen", "group", "alias", "batch", "import"}) {
    std::string path = fmt::format("/v1/{}", name);
    Endpoint endpoint = *EndpointFromPath(path);
    router_->Add(
        {"POST", path, Access::kIngest, {}, [this, endpoint](HttpRequest& req, Responder respond) {
           ingest_->Handle(endpoint, req, std::move(respond));
         }});
  }
  router_->Add({"GET", "/healthz", Access::kPublic, {}, [](HttpRequest&, Responder respond) {
                  respond(HttpResponse::Json(200, "{\"status\":\"ok\"}"));
                }});
  router_->Add({"GET", "/readyz", Access::kPublic, {}, [this](HttpRequest&, Responder respond) {
                  if (!ready_) {
                    return respond(
                        HttpResponse::Error(Status::Unavailable("starting or stopping")));
                  }
                  respond(HttpResponse::Json(200, "{\"status\":\"ready\"}"));
                }});
  Gauge* log_bytes = metrics_.GetGauge("rapport_log_bytes", "Bytes in the event log's segments.");
  Gauge* log_segments =
      metrics_.GetGauge("rapport_log_segments", "Segment files in the event log.");
  Gauge* wh_rows = metrics_.GetGauge("rapport_warehouse_rows", "Events stored in warehouse parts.");
  Gauge* wh_parts = metrics_.GetGauge("rapport_warehouse_parts", "Part files of the warehouse.");
  Gauge* wh_bytes = metrics_.GetGauge("rapport_warehouse_bytes", "Bytes of warehouse part files.");
  Gauge* wh_buffered = metrics_.GetGauge("rapport_warehouse_buffered_rows",
                                         "Events the warehouse holds in memory, not yet in parts.");
  Gauge* profile_lag = metrics_.GetGauge(
      "rapport_profile_lag_milliseconds",
      "How far the profile pipeline is behind the log (durable append time minus processed).");
  Gauge* paused = metrics_.GetGauge(
      "rapport_background_paused_milliseconds",
      "Time the derived-state loops slept since start so that ingest had the cores "
      "([server] background_share).");
  Gauge* compaction_paced = metrics_.GetGauge(
      "rapport_background_compaction_paced_milliseconds",
      "Time RocksDB's flushes and compactions were held to a low write rate since start so that "
      "ingest had the cores ([server] background_share).");
  router_->Add({"GET",
                "/metrics",
                Access::kPublic,
                {},
                [this, log_bytes, log_segments, wh_rows, wh_parts, wh_bytes, wh_buffered,
                 profile_lag, paused, compaction_paced](HttpRequest&, Responder respond) {
                  auto stats = log_->GetStats();
                  log_bytes->Set(static_cast<int64_t>(stats.bytes));
                  log_segments->Set(static_cast<int64_t>(stats.segments));
                  const auto wh = warehouse_->GetStats();
                  wh_rows->Set(static_cast<int64_t>(wh.rows));
                  wh_parts->Set(static_cast<int64_t>(wh.parts));
                  wh_bytes->Set(static_cast<int64_t>(wh.bytes));
                  wh_buffered->Set(static_cast<int64_t>(wh.buffered));
                  const int64_t behind =
                      log_->DurableStamp() - pipeline_->GetStats().processed_stamp;
                  profile_lag->Set(std::max<int64_t>(0, behind) / 1000);
                  paused->Set(BackgroundPausedMicros() / 1000);
                  compaction_paced->Set(compaction_pacer_ ? compaction_pacer_->paced_millis() : 0);
                  HttpResponse r = HttpResponse::Json(200, metrics_.Render());
                  r.content_type = "text/plain; version=0.0.4";
                  respond(std::move(r));
                }});
  router_->Add({"GET", "/api/v1/events", Access::kToken, kAllRoles,
                method(events_.get(), &EventsApi::List)});
  router_->Add({"GET", "/api/v1/events/stream", Access::kToken, kAllRoles,
                method(events_.get(), &EventsApi::Stream)});
  router_->Add({"GET", "/api/v1/events/rejected", Access::kToken, kAllRoles,
                [this](HttpRequest& req, Responder respond) {
                  ListRejections(ingest_->rejections(), req, std::move(respond));
                }});
  router_->Add({"GET", "/api/v1/sources", Access::kToken, kAllRoles,
                method(admin_.get(), &AdminApi::ListSources)});
  router_->Add({"POST", "/api/v1/sources", Access::kToken, kAdminOnly,
                method(admin_.get(), &AdminApi::CreateSource)});
  router_->Add({"POST", "/api/v1/sources/{source}/batch", Access::kToken, kWriters,
                method(ingest_.get(), &IngestService::HandleForSource)});
  router_->Add({"GET", "/api/v1/tokens", Access::kToken, kAdminOnly,
                method(admin_.get(), &AdminApi::ListTokens)});
  router_->Add({"POST", "/api/v1/tokens", Access::kToken, kAdminOnly,
                method(admin_.get(), &AdminApi::CreateToken)});
  router_->Add({"GET", "/api/v1/whoami", Access::kToken, kAllRoles,
                method(admin_.get(), &AdminApi::WhoAmI)});
  router_->Add({"GET", "/api/v1/imports", Access::kToken, kWriters,
                method(imports_.get(), &ImportsApi::List)});
  router_->Add({"POST", "/api/v1/imports", Access::kToken, kWriters,
                method(imports_.get(), &ImportsApi::Create)});
  router_->Add({"GET", "/api/v1/imports/{id}", Access::kToken, kWriters,
                method(imports_.get(), &ImportsApi::Get)});
  router_->Add({"PUT", "/api/v1/imports/{id}/data", Access::kToken, kWriters,
                method(imports_.get(), &ImportsApi::Upload)});
  router_->Add({"GET", "/api/v1/imports/{id}/rejects", Access::kToken, kWriters,
                method(imports_.get(), &ImportsApi::Rejects)});
  router_->Add({"GET", "/api/v1/profiles", Access::kToken, kAllRoles,
                method(profiles_.get(), &ProfilesApi::Lookup)});
  router_->Add({"GET", "/api/v1/profiles/stats", Access::kToken, kAllRoles,
                method(profiles_.get(), &ProfilesApi::Stats)});
  router_->Add({"GET", "/api/v1/profiles/{id}", Access::kToken, kAllRoles,
                method(profiles_.get(), &ProfilesApi::Get)});
  router_->Add({"GET", "/api/v1/profiles/{id}/events", Access::kToken, kAllRoles,
                method(profiles_.get(), &ProfilesApi::Events)});
  router_->Add({"GET", "/api/v1/accounts/{id}", Access::kToken, kAllRoles,
                method(profiles_.get(), &ProfilesApi::GetAccount)});
  router_->Add({"GET", "/api/v1/computed-traits", Access::kToken, kAllRoles,
                method(profiles_.get(), &ProfilesApi::ListComputed)});
  router_->Add({"POST", "/api/v1/computed-traits", Access::kToken, kWriters,
                method(profiles_.get(), &ProfilesApi::CreateComputed)});
  router_->Add({"DELETE", "/api/v1/computed-traits/{name}", Access::kToken, kWriters,
                method(profiles_.get(), &ProfilesApi::DeleteComputed)});
  if (test_clock_) {
    router_->Add({"POST", "/api/v1/test/clock", Access::kToken, kAdminOnly,
                  method(test_clock_.get(), &TestClockApi::Move)});
  }
  router_->Add({"POST", "/api/v1/query", Access::kToken, kAllRoles,
                method(query_api_.get(), &QueryApi::Query)});
  router_->Add({"POST", "/api/v1/insights/{kind}", Access::kToken, kAllRoles,
                method(query_api_.get(), &QueryApi::Insight)});
  router_->Add({"POST", "/api/v1/insights/{kind}/apply", Access::kToken, kWriters,
                method(insights_.get(), &InsightsApi::Apply)});
  router_->Add(
      {"POST", "/api/v1/spend", Access::kToken, kWriters, method(spend_.get(), &SpendApi::Import)});
  router_->Add(
      {"GET", "/api/v1/spend", Access::kToken, kAllRoles, method(spend_.get(), &SpendApi::List)});
  router_->Add({"DELETE", "/api/v1/spend", Access::kToken, kWriters,
                method(spend_.get(), &SpendApi::Delete)});
  // Dashboards are analysis, so analysts save them too.
  router_->Add({"GET", "/api/v1/dashboards", Access::kToken, kAllRoles,
                method(dashboards_.get(), &DashboardsApi::List)});
  router_->Add({"POST", "/api/v1/dashboards", Access::kToken, kAllRoles,
                method(dashboards_.get(), &DashboardsApi::Create)});
  router_->Add({"GET", "/api/v1/dashboards/{id}", Access::kToken, kAllRoles,
                method(dashboards_.get(), &DashboardsApi::Get)});
  router_->Add({"PUT", "/api/v1/dashboards/{id}", Access::kToken, kAllRoles,
                method(dashboards_.get(), &DashboardsApi::Update)});
  router_->Add({"DELETE", "/api/v1/dashboards/{id}", Access::kToken, kAllRoles,
                method(dashboards_.get(), &DashboardsApi::Delete)});
  router_->Add({"GET", "/api/v1/audiences", Access::kToken, kAllRoles,
                method(audiences_.get(), &AudiencesApi::List)});
  router_->Add({"POST", "/api/v1/audiences", Access::kToken, kWriters,
                method(audiences_.get(), &AudiencesApi::Create)});
  router_->Add({"POST", "/api/v1/audiences/preview", Access::kToken, kAllRoles,
                method(audiences_.get(), &AudiencesApi::Preview)});
  router_->Add({"GET", "/api/v1/audiences/{name}", Access::kToken, kAllRoles,
                method(audiences_.get(), &AudiencesApi::Get)});
  router_->Add({"DELETE", "/api/v1/audiences/{name}", Access::kToken, kWriters,
                method(audiences_.get(), &AudiencesApi::Delete)});
  router_->Add({"GET", "/api/v1/audiences/{name}/history", Access::kToken, kAllRoles,
                method(audiences_.get(), &AudiencesApi::History)});
  router_->Add({"GET", "/api/v1/audiences/{name}/members", Access::kToken, kAllRoles,
                method(audiences_.get(), &AudiencesApi::Members)});
  router_->Add({"PUT", "/api/v1/audiences/{name}/destinations", Access::kToken, kWriters,
                method(audiences_.get(), &AudiencesApi::SetDestinations)});
  router_->Add({"GET", "/api/v1/journeys", Access::kToken, kAllRoles,
                method(journeys_api_.get(), &JourneysApi::List)});
  router_->Add({"POST", "/api/v1/journeys", Access::kToken, kWriters,
                method(journeys_api_.get(), &JourneysApi::Create)});
  router_->Add({"GET", "/api/v1/journeys/{name}", Access::kToken, kAllRoles,
                method(journeys_api_.get(), &JourneysApi::Get)});
  router_->Add({"DELETE", "/api/v1/journeys/{name}", Access::kToken, kWriters,
                method(journeys_api_.get(), &JourneysApi::Delete)});
  router_->Add({"GET", "/api/v1/destinations", Access::kToken, kAllRoles,
                method(destinations_.get(), &DestinationsApi::List)});
  router_->Add({"POST", "/api/v1/destinations", Access::kToken, kAdminOnly,
                method(destinations_.get(), &DestinationsApi::Create)});
  router_->Add({"GET", "/api/v1/destinations/{name}", Access::kToken, kAllRoles,
                method(destinations_.get(), &DestinationsApi::Get)});
  router_->Add({"DELETE", "/api/v1/destinations/{name}", Access::kToken, kAdminOnly,
                method(destinations_.get(), &DestinationsApi::Delete)});
  router_->Add({"POST", "/api/v1/destinations/{name}/test", Access::kToken, kWriters,
                method(destinations_.get(), &DestinationsApi::Test)});
  router_->Add({"GET", "/api/v1/destinations/{name}/dead-letters", Access::kToken, kWriters,
                method(destinations_.get(), &DestinationsApi::DeadLetters)});
  router_->Add({"POST", "/api/v1/destinations/{name}/dead-letters/replay", Access::kToken, kWriters,
                method(destinations_.get(), &DestinationsApi::Replay)});
  router_->Add({"DELETE", "/api/v1/destinations/{name}/dead-letters/{id}", Access::kToken, kWriters,
                method(destinations_.get(), &DestinationsApi::DeleteDeadLetter)});
}

bool App::WaitCaughtUp(int64_t timeout_us) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::microseconds(timeout_us);
  std::vector<uint64_t> ends;
  for (int p = 0; p < log_->partitions(); ++p) ends.push_back(log_->EndOffset(p));
  if (!pipeline_->WaitCaughtUp(timeout_us)) return false;
  for (;;) {
    const std::vector<uint64_t> added = warehouse_->added_offsets();
    bool done = added.size() >= ends.size();
    for (size_t p = 0; done && p < ends.size(); ++p) done = added[p] >= ends[p];
    if (done) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

Status App::Start() {
  ASSIGN_OR_RETURN(HostPort hp, ParseHostPort(config_.http));
  HttpServerOptions options;
  options.host = hp.host;
  options.port = hp.port;
  options.threads = config_.threads;
  options.body_limit = [default_limit = options.max_body_bytes](std::string_view method,
                                                                std::string_view path) {
    if (method == "PUT" && path.starts_with("/api/v1/imports/")) return ImportsApi::kMaxUploadBytes;
    if (method == "POST" && path == "/api/v1/spend") return kMaxSpendBytes;
    return default_limit;
  };
  http_ = std::make_unique<HttpServer>(options, [this](HttpRequest& req, Responder respond) {
    router_->Dispatch(req, std::move(respond));
  });
  RETURN_IF_ERROR(http_->Start());
  RETURN_IF_ERROR(dispatcher_->Start());
  pipeline_->Start();
  warehouse_feed_->Start();
  compaction_pacer_ =
      std::make_unique<CompactionPacer>(SharedRocksRateLimiter(), config_.background_share / 100.0);
  upkeep_ = std::thread([this] {
    SetThreadName("upkeep");
    Upkeep();
  });
  ready_ = true;
  return Status::OK();
}

uint16_t App::port() const { return http_ ? http_->port() : 0; }

void App::Upkeep() {
  std::unique_lock lock(upkeep_mu_);
  while (!upkeep_cv_.wait_for(lock, kUpkeepEvery, [this] { return stopping_; })) {
    lock.unlock();
    // The de-duplication index is a consumer of the log: retention keeps what it has not seen.
    for (int p = 0; p < log_->partitions(); ++p) {
      Status s = log_->CommitCheckpoint("dedup", p, dedup_->SeenOffset(p));
      if (!s.ok()) spdlog::warn("upkeep: checkpoint: {}", s.ToString());
    }
    auto removed = log_->ApplyRetention(config_.retention_hours * 3600LL * 1000000LL);
    if (!removed.ok())
      spdlog::warn("upkeep: retention: {}", removed.status().ToString());
    else if (*removed > 0)
      spdlog::info("upkeep: retention removed {} log segments", *removed);
    lock.lock();
  }
}

void App::Stop() {
  ready_ = false;
  if (http_) {
    http_->Stop();  // stop accepting, finish in-flight (their fsyncs complete first)
    // Appends still queued (a grace period ran out) answer through the server's io_context:
    // let them finish before it goes away.
    for (int i = 0; i < 1000 && log_->GetStats().pending_appends > 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  if (hub_) hub_->CloseAll();  // streams hold sessions of the server's io_context
  if (dedup_) dedup_->Drain();
  http_.reset();
  imports_.reset();    // cancels running imports (they ingest through the log)
  insights_.reset();   // waits for a run writing scores (through the log)
  query_api_.reset();  // finishes running queries
  if (warehouse_feed_) warehouse_feed_->Stop();  // stores what it buffered
  if (pipeline_) pipeline_->Stop();
  if (dispatcher_) dispatcher_->Stop();  // after the pipeline: its last batch may enqueue
  {
    std::lock_guard lock(upkeep_mu_);
    stopping_ = true;
  }
  upkeep_cv_.notify_all();
  if (upkeep_.joinable()) upkeep_.join();
  compaction_pacer_.reset();  // leaves RocksDB unlimited for the final flushes
}

}  // namespace rapport
