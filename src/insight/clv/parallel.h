// ParallelFor: fn(i) for i in [0, n) on every core, in interleaved slices (thread t runs t,
// t + T, …), with at least `min_per_thread` indexes per thread (fewer indexes run on the
// caller's thread). fn must be safe to call concurrently for different i.
#pragma once

#include <algorithm>
#include <cstddef>
#include <thread>
#include <vector>

namespace rapport::insight {

template <typename Fn>
void ParallelFor(size_t n, Fn fn, size_t min_per_thread = 1) {
  const size_t threads = std::min<size_t>(std::max(1u, std::thread::hardware_concurrency()),
                                          std::max<size_t>(1, n / min_per_thread));
  if (threads <= 1) {
    for (size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  std::vector<std::thread> pool;
  for (size_t t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (size_t i = t; i < n; i += threads) fn(i);
    });
  }
  for (auto& th : pool) th.join();
}

}  // namespace rapport::insight
