// BlockCache: decoded part columns kept in memory under a byte budget, least recently used out
// first, so warm queries skip checksums and decompression. Keyed by (part id, file tag, block,
// column: the fixed columns or a property path); parts are immutable, so entries never go stale
// — Erase(part) drops a deleted part's. Thread-safe (sharded mutexes); values are shared and
// immutable, and stay valid for their holders after eviction.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "warehouse/chunk.h"

namespace rapport::warehouse {

class BlockCache {
 public:
  // `capacity_bytes`: the budget of the decoded columns held (estimated from their sizes).
  explicit BlockCache(size_t capacity_bytes);
  BlockCache(const BlockCache&) = delete;
  BlockCache& operator=(const BlockCache&) = delete;

  // `tag` tells apart two files that claim one part id (a reader passes its footer checksum).
  std::shared_ptr<const FixedColumns> LookupFixed(uint64_t part, uint32_t tag, uint32_t block);
  void InsertFixed(uint64_t part, uint32_t tag, uint32_t block,
                   std::shared_ptr<const FixedColumns> value);
  std::shared_ptr<const PropertyColumn> LookupColumn(uint64_t part, uint32_t tag, uint32_t block,
                                                     std::string_view path);
  void InsertColumn(uint64_t part, uint32_t tag, uint32_t block,
                    std::shared_ptr<const PropertyColumn> value);
  // Drops every entry of `part` (all tags).
  void Erase(uint64_t part);

  size_t capacity() const { return capacity_; }
  size_t usage() const;    // bytes charged now
  size_t entries() const;  // entries held now
  uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }

  // The bytes a value is charged.
  static size_t Charge(const FixedColumns& f);
  static size_t Charge(const PropertyColumn& c);

 private:
  struct Key {
    uint64_t part;
    uint32_t tag;
    uint32_t block;
    bool fixed;
    std::string path;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const;
  };
  struct Entry {
    Key key;
    std::shared_ptr<const void> value;
    size_t charge;
  };
  struct Shard {
    mutable std::mutex mu;
    std::list<Entry> lru;  // most recent first
    std::unordered_map<Key, std::list<Entry>::iterator, KeyHash> map;
    size_t usage = 0;
  };

  std::shared_ptr<const void> Lookup(const Key& key);
  void Insert(Key key, std::shared_ptr<const void> value, size_t charge);
  Shard& ShardOf(const Key& key, size_t hash);

  const size_t capacity_;
  size_t shard_capacity_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::atomic<uint64_t> hits_{0}, misses_{0};
};

}  // namespace rapport::warehouse
