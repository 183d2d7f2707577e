#include "common/pacing.h"

#include <fcntl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace rapport {
namespace {

// Ingest is held back when its threads, summed, want more than a core (running or waiting to
// run) and waited for one a fifth of the time. At 10,000 events/s they want ~0.2 of a core
// (and wait ~0.15, woken often); saturated by /v1/batch or /v1/track, ~2.2 (and wait ~1.1).
constexpr double kSaturated = 1.0;
constexpr double kHeldBack = 0.2;
constexpr int64_t kMaxPauseUs = 1'000'000;  // one pause at most
constexpr int64_t kMinIntervalUs = 20'000;  // shorter windows are too noisy to judge by
// A loop that called within this long shares the background's part (longer than a pause).
constexpr int64_t kActiveLoopUs = 3 * kMaxPauseUs;

std::atomic<double> background_share{0.1};

struct Foreground {
  std::mutex mu;
  std::vector<int> fds;  // /proc/self/task/TID/schedstat of each registered thread
};

Foreground& Registry() {
  static Foreground* f = new Foreground;  // never destroyed: threads may outlive statics
  return *f;
}

// The first two fields of schedstat: time on a core, time runnable but waiting for one (ns).
// False when the thread is gone.
bool ReadSchedstat(int fd, pacing_internal::CpuTimes* out) {
  char buf[128];
  ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  if (n <= 0) return false;
  buf[n] = '\0';
  unsigned long long run = 0, delay = 0;
  if (std::sscanf(buf, "%llu %llu", &run, &delay) != 2) return false;
  out->run_ns = run;
  out->wait_ns = delay;
  return true;
}

std::atomic<int64_t> paused_us{0};

// The background loops that called PaceBackground lately, each with the time of its last call.
struct Loops {
  std::mutex mu;
  std::vector<std::pair<const void*, int64_t>> last_call;
};

Loops& LoopRegistry() {
  static Loops* l = new Loops;  // never destroyed: threads may outlive statics
  return *l;
}

// CPU time the calling thread used, in microseconds.
int64_t ThreadCpuMicros() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
}

// The microseconds from `then_ns` to `now_ns` of a summed time. A thread that ended takes its
// times with it, so a sum can go down: that counts as none.
int64_t DeltaMicros(uint64_t now_ns, uint64_t then_ns) {
  return now_ns > then_ns ? static_cast<int64_t>((now_ns - then_ns) / 1000) : 0;
}

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

void SetBackgroundShare(double share) { background_share = std::clamp(share, 0.05, 1.0); }

double BackgroundShare() { return background_share; }

void MarkForeground() {
  const auto tid = static_cast<long>(::syscall(SYS_gettid));
  const std::string path = "/proc/self/task/" + std::to_string(tid) + "/schedstat";
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;  // no schedstat (a kernel without it): no pacing on this thread
  Foreground& f = Registry();
  std::lock_guard lock(f.mu);
  f.fds.push_back(fd);
}

namespace pacing_internal {

CpuTimes ForegroundTimes() {
  Foreground& f = Registry();
  std::lock_guard lock(f.mu);
  CpuTimes total;
  for (size_t i = 0; i < f.fds.size();) {
    CpuTimes t;
    if (!ReadSchedstat(f.fds[i], &t)) {  // the thread ended: forget it (see PaceBackground)
      ::close(f.fds[i]);
      f.fds.erase(f.fds.begin() + static_cast<std::ptrdiff_t>(i));
      continue;
    }
    total.run_ns += t.run_ns;
    total.wait_ns += t.wait_ns;
    ++i;
  }
  return total;
}

size_t ForegroundThreads() {
  Foreground& f = Registry();
  std::lock_guard lock(f.mu);
  return f.fds.size();
}

bool HeldBack(int64_t fg_ran_us, int64_t fg_waited_us, int64_t elapsed_us) {
  if (elapsed_us <= 0) return false;
  const auto elapsed = static_cast<double>(elapsed_us);
  return static_cast<double>(fg_ran_us + fg_waited_us) > kSaturated * elapsed &&
         static_cast<double>(fg_waited_us) > kHeldBack * elapsed;
}

int64_t PauseMicros(int64_t worked_us, int64_t fg_ran_us, int64_t fg_waited_us, int64_t elapsed_us,
                    double share) {
  if (share >= 1.0 || elapsed_us <= 0 || worked_us <= 0) return 0;
  if (!HeldBack(fg_ran_us, fg_waited_us, elapsed_us)) return 0;
  const double pause = static_cast<double>(worked_us) * (1.0 - share) / share;
  return std::min<int64_t>(static_cast<int64_t>(pause), kMaxPauseUs);
}

size_t CountActiveLoop(const void* loop, int64_t now_us) {
  Loops& l = LoopRegistry();
  std::lock_guard lock(l.mu);
  auto& calls = l.last_call;
  bool found = false;
  for (size_t i = 0; i < calls.size();) {
    if (calls[i].first == loop) {
      calls[i].second = now_us;
      found = true;
    } else if (std::abs(now_us - calls[i].second) > kActiveLoopUs) {
      calls[i] = calls.back();  // gone quiet (or ended): no longer shares
      calls.pop_back();
      continue;
    }
    ++i;
  }
  if (!found) calls.emplace_back(loop, now_us);
  return calls.size();
}

}  // namespace pacing_internal

std::chrono::microseconds PaceBackground() {
  // Per background thread, as of its last call: the time, its own CPU time, the foreground's.
  thread_local int64_t last_us = 0, last_cpu_us = 0;
  thread_local pacing_internal::CpuTimes last_fg;
  if (background_share >= 1.0) return std::chrono::microseconds(0);
  const int64_t now = NowMicros();
  if (last_us != 0 && now - last_us < kMinIntervalUs) return std::chrono::microseconds(0);
  // The share is derived state's as a whole: each loop active lately keeps its part of it.
  const size_t loops = pacing_internal::CountActiveLoop(&last_us, now);
  const int64_t cpu = ThreadCpuMicros();
  const pacing_internal::CpuTimes fg = pacing_internal::ForegroundTimes();
  const int64_t pause =
      last_us == 0
          ? 0
          : pacing_internal::PauseMicros(cpu - last_cpu_us, DeltaMicros(fg.run_ns, last_fg.run_ns),
                                         DeltaMicros(fg.wait_ns, last_fg.wait_ns), now - last_us,
                                         background_share / static_cast<double>(loops));
  if (pause > 0) {
    std::this_thread::sleep_for(std::chrono::microseconds(pause));
    paused_us += pause;
  }
  last_us = pause > 0 ? NowMicros() : now;
  last_cpu_us = cpu;
  last_fg = pause > 0 ? pacing_internal::ForegroundTimes() : fg;
  return std::chrono::microseconds(pause);
}

int64_t BackgroundPausedMicros() { return paused_us; }

bool ForegroundWatch::HeldBack() {
  const int64_t now = NowMicros();
  const pacing_internal::CpuTimes fg = pacing_internal::ForegroundTimes();
  const bool held = last_us_ != 0 && pacing_internal::HeldBack(
                                         DeltaMicros(fg.run_ns, last_run_ns_),
                                         DeltaMicros(fg.wait_ns, last_wait_ns_), now - last_us_);
  last_us_ = now;
  last_run_ns_ = fg.run_ns;
  last_wait_ns_ = fg.wait_ns;
  return held;
}

}  // namespace rapport
