// ReadyFlows: the items of one destination that may be sent now or later, grouped by flow (what
// enqueued them: an audience's sync, a journey, a test delivery), handed out in turn. Within a
// flow, items go by (next attempt, id): oldest first. Across flows, TakeDue serves one due item
// of each flow that has one, round after round, starting after the flow it served last; so
// thousands of items of one journey delay another flow's item by at most one item per other
// flow, instead of all of them. Not thread-safe (the outbox holds the destination's lock).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace rapport {

class ReadyFlows {
 public:
  void Add(const std::string& flow, int64_t due_us, uint64_t id);
  // Removes the item if present.
  void Remove(const std::string& flow, int64_t due_us, uint64_t id);
  // Moves up to `max` items due at `now_us` (due_us <= now_us) to `out`, in turn across flows.
  void TakeDue(int64_t now_us, size_t max, std::vector<uint64_t>* out);
  // The earliest due time of any item; INT64_MAX when there is none.
  int64_t EarliestDue() const;
  bool empty() const { return flows_.empty(); }

 private:
  std::map<std::string, std::set<std::pair<int64_t, uint64_t>>, std::less<>> flows_;
  std::string last_;  // the flow TakeDue served last
};

}  // namespace rapport
