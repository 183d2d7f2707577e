// `rapport demo --data DIR`: fills an empty data directory with a living demo workspace — the
// simulated shop of demo/world.h (about 20,000 customers and 1 M events over 180 days across
// seven sources), its marketing spend, computed traits, audiences, a webhook destination and two
// journeys — so the console opens full of meaning. It runs the server in-process on a loopback
// port and on the simulation's clock, and builds everything through the public HTTP API, the way
// a customer would, as the days go by: events are received when they happen; the audiences are
// created 30 days before the end (so they have a month of membership history); the destination
// and journeys a day before the end, and the last day's events then arrive hour by hour, so the
// journeys have customers at every step. It leaves no API token behind: `rapport serve` then
// creates the first one and prints the console's sign-in address. Exit codes: 0 done, 1 failed,
// 2 the directory is not empty.
#pragma once

#include <cstdint>
#include <string>

#include <CLI/CLI.hpp>

#include "common/config.h"

namespace rapport::cli {

struct DemoCommandOptions {
  uint64_t seed = 1;
  int days = 180;
  double scale = 1.0;  // customers and events relative to ~20,000 and ~1 M
  // Where the demo's webhook destination delivers. Nothing listens on port 9 (discard) by
  // default, so its deliveries fail and become dead letters to inspect and replay.
  std::string webhook = "http://127.0.0.1:9/email-tool";
};

// Adds the `demo` subcommand's own flags (the data flags are the caller's).
CLI::App* RegisterDemo(CLI::App& app, DemoCommandOptions* options);
int RunDemo(const Config& config, const DemoCommandOptions& options);

}  // namespace rapport::cli
