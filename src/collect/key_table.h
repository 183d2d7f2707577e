// KeyTable: the de-duplication keys gathered in memory before they are written as a run, each
// with its received time. An open-addressing hash table (linear probing) over one flat array:
// no allocation per key and no pointer chasing, which std::unordered_map cost the index thread
// (an allocation per insert, a cache miss per node on every walk). The keys are uniformly
// random 128-bit hashes, so the slot comes straight from their low bits.
// Not thread-safe: the Deduplicator guards it. Keys are never erased one by one; Clear empties.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace rapport {

class KeyTable {
 public:
  // Room for `expected` keys without growing (the table keeps its load at most one half).
  explicit KeyTable(size_t expected = 0);

  // Inserts the key, or replaces the time of a key already there. Grows when half full.
  void Put(uint64_t hi, uint64_t lo, int64_t received_us);
  // The received time of the key, or -1 when it is not here.
  int64_t Find(uint64_t hi, uint64_t lo) const;
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  void Clear();

  // Calls fn(hi, lo, received_us) for every key, in no particular order.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    for (const Slot& s : slots_) {
      if (s.received_us != kEmpty) fn(s.hi, s.lo, s.received_us);
    }
  }

 private:
  static constexpr int64_t kEmpty = INT64_MIN;  // never a received time
  struct Slot {
    uint64_t hi = 0, lo = 0;
    int64_t received_us = kEmpty;
  };
  void Grow();

  std::vector<Slot> slots_;  // a power of two in size
  size_t size_ = 0;
};

}  // namespace rapport
