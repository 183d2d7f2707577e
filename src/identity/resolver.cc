#include "identity/resolver.h"

#include <algorithm>
#include <map>
#include <string_view>

namespace rapport {
namespace {

int LimitOf(const IdentitySettings& settings, std::string_view type) {
  const IdentityType* t = settings.Find(type);
  return t ? t->limit : 1;
}

// The type whose limit a candidate union breaks (the highest-priority one), or "".
// A profile that already holds more than a (since lowered) limit does not count as a conflict
// unless the union grows past what it holds. `matched`: the profiles to unite, with what each
// holds. Flat vectors of views, no map or set: it runs for every event with a new identifier.
std::string Conflict(const IdentitySettings& settings, const std::vector<Identifier>& ids,
                     const std::vector<const std::vector<Identifier>*>& matched) {
  using View = std::pair<std::string_view, std::string_view>;  // (type, value)
  std::vector<View> values;                                    // of the union, then distinct
  std::vector<std::pair<std::string_view, size_t>> held;   // type → the most one profile holds
  std::vector<std::pair<std::string_view, size_t>> count;  // per profile
  for (const std::vector<Identifier>* identifiers : matched) {
    count.clear();
    for (const Identifier& id : *identifiers) {
      values.emplace_back(id.type, id.value);
      auto it = std::find_if(count.begin(), count.end(),
                             [&](const auto& c) { return c.first == id.type; });
      if (it == count.end()) {
        count.emplace_back(id.type, 1);
      } else {
        ++it->second;
      }
    }
    for (const auto& c : count) {  // (no structured binding: clang cannot capture one)
      auto it =
          std::find_if(held.begin(), held.end(), [&](const auto& h) { return h.first == c.first; });
      if (it == held.end()) {
        held.push_back(c);
      } else {
        it->second = std::max(it->second, c.second);
      }
    }
  }
  for (const Identifier& id : ids) values.emplace_back(id.type, id.value);
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  std::string_view worst;
  for (size_t i = 0; i < values.size();) {
    const std::string_view type = values[i].first;
    size_t n = 0;
    for (; i < values.size() && values[i].first == type; ++i) ++n;
    auto h = std::find_if(held.begin(), held.end(), [&](const auto& e) { return e.first == type; });
    const size_t was = h == held.end() ? 0 : h->second;
    const size_t limit = static_cast<size_t>(LimitOf(settings, type));
    if (n > limit && n > was && (worst.empty() || settings.Before(type, worst))) worst = type;
  }
  return std::string(worst);
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

  std::map<uint64_t, std::vector<Identifier>> held;     // profile → its identifiers
  std::vector<uint64_t> profiles;                       // bound to the event's identifiers
  std::vector<const std::vector<Identifier>*> matched;  // parallel: what each holds
  while (true) {
    profiles.clear();
    for (size_t i = 0; i < unique.size(); ++i) {
      if (found[i]) profiles.push_back(*found[i]);
    }
    std::sort(profiles.begin(), profiles.end());
    profiles.erase(std::unique(profiles.begin(), profiles.end()), profiles.end());
    matched.clear();
    for (uint64_t p : profiles) {
      auto it = held.find(p);
      if (it == held.end()) {
        ASSIGN_OR_RETURN(auto list, view->IdentifiersOf(p));
        it = held.emplace(p, std::move(list)).first;
      }
      matched.push_back(&it->second);
    }
    std::string conflict = Conflict(settings, unique, matched);
    if (conflict.empty()) {
      r.create = profiles.empty();
      r.profile = profiles.empty() ? 0 : profiles.front();  // the oldest survives
      for (size_t k = 1; k < profiles.size(); ++k) {
        Resolution::Merge merge{profiles[k], {}};
        for (size_t i = 0; i < unique.size(); ++i) {
          if (found[i] == profiles[k]) merge.via.push_back(unique[i]);
        }
        r.merges.push_back(std::move(merge));
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
