#include "common/threads.h"

#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <string>

namespace rapport {
namespace {

std::atomic<int> background_nice{0};

}  // namespace

void SetThreadName(std::string_view name) {
  const std::string kept(name.substr(0, 15));
  pthread_setname_np(pthread_self(), kept.c_str());
}

void SetBackgroundNice(int nice) { background_nice = std::clamp(nice, 0, 19); }

int BackgroundNice() { return background_nice; }

void EnterBackgroundPriority() {
  const int nice = background_nice;
  if (nice == 0) return;
  // On Linux a nice value belongs to the thread: PRIO_PROCESS with a thread id sets only it.
  const auto tid = static_cast<id_t>(::syscall(SYS_gettid));
  (void)::setpriority(PRIO_PROCESS, tid, std::max(nice, ::getpriority(PRIO_PROCESS, tid)));
}

}  // namespace rapport
