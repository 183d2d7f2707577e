#include "log/sync_pool.h"

#include <atomic>
#include <chrono>
#include <set>
#include <thread>

#include <gtest/gtest.h>

namespace rapport::log_internal {
namespace {

TEST(SyncPool, RunsEveryTaskOnceAndWaitsForAll) {
  SyncPool pool(3);
  for (int round = 0; round < 200; ++round) {
    int n = 1 + round % 6;
    std::vector<std::atomic<int>> calls(n);
    pool.Run(n, [&](int i) { calls[i]++; });
    for (int i = 0; i < n; ++i) ASSERT_EQ(calls[i].load(), 1) << round << " " << i;
  }
}

TEST(SyncPool, TasksOverlapInTime) {
  SyncPool pool(3);
  std::atomic<int> running{0}, peak{0};
  pool.Run(4, [&](int) {
    int now = ++running;
    int p = peak.load();
    while (now > p && !peak.compare_exchange_weak(p, now)) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // sleeping needs no core
    --running;
  });
  EXPECT_GE(peak.load(), 2);  // not one after the other
}

TEST(SyncPool, StartReturnsAtOnceAndWaitWaitsForEveryTask) {
  SyncPool pool(1);
  for (int round = 0; round < 50; ++round) {
    std::atomic<bool> release{false};
    std::atomic<int> calls{0};
    const int n = 1 + round % 3;
    pool.Start(n, [&](int) {
      while (!release.load()) std::this_thread::yield();
      ++calls;
    });
    EXPECT_EQ(calls.load(), 0) << round;  // the caller is free while the tasks wait
    release = true;
    pool.Wait();
    EXPECT_EQ(calls.load(), n) << round;
  }
  pool.Start(0, [](int) {});
  pool.Wait();  // an empty round ends at once
}

}  // namespace
}  // namespace rapport::log_internal
