// TestClockApi: `POST /api/v1/test/clock`, only when the server runs on a manual clock
// (RAPPORT_TEST_CLOCK, for scenario tests of time-driven behaviour such as audience windows).
// Body {"advance": "7d"} (units s, m, h, d) or {"to": "2024-02-01T00:00:00Z"}; time never moves
// back. Answers {"now": ISO-8601}. Thread-safe.
#pragma once

#include "common/clock.h"
#include "server/http_types.h"

namespace rapport {

class TestClockApi {
 public:
  explicit TestClockApi(ManualClock* clock) : clock_(clock) {}
  void Move(HttpRequest& req, Responder respond);

 private:
  ManualClock* clock_;
};

// "90s", "15m", "36h", "7d" → microseconds; kInvalidArgument otherwise.
Result<int64_t> ParseDuration(std::string_view text);

}  // namespace rapport
