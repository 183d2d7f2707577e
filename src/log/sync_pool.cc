#include "log/sync_pool.h"

#include <algorithm>

#include "common/threads.h"

namespace rapport::log_internal {

SyncPool::SyncPool(int helpers) {
  for (int i = 0; i < helpers; ++i) {
    helpers_.emplace_back([this] {
      SetThreadName("log-sync");
      HelperLoop();
    });
  }
}

SyncPool::~SyncPool() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  start_cv_.notify_all();
  for (auto& t : helpers_) t.join();
}

void SyncPool::Work(std::unique_lock<std::mutex>& lock) {
  while (next_ < n_) {
    int i = next_++;
    const auto* fn = fn_;
    lock.unlock();
    (*fn)(i);
    lock.lock();
    if (--remaining_ == 0) done_cv_.notify_all();
  }
}

void SyncPool::HelperLoop() {
  std::unique_lock lock(mu_);
  uint64_t seen = 0;  // the round before any Run: a helper that starts late still joins round 1
  while (true) {
    start_cv_.wait(lock, [&] { return stop_ || round_ != seen; });
    if (stop_) return;
    seen = round_;
    Work(lock);
  }
}

void SyncPool::Start(int n, std::function<void(int)> fn) {
  std::unique_lock lock(mu_);
  started_fn_ = std::move(fn);
  fn_ = &started_fn_;
  n_ = std::max(n, 0);
  next_ = 0;
  remaining_ = n_;
  ++round_;
  start_cv_.notify_all();
}

void SyncPool::Wait() {
  std::unique_lock lock(mu_);
  done_cv_.wait(lock, [&] { return remaining_ == 0; });
  fn_ = nullptr;
  started_fn_ = nullptr;
}

void SyncPool::Run(int n, const std::function<void(int)>& fn) {
  if (n <= 0) return;
  if (n == 1 || helpers_.empty()) {
    for (int i = 0; i < n; ++i) fn(i);
    return;
  }
  std::unique_lock lock(mu_);
  fn_ = &fn;
  n_ = n;
  next_ = 0;
  remaining_ = n;
  ++round_;
  start_cv_.notify_all();
  Work(lock);
  done_cv_.wait(lock, [&] { return remaining_ == 0; });
  fn_ = nullptr;
}

}  // namespace rapport::log_internal
