// Test helpers shared by the resolver tests: identifier shorthands, printing, and MemoryGraph,
// an identity graph in memory that a Resolution changes the way the pipeline changes its store.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "identity/resolver.h"

namespace rapport::identity_test {

inline Identifier U(std::string v) { return {"user_id", std::move(v)}; }
inline Identifier A(std::string v) { return {"anonymous_id", std::move(v)}; }
inline Identifier E(std::string v) { return {"email", std::move(v)}; }
inline Identifier Ph(std::string v) { return {"phone", std::move(v)}; }

inline std::string Str(const Identifier& id) { return id.type + ":" + id.value; }

inline std::vector<std::string> Strs(const std::vector<Identifier>& ids) {
  std::vector<std::string> out;
  for (const Identifier& id : ids) out.push_back(Str(id));
  return out;
}

inline std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

inline std::string Describe(const std::vector<Identifier>& ids) {
  std::string out = "{";
  for (const Identifier& id : ids) out += (out.size() > 1 ? ", " : "") + Str(id);
  return out + "}";
}

// An identity graph in memory, changed by a Resolution the way the pipeline changes its store:
// a new profile gets the next id (1, 2, ...), merged profiles move every identifier to the
// surviving one and disappear, new identifiers are bound to the event's profile.
class MemoryGraph final : public IdentityView {
 public:
  Result<std::optional<uint64_t>> Find(const Identifier& id) override {
    auto it = owner_.find(id);
    if (it == owner_.end()) return std::optional<uint64_t>();
    return std::optional<uint64_t>(it->second);
  }

  Result<std::vector<Identifier>> IdentifiersOf(uint64_t profile) override {
    auto it = profiles_.find(profile);
    if (it == profiles_.end()) return Status::NotFound("no profile " + std::to_string(profile));
    return std::vector<Identifier>(it->second.begin(), it->second.end());
  }

  // Applies `r`; returns the event's profile. Reports any step a caller could not carry out.
  uint64_t Apply(const Resolution& r) {
    uint64_t p = r.profile;
    if (r.create) {
      EXPECT_EQ(r.profile, 0u);
      EXPECT_TRUE(r.merges.empty());
      p = next_++;
      profiles_[p];
    } else if (!profiles_.count(p)) {
      ADD_FAILURE() << "the resolution names profile " << p << ", which does not exist";
      return 0;
    }
    uint64_t previous = 0;
    for (const Resolution::Merge& m : r.merges) {
      EXPECT_GT(m.from, p) << "the oldest profile survives";
      EXPECT_GT(m.from, previous) << "merges ascend by `from`";
      previous = m.from;
      EXPECT_FALSE(m.via.empty());
      for (const Identifier& id : m.via) {
        auto it = owner_.find(id);
        EXPECT_TRUE(it != owner_.end() && it->second == m.from)
            << Str(id) << " does not belong to merged profile " << m.from;
      }
      auto from = profiles_.find(m.from);
      if (from == profiles_.end()) {
        ADD_FAILURE() << "merged profile " << m.from << " does not exist";
        continue;
      }
      for (const Identifier& id : from->second) {
        owner_[id] = p;
        profiles_[p].insert(id);
      }
      profiles_.erase(from);
    }
    for (const Identifier& id : r.add) {
      EXPECT_FALSE(owner_.count(id)) << Str(id) << " is already in the graph";
      owner_[id] = p;
      profiles_[p].insert(id);
    }
    return p;
  }

  std::optional<uint64_t> OwnerOf(const Identifier& id) const {
    auto it = owner_.find(id);
    if (it == owner_.end()) return std::nullopt;
    return it->second;
  }
  const std::map<Identifier, uint64_t>& owners() const { return owner_; }
  const std::map<uint64_t, std::set<Identifier>>& profiles() const { return profiles_; }

 private:
  std::map<Identifier, uint64_t> owner_;
  std::map<uint64_t, std::set<Identifier>> profiles_;
  uint64_t next_ = 1;
};

}  // namespace rapport::identity_test
