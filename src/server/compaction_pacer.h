// CompactionPacer: RocksDB's flushes and compactions are derived state's work too, and after a
// burst they can take most of a core for minutes (measured: 23–60 % of a core under /v1/track
// after a /v1/batch run, while the profile pipeline and warehouse were paced to 10 %). A
// thread samples the foreground every 100 ms (common/pacing.h's test); while ingest is held
// back, and for 1 s after, the shared RocksDB rate limiter (common/rocks_options.h) lets
// flushes and compactions write PacedBytesPerSecond(share); otherwise it is unlimited. They
// catch up afterwards, like the rest of derived state. A share of 1 (pacing off) never limits.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

namespace rocksdb {
class RateLimiter;
}

namespace rapport {

class CompactionPacer {
 public:
  // The write rate while ingest is held back, for a background share (0.05–1): 40 MB/s per
  // whole core of share, 4 MB/s at the default 10 % (~a twentieth of a core of compaction here).
  static int64_t PacedBytesPerSecond(double share);

  // Paces `limiter` (SharedRocksRateLimiter() in the server), sampling every `sample_every`,
  // until destroyed; the limiter is left unlimited.
  CompactionPacer(std::shared_ptr<rocksdb::RateLimiter> limiter, double share,
                  std::chrono::milliseconds sample_every = std::chrono::milliseconds(100));
  ~CompactionPacer();

  // The rate for a sample at `now_us`, given whether ingest was held back since the last:
  // paced while held back and for 1 s after. Called by the thread; public for tests.
  int64_t Step(bool held_back, int64_t now_us);
  // Milliseconds the limiter spent paced, in all (for /metrics).
  int64_t paced_millis() const { return paced_us_.load() / 1000; }

 private:
  void Run();

  std::shared_ptr<rocksdb::RateLimiter> limiter_;
  const int64_t paced_rate_;
  const std::chrono::milliseconds sample_every_;
  int64_t last_held_us_ = -1;  // of the last held-back sample; -1: none
  int64_t last_step_us_ = 0;
  bool paced_ = false;
  std::atomic<int64_t> paced_us_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;  // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace rapport
