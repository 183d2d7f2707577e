// DenseProfiles: dense indexes for the profiles a query meets, shared by the operators that keep
// per-profile state in plain arrays (funnel, retention). Immutable once built; thread-safe reads.
#pragma once

#include <cstdint>
#include <vector>

#include "common/status.h"
#include "warehouse/snapshot.h"

namespace rapport::warehouse {

// Dense indexes for the profiles a query meets: a stored profile id maps to the index of its
// current identity (ProfileMap::Current), so per-profile state lives in plain arrays. With the
// usual dense ids the index is the id itself; very sparse ids (beyond what an array indexed by id
// could hold) are ranked instead. Either way indexes grow with ids, so rows sorted by profile
// stay sorted by index except for merged-away ids ("moved"). Index 0: no profile.
class DenseProfiles {
 public:
  struct Index {
    uint32_t index;  // of the current identity; 0 for profile 0
    bool moved;      // the id was merged away: `index` is not its own
  };

  // `chunks`: the chunk indexes the query will read (sparse ids are gathered from them).
  static Result<DenseProfiles> Build(const Snapshot& snapshot, const std::vector<size_t>& chunks,
                                     int threads);
  size_t size() const { return size_; }  // indexes are < size()
  Index Lookup(uint64_t stored) const {
    if (stored < direct_limit_) {
      if (redirect_.empty()) return {static_cast<uint32_t>(stored), false};
      const uint32_t current = redirect_[stored];
      return {current, current != stored};
    }
    return LookupSparse(stored);
  }
  uint32_t Map(uint64_t stored) const { return Lookup(stored).index; }
  // Every stored id is its own index (no merges, dense ids): callers may skip Lookup.
  bool identity() const { return direct_limit_ > 0 && redirect_.empty(); }
  // Whether the chunk's ids are within what Build saw in the chunk infos (its last row holds
  // its largest id: rows are sorted by profile). Callers fail with kCorruption otherwise.
  bool Covers(const Chunk& chunk) const {
    return direct_limit_ == 0 || chunk.rows == 0 || chunk.profile()[chunk.rows - 1] < direct_limit_;
  }

 private:
  Index LookupSparse(uint64_t stored) const;

  size_t size_ = 1;
  uint64_t direct_limit_ = 0;             // ids below it map through redirect_ (or to themselves)
  std::vector<uint32_t> redirect_;        // by stored id (only when the profile map has merges)
  std::vector<uint64_t> sparse_ids_;      // sparse mode: the ids seen and their survivors, sorted
  std::vector<uint32_t> sparse_current_;  // by position: 1 + position of the survivor
};

}  // namespace rapport::warehouse
