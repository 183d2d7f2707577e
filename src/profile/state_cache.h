// StateCache: the pipeline's memory of state between batches, so that hot profiles, accounts
// and identifiers are not read and decoded from RocksDB for every batch. It holds what the
// store holds plus the batch being written (StateOverlay::Commit runs when that write starts)
// and the profile records of the batch being applied (changed in place; all in the young
// generation, which Trim never drops): nothing is evicted until Trim, which the pipeline calls
// only when no write is in flight, so a value missing from the cache is current in the store.
// Bounded with two generations (an approximate LRU: a hit in the old generation moves to the young
// one; Trim drops the old one when the young one is full). Single-threaded (the pipeline thread).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "profile/identifier_cache.h"
#include "profile/profile_record.h"
#include "profile/state_store.h"

namespace rapport {

template <typename K, typename V>
class GenerationalMap {
 public:
  explicit GenerationalMap(size_t capacity) : half_(std::max<size_t>(capacity / 2, 1)) {}

  // The value for `k`, moved to the young generation; nullptr when absent.
  V* Find(const K& k) {
    if (auto it = young_.find(k); it != young_.end()) return &it->second;
    auto it = old_.find(k);
    if (it == old_.end()) return nullptr;
    V v = std::move(it->second);
    old_.erase(it);
    return &Put(k, std::move(v));
  }
  // Removes and returns the value for `k`.
  std::optional<V> Take(const K& k) {
    for (auto* m : {&young_, &old_}) {
      if (auto it = m->find(k); it != m->end()) {
        V v = std::move(it->second);
        m->erase(it);
        return v;
      }
    }
    return std::nullopt;
  }
  V& Put(const K& k, V v) {
    old_.erase(k);
    return young_.insert_or_assign(k, std::move(v)).first->second;
  }
  // Drops the old generation if the young one is full (then the young one becomes the old).
  void Trim() {
    if (young_.size() < half_) return;
    old_ = std::move(young_);
    young_.clear();
  }
  void Clear() {
    young_.clear();
    old_.clear();
  }
  size_t size() const { return young_.size() + old_.size(); }
  size_t capacity() const { return 2 * half_; }

 private:
  size_t half_;
  std::unordered_map<K, V> young_, old_;
};

struct StateCache {
  explicit StateCache(size_t profiles = 200'000, size_t identifiers = 2'000'000,
                      size_t accounts = 20'000)
      : profiles(profiles), identifiers(identifiers), accounts(accounts) {}
  // Sized for a memory budget: ~1 KB per cached profile with its identifiers (measured with
  // profiles_bench: 1.2 M more profiles and their identifiers cost ~1.1 GB of RSS), 4
  // identifiers and a tenth of an account per profile. 0 MB: an eighth of the machine's
  // memory, at least 200 MB.
  static StateCache ForBudget(int64_t mb);
  void Trim() {
    profiles.Trim();
    identifiers.Trim();
    accounts.Trim();
  }
  void Clear() {
    profiles.Clear();
    identifiers.Clear();
    accounts.Clear();
  }
  GenerationalMap<uint64_t, std::unique_ptr<ProfileRecord>> profiles;
  // "type\0value" → profile id, 0 when the identifier is known to be unbound.
  IdentifierCache identifiers;
  GenerationalMap<std::string, std::unique_ptr<AccountRecord>> accounts;
};

}  // namespace rapport
