#include "audience/ast.h"

namespace rapport {

int64_t Window::micros() const {
  constexpr int64_t kMinuteUs = 60'000'000;
  switch (unit) {
    case TimeUnit::kMinutes:
      return amount * kMinuteUs;
    case TimeUnit::kHours:
      return amount * 60 * kMinuteUs;
    case TimeUnit::kDays:
      return amount * 1440 * kMinuteUs;
    case TimeUnit::kWeeks:
      return amount * 7 * 1440 * kMinuteUs;
  }
  return 0;
}

}  // namespace rapport
