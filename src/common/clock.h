// Clock: the one source of "now" for code that stamps or expires things, so tests can move
// time by hand. SystemClock reads CLOCK_REALTIME; ManualClock only moves when told. Both are
// thread-safe. Times are microseconds since the Unix epoch (UTC).
#pragma once

#include <atomic>
#include <cstdint>

namespace rapport {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t NowMicros() const = 0;
};

class SystemClock final : public Clock {
 public:
  int64_t NowMicros() const override;
  // A process-wide instance.
  static SystemClock* Default();
};

class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t now_micros = 0) : now_(now_micros) {}
  int64_t NowMicros() const override { return now_.load(); }
  void Set(int64_t now_micros) { now_.store(now_micros); }
  void Advance(int64_t delta_micros) { now_.fetch_add(delta_micros); }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace rapport
