#include "profile/state_cache.h"

#include <unistd.h>

#include <algorithm>

namespace rapport {

StateCache StateCache::ForBudget(int64_t mb) {
  if (mb <= 0) {
    const long pages = ::sysconf(_SC_PHYS_PAGES);
    const long page_size = ::sysconf(_SC_PAGESIZE);
    const int64_t machine_mb =
        pages > 0 && page_size > 0 ? static_cast<int64_t>(pages) * page_size / (1 << 20) : 0;
    mb = std::max<int64_t>(200, machine_mb / 8);
  }
  const auto profiles = static_cast<size_t>(mb) * 1000;
  return StateCache(profiles, 4 * profiles, std::max<size_t>(profiles / 10, 1000));
}

}  // namespace rapport
