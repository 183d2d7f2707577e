#include "cli/import_command.h"

#include "cli/api_client.h"

#include <simdjson.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <thread>

#include <fmt/format.h>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "common/config.h"
#include "common/json_writer.h"
#include "import/input.h"
#include "import/mapping.h"
#include "import/reject_sink.h"
#include "import/runner.h"

namespace rapport::cli {
namespace {

constexpr const char* kVersion = "0.1.0";
constexpr int kExitOk = 0, kExitRejects = 1, kExitUsage = 2, kExitServer = 3,
              kExitInterrupted = 130;

std::atomic<bool> g_interrupted{false};

void OnInterrupt(int) {
  g_interrupted.store(true);
  std::signal(SIGINT, SIG_DFL);  // a second Ctrl-C ends the process at once
}

// Statuses that stop the import, with what to do about them.
Status Refusal(const Response& r, const std::string& source) {
  const std::string message = ErrorMessage(r);
  switch (r.status) {
    case 401:
      return Status::Unauthenticated(fmt::format(
          "the server refused the token (401: {}); check --token or RAPPORT_TOKEN", message));
    case 403:
      return Status::PermissionDenied(fmt::format(
          "the token may not import (403: {}); an admin or marketer token is needed", message));
    case 404:
      return Status::NotFound(fmt::format(
          "404 from the server: {} (is source \"{}\" there, and is the server recent enough to "
          "have /api/v1/sources/{{source}}/batch?)",
          message, source));
    default:
      return Status::Internal(fmt::format("the server answered {}: {}", r.status, message));
  }
}

class HttpSink final : public EventSink {
 public:
  HttpSink(ApiClient* client, std::string source_id, std::string source_label)
      : client_(client),
        path_("/api/v1/sources/" + std::move(source_id) + "/batch"),
        label_(std::move(source_label)) {}

  SendResult Send(const std::vector<std::string_view>& events) override {
    body_.assign("{\"batch\":[");
    for (size_t i = 0; i < events.size(); ++i) {
      if (i) body_.push_back(',');
      body_.append(events[i]);
    }
    body_.append("]}");
    SendResult out;
    auto r = client_->Send(http::verb::post, path_, body_);
    if (!r.ok()) {
      out.status = r.status();  // unreachable: kUnavailable, retried with backoff
      return out;
    }
    switch (r->status) {
      case 200:
        return out;
      case 400:
      case 413: {
        const std::string message = ErrorMessage(*r);
        out.status =
            r->status == 400 ? Status::InvalidArgument(message) : Status::TooLarge(message);
        size_t index = 0;
        std::string reason;
        if (ParseBatchItemError(message, &index, &reason)) {
          out.rejected_item = static_cast<int64_t>(index);
        }
        return out;
      }
      case 429:
      case 502:
      case 503:
      case 504:
        out.status = Status::Unavailable(
            fmt::format("the server is not taking writes ({}: {})", r->status, ErrorMessage(*r)));
        if (r->retry_after_s > 0) out.retry_after_ms = r->retry_after_s * 1000;
        return out;
      default:
        out.status = Refusal(*r, label_);
        return out;
    }
  }

 private:
  ApiClient* client_;
  std::string path_;
  std::string label_;
  std::string body_;
};

// --dry-run: every event on stdout, one a line.
class PrintSink final : public EventSink {
 public:
  SendResult Send(const std::vector<std::string_view>& events) override {
    for (auto e : events) std::cout << e << '\n';
    return {};
  }
};

// Finds the source by name or id through GET /api/v1/sources, which also checks that the
// server answers and takes the token. Returns its id.
Result<std::string> FindSource(ApiClient* client, const std::string& source) {
  ASSIGN_OR_RETURN(Response r, client->Send(http::verb::get, "/api/v1/sources", ""));
  if (r.status != 200) return Refusal(r, source);
  simdjson::dom::parser parser;
  simdjson::dom::array sources;
  if (parser.parse(r.body)["sources"].get_array().get(sources) != simdjson::SUCCESS) {
    return Status::Internal("GET /api/v1/sources: the answer has no \"sources\" array");
  }
  std::string names;
  for (simdjson::dom::element s : sources) {
    std::string_view id, name;
    if (s["id"].get_string().get(id) || s["name"].get_string().get(name)) continue;
    if (id == source || name == source) return std::string(id);
    names += (names.empty() ? "" : ", ") + JsonString(name);
  }
  return Status::NotFound(fmt::format(
      "the server has no source named \"{}\" (its sources: {}); create it with `rapport admin "
      "source create {}`",
      source, names.empty() ? "none" : names, source));
}

// GET /api/v1/whoami: an analyst token can read but not import; say so before any row is read.
Status CheckRole(ApiClient* client) {
  ASSIGN_OR_RETURN(Response r, client->Send(http::verb::get, "/api/v1/whoami", ""));
  if (r.status != 200) return Status::OK();  // the batch endpoint will tell
  simdjson::dom::parser parser;
  std::string_view role;
  if (parser.parse(r.body)["role"].get_string().get(role) == simdjson::SUCCESS &&
      role == "analyst") {
    return Status::PermissionDenied(
        "this token has the analyst role, which may read but not import; use an admin or "
        "marketer token");
  }
  return Status::OK();
}

std::string HumanBytes(uint64_t n) {
  if (n < 1024) return fmt::format("{} B", n);
  if (n < 1024 * 1024) return fmt::format("{:.1f} KB", static_cast<double>(n) / 1024);
  if (n < 1024ULL * 1024 * 1024) {
    return fmt::format("{:.1f} MB", static_cast<double>(n) / (1024 * 1024));
  }
  return fmt::format("{:.2f} GB", static_cast<double>(n) / (1024.0 * 1024 * 1024));
}

std::string HumanDuration(int64_t us) {
  const int64_t s = us / 1'000'000;
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}:{:02}", s / 60, s % 60);
  return fmt::format("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60);
}

// Draws progress on stderr: a bar redrawn in place on a terminal (at most 10 times a second),
// else a line every 5 seconds.
class ProgressPrinter {
 public:
  ProgressPrinter() : tty_(isatty(STDERR_FILENO) == 1), last_(std::chrono::steady_clock::now()) {}

  void operator()(const ImportProgress& p) {
    const auto now = std::chrono::steady_clock::now();
    const auto every = tty_ ? std::chrono::milliseconds(100) : std::chrono::milliseconds(5000);
    if (!p.done && p.waiting.empty() && now - last_ < every) return;
    last_ = now;
    std::string pct = "  ?%";
    double fraction = 0;
    if (p.bytes_total && *p.bytes_total > 0) {
      fraction = static_cast<double>(p.bytes_read) / static_cast<double>(*p.bytes_total);
      pct = fmt::format("{:3.0f}%", fraction * 100);
    }
    const std::string eta = p.eta_us ? "ETA " + HumanDuration(*p.eta_us) : "ETA --";
    std::string rejected = p.rows_rejected ? fmt::format("  {} rejected", p.rows_rejected) : "";
    if (tty_) {
      const int width = 24;
      const int filled = static_cast<int>(fraction * width);
      std::string bar(static_cast<size_t>(filled), '#');
      bar.resize(width, '.');
      std::string line = fmt::format("[{}] {}  {} rows  {:.0f} rows/s  {}{}", bar, pct, p.rows_read,
                                     p.rows_per_second, eta, rejected);
      if (!p.waiting.empty()) line += "  waiting: " + p.waiting;
      std::cerr << "\r" << line << "\x1b[K";
      if (p.done) std::cerr << "\n";
      std::cerr << std::flush;
    } else if (!p.done) {
      std::cerr << fmt::format(
          "import: {} ({} of {}), {} rows read, {} imported{}, {:.0f} rows/s, "
          "{}{}\n",
          pct, HumanBytes(p.bytes_read), p.bytes_total ? HumanBytes(*p.bytes_total) : "?",
          p.rows_read, p.rows_imported, rejected, p.rows_per_second, eta,
          p.waiting.empty() ? "" : "; waiting: " + p.waiting);
    }
  }

 private:
  bool tty_;
  std::chrono::steady_clock::time_point last_;
};

int Fail(int code, const std::string& message) {
  std::cerr << "rapport import: " << message << "\n";
  return code;
}

Result<std::string> DefaultServer(const ImportOptions& o) {
  return DefaultServerUrl(o.config_file);
}

int RunImportImpl(const ImportOptions& o) {
  namespace fs = std::filesystem;
  if (o.batch_size < 1 || o.batch_size > 2500) {
    return Fail(kExitUsage, "--batch-size must be 1 to 2500 (the server's limit per batch)");
  }
  // 1. Everything that needs no server: settings, mapping, input, header.
  std::string server = o.server;
  if (server.empty()) {
    auto s = DefaultServer(o);
    if (!s.ok()) return Fail(kExitUsage, "configuration: " + s.status().message());
    server = *s;
  }
  auto url = ParseUrl(server);
  if (!url.ok()) return Fail(kExitUsage, url.status().message());
  std::string token = o.token;
  if (token.empty()) {
    if (const char* env = std::getenv("RAPPORT_TOKEN")) token = env;  // NOLINT
  }
  if (token.empty() && !o.dry_run) {
    return Fail(kExitUsage,
                "an API token is needed: --token or RAPPORT_TOKEN (an admin or marketer token; "
                "create one with `rapport admin token create --role marketer`)");
  }
  auto mapping = LoadMappingFile(o.mapping);
  if (!mapping.ok()) return Fail(kExitUsage, mapping.status().message());
  auto input = OpenFileSource(o.file);
  if (!input.ok())
    return Fail(kExitUsage, "cannot read " + o.file + ": " + input.status().message());
  std::string rejects_path = o.rejects;
  if (rejects_path.empty()) rejects_path = fs::path(o.file).stem().string() + ".rejects.jsonl";
  std::error_code ec;
  if (fs::equivalent(rejects_path, o.file, ec)) {
    return Fail(kExitUsage, "--rejects names the input file itself");
  }
  RunnerOptions options;
  options.file_name = o.file;
  options.library_version = kVersion;
  options.max_batch_events = static_cast<size_t>(o.batch_size);
  options.max_retry_us = static_cast<int64_t>(o.retry_seconds) * 1'000'000;
  options.cancel = &g_interrupted;
  options.sleep = [](int64_t us) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(us);
    while (!g_interrupted.load() && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  };
  auto runner = ImportRunner::Create(*mapping, std::move(*input), options);
  if (!runner.ok()) return Fail(kExitUsage, runner.status().message());

  // 2. The server: reachable, the token accepted, the source there.
  ApiClient client(*url, token, fmt::format("rapport-import/{}", kVersion));
  std::unique_ptr<EventSink> sink;
  std::string source_label = o.source;
  if (o.dry_run) {
    sink = std::make_unique<PrintSink>();
  } else {
    auto id = FindSource(&client, o.source);
    if (id.ok()) {
      Status role = CheckRole(&client);
      if (!role.ok()) id = role;
    }
    if (!id.ok()) {
      std::string message = id.status().message();
      if (id.status().code() == StatusCode::kUnavailable) {
        message += " (is `rapport serve` running there? set --server)";
      }
      return Fail(kExitServer, message);
    }
    sink = std::make_unique<HttpSink>(&client, *id, o.source);
  }

  // 3. The rows.
  std::signal(SIGPIPE, SIG_IGN);
  std::signal(SIGINT, OnInterrupt);
  FileRejectSink rejects(rejects_path);
  ProgressPrinter printer;
  ImportSummary s = (*runner)->Run(sink.get(), &rejects, [&](const ImportProgress& p) {
    if (!o.dry_run || !isatty(STDOUT_FILENO)) printer(p);
  });
  std::signal(SIGINT, SIG_DFL);

  const ImportProgress& p = s.progress;
  const double seconds = static_cast<double>(p.elapsed_us) / 1e6;
  std::ostream& out = o.dry_run ? std::cerr : std::cout;
  out << fmt::format("{} {}: {} rows read, {} {}, {} rejected in {:.1f} s ({:.0f} rows/s)\n",
                     o.dry_run ? "dry run of" : "import of", fs::path(o.file).filename().string(),
                     p.rows_read, p.rows_imported,
                     o.dry_run ? "mapped" : "imported into \"" + o.source + "\"", p.rows_rejected,
                     seconds, p.rows_per_second);
  if (p.rows_rejected > 0) {
    out << fmt::format("rejected rows, with line numbers and reasons: {}\n", rejects_path);
  }
  if (!s.status.ok()) {
    const int64_t unsent = p.rows_read - p.rows_imported - p.rows_rejected;
    std::cerr << fmt::format(
        "rapport import: stopped: {}\n{} row(s) read were not imported. Running the same import "
        "again is safe: events the server already stored are de-duplicated by messageId.\n",
        s.status.message(), unsent);
    if (g_interrupted.load()) return kExitInterrupted;
    return s.status.code() == StatusCode::kIOError ? kExitUsage : kExitServer;
  }
  return p.rows_rejected > 0 ? kExitRejects : kExitOk;
}

}  // namespace

void RegisterImport(CLI::App& app, ImportOptions* o) {
  auto* cmd = app.add_subcommand(
      "import", "import a CSV or JSON Lines export (CRM, orders, tickets...) as events");
  cmd->add_option("--source", o->source, "the source to import into (name or id)")->required();
  cmd->add_option("--file", o->file, "the CSV or JSON Lines file")->required();
  cmd->add_option("--mapping", o->mapping, "TOML mapping: rows to events (docs/import.md)")
      ->required();
  cmd->add_option("--rejects", o->rejects,
                  "where rejected rows go, .csv or .jsonl (default ./<file>.rejects.jsonl)");
  cmd->add_option("--server", o->server,
                  "server URL (default http:// + [server] http of the config, 127.0.0.1:8080)");
  cmd->add_option("--token", o->token, "API token, admin or marketer (or RAPPORT_TOKEN)");
  cmd->add_option("--config", o->config_file, "TOML config file (or RAPPORT_CONFIG)");
  cmd->add_option("--batch-size", o->batch_size, "events per request, 1-2500 (default 500)");
  cmd->add_option("--retry-seconds", o->retry_seconds,
                  "how long to keep retrying while the server cannot take writes (default 300)");
  cmd->add_flag("--dry-run", o->dry_run, "map and check every row, print the events, send nothing");
}

int RunImport(const ImportOptions& options) {
  try {
    return RunImportImpl(options);
  } catch (const std::exception& e) {
    return Fail(kExitServer, std::string("unexpected error: ") + e.what());
  }
}

}  // namespace rapport::cli
