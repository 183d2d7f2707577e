#include "warehouse/part/block_cache.h"

#include <algorithm>
#include <functional>

namespace rapport::warehouse {
namespace {

constexpr size_t kShardBytes = size_t{4} << 20;  // a shard per 4 MiB of budget ...
constexpr size_t kMaxShards = 16;                // ... up to this many

}  // namespace

BlockCache::BlockCache(size_t capacity_bytes) : capacity_(capacity_bytes) {
  const size_t shards = std::clamp<size_t>(capacity_bytes / kShardBytes, 1, kMaxShards);
  shard_capacity_ = capacity_bytes / shards;
  for (size_t i = 0; i < shards; ++i) shards_.push_back(std::make_unique<Shard>());
}

size_t BlockCache::KeyHash::operator()(const Key& k) const {
  size_t h = std::hash<std::string>()(k.path);
  auto mix = [&h](uint64_t v) {
    h ^= std::hash<uint64_t>()(v) + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
  };
  mix(k.part);
  mix(k.tag);
  mix(k.block);
  mix(k.fixed ? 1 : 0);
  return h;
}

BlockCache::Shard& BlockCache::ShardOf(const Key& key, size_t hash) {
  return *shards_[(hash >> 7) % shards_.size()];
}

std::shared_ptr<const void> BlockCache::Lookup(const Key& key) {
  Shard& s = ShardOf(key, KeyHash()(key));
  std::lock_guard<std::mutex> lock(s.mu);
  auto it = s.map.find(key);
  if (it == s.map.end()) {
    misses_.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  hits_.fetch_add(1, std::memory_order_relaxed);
  s.lru.splice(s.lru.begin(), s.lru, it->second);
  return it->second->value;
}

void BlockCache::Insert(Key key, std::shared_ptr<const void> value, size_t charge) {
  if (charge > shard_capacity_) return;  // would evict everything else: not worth keeping
  Shard& s = ShardOf(key, KeyHash()(key));
  std::lock_guard<std::mutex> lock(s.mu);
  auto it = s.map.find(key);
  if (it != s.map.end()) {
    s.usage -= it->second->charge;
    s.lru.erase(it->second);
    s.map.erase(it);
  }
  s.lru.push_front(Entry{key, std::move(value), charge});
  s.map.emplace(std::move(key), s.lru.begin());
  s.usage += charge;
  while (s.usage > shard_capacity_ && !s.lru.empty()) {
    Entry& last = s.lru.back();
    s.usage -= last.charge;
    s.map.erase(last.key);
    s.lru.pop_back();
  }
}

std::shared_ptr<const FixedColumns> BlockCache::LookupFixed(uint64_t part, uint32_t tag,
                                                            uint32_t block) {
  return std::static_pointer_cast<const FixedColumns>(Lookup(Key{part, tag, block, true, {}}));
}

void BlockCache::InsertFixed(uint64_t part, uint32_t tag, uint32_t block,
                             std::shared_ptr<const FixedColumns> value) {
  const size_t charge = Charge(*value);
  Insert(Key{part, tag, block, true, {}}, std::move(value), charge);
}

std::shared_ptr<const PropertyColumn> BlockCache::LookupColumn(uint64_t part, uint32_t tag,
                                                               uint32_t block,
                                                               std::string_view path) {
  return std::static_pointer_cast<const PropertyColumn>(
      Lookup(Key{part, tag, block, false, std::string(path)}));
}

void BlockCache::InsertColumn(uint64_t part, uint32_t tag, uint32_t block,
                              std::shared_ptr<const PropertyColumn> value) {
  const size_t charge = Charge(*value);
  std::string path = value->path;
  Insert(Key{part, tag, block, false, std::move(path)}, std::move(value), charge);
}

void BlockCache::Erase(uint64_t part) {
  for (auto& shard : shards_) {
    std::lock_guard<std::mutex> lock(shard->mu);
    for (auto it = shard->lru.begin(); it != shard->lru.end();) {
      if (it->key.part == part) {
        shard->usage -= it->charge;
        shard->map.erase(it->key);
        it = shard->lru.erase(it);
      } else {
        ++it;
      }
    }
  }
}

size_t BlockCache::usage() const {
  size_t total = 0;
  for (const auto& shard : shards_) {
    std::lock_guard<std::mutex> lock(shard->mu);
    total += shard->usage;
  }
  return total;
}

size_t BlockCache::entries() const {
  size_t total = 0;
  for (const auto& shard : shards_) {
    std::lock_guard<std::mutex> lock(shard->mu);
    total += shard->map.size();
  }
  return total;
}

size_t BlockCache::Charge(const FixedColumns& f) {
  return sizeof f + f.ts.capacity() * sizeof(int64_t) + f.seq.capacity() * sizeof(uint64_t) +
         f.profile.capacity() * sizeof(uint64_t) + f.event.capacity() * sizeof(uint32_t) +
         f.type.capacity() * sizeof(EventType) + 128;
}

size_t BlockCache::Charge(const PropertyColumn& c) {
  size_t bytes = sizeof c + c.path.capacity() + c.kind.capacity() * sizeof(ValueKind) +
                 c.number.capacity() * sizeof(double) + c.code.capacity() * sizeof(uint32_t) +
                 c.strings.capacity() * sizeof(std::string) + 128;
  for (const std::string& s : c.strings) {
    if (s.size() >= sizeof(std::string)) bytes += s.capacity() + 1;
  }
  return bytes;
}

}  // namespace rapport::warehouse
