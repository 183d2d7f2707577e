#include "insight/clv/purchases.h"

#include <cmath>

#include "warehouse/query/parallel.h"

namespace rapport::insight {

namespace {
constexpr int64_t kDayUs = 86'400'000'000;

int64_t DayOf(int64_t ts_us) {
  return ts_us >= 0 ? ts_us / kDayUs : -((-ts_us + kDayUs - 1) / kDayUs);
}
}  // namespace

Result<PurchaseRead> ReadPurchases(const warehouse::Snapshot& snapshot,
                                   const PurchaseSource& source, int threads) {
  const warehouse::CompiledFilter filter(source.filter, snapshot.events());
  PurchaseRead out;
  if (!filter.possible()) return out;
  std::vector<std::string> paths = filter.paths();
  paths.push_back(source.revenue_path);
  if (threads <= 0) threads = warehouse::DefaultQueryThreads();
  std::vector<PurchaseRead> per_worker(static_cast<size_t>(threads));
  const warehouse::ProfileMap& profiles = snapshot.profiles();
  RETURN_IF_ERROR(warehouse::ParallelChunks(
      snapshot.chunk_count(), threads, [&](int worker, size_t i) -> Status {
        if (snapshot.info(i).min_ts >= source.until_us) return Status::OK();
        ASSIGN_OR_RETURN(warehouse::ChunkPtr chunk, snapshot.Load(i, paths));
        std::vector<uint8_t> match(chunk->rows);
        filter.Evaluate(*chunk, match.data());
        const warehouse::PropertyColumn* revenue = chunk->Find(source.revenue_path);
        PurchaseRead& mine = per_worker[static_cast<size_t>(worker)];
        for (size_t r = 0; r < chunk->rows; ++r) {
          if (!match[r] || chunk->ts()[r] >= source.until_us || chunk->profile()[r] == 0) continue;
          const std::optional<double> value = warehouse::ValueAtRow(revenue, r).AsNumber();
          if (value && !std::isfinite(*value)) {
            return Status::InvalidArgument("a purchase's \"" + source.revenue_path +
                                           "\" is not a finite number");
          }
          if (!value) ++mine.without_value;
          mine.purchases.push_back(
              {profiles.Current(chunk->profile()[r]), DayOf(chunk->ts()[r]), value.value_or(0)});
        }
        return Status::OK();
      }));
  for (PurchaseRead& w : per_worker) {
    out.purchases.insert(out.purchases.end(), w.purchases.begin(), w.purchases.end());
    out.without_value += w.without_value;
  }
  return out;
}

}  // namespace rapport::insight
