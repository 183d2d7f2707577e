// StoreSnapshot: the Snapshot the Warehouse hands to queries — its parts (kept open by shared
// pointers, so a merge that replaces them does not disturb a running query) followed, day by
// day, by the rows still in memory. Immutable; thread-safe.
#pragma once

#include <memory>
#include <vector>

#include "warehouse/memory_snapshot.h"
#include "warehouse/part/part_reader.h"
#include "warehouse/snapshot.h"

namespace rapport::warehouse {

class StoreSnapshot : public Snapshot {
 public:
  // `parts` in (day, id) order; `memory` may be nullptr; `events` is the dictionary every part's
  // ids are in (when `memory` is given, its dictionary, which continues it, is used instead).
  StoreSnapshot(std::vector<std::shared_ptr<PartReader>> parts,
                std::shared_ptr<const MemorySnapshot> memory, EventDictionary events,
                std::shared_ptr<const ProfileMap> profiles);

  size_t chunk_count() const override { return refs_.size(); }
  const ChunkInfo& info(size_t i) const override { return infos_[i]; }
  Result<ChunkPtr> Load(size_t i, const std::vector<std::string>& paths) const override;
  std::vector<std::string> Paths(size_t i) const override;
  const EventDictionary& events() const override { return memory_ ? memory_->events() : events_; }
  const ProfileMap& profiles() const override { return *profiles_; }

 private:
  struct Ref {
    int source;    // index into parts_, or -1 for memory_
    size_t index;  // block of the part, or chunk of memory_
  };
  std::vector<std::shared_ptr<PartReader>> parts_;
  std::shared_ptr<const MemorySnapshot> memory_;
  EventDictionary events_;
  std::shared_ptr<const ProfileMap> profiles_;
  std::vector<Ref> refs_;
  std::vector<ChunkInfo> infos_;
};

}  // namespace rapport::warehouse
