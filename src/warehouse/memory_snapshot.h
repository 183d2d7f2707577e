// MemorySnapshot: a Snapshot over rows held in memory — one part per day (or the parts given),
// rows sorted by (profile, ts, seq), chunks of at most `chunk_rows` rows. The store uses it for
// rows not yet written to parts; tests use it to drive the query operators without files.
#pragma once

#include <memory>
#include <vector>

#include "warehouse/row.h"
#include "warehouse/snapshot.h"

namespace rapport::warehouse {

class MemorySnapshot : public Snapshot {
 public:
  // Event ids continue `events` (the store's dictionary); parts get ids from `first_part_id` on.
  MemorySnapshot(std::vector<Row> rows, ProfileMap profiles, size_t chunk_rows = 65536,
                 EventDictionary events = {}, uint64_t first_part_id = 1);
  MemorySnapshot(std::vector<Row> rows, std::shared_ptr<const ProfileMap> profiles,
                 size_t chunk_rows, EventDictionary events, uint64_t first_part_id);

  size_t chunk_count() const override { return chunks_.size(); }
  const ChunkInfo& info(size_t i) const override { return infos_[i]; }
  // Explicit parts (rows of one UTC day each, in any order; several parts may share a day and
  // overlap in time, as before a merge): part p gets id p + 1; chunks come day by day.
  MemorySnapshot(std::vector<std::vector<Row>> parts, ProfileMap profiles, size_t chunk_rows);

  Result<ChunkPtr> Load(size_t i, const std::vector<std::string>& paths) const override;
  std::vector<std::string> Paths(size_t i) const override;
  const EventDictionary& events() const override { return events_; }
  const ProfileMap& profiles() const override { return *profiles_; }

 private:
  // `rows` sorted by (profile, ts, seq), all of `day`.
  void AddPart(const std::vector<const Row*>& rows, int64_t day, uint64_t part, size_t chunk_rows);

  EventDictionary events_;
  std::shared_ptr<const ProfileMap> profiles_;
  std::vector<ChunkInfo> infos_;
  std::vector<ChunkPtr> chunks_;  // every column of every row
};

// Builds one chunk from rows already in order (every path becomes a column). Intern names into
// `events`.
ChunkPtr BuildChunk(const std::vector<const Row*>& rows, EventDictionary* events);

}  // namespace rapport::warehouse
