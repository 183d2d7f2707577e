#include "warehouse/query/dense_profiles.h"

#include <algorithm>
#include <limits>

#include "warehouse/query/parallel.h"

namespace rapport::warehouse {

Result<DenseProfiles> DenseProfiles::Build(const Snapshot& snapshot,
                                           const std::vector<size_t>& chunks, int threads) {
  const ProfileMap& map = snapshot.profiles();
  uint64_t bound = map.max_id();
  uint64_t rows = 0;
  for (size_t c : chunks) {
    bound = std::max(bound, snapshot.info(c).max_profile);
    rows += snapshot.info(c).rows;
  }
  DenseProfiles dp;
  const uint64_t cap = std::max<uint64_t>(uint64_t{1} << 20, 8 * rows);
  if (bound < cap && bound < std::numeric_limits<uint32_t>::max() - 1) {
    dp.direct_limit_ = bound + 1;
    dp.size_ = bound + 1;
    if (!map.empty()) {
      dp.redirect_.resize(bound + 1);
      const size_t slices = static_cast<size_t>(std::max(threads, 1));
      RETURN_IF_ERROR(ParallelChunks(slices, threads, [&](int, size_t s) {
        const uint64_t lo = (bound + 1) * s / slices, hi = (bound + 1) * (s + 1) / slices;
        for (uint64_t id = lo; id < hi; ++id) {
          const uint64_t cur = map.Current(id);
          dp.redirect_[id] = cur <= bound ? static_cast<uint32_t>(cur) : 0;
        }
        return Status::OK();
      }));
    }
    return dp;
  }
  // Sparse ids: rank the ids the chunks hold together with their survivors (index 1 + rank).
  std::vector<std::vector<uint64_t>> seen(static_cast<size_t>(std::max(threads, 1)));
  RETURN_IF_ERROR(ParallelChunks(chunks.size(), threads, [&](int w, size_t i) -> Status {
    ASSIGN_OR_RETURN(ChunkPtr chunk, snapshot.Load(chunks[i], {}));
    const uint64_t* p = chunk->profile();
    for (size_t r = 0; r < chunk->rows; ++r) {
      if (p[r] != 0 && (r == 0 || p[r] != p[r - 1])) {
        seen[w].push_back(p[r]);
        if (map.Touched(p[r])) seen[w].push_back(map.Current(p[r]));
      }
    }
    return Status::OK();
  }));
  std::vector<uint64_t>& ids = dp.sparse_ids_;
  for (auto& s : seen) ids.insert(ids.end(), s.begin(), s.end());
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  if (ids.size() >= std::numeric_limits<uint32_t>::max() - 1) {
    return Status::TooLarge("more than 4 billion profiles in one query");
  }
  dp.sparse_current_.resize(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    const uint64_t current = map.Current(ids[i]);
    dp.sparse_current_[i] =
        1 + static_cast<uint32_t>(std::lower_bound(ids.begin(), ids.end(), current) - ids.begin());
  }
  dp.size_ = ids.size() + 1;
  return dp;
}

DenseProfiles::Index DenseProfiles::LookupSparse(uint64_t stored) const {
  auto it = std::lower_bound(sparse_ids_.begin(), sparse_ids_.end(), stored);
  if (it == sparse_ids_.end() || *it != stored) return {0, false};
  const size_t i = it - sparse_ids_.begin();
  return {sparse_current_[i], sparse_current_[i] != i + 1};
}

}  // namespace rapport::warehouse
