// `rapport import`: reads a CSV or JSON Lines export with a TOML mapping (import/mapping.h) and
// posts the events to POST /api/v1/sources/{id}/batch of a running server, with progress, a
// rejects file and a summary. Exit codes: 0 all imported, 1 some rows rejected, 2 usage, mapping
// or configuration errors, 3 the server could not be reached or refused, 130 interrupted.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace rapport::cli {

struct ImportOptions {
  std::string config_file;  // --config (else RAPPORT_CONFIG): its [server] http is the default
  std::string source;       // --source: the source's name or id
  std::string file;         // --file
  std::string mapping;      // --mapping
  std::string rejects;      // --rejects (default ./<file stem>.rejects.jsonl)
  std::string server;       // --server (default http://<[server] http>)
  std::string token;        // --token (else RAPPORT_TOKEN)
  int batch_size = 500;     // --batch-size
  int retry_seconds = 300;  // --retry-seconds
  bool dry_run = false;     // --dry-run: print the events to stdout, send nothing
};

// Adds the `import` subcommand to `app`, its flags bound to `*options` (which must outlive the
// parse and the run).
void RegisterImport(CLI::App& app, ImportOptions* options);
// Runs the import; returns the process exit code. Catches every exception.
int RunImport(const ImportOptions& options);

}  // namespace rapport::cli
