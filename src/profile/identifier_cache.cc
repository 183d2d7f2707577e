#include "profile/identifier_cache.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <utility>

namespace rapport {
namespace {

constexpr size_t kMinSlots = 1024;
constexpr size_t kArenaBlock = 1 << 20;  // key bytes are allocated a megabyte at a time

uint64_t HashKey(std::string_view key) { return std::hash<std::string_view>{}(key); }

size_t RoundUpPow2(size_t n) {
  size_t p = kMinSlots;
  while (p < n) p *= 2;
  return p;
}

}  // namespace

IdentifierCache::Generation::Generation(size_t slots) : slots_(RoundUpPow2(slots)) {}

uint64_t* IdentifierCache::Generation::Find(std::string_view key, uint64_t hash) {
  const size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    Slot& s = slots_[i];
    if (s.key == nullptr) return nullptr;
    if (s.hash == hash && s.len == key.size() && std::memcmp(s.key, key.data(), s.len) == 0) {
      return &s.value;
    }
  }
}

void IdentifierCache::Generation::Put(std::string_view key, uint64_t hash, uint64_t value) {
  if (uint64_t* v = Find(key, hash)) {
    *v = value;
    return;
  }
  Insert(key, hash, value);
}

void IdentifierCache::Generation::Insert(std::string_view key, uint64_t hash, uint64_t value) {
  if (2 * (size_ + 1) > slots_.size()) Grow();
  const size_t mask = slots_.size() - 1;
  size_t i = hash & mask;
  while (slots_[i].key != nullptr) i = (i + 1) & mask;
  slots_[i] = Slot{hash, CopyKey(key), static_cast<uint32_t>(key.size()), value};
  ++size_;
}

const char* IdentifierCache::Generation::CopyKey(std::string_view key) {
  if (key.size() > free_len_) {
    const size_t block = std::max(kArenaBlock, key.size());
    arena_.push_back(std::make_unique<char[]>(block));
    free_ = arena_.back().get();
    free_len_ = block;
  }
  char* at = free_;
  if (!key.empty()) std::memcpy(at, key.data(), key.size());
  free_ += key.size();
  free_len_ -= key.size();
  return at;
}

void IdentifierCache::Generation::Grow() {
  std::vector<Slot> old(slots_.size() * 2);
  old.swap(slots_);
  const size_t mask = slots_.size() - 1;
  for (const Slot& s : old) {
    if (s.key == nullptr) continue;
    size_t i = s.hash & mask;
    while (slots_[i].key != nullptr) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

IdentifierCache::IdentifierCache(size_t capacity) : half_(std::max<size_t>(capacity / 2, 1)) {}

std::optional<uint64_t> IdentifierCache::Find(std::string_view key) {
  const uint64_t hash = HashKey(key);
  if (const uint64_t* v = young_.Find(key, hash)) return *v;
  const uint64_t* v = old_.Find(key, hash);
  if (v == nullptr) return std::nullopt;
  const uint64_t value = *v;
  young_.Insert(key, hash, value);  // not young (just looked); the old copy is shadowed
  return value;
}

void IdentifierCache::Put(std::string_view key, uint64_t profile) {
  young_.Put(key, HashKey(key), profile);
}

void IdentifierCache::Trim() {
  if (young_.size() < half_) return;
  // The next young generation starts as large as this one grew: no rehashing on the way up.
  const size_t slots = young_.slot_count();
  if (old_.size() > 0) complete_ = false;  // keys only the old generation held are gone
  old_ = std::move(young_);
  young_ = Generation(slots);
}

void IdentifierCache::Clear() {
  young_ = Generation();
  old_ = Generation();
  complete_ = false;
}

}  // namespace rapport
