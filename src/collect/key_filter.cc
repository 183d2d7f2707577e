#include "collect/key_filter.h"

#include <algorithm>
#include <mutex>

namespace rapport {
namespace {

constexpr int kProbes = 7;          // bits per key, 9 bits of the key each
constexpr size_t kBitsPerKey = 10;  // ~1 % false positives in 512-bit blocks (measured)
constexpr size_t kBlockWords = 8;

constexpr size_t kMinEpochKeys = 64;

// The words of an epoch for `keys` keys.
size_t WordsFor(size_t keys) { return (keys * kBitsPerKey + 511) / 512 * kBlockWords; }

// Which block of `blocks` a key falls in: a multiply-shift range reduction of hi.
size_t BlockOf(uint64_t hi, size_t blocks) {
  return static_cast<size_t>((static_cast<unsigned __int128>(hi) * blocks) >> 64);
}

}  // namespace

KeyFilter::KeyFilter(size_t first_epoch_keys, int64_t span_us, size_t max_bytes)
    : first_epoch_keys_(std::max<size_t>(first_epoch_keys, kMinEpochKeys)),
      span_us_(std::max<int64_t>(span_us, 0)),
      max_bytes_(max_bytes) {}

const uint64_t* KeyFilter::BlockFor(const Epoch& e, uint64_t hi) {
  return e.words.data() + BlockOf(hi, e.words.size() / kBlockWords) * kBlockWords;
}

bool KeyFilter::Probe(const Epoch& e, uint64_t hi, uint64_t lo) {
  const uint64_t* block = BlockFor(e, hi);
  uint64_t h = lo;
  for (int i = 0; i < kProbes; ++i, h >>= 9) {
    const unsigned bit = h & 511;
    if ((block[bit >> 6] & (uint64_t{1} << (bit & 63))) == 0) return false;
  }
  return true;
}

void KeyFilter::Set(Epoch* e, uint64_t hi, uint64_t lo) {
  uint64_t* block = e->words.data() + BlockOf(hi, e->words.size() / kBlockWords) * kBlockWords;
  uint64_t h = lo;
  for (int i = 0; i < kProbes; ++i, h >>= 9) {
    const unsigned bit = h & 511;
    block[bit >> 6] |= uint64_t{1} << (bit & 63);
  }
}

bool KeyFilter::LastEnded(int64_t newest_us) const {
  if (epochs_.empty()) return true;
  const Epoch& e = epochs_.back();
  return e.keys >= e.capacity || (span_us_ > 0 && newest_us - e.first_us >= span_us_);
}

size_t KeyFilter::NextCapacity(size_t last_keys) const {
  size_t keys = first_epoch_keys_;
  if (!epochs_.empty()) {
    const size_t last_capacity = epochs_.back().capacity;
    // Filled before its span ended: the rate outgrew it. Otherwise the rate held its keys.
    keys = std::max(keys, last_keys >= last_capacity ? 2 * last_capacity : last_keys / 4 * 5);
  }
  const size_t room = max_bytes_ > bytes_ ? max_bytes_ - bytes_ : 0;
  const size_t fits = room / sizeof(uint64_t) / kBlockWords * 512 / kBitsPerKey;
  keys = std::min(keys, fits);
  return keys >= kMinEpochKeys ? keys : 0;
}

bool KeyFilter::Open(std::vector<uint64_t>* fresh, int64_t newest_us) {
  const size_t capacity = NextCapacity(epochs_.empty() ? 0 : epochs_.back().keys);
  if (capacity == 0) return false;
  Epoch e;
  e.capacity = capacity;
  e.first_us = newest_us;
  if (fresh->size() == WordsFor(capacity)) {
    e.words = std::move(*fresh);
    fresh->clear();
  } else {
    e.words.assign(WordsFor(capacity), 0);  // another Add changed what fits since
  }
  bytes_ += e.words.size() * sizeof(uint64_t);
  epochs_.push_back(std::move(e));
  return true;
}

void KeyFilter::Add(const std::vector<std::pair<uint64_t, uint64_t>>& keys, int64_t newest_us) {
  if (keys.empty()) return;
  // The epoch these keys will open, zeroed before the exclusive lock (it can be hundreds of MB):
  // probes on the HTTP threads wait for that lock.
  std::vector<uint64_t> fresh;
  {
    std::shared_lock lock(mu_);
    size_t capacity = 0;
    if (LastEnded(newest_us)) {  // at the first key
      capacity = NextCapacity(epochs_.empty() ? 0 : epochs_.back().keys);
    } else if (const Epoch& last = epochs_.back(); last.capacity - last.keys < keys.size()) {
      capacity = NextCapacity(last.capacity);  // once the last one is full
    }
    fresh.resize(WordsFor(capacity));
  }
  std::unique_lock lock(mu_);
  for (const auto& [hi, lo] : keys) {
    if (LastEnded(newest_us) && !Open(&fresh, newest_us)) {
      over_capacity_ = true;
      refused_newest_us_ = std::max(refused_newest_us_, newest_us);
      return;
    }
    Epoch& e = epochs_.back();
    Set(&e, hi, lo);
    ++e.keys;
    e.newest_us = std::max(e.newest_us, newest_us);
  }
}

bool KeyFilter::MayContain(uint64_t hi, uint64_t lo) const {
  std::shared_lock lock(mu_);
  for (const Epoch& e : epochs_) {
    if (Probe(e, hi, lo)) return true;
  }
  return false;
}

void KeyFilter::MayContainEach(const std::vector<std::pair<uint64_t, uint64_t>>& keys,
                               std::vector<char>* out) const {
  out->assign(keys.size(), 0);
  std::shared_lock lock(mu_);
  for (const Epoch& e : epochs_) {
    for (size_t i = 0; i < keys.size(); ++i) {
      if (!(*out)[i]) __builtin_prefetch(BlockFor(e, keys[i].first));
    }
    for (size_t i = 0; i < keys.size(); ++i) {
      if (!(*out)[i]) (*out)[i] = Probe(e, keys[i].first, keys[i].second);
    }
  }
}

void KeyFilter::Expire(int64_t oldest_us) {
  std::unique_lock lock(mu_);
  epochs_.erase(std::remove_if(epochs_.begin(), epochs_.end(),
                               [&](const Epoch& e) {
                                 if (e.newest_us >= oldest_us) return false;
                                 bytes_ -= e.words.size() * sizeof(uint64_t);
                                 return true;
                               }),
                epochs_.end());
  if (over_capacity_ && refused_newest_us_ < oldest_us) over_capacity_ = false;
}

bool KeyFilter::over_capacity() const {
  std::shared_lock lock(mu_);
  return over_capacity_;
}

size_t KeyFilter::epochs() const {
  std::shared_lock lock(mu_);
  return epochs_.size();
}

size_t KeyFilter::bytes() const {
  std::shared_lock lock(mu_);
  return bytes_;
}

}  // namespace rapport
