// Snapshot: a consistent, immutable view of the warehouse that queries read — its chunks (with
// what is known about each before decoding it), the event names and the profile map. Taken in
// O(parts); safe to read from several threads; holds the parts it lists alive.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "warehouse/chunk.h"
#include "warehouse/profile_map.h"

namespace rapport::warehouse {

// What is known about a chunk without decoding it (from the part's footer).
struct ChunkInfo {
  int64_t min_ts = 0, max_ts = 0;  // event times, inclusive
  uint64_t min_profile = 0, max_profile = 0;
  size_t rows = 0;
  uint64_t part = 0;  // the part's id; chunks of one part are consecutive, in row order
  int64_t day = 0;    // the part's time partition: days since 1970-01-01 (UTC)
};

class Snapshot {
 public:
  virtual ~Snapshot() = default;
  // Chunks ordered by (day, part, row): parts of a day never overlap in time with another day's.
  virtual size_t chunk_count() const = 0;
  virtual const ChunkInfo& info(size_t i) const = 0;
  // Decodes chunk i with the fixed columns and those of `paths` it has (others are skipped).
  // kCorruption when a block fails its checksum: no damaged data is ever returned.
  virtual Result<ChunkPtr> Load(size_t i, const std::vector<std::string>& paths) const = 0;
  // Every property path some row of chunk i has, sorted (what discovery lists).
  virtual std::vector<std::string> Paths(size_t /*i*/) const { return {}; }
  virtual const EventDictionary& events() const = 0;
  virtual const ProfileMap& profiles() const = 0;
};

using SnapshotPtr = std::shared_ptr<const Snapshot>;

}  // namespace rapport::warehouse
