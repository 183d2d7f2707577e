// ScanEvents: the warehouse rows the model kinds read — every row matching a filter with a time
// in a range, handed to `fn` with the profile it belongs to now (0: none) on every core.
// `fn(worker, profile, chunk, row)` runs on one thread per worker index (0..threads-1), so
// per-worker accumulators need no locks. kCorruption from damaged blocks.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/status.h"
#include "warehouse/query/common.h"
#include "warehouse/query/filter.h"
#include "warehouse/snapshot.h"

namespace rapport::insight {

using RowFn =
    std::function<void(int worker, uint64_t profile, const warehouse::Chunk& chunk, size_t row)>;

inline constexpr int kMaxScanThreads = 64;

// `paths`: property columns `fn` reads (the filter's own are added). Returns the thread count
// used (the number of worker indexes, at most kMaxScanThreads).
Result<int> ScanEvents(const warehouse::Snapshot& snapshot, const warehouse::EventFilter& filter,
                       std::vector<std::string> paths, warehouse::TimeRange range, int threads,
                       const RowFn& fn);

}  // namespace rapport::insight
