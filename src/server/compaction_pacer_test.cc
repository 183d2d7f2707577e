#include "server/compaction_pacer.h"

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <rocksdb/rate_limiter.h>

#include "common/pacing.h"
#include "common/rocks_options.h"

namespace rapport {
namespace {

std::shared_ptr<rocksdb::RateLimiter> NewLimiter() {
  return std::shared_ptr<rocksdb::RateLimiter>(
      rocksdb::NewGenericRateLimiter(kUnpacedRocksBytesPerSecond));
}

TEST(CompactionPacerTest, PacedWhileHeldBackAndForASecondAfter) {
  EXPECT_EQ(CompactionPacer::PacedBytesPerSecond(0.1), 4 << 20);
  EXPECT_EQ(CompactionPacer::PacedBytesPerSecond(1.0), kUnpacedRocksBytesPerSecond);
  // A sample interval of an hour: the thread never steps; the test does.
  CompactionPacer pacer(NewLimiter(), 0.1, std::chrono::hours(1));
  const int64_t paced = 4 << 20, free = kUnpacedRocksBytesPerSecond;
  EXPECT_EQ(pacer.Step(false, 0), free);
  EXPECT_EQ(pacer.Step(true, 100'000), paced);
  EXPECT_EQ(pacer.Step(false, 200'000), paced);
  EXPECT_EQ(pacer.Step(false, 1'099'999), paced);
  EXPECT_EQ(pacer.Step(false, 1'100'000), free);  // a second after the last held-back sample
  EXPECT_EQ(pacer.Step(false, 1'200'000), free);
  EXPECT_EQ(pacer.paced_millis(), 1000);  // from 100 ms to 1.1 s
  EXPECT_EQ(pacer.Step(true, 5'000'000), paced);
  EXPECT_EQ(pacer.Step(true, 5'500'000), paced);
  EXPECT_EQ(pacer.paced_millis(), 1500);
}

// Spins until `stop`.
void Spin(const std::atomic<bool>& stop) {
  volatile uint64_t x = 0;
  while (!stop.load(std::memory_order_relaxed)) x = x + 1;
}

template <typename Pred>
bool WaitFor(Pred pred, std::chrono::milliseconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

TEST(CompactionPacerTest, TheLimiterFollowsTheForeground) {
  auto limiter = NewLimiter();
  {
    CompactionPacer pacer(limiter, 0.1, std::chrono::milliseconds(20));
    // Foreground threads that want more cores than there are: ingest held back.
    std::atomic<bool> stop{false};
    std::vector<std::thread> foreground;
    for (unsigned i = 0; i < std::max(2u, std::thread::hardware_concurrency()) + 1; ++i) {
      foreground.emplace_back([&] {
        MarkForeground();
        Spin(stop);
      });
    }
    const bool lowered =
        WaitFor([&] { return limiter->GetBytesPerSecond() == 4 << 20; }, std::chrono::seconds(10));
    stop = true;
    for (auto& t : foreground) t.join();
    EXPECT_TRUE(lowered) << "the limiter was not lowered while the foreground waited for cores";
    // The foreground is gone: a second later the limiter is lifted.
    EXPECT_TRUE(WaitFor([&] { return limiter->GetBytesPerSecond() == kUnpacedRocksBytesPerSecond; },
                        std::chrono::seconds(10)));
    EXPECT_GE(pacer.paced_millis(), 900);
  }
  EXPECT_EQ(limiter->GetBytesPerSecond(), kUnpacedRocksBytesPerSecond);
}

TEST(CompactionPacerTest, PacingOffNeverLimits) {
  auto limiter = NewLimiter();
  CompactionPacer pacer(limiter, 1.0, std::chrono::milliseconds(20));
  EXPECT_EQ(pacer.Step(true, 0), kUnpacedRocksBytesPerSecond);
  EXPECT_EQ(limiter->GetBytesPerSecond(), kUnpacedRocksBytesPerSecond);
}

}  // namespace
}  // namespace rapport
