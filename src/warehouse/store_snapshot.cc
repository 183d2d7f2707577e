#include "warehouse/store_snapshot.h"

#include <algorithm>

namespace rapport::warehouse {

StoreSnapshot::StoreSnapshot(std::vector<std::shared_ptr<PartReader>> parts,
                             std::shared_ptr<const MemorySnapshot> memory, EventDictionary events,
                             std::shared_ptr<const ProfileMap> profiles)
    : parts_(std::move(parts)),
      memory_(std::move(memory)),
      events_(std::move(events)),
      profiles_(std::move(profiles)) {
  // Interleave by day: parts (in (day, id) order) and memory chunks (in day order).
  size_t m = 0;
  const size_t memory_chunks = memory_ ? memory_->chunk_count() : 0;
  auto take_memory_until = [&](int64_t day) {
    while (m < memory_chunks && memory_->info(m).day < day) {
      refs_.push_back({-1, m});
      infos_.push_back(memory_->info(m));
      ++m;
    }
  };
  for (size_t p = 0; p < parts_.size(); ++p) {
    const PartReader& part = *parts_[p];
    take_memory_until(part.meta().day);
    for (size_t b = 0; b < part.blocks(); ++b) {
      refs_.push_back({static_cast<int>(p), b});
      infos_.push_back(part.info(b));
    }
  }
  take_memory_until(INT64_MAX);
}

std::vector<std::string> StoreSnapshot::Paths(size_t i) const {
  const Ref& r = refs_[i];
  if (r.source < 0) return memory_->Paths(r.index);
  return parts_[static_cast<size_t>(r.source)]->Paths(r.index);
}

Result<ChunkPtr> StoreSnapshot::Load(size_t i, const std::vector<std::string>& paths) const {
  const Ref& r = refs_[i];
  if (r.source < 0) return memory_->Load(r.index, paths);
  return parts_[static_cast<size_t>(r.source)]->Load(r.index, paths);
}

}  // namespace rapport::warehouse
