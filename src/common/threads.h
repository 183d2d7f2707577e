// Thread naming and priority. Rapport names every long-lived thread it starts (top -H, perf and
// /proc/PID/task/*/comm show the name; Linux keeps the first 15 bytes).
//
// Threads that derive state from the event log — the profile pipeline, its state writes and
// checkpoints, the warehouse feed, RocksDB's compactions and flushes — run at a lower CPU
// priority than the ones that take events in (HTTP, the log's group commit, de-duplication):
// when the cores are saturated, acknowledging events wins, and derived state catches up from
// the log as soon as there is room. The process sets the nice value once, before it starts the
// threads (`[server] background_nice`); 0 leaves every thread at the process's own priority.
#pragma once

#include <string_view>

namespace rapport {

void SetThreadName(std::string_view name);

// The nice value (0-19) that background threads take; set once at start.
void SetBackgroundNice(int nice);
int BackgroundNice();
// Lowers the calling thread to the background nice value (no-op when it is 0).
void EnterBackgroundPriority();

}  // namespace rapport
