#include "identity/resolver.h"

#include <algorithm>
#include <map>
#include <set>

namespace rapport {
namespace {

// The type whose limit a candidate union breaks (the highest-priority one), or "".
// A profile that already holds more than a (since lowered) limit does not count as a conflict
// unless the union grows past what it holds.
std::string Conflict(const IdentitySettings& settings, const std::vector<Identifier>& ids,
                     const std::map<uint64_t, std::vector<Identifier>>& matched) {
  std::map<std::string, std::set<std::string>> values;
  std::map<std::string, size_t> held;
  for (const auto& [profile, identifiers] : matched) {
    std::map<std::string, size_t> count;
    for (const Identifier& id : identifiers) {
      values[id.type].insert(id.value);
      ++count[id.type];
    }
    for (const auto& [type, n] : count) held[type] = std::max(held[type], n);
  }
  for (const Identifier& id : ids) values[id.type].insert(id.value);
  std::string worst;
  for (const auto& [type, set] : values) {
    const IdentityType* t = settings.Find(type);
    size_t limit = t ? static_cast<size_t>(t->limit) : 1;
    if (set.size() > limit && set.size() > held[type] &&
        (worst.empty() || settings.Before(type, worst))) {
      worst = type;
    }
  }
  return worst;
}

}  // namespace

Result<Resolution> Resolve(const IdentitySettings& settings, std::vector<Identifier> ids,
                           IdentityView* view) {
  // Priority order, first occurrence kept.
  std::vector<Identifier> unique;
  for (Identifier& id : ids) {
    if (std::find(unique.begin(), unique.end(), id) == unique.end())
      unique.push_back(std::move(id));
  }
  if (unique.empty()) return Status::InvalidArgument("identity: an event without identifiers");
  std::stable_sort(unique.begin(), unique.end(), [&](const Identifier& a, const Identifier& b) {
    return settings.Before(a.type, b.type);
  });
  Resolution r;
  // An event cannot bring more values of a type than one profile may hold.
  {
    std::map<std::string, int> seen;
    std::vector<Identifier> kept;
    for (Identifier& id : unique) {
      const IdentityType* t = settings.Find(id.type);
      if (++seen[id.type] > (t ? t->limit : 1)) {
        r.conflict = id.type;
        r.dropped.push_back(std::move(id));
      } else {
        kept.push_back(std::move(id));
      }
    }
    unique = std::move(kept);
  }

  std::map<Identifier, std::optional<uint64_t>> found;
  std::map<uint64_t, std::vector<Identifier>> held;  // profile → its identifiers
  while (true) {
    std::map<uint64_t, std::vector<Identifier>> matched;
    std::map<uint64_t, std::vector<Identifier>> via;
    for (const Identifier& id : unique) {
      auto it = found.find(id);
      if (it == found.end()) {
        ASSIGN_OR_RETURN(auto p, view->Find(id));
        it = found.emplace(id, p).first;
      }
      if (!it->second) continue;
      uint64_t p = *it->second;
      via[p].push_back(id);
      if (!held.count(p)) {
        ASSIGN_OR_RETURN(auto list, view->IdentifiersOf(p));
        held[p] = std::move(list);
      }
      matched[p] = held[p];
    }
    std::string conflict = Conflict(settings, unique, matched);
    if (conflict.empty()) {
      r.create = matched.empty();
      r.profile = matched.empty() ? 0 : matched.begin()->first;  // the oldest survives
      for (auto it = matched.begin(); it != matched.end(); ++it) {
        if (it == matched.begin()) continue;
        r.merges.push_back({it->first, via[it->first]});
      }
      for (const Identifier& id : unique) {
        if (!found[id]) r.add.push_back(id);
      }
      return r;
    }
    r.conflict = conflict;
    // Drop every identifier of the lowest-priority type present; with one type left, the last.
    const std::string lowest = unique.back().type;
    bool one_type = unique.front().type == lowest;
    if (one_type) {
      r.dropped.push_back(std::move(unique.back()));
      unique.pop_back();
    } else {
      while (unique.back().type == lowest) {
        r.dropped.push_back(std::move(unique.back()));
        unique.pop_back();
      }
    }
  }
}

}  // namespace rapport
