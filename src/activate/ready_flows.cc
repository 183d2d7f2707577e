#include "activate/ready_flows.h"

#include <limits>

namespace rapport {

void ReadyFlows::Add(const std::string& flow, int64_t due_us, uint64_t id) {
  flows_[flow].emplace(due_us, id);
}

void ReadyFlows::Remove(const std::string& flow, int64_t due_us, uint64_t id) {
  auto it = flows_.find(flow);
  if (it == flows_.end()) return;
  it->second.erase({due_us, id});
  if (it->second.empty()) flows_.erase(it);
}

void ReadyFlows::TakeDue(int64_t now_us, size_t max, std::vector<uint64_t>* out) {
  size_t taken = 0;
  bool took = true;
  while (took && taken < max && !flows_.empty()) {
    // One round: every flow once, from the one after the flow served last.
    took = false;
    auto it = flows_.upper_bound(last_);
    for (size_t n = flows_.size(); n > 0 && taken < max && !flows_.empty(); --n) {
      if (it == flows_.end()) it = flows_.begin();
      auto& items = it->second;
      if (items.begin()->first > now_us) {
        ++it;
        continue;
      }
      out->push_back(items.begin()->second);
      items.erase(items.begin());
      ++taken;
      took = true;
      last_ = it->first;
      it = items.empty() ? flows_.erase(it) : std::next(it);
    }
  }
}

int64_t ReadyFlows::EarliestDue() const {
  int64_t earliest = std::numeric_limits<int64_t>::max();
  for (const auto& [flow, items] : flows_) earliest = std::min(earliest, items.begin()->first);
  return earliest;
}

}  // namespace rapport
