#include "warehouse/profile_map.h"

namespace rapport::warehouse {

ProfileMap::ProfileMap(const std::vector<std::pair<uint64_t, uint64_t>>& merges, uint64_t max_id)
    : max_id_(max_id) {
  // Process in order: a later merge of a survivor moves everything that pointed at it.
  std::unordered_map<uint64_t, std::vector<uint64_t>> absorbed;  // survivor → ids mapped to it
  for (const auto& [from, into] : merges) {
    if (from == into || from == 0 || into == 0) continue;
    const uint64_t target = Current(into);
    if (target == from) continue;  // would make a cycle: ignore the malformed pair
    std::vector<uint64_t> moving = {from};
    if (auto it = absorbed.find(from); it != absorbed.end()) {
      moving.insert(moving.end(), it->second.begin(), it->second.end());
      absorbed.erase(it);
    }
    auto& into_list = absorbed[target];
    for (uint64_t id : moving) {
      redirect_[id] = target;
      into_list.push_back(id);
      touched_[id] = true;
    }
    touched_[target] = true;
    if (from > max_id_) max_id_ = from;
    if (target > max_id_) max_id_ = target;
  }
}

}  // namespace rapport::warehouse
