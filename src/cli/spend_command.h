// `rapport spend import|list|delete`: the marketing spend the "roi" insight reads, through a
// running server's /api/v1/spend (docs/api.md, "Spend"). import sends a CSV, JSON or JSON Lines
// file (by extension or --format; "-" reads stdin) that the server stores all or nothing; list
// prints a day range as a table (or the JSON with --json). Exit codes as `rapport query`: 0 done,
// 1 refused by the server (its message, naming the bad rows), 2 usage, 3 server unreachable or
// token refused.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace rapport::cli {

struct SpendCommandOptions {
  std::string file;         // import --file ("-": stdin)
  std::string format;       // import --format: csv, json or jsonl (default: by extension)
  std::string from, to;     // list/delete: YYYY-MM-DD, both included
  std::string channel;      // list/delete: one channel only
  bool json = false;        // list --json
  std::string config_file;  // --config (else RAPPORT_CONFIG): its [server] http is the default
  std::string server;       // --server (default http://<[server] http>)
  std::string token;        // --token (else RAPPORT_TOKEN)
};

void RegisterSpend(CLI::App& app, SpendCommandOptions* options);
// Runs the parsed `spend` subcommand (`cmd` is the "spend" CLI11 app).
int RunSpendCommand(CLI::App* cmd, const SpendCommandOptions& options);

}  // namespace rapport::cli
