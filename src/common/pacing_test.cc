#include "common/pacing.h"

#include <atomic>
#include <chrono>
#include <future>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace rapport {
namespace {

using pacing_internal::PauseMicros;

uint64_t ForegroundWaitNanos() { return pacing_internal::ForegroundTimes().wait_ns; }

TEST(PacingTest, PausesOnlyWhileTheForegroundWantsMoreThanACoreAndWaits) {
  // Over 10 ms the foreground ran 9 ms and waited 5: held back. 1 ms of CPU at share 0.2: the
  // loop sleeps 4 ms, so it works a fifth of the time.
  EXPECT_EQ(PauseMicros(1000, 9000, 5000, 10000, 0.2), 4000);
  EXPECT_EQ(PauseMicros(1000, 9000, 5000, 10000, 0.5), 1000);
  // It waited a fifth of the time or less: no pause.
  EXPECT_EQ(PauseMicros(1000, 9000, 2000, 10000, 0.2), 0);
  // It waited, but wanted less than a core (a moderate load, woken often): no pause.
  EXPECT_EQ(PauseMicros(1000, 2000, 3000, 10000, 0.2), 0);
  // Pacing off, nothing worked, nothing elapsed.
  EXPECT_EQ(PauseMicros(1000, 9000, 9000, 10000, 1.0), 0);
  EXPECT_EQ(PauseMicros(0, 9000, 9000, 10000, 0.2), 0);
  EXPECT_EQ(PauseMicros(1000, 9000, 9000, 0, 0.2), 0);
  // Never more than 1 s at a time.
  EXPECT_EQ(PauseMicros(1'000'000, 1'500'000, 900'000, 1'000'000, 0.2), 1'000'000);
}

TEST(PacingTest, TheShareIsClamped) {
  const double before = BackgroundShare();
  SetBackgroundShare(0);
  EXPECT_DOUBLE_EQ(BackgroundShare(), 0.05);
  SetBackgroundShare(7);
  EXPECT_DOUBLE_EQ(BackgroundShare(), 1.0);
  SetBackgroundShare(before);
}

TEST(PacingTest, TheShareIsDividedAmongTheLoopsActiveLately) {
  using pacing_internal::CountActiveLoop;
  int a = 0, b = 0, c = 0;  // three loops, by address
  const int64_t t = 1'000'000'000'000;
  EXPECT_EQ(CountActiveLoop(&a, t), 1u);
  EXPECT_EQ(CountActiveLoop(&a, t + 20'000), 1u);  // the same loop again
  EXPECT_EQ(CountActiveLoop(&b, t + 40'000), 2u);
  EXPECT_EQ(CountActiveLoop(&c, t + 2'000'000), 3u);
  // a (last seen at t + 20 ms) has been quiet for more than 3 s: it no longer shares.
  EXPECT_EQ(CountActiveLoop(&b, t + 3'100'000), 2u);
  EXPECT_EQ(CountActiveLoop(&a, t + 3'200'000), 3u);   // back
  EXPECT_EQ(CountActiveLoop(&c, t + 60'000'000), 1u);  // the others ended
  // Two loops with a share of 20 % pause like one with 10 %: each takes 10 % of a core.
  EXPECT_EQ(PauseMicros(1000, 9000, 5000, 10000, 0.2 / 2),
            PauseMicros(1000, 9000, 5000, 10000, 0.1));
  EXPECT_EQ(PauseMicros(1000, 9000, 5000, 10000, 0.1), 9000);
}

// Spins until `stop`.
void Spin(const std::atomic<bool>& stop) {
  volatile uint64_t x = 0;
  while (!stop.load(std::memory_order_relaxed)) x = x + 1;
}

// Burns about `ms` of the calling thread's CPU time.
void Burn(int ms) {
  timespec ts{};
  auto cpu_ms = [&] {
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1'000'000;
  };
  const auto end = cpu_ms() + ms;
  volatile uint64_t x = 0;
  while (cpu_ms() < end) x = x + 1;
}

TEST(PacingTest, ForegroundThreadsKeptFromTheCoresMakeTheBackgroundPause) {
  SetBackgroundShare(0.2);
  std::atomic<bool> stop{false};
  std::atomic<int> registered{0};
  // Two foreground threads that want a core all the time, and more spinners than there are
  // cores: together they want more than a core and wait for one a good part of the time.
  std::vector<std::thread> foreground;
  for (int i = 0; i < 2; ++i) {
    foreground.emplace_back([&] {
      MarkForeground();
      ++registered;
      Spin(stop);
    });
  }
  while (registered < 2) std::this_thread::yield();
  std::vector<std::thread> spinners;
  for (unsigned i = 0; i < std::max(2u, std::thread::hardware_concurrency()) + 1; ++i) {
    spinners.emplace_back([&] { Spin(stop); });
  }
  const uint64_t wait_before = ForegroundWaitNanos();
  std::chrono::microseconds slept{0};
  std::thread background([&] {
    PaceBackground();  // the first call only takes the measures
    for (int i = 0; i < 5; ++i) {
      Burn(25);  // more than the shortest window PaceBackground judges (20 ms)
      slept += PaceBackground();
    }
  });
  background.join();
  const uint64_t waited = ForegroundWaitNanos() - wait_before;
  stop = true;
  for (auto& t : spinners) t.join();
  for (auto& t : foreground) t.join();
  EXPECT_GT(waited, 10'000'000u) << "the foreground threads never waited for a core";
  // About 4 × 25 ms of CPU per unit of work; at least some of it, whatever the machine's load.
  EXPECT_GT(slept.count(), 50'000) << slept.count();
  EXPECT_LE(slept.count(), 5 * 1'000'000);
  EXPECT_GE(BackgroundPausedMicros(), slept.count());
}

TEST(PacingTest, NoPauseWhenTheForegroundIsIdleOrPacingIsOff) {
  // Registered, then blocked until the end: never runnable, so it never waits for a core,
  // whatever else the machine runs.
  std::promise<void> stop;
  std::atomic<bool> registered{false};
  std::thread foreground([&, done = stop.get_future()] {
    MarkForeground();
    registered = true;
    done.wait();
  });
  while (!registered) std::this_thread::yield();
  std::chrono::microseconds slept{0};
  std::thread background([&] {
    PaceBackground();
    for (int i = 0; i < 5; ++i) {
      Burn(25);
      slept += PaceBackground();
    }
    SetBackgroundShare(1.0);
    Burn(25);
    slept += PaceBackground();
    SetBackgroundShare(0.2);
  });
  background.join();
  stop.set_value();
  foreground.join();
  EXPECT_EQ(slept.count(), 0);
}

TEST(PacingTest, ThreadsThatEndedAreForgotten) {
  std::thread t([] {
    MarkForeground();
    Burn(2);
  });
  t.join();
  // Reading a finished thread's schedstat fails; the total is still read for the others.
  (void)ForegroundWaitNanos();
  EXPECT_EQ(pacing_internal::ForegroundThreads(), 0u);
}

}  // namespace
}  // namespace rapport
