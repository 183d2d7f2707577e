#include "collect/key_table.h"

#include <algorithm>
#include <bit>

namespace rapport {

KeyTable::KeyTable(size_t expected) : slots_(std::bit_ceil(std::max<size_t>(16, expected * 2))) {}

void KeyTable::Put(uint64_t hi, uint64_t lo, int64_t received_us) {
  if ((size_ + 1) * 2 > slots_.size()) Grow();
  const size_t mask = slots_.size() - 1;
  for (size_t i = lo & mask;; i = (i + 1) & mask) {
    Slot& s = slots_[i];
    if (s.received_us == kEmpty) {
      s = {hi, lo, received_us};
      ++size_;
      return;
    }
    if (s.hi == hi && s.lo == lo) {
      s.received_us = received_us;
      return;
    }
  }
}

int64_t KeyTable::Find(uint64_t hi, uint64_t lo) const {
  const size_t mask = slots_.size() - 1;
  for (size_t i = lo & mask;; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (s.received_us == kEmpty) return -1;  // the load stays under one half: a gap comes
    if (s.hi == hi && s.lo == lo) return s.received_us;
  }
}

void KeyTable::Clear() {
  if (size_ == 0) return;
  for (Slot& s : slots_) s.received_us = kEmpty;
  size_ = 0;
}

void KeyTable::Grow() {
  std::vector<Slot> old(slots_.size() * 2);
  old.swap(slots_);
  size_ = 0;
  for (const Slot& s : old) {
    if (s.received_us != kEmpty) Put(s.hi, s.lo, s.received_us);
  }
}

}  // namespace rapport
