#include "cli/query_command.h"

#include <iostream>
#include <utility>

#include "cli/api_client.h"

namespace rapport::cli {

namespace {

constexpr int kExitOk = 0, kExitUsage = 2, kExitServer = 3;

int Fail(int code, const std::string& message) {
  std::cerr << "rapport query: " << message << "\n";
  return code;
}

}  // namespace

void RegisterQuery(CLI::App& app, QueryCommandOptions* o) {
  auto* cmd = app.add_subcommand(
      "query", "run an analytics query (trends, funnel, retention, paths...) and print a table");
  cmd->add_option("--spec", o->spec, "the query as JSON (see docs/queries.md)");
  cmd->add_option("--file", o->file, "a file holding the query JSON (\"-\" reads stdin)");
  cmd->add_option("--server", o->server,
                  "server URL (default http:// + [server] http of the config, 127.0.0.1:8080)");
  cmd->add_option("--token", o->token, "API token, any role (or RAPPORT_TOKEN)");
  cmd->add_option("--config", o->config_file, "TOML config file (or RAPPORT_CONFIG)");
  cmd->add_flag("--json", o->json, "print the result as JSON instead of a table");
}

int RunQueryCommand(const QueryCommandOptions& o) {
  try {
    std::string spec = o.spec;
    if (spec.empty() == o.file.empty()) {
      return Fail(kExitUsage, "give the query with exactly one of --spec or --file");
    }
    if (!o.file.empty()) {
      auto text = ReadFileOrStdin(o.file, "--file");
      if (!text.ok()) return Fail(kExitUsage, text.status().message());
      spec = std::move(*text);
    }
    auto target = ResolveServerTarget(o.server, o.config_file, o.token, "any role");
    if (!target.ok()) return Fail(kExitUsage, target.status().message());
    ApiClient client(target->url, target->token, "rapport-query/0.1.0");
    auto r = client.Send(http::verb::post, o.json ? "/api/v1/query" : "/api/v1/query?format=table",
                         spec);
    if (Outcome out = JudgeAnswer(r); out.exit_code != kExitOk)
      return Fail(out.exit_code, out.message);
    std::cout << r->body;
    if (!r->body.empty() && r->body.back() != '\n') std::cout << "\n";
    return kExitOk;
  } catch (const std::exception& e) {
    return Fail(kExitServer, e.what());
  }
}

}  // namespace rapport::cli
