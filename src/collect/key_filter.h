// KeyFilter: an in-memory Bloom filter over the de-duplication keys that are in RocksDB runs, so
// that a claim asks RocksDB only about keys that may be there. Without it every new messageId
// was a RocksDB MultiGet probing each run's filter through RocksDB's read path: 45 % of the HTTP
// threads' time on /v1/batch with 8 runs (2 M keys).
//
// The keys are 128-bit hashes, uniformly random, so the filter takes its bits straight from
// them. It is "blocked": all of a key's bits sit in one 64-byte cache line (one cache miss per
// probe), 10 bits per key, ~1 % false positives. Keys go into epochs; an epoch is dropped when
// its newest key is older than the window, and a probe visits each epoch (a cache miss, and
// ~1 % false positives, each).
//
// So the number of epochs is kept small. An epoch takes keys for at most `span_us` (the
// de-duplicator uses half its window, so ~3 epochs cover it) or until it holds the keys it was
// sized for; the next one is sized from the last: 5/4 of its keys when it ran its span, twice
// its size when it filled first. Fixed epochs of 4 M keys, as first built, reached 24 epochs
// (21 % false positives, 0.9 µs a probe) after ~100 M keys, e.g. a day at 1,200 events/s.
// Past `max_bytes` the filter stops taking keys and reports that it is over capacity: the
// caller then asks RocksDB about everything, as without a filter, until the refused keys leave
// the window.
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
  // `first_epoch_keys`: the size of an epoch before any is known; `span_us` 0: epochs end only
  // when full.
  explicit KeyFilter(size_t first_epoch_keys = size_t{1} << 22, int64_t span_us = 0,
                     size_t max_bytes = size_t{1} << 30);

  // (hi, lo) of each key, all received at or before `newest_us`.
  void Add(const std::vector<std::pair<uint64_t, uint64_t>>& keys, int64_t newest_us);
  // False: the key was never added (or its epoch expired). True: it may have been.
  bool MayContain(uint64_t hi, uint64_t lo) const;
  // MayContain of each key, into `out` (resized): one lock for all, and each epoch's blocks for
  // all keys prefetched before any is probed, so that their cache misses overlap.
  void MayContainEach(const std::vector<std::pair<uint64_t, uint64_t>>& keys,
                      std::vector<char>* out) const;
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
    size_t capacity = 0;          // keys it was sized for
    size_t keys = 0;
    int64_t first_us = 0;  // `newest_us` of the first Add into it
    int64_t newest_us = 0;
  };
  static const uint64_t* BlockFor(const Epoch& e, uint64_t hi);
  static bool Probe(const Epoch& e, uint64_t hi, uint64_t lo);
  void Set(Epoch* e, uint64_t hi, uint64_t lo);
  // Whether the last epoch takes no more keys added at `newest_us`. Needs mu_.
  bool LastEnded(int64_t newest_us) const;
  // The size of the epoch after the last, once the last holds `last_keys`, within what
  // max_bytes leaves; 0 when none fits. Needs mu_.
  size_t NextCapacity(size_t last_keys) const;
  // Opens an epoch for keys added at `newest_us`, with `fresh` (zeroed words) when it has the
  // right size; false when none fits. Needs mu_ held alone.
  bool Open(std::vector<uint64_t>* fresh, int64_t newest_us);

  const size_t first_epoch_keys_;
  const int64_t span_us_;
  const size_t max_bytes_;
  mutable std::shared_mutex mu_;
  std::vector<Epoch> epochs_;  // oldest first; the last one takes new keys
  size_t bytes_ = 0;           // of every epoch's words
  bool over_capacity_ = false;
  int64_t refused_newest_us_ = 0;  // the newest key refused
};

}  // namespace rapport
