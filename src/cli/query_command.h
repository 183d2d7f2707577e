// `rapport query`: sends one analytics query (docs/queries.md) to a running server's
// POST /api/v1/query and prints the answer as a table (or its JSON with --json). The spec comes
// from --spec, --file (or "-" for stdin). Exit codes: 0 answered, 1 the query was refused (the
// server says why), 2 usage or configuration errors, 3 the server could not be reached.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace rapport::cli {

struct QueryCommandOptions {
  std::string spec;         // --spec: the JSON spec itself
  std::string file;         // --file: a file holding it ("-": stdin)
  std::string config_file;  // --config (else RAPPORT_CONFIG): its [server] http is the default
  std::string server;       // --server (default http://<[server] http>)
  std::string token;        // --token (else RAPPORT_TOKEN)
  bool json = false;        // --json: print the result JSON instead of a table
};

void RegisterQuery(CLI::App& app, QueryCommandOptions* options);
int RunQueryCommand(const QueryCommandOptions& options);

}  // namespace rapport::cli
