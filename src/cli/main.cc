// rapport: the one binary. Subcommands: serve, import, query, spend, admin (sources, tokens,
// log verify), version. Exit codes: 0 success, 1 a runtime error (message on stderr), 2 bad usage.
#include <csignal>
#include <cstdlib>
#include <iostream>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include "cli/commands.h"

int main(int argc, char** argv) {
  auto logger = spdlog::stderr_color_mt("rapport");
  spdlog::set_default_logger(logger);
  CLI::App app{"Rapport: a self-hosted customer data platform"};
  app.require_subcommand(1);
  rapport::cli::Options options;
  rapport::cli::Register(app, &options);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return rapport::cli::Run(app, options);
}
