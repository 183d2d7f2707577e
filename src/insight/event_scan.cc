#include "insight/event_scan.h"

#include <algorithm>

#include "warehouse/query/parallel.h"

namespace rapport::insight {

Result<int> ScanEvents(const warehouse::Snapshot& snapshot, const warehouse::EventFilter& filter,
                       std::vector<std::string> paths, warehouse::TimeRange range, int threads,
                       const RowFn& fn) {
  if (threads <= 0) threads = warehouse::DefaultQueryThreads();
  threads = std::min(threads, kMaxScanThreads);
  const warehouse::CompiledFilter compiled(filter, snapshot.events());
  if (!compiled.possible()) return threads;
  paths.insert(paths.end(), compiled.paths().begin(), compiled.paths().end());
  const warehouse::ProfileMap& profiles = snapshot.profiles();
  RETURN_IF_ERROR(warehouse::ParallelChunks(
      snapshot.chunk_count(), threads, [&](int worker, size_t i) -> Status {
        const warehouse::ChunkInfo& info = snapshot.info(i);
        if (info.max_ts < range.from_us || info.min_ts >= range.to_us) return Status::OK();
        ASSIGN_OR_RETURN(warehouse::ChunkPtr chunk, snapshot.Load(i, paths));
        std::vector<uint8_t> match(chunk->rows);
        compiled.Evaluate(*chunk, match.data());
        for (size_t r = 0; r < chunk->rows; ++r) {
          if (!match[r] || !range.Contains(chunk->ts()[r])) continue;
          const uint64_t stored = chunk->profile()[r];
          fn(worker, stored == 0 ? 0 : profiles.Current(stored), *chunk, r);
        }
        return Status::OK();
      }));
  return threads;
}

}  // namespace rapport::insight
