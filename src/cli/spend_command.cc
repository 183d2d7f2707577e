#include "cli/spend_command.h"

#include <simdjson.h>

#include <cctype>
#include <filesystem>
#include <iostream>
#include <utility>

#include <fmt/format.h>

#include "cli/api_client.h"
#include "warehouse/query/common.h"

namespace rapport::cli {
namespace {

constexpr int kExitOk = 0, kExitUsage = 2, kExitServer = 3;
constexpr const char* kUserAgent = "rapport-spend/0.1.0";

int Fail(int code, const std::string& message) {
  std::cerr << "rapport spend: " << message << "\n";
  return code;
}

// The Content-Type of an upload: --format, else the file's extension, else CSV.
Result<std::string> ContentType(const SpendCommandOptions& o) {
  std::string format = o.format;
  if (format.empty()) {
    const std::string ext = std::filesystem::path(o.file).extension().string();
    format = ext == ".json" ? "json" : ext == ".jsonl" || ext == ".ndjson" ? "jsonl" : "csv";
  }
  if (format == "csv") return std::string("text/csv");
  if (format == "json") return std::string("application/json");
  if (format == "jsonl") return std::string("application/x-ndjson");
  return Status::InvalidArgument(
      fmt::format("--format {}: use csv, json (a {{\"rows\": [...]}} document) or jsonl", format));
}

// "?from=…&to=…&channel=…" of the flags that are set.
std::string RangeQuery(const SpendCommandOptions& o) {
  std::string q;
  for (const auto& [key, value] : {std::pair<const char*, const std::string&>{"from", o.from},
                                   {"to", o.to},
                                   {"channel", o.channel}}) {
    if (value.empty()) continue;
    q += fmt::format("{}{}=", q.empty() ? "?" : "&", key);
    for (unsigned char c : value) {
      const bool plain = std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
      q += plain ? std::string(1, static_cast<char>(c)) : fmt::format("%{:02X}", c);
    }
  }
  return q;
}

// Sends one request; on anything but 200 prints why and returns the exit code in `*exit_code`.
Result<Response> Call(const SpendCommandOptions& o, std::string_view roles, http::verb verb,
                      const std::string& path, const std::string& body,
                      const std::string& content_type, int* exit_code) {
  auto target = ResolveServerTarget(o.server, o.config_file, o.token, roles);
  if (!target.ok()) {
    *exit_code = Fail(kExitUsage, target.status().message());
    return target.status();
  }
  ApiClient client(target->url, target->token, kUserAgent);
  auto r = client.Send(verb, path, body, content_type);
  if (Outcome out = JudgeAnswer(r); out.exit_code != kExitOk) {
    *exit_code = Fail(out.exit_code, out.message);
    return Status::Unavailable(out.message);
  }
  return r;
}

int Import(const SpendCommandOptions& o) {
  auto content_type = ContentType(o);
  if (!content_type.ok()) return Fail(kExitUsage, content_type.status().message());
  auto body = ReadFileOrStdin(o.file, "--file");
  if (!body.ok()) return Fail(kExitUsage, body.status().message());
  int exit_code = kExitOk;
  auto r = Call(o, "admin or marketer", http::verb::post, "/api/v1/spend", *body, *content_type,
                &exit_code);
  if (!r.ok()) return exit_code;
  simdjson::dom::parser parser;
  simdjson::dom::element a;
  int64_t imported = 0, days = 0;
  std::string_view from, to;
  double cost = 0;
  if (parser.parse(r->body).get(a) || a["imported"].get(imported) || a["days"].get(days) ||
      a["from"].get(from) || a["to"].get(to) || a["cost"].get(cost)) {
    return Fail(kExitServer, "the server's answer is not the expected JSON: " + r->body);
  }
  std::cout << fmt::format("imported {} spend row{} over {} day{} ({} to {}), cost {}\n", imported,
                           imported == 1 ? "" : "s", days, days == 1 ? "" : "s", from, to,
                           warehouse::FormatNumber(cost));
  return kExitOk;
}

int List(const SpendCommandOptions& o) {
  int exit_code = kExitOk;
  auto r = Call(o, "any role", http::verb::get, "/api/v1/spend" + RangeQuery(o), "",
                "application/json", &exit_code);
  if (!r.ok()) return exit_code;
  if (o.json) {
    std::cout << r->body << "\n";
    return kExitOk;
  }
  simdjson::dom::parser parser;
  simdjson::dom::element a;
  simdjson::dom::array rows, channels;
  double total = 0;
  bool truncated = false;
  if (parser.parse(r->body).get(a) || a["rows"].get(rows) || a["channels"].get(channels) ||
      a["cost"].get(total) || a["truncated"].get(truncated)) {
    return Fail(kExitServer, "the server's answer is not the expected JSON: " + r->body);
  }
  if (rows.size() == 0) {
    std::cout << "no spend stored" << (RangeQuery(o).empty() ? "" : " in that range") << "\n";
    return kExitOk;
  }
  auto text = [](simdjson::dom::element e, const char* key) {
    std::string_view v;
    return std::string(e[key].get(v) ? "" : v);
  };
  auto number = [](simdjson::dom::element e) {
    double v = 0;
    return warehouse::FormatNumber(e["cost"].get(v) ? 0 : v);
  };
  warehouse::Table table{{"date", "channel", "campaign", "cost"}, {}};
  for (simdjson::dom::element row : rows) {
    table.rows.push_back(
        {text(row, "date"), text(row, "channel"), text(row, "campaign"), number(row)});
  }
  warehouse::Table totals{{"channel", "cost"}, {}};
  for (simdjson::dom::element c : channels) totals.rows.push_back({text(c, "channel"), number(c)});
  totals.rows.push_back({"total", warehouse::FormatNumber(total)});
  std::cout << table.Render() << "\n" << totals.Render();
  if (truncated) {
    std::cout << fmt::format("(only the first {} rows are listed; the totals count every row)\n",
                             rows.size());
  }
  return kExitOk;
}

int Delete(const SpendCommandOptions& o) {
  if (o.from.empty() || o.to.empty()) {
    return Fail(kExitUsage, "delete needs both --from and --to (YYYY-MM-DD, both included)");
  }
  int exit_code = kExitOk;
  auto r = Call(o, "admin or marketer", http::verb::delete_, "/api/v1/spend" + RangeQuery(o), "",
                "application/json", &exit_code);
  if (!r.ok()) return exit_code;
  simdjson::dom::parser parser;
  int64_t deleted = 0;
  if (parser.parse(r->body)["deleted"].get(deleted)) {
    return Fail(kExitServer, "the server's answer is not the expected JSON: " + r->body);
  }
  std::cout << fmt::format("deleted {} spend row{}\n", deleted, deleted == 1 ? "" : "s");
  return kExitOk;
}

void AddServerFlags(CLI::App* cmd, SpendCommandOptions* o, const char* roles) {
  cmd->add_option("--server", o->server,
                  "server URL (default http:// + [server] http of the config, 127.0.0.1:8080)");
  cmd->add_option("--token", o->token, fmt::format("API token, {} (or RAPPORT_TOKEN)", roles));
  cmd->add_option("--config", o->config_file, "TOML config file (or RAPPORT_CONFIG)");
}

void AddRangeFlags(CLI::App* cmd, SpendCommandOptions* o) {
  cmd->add_option("--from", o->from, "first day, YYYY-MM-DD (included)");
  cmd->add_option("--to", o->to, "last day, YYYY-MM-DD (included)");
  cmd->add_option("--channel", o->channel, "only this channel");
}

}  // namespace

void RegisterSpend(CLI::App& app, SpendCommandOptions* o) {
  auto* spend = app.add_subcommand(
      "spend", "marketing spend per day, channel and campaign (what the roi insight reads)");
  spend->require_subcommand(1);
  auto* import = spend->add_subcommand(
      "import", "send a spend file (CSV with date,channel,campaign,cost; JSON; JSON Lines)");
  import->add_option("--file", o->file, "the file (\"-\" reads stdin)")->required();
  import->add_option("--format", o->format, "csv, json or jsonl (default: by the extension)");
  AddServerFlags(import, o, "admin or marketer");
  auto* list = spend->add_subcommand("list", "print the stored spend and the totals per channel");
  AddRangeFlags(list, o);
  list->add_flag("--json", o->json, "print the server's JSON instead of tables");
  AddServerFlags(list, o, "any role");
  auto* remove = spend->add_subcommand("delete", "delete the spend of a range of days");
  AddRangeFlags(remove, o);
  AddServerFlags(remove, o, "admin or marketer");
}

int RunSpendCommand(CLI::App* cmd, const SpendCommandOptions& o) {
  try {
    if (cmd->got_subcommand("import")) return Import(o);
    if (cmd->got_subcommand("list")) return List(o);
    return Delete(o);
  } catch (const std::exception& e) {
    return Fail(kExitServer, e.what());
  }
}

}  // namespace rapport::cli
