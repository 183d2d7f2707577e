// Background pacing: the threads that take events in (HTTP, the log's group commit) win the
// cores from the threads that derive state from the log when both want them.
//
// A lower nice value (threads.h) does not do that on its own. Measured on /v1/batch with the
// 2 cores saturated: derived state at nice 10, and even at SCHED_IDLE, still took ~45 % of the
// cores, and ingest fell from 320,000 to 230,000 events/s. The kernel sees threads that sleep
// and wake thousands of times a second; it does not see that one group can wait and the other
// cannot. So the background loops pace themselves between units of work:
//
//  * a thread that takes events in calls MarkForeground() once;
//  * a background loop calls PaceBackground() after each unit of work (a batch). It reads how
//    long the foreground threads ran and waited for a core since its last call (the kernel's
//    per-thread schedstat). When, summed, they wanted more than a whole core and waited a fifth
//    of the time — ingest is saturating the machine and being held back — it sleeps for the CPU
//    time the loop used since then × (1 − part) / part, so that the loop takes at most `part`
//    of a core; at most 1 s at a time. `part` is `share` (`[server] background_share`, default
//    10 %) divided among the loops that paced themselves in the last 3 s: derived state as a
//    whole keeps `share` of a core. (Per loop, as first built, the warehouse feed, the profile
//    pipeline and its state writes each kept 10 %: ~35 % of a core under /v1/track.)
//
// So under a burst, derived state slows to its share and catches up from the log afterwards
// (its lag is on /metrics); whenever the cores have room, nothing waits and nothing sleeps.
// A share of 1 turns pacing off. A pause delays a loop's Stop by at most that second.
// Thread-safe.
//
// The threshold is far from what a moderate load does: at 10,000 events/s the foreground
// threads want ~0.2 of a core; saturated by /v1/batch or /v1/track, ~2.2.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace rapport {

// The share of a core (0.05-1) the background loops, together, keep while ingest is held back;
// set once at start. 1: never pause.
void SetBackgroundShare(double share);
double BackgroundShare();

// Registers the calling thread as one that takes events in.
void MarkForeground();

// Called by a background loop after each unit of work; returns how long it slept.
std::chrono::microseconds PaceBackground();
// How long background loops have slept in PaceBackground since start, summed.
int64_t BackgroundPausedMicros();

// Watches the foreground threads for a background governor (e.g. of RocksDB's compactions,
// server/compaction_pacer.h): HeldBack() says whether ingest was held back since the last call
// (false on the first). Thread-compatible.
class ForegroundWatch {
 public:
  bool HeldBack();

 private:
  int64_t last_us_ = 0;
  uint64_t last_run_ns_ = 0, last_wait_ns_ = 0;
};

namespace pacing_internal {

// Whether ingest was held back during `elapsed_us` in which the foreground threads, summed, ran
// `fg_ran_us` and waited `fg_waited_us` for a core: they wanted more than a core and waited a
// fifth of the time.
bool HeldBack(int64_t fg_ran_us, int64_t fg_waited_us, int64_t elapsed_us);
// How long to sleep after `worked_us` of CPU time, given that during the `elapsed_us` since the
// last call the foreground threads, summed, ran `fg_ran_us` and waited `fg_waited_us` for a core.
int64_t PauseMicros(int64_t worked_us, int64_t fg_ran_us, int64_t fg_waited_us, int64_t elapsed_us,
                    double share);
// Records that `loop` (any address unique to a background loop) paces itself at `now_us`, and
// returns how many loops did within the last 3 s, itself included.
size_t CountActiveLoop(const void* loop, int64_t now_us);
struct CpuTimes {
  uint64_t run_ns = 0;   // on a core
  uint64_t wait_ns = 0;  // runnable, waiting for a core
};
// The summed times of the registered foreground threads still alive.
CpuTimes ForegroundTimes();
// How many registered foreground threads are still alive, as of the last ForegroundTimes.
size_t ForegroundThreads();

}  // namespace pacing_internal
}  // namespace rapport
