// ParallelChunks: runs `fn(worker, chunk_index)` over the chunk indexes [0, count) on `threads`
// threads (the caller's thread is one of them), handing out indexes in order from a shared
// counter. The first non-OK Status stops the hand-out and is returned. Each worker index
// (0..threads-1) runs on one thread only, so per-worker accumulators need no locks.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "common/status.h"

namespace rapport::warehouse {

// Threads a query uses by default: every core (at least 1).
inline int DefaultQueryThreads() {
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

inline Status ParallelChunks(size_t count, int threads,
                             const std::function<Status(int worker, size_t index)>& fn) {
  if (threads < 1) threads = 1;
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mu;
  Status first;
  auto run = [&](int worker) {
    for (;;) {
      if (failed.load(std::memory_order_relaxed)) return;
      const size_t i = next.fetch_add(1);
      if (i >= count) return;
      Status s = fn(worker, i);
      if (!s.ok()) {
        std::lock_guard<std::mutex> lock(mu);
        if (first.ok()) first = std::move(s);
        failed = true;
        return;
      }
    }
  };
  std::vector<std::thread> pool;
  for (int w = 1; w < threads && static_cast<size_t>(w) < count; ++w) pool.emplace_back(run, w);
  run(0);
  for (auto& t : pool) t.join();
  return first;
}

}  // namespace rapport::warehouse
