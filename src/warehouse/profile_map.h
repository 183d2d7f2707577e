// ProfileMap: which profile an event's stored profile id belongs to now. Identity merges happen
// after events are stored; the warehouse never rewrites a row for them, it maps ids at query
// time: a merged-away profile counts as its survivor. Immutable once built; thread-safe reads.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <utility>
#include <vector>

namespace rapport::warehouse {

class ProfileMap {
 public:
  ProfileMap() = default;
  // `merges`: (from, into) pairs in the order they happened; chains (a→b, b→c) resolve to the
  // last survivor. `max_id`: an upper bound of every profile id stored (dense arrays size by it).
  ProfileMap(const std::vector<std::pair<uint64_t, uint64_t>>& merges, uint64_t max_id);

  uint64_t Current(uint64_t id) const {
    if (redirect_.empty()) return id;
    auto it = redirect_.find(id);
    return it == redirect_.end() ? id : it->second;
  }
  // True for ids that are merged away or that absorbed another: the only ids for which two stored
  // ids can mean one profile.
  bool Touched(uint64_t id) const { return touched_.count(id) > 0; }
  bool empty() const { return redirect_.empty(); }
  uint64_t max_id() const { return max_id_; }

 private:
  std::unordered_map<uint64_t, uint64_t> redirect_;  // merged-away id → live survivor
  std::unordered_map<uint64_t, bool> touched_;
  uint64_t max_id_ = 0;
};

}  // namespace rapport::warehouse
