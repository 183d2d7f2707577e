#include "insight/clv/purchases.h"

#include <cmath>
#include <limits>

#include "insight/event_scan.h"

namespace rapport::insight {

namespace {
constexpr int64_t kDayUs = 86'400'000'000;

int64_t DayOf(int64_t ts_us) {
  return ts_us >= 0 ? ts_us / kDayUs : -((-ts_us + kDayUs - 1) / kDayUs);
}
}  // namespace

Result<PurchaseRead> ReadPurchases(const warehouse::Snapshot& snapshot,
                                   const PurchaseSource& source, int threads) {
  std::vector<PurchaseRead> per_worker(kMaxScanThreads);
  std::vector<char> infinite(kMaxScanThreads, 0);
  const warehouse::TimeRange range{std::numeric_limits<int64_t>::min(), source.until_us};
  ASSIGN_OR_RETURN(
      const int used,
      ScanEvents(
          snapshot, source.filter, {source.revenue_path}, range, threads,
          [&](int worker, uint64_t profile, const warehouse::Chunk& chunk, size_t r) {
            if (profile == 0) return;
            const auto w = static_cast<size_t>(worker);
            const std::optional<double> value =
                warehouse::ValueAtRow(chunk.Find(source.revenue_path), r).AsNumber();
            if (value && !std::isfinite(*value)) infinite[w] = 1;
            if (!value) ++per_worker[w].without_value;
            per_worker[w].purchases.push_back({profile, DayOf(chunk.ts()[r]), value.value_or(0)});
          }));
  PurchaseRead out;
  for (int w = 0; w < used; ++w) {
    if (infinite[static_cast<size_t>(w)]) {
      return Status::InvalidArgument("a purchase's \"" + source.revenue_path +
                                     "\" is not a finite number");
    }
    PurchaseRead& mine = per_worker[static_cast<size_t>(w)];
    out.purchases.insert(out.purchases.end(), mine.purchases.begin(), mine.purchases.end());
    out.without_value += mine.without_value;
  }
  return out;
}

}  // namespace rapport::insight
