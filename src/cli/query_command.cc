#include "cli/query_command.h"

#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "cli/api_client.h"

namespace rapport::cli {

namespace {

constexpr int kExitOk = 0, kExitRefused = 1, kExitUsage = 2, kExitServer = 3;

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
      std::stringstream text;
      if (o.file == "-") {
        text << std::cin.rdbuf();
      } else {
        std::ifstream in(o.file);
        if (!in) return Fail(kExitUsage, "cannot read --file " + o.file);
        text << in.rdbuf();
      }
      spec = text.str();
    }
    std::string server = o.server;
    if (server.empty()) {
      auto s = DefaultServerUrl(o.config_file);
      if (!s.ok()) return Fail(kExitUsage, "configuration: " + s.status().message());
      server = *s;
    }
    auto url = ParseUrl(server);
    if (!url.ok()) return Fail(kExitUsage, url.status().message());
    std::string token = o.token;
    if (token.empty()) {
      if (const char* env = std::getenv("RAPPORT_TOKEN")) token = env;  // NOLINT
    }
    if (token.empty()) {
      return Fail(kExitUsage,
                  "an API token is needed: --token or RAPPORT_TOKEN (any role; create one with "
                  "`rapport admin token create --role analyst`)");
    }
    ApiClient client(*url, token, "rapport-query/0.1.0");
    auto r = client.Send(http::verb::post, o.json ? "/api/v1/query" : "/api/v1/query?format=table",
                         spec);
    if (!r.ok()) {
      return Fail(kExitServer, r.status().message() + " (is `rapport serve` running there?)");
    }
    if (r->status == 401 || r->status == 403) {
      return Fail(kExitServer, "the server refused the token (" + std::to_string(r->status) + ": " +
                                   ErrorMessage(*r) + ")");
    }
    if (r->status != 200) {
      return Fail(kExitRefused, ErrorMessage(*r) + " (" + std::to_string(r->status) + ")");
    }
    std::cout << r->body;
    if (!r->body.empty() && r->body.back() != '\n') std::cout << "\n";
    return kExitOk;
  } catch (const std::exception& e) {
    return Fail(kExitServer, e.what());
  }
}

}  // namespace rapport::cli
