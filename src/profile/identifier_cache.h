// IdentifierCache: the pipeline's memory of the identifier index between batches — the key
// "type\0value" (IdentifierKey) → the profile holding it, 0 when the identifier is known to be
// unbound. Bounded with two generations like GenerationalMap (an approximate LRU: a hit in the
// old generation is copied to the young one; Trim drops the old one when the young one is full).
//
// Each generation is one open-addressing table (linear probing) of fixed-size slots plus an
// arena holding the keys' bytes: a look-up is a hash, one slot probe and one key compare, with
// no allocation per key. std::unordered_map<std::string, …> cost the pipeline thread a fifth of
// its time at 1 M profiles (a node and often a string allocated per identifier, a cache miss per
// node, and a find, an erase and an insert to move a key between generations). Keys are compared
// byte for byte: a hash collision never confuses two identifiers.
//
// A cache told it is complete (it was filled with the whole index, or the index is empty) answers
// for identifiers it does not hold too: they are unbound, and the store need not be asked. That
// was the pipeline's look-up of every new identifier in RocksDB: a ninth of its thread's time
// at 1 M profiles. It stays complete until Trim drops keys or Clear empties it.
// Single-threaded (the pipeline thread).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

namespace rapport {

class IdentifierCache {
 public:
  // Holds at least `capacity` / 2 keys, and at most `capacity`.
  explicit IdentifierCache(size_t capacity);

  // The profile recorded for `key` (0: known unbound); nullopt when the cache does not know it.
  std::optional<uint64_t> Find(std::string_view key);
  // Records (or replaces) the profile for `key` in the young generation.
  void Put(std::string_view key, uint64_t profile);
  // Drops the old generation if the young one is full (then the young one becomes the old).
  void Trim();
  void Clear();
  // Whether every key of the index is held (set by the caller that filled it; lost as above).
  bool complete() const { return complete_; }
  void set_complete() { complete_ = true; }
  // How many distinct keys can be held without Trim dropping any.
  size_t keys_without_loss() const { return half_; }
  // Keys held; a key copied to the young generation while still in the old counts twice.
  size_t size() const { return young_.size() + old_.size(); }
  size_t capacity() const { return 2 * half_; }

 private:
  class Generation {
   public:
    explicit Generation(size_t slots = 0);
    // The value's slot for `key`, or nullptr.
    uint64_t* Find(std::string_view key, uint64_t hash);
    void Put(std::string_view key, uint64_t hash, uint64_t value);
    // Adds a key known to be absent.
    void Insert(std::string_view key, uint64_t hash, uint64_t value);
    size_t size() const { return size_; }
    size_t slot_count() const { return slots_.size(); }

   private:
    struct Slot {
      uint64_t hash = 0;
      const char* key = nullptr;  // in arena_; nullptr: an empty slot
      uint32_t len = 0;
      uint64_t value = 0;
    };
    const char* CopyKey(std::string_view key);
    void Grow();

    std::vector<Slot> slots_;  // a power of two in size, at most half full
    size_t size_ = 0;
    std::vector<std::unique_ptr<char[]>> arena_;  // blocks of key bytes, never moved
    char* free_ = nullptr;                        // the unused tail of the last block
    size_t free_len_ = 0;
  };

  size_t half_;
  Generation young_, old_;
  bool complete_ = false;
};

}  // namespace rapport
