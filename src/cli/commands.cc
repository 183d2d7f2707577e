#include "cli/commands.h"

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "cli/demo_command.h"
#include "cli/import_command.h"
#include "cli/query_command.h"
#include "cli/spend_command.h"
#include "common/clock.h"
#include "common/config.h"
#include "common/huge_pages.h"
#include "common/time_format.h"
#include "govern/control_store.h"
#include "log/event_log.h"
#include "server/app.h"

namespace rapport::cli {
namespace {

ImportOptions import_options;       // `rapport import` keeps its own flags
QueryCommandOptions query_options;  // so does `rapport query`
SpendCommandOptions spend_options;  // and `rapport spend`
DemoCommandOptions demo_options;    // `rapport demo` adds its own to the data flags

void AddDataFlags(CLI::App* cmd, Options* o) {
  cmd->add_option("--config", o->config_file, "TOML config file (or RAPPORT_CONFIG)");
  cmd->add_option("--data", o->data_dir, "data directory (default ./data, or RAPPORT_DATA)");
}

Result<Config> ResolveConfig(const Options& o) {
  Config c;
  std::string file = o.config_file;
  if (file.empty()) {
    if (const char* env = std::getenv("RAPPORT_CONFIG"))
      file = env;  // NOLINT(concurrency-mt-unsafe)
  }
  if (!file.empty()) RETURN_IF_ERROR(ApplyConfigFile(file, &c));
  RETURN_IF_ERROR(ApplyEnvironment([](const char* n) { return std::getenv(n); }, &c));  // NOLINT
  if (o.data_dir) c.data_dir = *o.data_dir;
  if (o.http) c.http = *o.http;
  if (o.console) c.console_dir = *o.console;
  if (o.threads) c.threads = *o.threads;
  if (o.partitions) c.partitions = *o.partitions;
  RETURN_IF_ERROR(c.Validate());
  return c;
}

int Fail(const Status& s) {
  std::cerr << "rapport: " << s.message() << "\n";
  return 1;
}

Result<std::unique_ptr<ControlStore>> OpenControl(const Config& c) {
  std::error_code ec;
  std::filesystem::create_directories(c.data_dir, ec);
  if (ec) return Status::IOError(fmt::format("cannot create {}: {}", c.data_dir, ec.message()));
  return ControlStore::Open(c.data_dir + "/control.db");
}

int Serve(const Config& c) {
  spdlog::set_level(spdlog::level::from_str(c.log_level));
  spdlog::info("heap huge pages: {}",
               c.huge_pages ? UseHugePagesForTheHeap() : std::string("off ([server] huge_pages)"));
  // Block the stop signals in every thread; the main thread waits for them below.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  // A manual clock for scenario tests of time-driven behaviour (never in production).
  std::unique_ptr<ManualClock> test_clock;
  if (const char* start = std::getenv("RAPPORT_TEST_CLOCK")) {  // NOLINT
    auto t = ParseIso8601(start);
    if (!t.ok()) return Fail(t.status().WithContext("RAPPORT_TEST_CLOCK"));
    test_clock = std::make_unique<ManualClock>(*t);
    spdlog::warn("running on a manual test clock starting at {} (RAPPORT_TEST_CLOCK)", start);
  }
  auto app = App::Open(c, test_clock.get());
  if (!app.ok()) return Fail(app.status());
  // Before listening, so the token works as soon as the server answers.
  auto token = (*app)->FirstStartToken();
  if (!token.ok()) return Fail(token.status());
  // Shown once (only the token's hash is stored), even when the server cannot start: a lost
  // first token would leave a newcomer without one.
  auto print_token = [&](const std::string& base) {
    if (token->empty()) return;
    std::cout << fmt::format(
                     "\n  First start: created an admin API token (shown only now):\n"
                     "    {}\n"
                     "  Open the console, signed in:\n"
                     "    {}/#token={}\n"
                     "  More tokens: rapport admin token create --role marketer --data {}\n\n",
                     *token, base, *token, c.data_dir)
              << std::flush;
  };
  if (Status s = (*app)->Start(); !s.ok()) {
    print_token("http://" + c.http);
    return Fail(s);
  }
  const std::string base = fmt::format("http://{}:{}", ParseHostPort(c.http)->host, (*app)->port());
  spdlog::info("rapport listening on {} (data in {})", base, c.data_dir);
  print_token(base);
  int sig = 0;
  sigwait(&signals, &sig);
  spdlog::info("received {}, stopping: finishing in-flight requests", strsignal(sig));
  (*app)->Stop();
  app->reset();
  spdlog::info("stopped cleanly");
  return 0;
}

int CreateSource(const Config& c, const std::string& name) {
  auto store = OpenControl(c);
  if (!store.ok()) return Fail(store.status());
  auto created = (*store)->CreateSource(name, SystemClock::Default()->NowMicros());
  if (!created.ok()) return Fail(created.status());
  std::cout << created->secret << std::endl;
  return 0;
}

int ListSources(const Config& c) {
  auto store = OpenControl(c);
  if (!store.ok()) return Fail(store.status());
  auto sources = (*store)->ListSources();
  if (!sources.ok()) return Fail(sources.status());
  for (const auto& s : *sources) std::cout << s.id << "\t" << s.name << "\n";
  return 0;
}

int CreateToken(const Config& c, const std::string& role_name, const std::string& name) {
  auto role = ParseRole(role_name);
  if (!role.ok()) return Fail(role.status());
  auto store = OpenControl(c);
  if (!store.ok()) return Fail(store.status());
  auto created = (*store)->CreateToken(*role, name, SystemClock::Default()->NowMicros());
  if (!created.ok()) return Fail(created.status());
  std::cout << created->secret << std::endl;
  return 0;
}

int ListTokens(const Config& c) {
  auto store = OpenControl(c);
  if (!store.ok()) return Fail(store.status());
  auto tokens = (*store)->ListTokens();
  if (!tokens.ok()) return Fail(tokens.status());
  for (const auto& t : *tokens)
    std::cout << t.id << "\t" << RoleName(t.role) << "\t" << t.name << "\n";
  return 0;
}

int VerifyLog(const Config& c) {
  LogOptions options;
  options.dir = c.data_dir + "/log";
  options.partitions = c.partitions;
  RecoveryReport open_report;
  auto log = EventLog::Open(options, &open_report);
  if (!log.ok()) return Fail(log.status());
  RecoveryReport report;
  Status s = (*log)->Verify(&report);
  for (const auto& m : open_report.messages) std::cout << "recovery: " << m << "\n";
  for (const auto& m : report.messages) std::cout << m << "\n";
  if (!s.ok()) return Fail(s);
  std::cout << "log ok: every record's checksum verified\n";
  return 0;
}

}  // namespace

void Register(CLI::App& app, Options* o) {
  auto* serve = app.add_subcommand("serve", "run the server (HTTP ingest, API, console)");
  AddDataFlags(serve, o);
  serve->add_option("--http", o->http, "listen address HOST:PORT (default 127.0.0.1:8080)");
  serve->add_option("--threads", o->threads, "I/O threads (default: one per core)");
  serve->add_option("--partitions", o->partitions,
                    "event log partitions (default: as the log has; 1 for a new log)");
  serve->add_option("--console", o->console,
                    "the built console to serve at / (default: web/dist beside the binary)");

  auto* admin = app.add_subcommand("admin", "manage sources, tokens and storage");
  admin->require_subcommand(1);
  auto* source = admin->add_subcommand("source", "sources of events, each with a write key");
  source->require_subcommand(1);
  auto* source_create = source->add_subcommand("create", "create a source; prints its write key");
  source_create->add_option("name", o->name, "source name")->required();
  AddDataFlags(source_create, o);
  AddDataFlags(source->add_subcommand("list", "list sources"), o);

  auto* token = admin->add_subcommand("token", "API tokens for /api/v1");
  token->require_subcommand(1);
  auto* token_create = token->add_subcommand("create", "create a token; prints it");
  token_create->add_option("--role", o->role, "admin, marketer or analyst")->required();
  token_create->add_option("--name", o->name, "a label for the token");
  AddDataFlags(token_create, o);
  AddDataFlags(token->add_subcommand("list", "list tokens (never their secrets)"), o);

  auto* log = admin->add_subcommand("log", "the event log");
  log->require_subcommand(1);
  auto* verify = log->add_subcommand("verify", "check every record's checksum");
  AddDataFlags(verify, o);
  verify->add_option("--partitions", o->partitions,
                     "event log partitions (default: as the log has; 1 for a new log)");

  RegisterImport(app, &import_options);
  RegisterQuery(app, &query_options);
  RegisterSpend(app, &spend_options);
  AddDataFlags(RegisterDemo(app, &demo_options), o);
  app.add_subcommand("version", "print the version");
}

int Run(CLI::App& app, const Options& o) {
  if (app.got_subcommand("import")) return RunImport(import_options);  // resolves its own config
  if (app.got_subcommand("query")) return RunQueryCommand(query_options);
  if (app.got_subcommand("spend"))
    return RunSpendCommand(app.get_subcommand("spend"), spend_options);
  auto config = ResolveConfig(o);
  if (!config.ok()) {
    std::cerr << "rapport: configuration: " << config.status().message() << "\n";
    return 2;
  }
  const Config& c = *config;
  if (app.got_subcommand("version")) {
    std::cout << "rapport 0.1.0\n";
    return 0;
  }
  if (app.got_subcommand("serve")) return Serve(c);
  if (app.got_subcommand("demo")) return RunDemo(c, demo_options);
  CLI::App* admin = app.get_subcommand("admin");
  if (auto* source = admin->get_subcommand("source"); source->parsed()) {
    if (source->got_subcommand("create")) return CreateSource(c, o.name);
    return ListSources(c);
  }
  if (auto* token = admin->get_subcommand("token"); token->parsed()) {
    if (token->got_subcommand("create")) return CreateToken(c, o.role, o.name);
    return ListTokens(c);
  }
  return VerifyLog(c);
}

}  // namespace rapport::cli
