#include "identity/resolver.h"

#include <algorithm>
#include <map>
#include <set>

namespace rapport {
namespace {

int LimitOf(const IdentitySettings& settings, std::string_view type) {
  const IdentityType* t = settings.Find(type);
  return t ? t->limit : 1;
}

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
    size_t limit = static_cast<size_t>(LimitOf(settings, type));
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
  unique.reserve(ids.size());
  for (Identifier& id : ids) {
    if (std::find(unique.begin(), unique.end(), id) == unique.end())
      unique.push_back(std::move(id));
  }
  if (unique.empty()) return Status::InvalidArgument("identity: an event without identifiers");
  std::stable_sort(unique.begin(), unique.end(), [&](const Identifier& a, const Identifier& b) {
    return settings.Before(a.type, b.type);
  });
  Resolution r;
  // An event cannot bring more values of a type than one profile may hold (sorted by priority,
  // so one type's identifiers are adjacent).
  {
    std::vector<Identifier> kept;
    kept.reserve(unique.size());
    std::string type;  // of the previous identifier (unique[i - 1] may be moved from)
    int run = 0;
    for (Identifier& id : unique) {
      run = id.type == type ? run + 1 : 1;
      type = id.type;
      if (run > LimitOf(settings, id.type)) {
        r.conflict = id.type;
        r.dropped.push_back(std::move(id));
      } else {
        kept.push_back(std::move(id));
      }
    }
    unique = std::move(kept);
  }

  // Where each identifier is bound (parallel to `unique`; looked up once).
  std::vector<std::optional<uint64_t>> found(unique.size());
  for (size_t i = 0; i < unique.size(); ++i) {
    ASSIGN_OR_RETURN(found[i], view->Find(unique[i]));
  }

  // Fast path: every identifier is already bound to one and the same profile.
  if (std::all_of(found.begin(), found.end(),
                  [&](const auto& p) { return p.has_value() && *p == *found[0]; })) {
    r.profile = *found[0];
    return r;
  }

  std::map<uint64_t, std::vector<Identifier>> held;  // profile → its identifiers
  while (true) {
    std::map<uint64_t, std::vector<Identifier>> matched;
    std::map<uint64_t, std::vector<Identifier>> via;
    for (size_t i = 0; i < unique.size(); ++i) {
      if (!found[i]) continue;
      uint64_t p = *found[i];
      via[p].push_back(unique[i]);
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
      for (size_t i = 0; i < unique.size(); ++i) {
        if (!found[i]) r.add.push_back(unique[i]);
      }
      return r;
    }
    r.conflict = conflict;
    // Drop every identifier of the lowest-priority type present; with one type left, the last.
    const std::string lowest = unique.back().type;
    const bool one_type = unique.front().type == lowest;
    do {
      r.dropped.push_back(std::move(unique.back()));
      unique.pop_back();
      found.pop_back();
    } while (!one_type && unique.back().type == lowest);
  }
}

}  // namespace rapport
