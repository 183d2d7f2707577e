// The subcommands of `rapport`: their flags (CLI11) and what each runs. Settings resolve as
// defaults < TOML file (--config / RAPPORT_CONFIG) < RAPPORT_* environment < flags.
#pragma once

#include <optional>
#include <string>

#include <CLI/CLI.hpp>

namespace rapport::cli {

struct Options {
  std::string config_file;
  std::optional<std::string> data_dir;
  std::optional<std::string> http;
  std::optional<int> threads;
  std::optional<int> partitions;
  std::optional<std::string> console;  // serve --console: the built console directory
  std::string name;                    // source name / token name
  std::string role;
};

void Register(CLI::App& app, Options* options);
// Runs the parsed subcommand; returns the process exit code.
int Run(CLI::App& app, const Options& options);

}  // namespace rapport::cli
