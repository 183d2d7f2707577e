#include "server/compaction_pacer.h"

#include <algorithm>
#include <chrono>

#include <rocksdb/rate_limiter.h>

#include "common/pacing.h"
#include "common/rocks_options.h"
#include "common/threads.h"

namespace rapport {
namespace {

constexpr int64_t kHoldUs = 1'000'000;  // stay paced this long after ingest was last held back

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

int64_t CompactionPacer::PacedBytesPerSecond(double share) {
  if (share >= 1.0) return kUnpacedRocksBytesPerSecond;
  return static_cast<int64_t>(std::max(share, 0.05) * (40 << 20));
}

CompactionPacer::CompactionPacer(std::shared_ptr<rocksdb::RateLimiter> limiter, double share,
                                 std::chrono::milliseconds sample_every)
    : limiter_(std::move(limiter)),
      paced_rate_(PacedBytesPerSecond(share)),
      sample_every_(sample_every) {
  if (paced_rate_ >= kUnpacedRocksBytesPerSecond) return;  // pacing off: no thread
  thread_ = std::thread([this] {
    SetThreadName("compaction-pace");
    Run();
  });
}

CompactionPacer::~CompactionPacer() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  limiter_->SetBytesPerSecond(kUnpacedRocksBytesPerSecond);
}

int64_t CompactionPacer::Step(bool held_back, int64_t now_us) {
  if (paced_) paced_us_ += now_us - last_step_us_;
  last_step_us_ = now_us;
  if (held_back) last_held_us_ = now_us;
  paced_ = last_held_us_ >= 0 && now_us - last_held_us_ < kHoldUs;
  return paced_ ? paced_rate_ : kUnpacedRocksBytesPerSecond;
}

void CompactionPacer::Run() {
  ForegroundWatch watch;
  int64_t rate = kUnpacedRocksBytesPerSecond;
  std::unique_lock lock(mu_);
  while (!cv_.wait_for(lock, sample_every_, [this] { return stop_; })) {
    const int64_t next = Step(watch.HeldBack(), NowMicros());
    if (next != rate) {
      limiter_->SetBytesPerSecond(next);
      rate = next;
    }
  }
}

}  // namespace rapport
