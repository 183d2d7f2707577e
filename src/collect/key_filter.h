// KeyFilter: an in-memory Bloom filter over the de-duplication keys that are in RocksDB runs, so
// that a claim asks RocksDB only about keys that may be there. Without it every new messageId
// was a RocksDB MultiGet probing each run's filter through RocksDB's read path: 45 % of the HTTP
// threads' time on /v1/batch with 8 runs (2 M keys).
//
// The keys are 128-bit hashes, uniformly random, so the filter takes its bits straight from
// them. It is "blocked": all of a key's bits sit in one 64-byte cache line (one cache miss per
// probe), 10 bits per key, ~1.5 % false positives. Keys go into epochs of `epoch_keys` keys;
// an epoch is dropped when its newest key is older than the window, and a probe visits each
// epoch. Past `max_epochs` the filter stops taking keys and reports that it is over capacity:
// the caller then asks RocksDB about everything, as without a filter.
//
// Thread-safe: probes share a lock; Add and Expire take it alone.
#pragma once

#include <cstdint>
#include <shared_mutex>
#include <utility>
#include <vector>

namespace rapport {

class KeyFilter {
 public:
  explicit KeyFilter(size_t epoch_keys = size_t{1} << 22, size_t max_epochs = 96);

  // (hi, lo) of each key, all received at or before `newest_us`.
  void Add(const std::vector<std::pair<uint64_t, uint64_t>>& keys, int64_t newest_us);
  // False: the key was never added (or its epoch expired). True: it may have been.
  bool MayContain(uint64_t hi, uint64_t lo) const;
  // Drops the epochs whose newest key was received before `oldest_us`; once every refused key is
  // that old too, the filter is whole again.
  void Expire(int64_t oldest_us);
  // Keys still in the window were refused for lack of room: a false answer proves nothing.
  bool over_capacity() const;
  size_t epochs() const;
  size_t bytes() const;

 private:
  struct Epoch {
    std::vector<uint64_t> words;  // blocks of 8 words (512 bits)
    size_t keys = 0;
    int64_t newest_us = 0;
  };
  static bool Probe(const Epoch& e, uint64_t hi, uint64_t lo);
  void Set(Epoch* e, uint64_t hi, uint64_t lo);

  const size_t epoch_keys_;
  const size_t max_epochs_;
  mutable std::shared_mutex mu_;
  std::vector<Epoch> epochs_;  // oldest first; the last one takes new keys
  bool over_capacity_ = false;
  int64_t refused_newest_us_ = 0;  // the newest key refused
};

}  // namespace rapport
