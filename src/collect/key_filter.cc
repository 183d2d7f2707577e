#include "collect/key_filter.h"

#include <algorithm>
#include <mutex>

namespace rapport {
namespace {

constexpr int kProbes = 7;          // bits per key, 9 bits of the key each
constexpr size_t kBitsPerKey = 10;  // ~1.5 % false positives in 512-bit blocks
constexpr size_t kBlockWords = 8;

// Which block of `blocks` a key falls in: a multiply-shift range reduction of hi.
size_t BlockOf(uint64_t hi, size_t blocks) {
  return static_cast<size_t>((static_cast<unsigned __int128>(hi) * blocks) >> 64);
}

}  // namespace

KeyFilter::KeyFilter(size_t epoch_keys, size_t max_epochs)
    : epoch_keys_(std::max<size_t>(epoch_keys, 64)), max_epochs_(std::max<size_t>(max_epochs, 1)) {}

bool KeyFilter::Probe(const Epoch& e, uint64_t hi, uint64_t lo) {
  const uint64_t* block = e.words.data() + BlockOf(hi, e.words.size() / kBlockWords) * kBlockWords;
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

void KeyFilter::Add(const std::vector<std::pair<uint64_t, uint64_t>>& keys, int64_t newest_us) {
  // The epochs these keys will open, zeroed before the exclusive lock (5 MB each by default):
  // probes on the HTTP threads wait for that lock.
  const size_t words = (epoch_keys_ * kBitsPerKey + 511) / 512 * kBlockWords;
  std::vector<std::vector<uint64_t>> fresh;
  {
    std::shared_lock lock(mu_);
    const size_t room =
        epochs_.empty() ? 0 : epoch_keys_ - std::min(epochs_.back().keys, epoch_keys_);
    if (keys.size() > room) {
      const size_t opens = (keys.size() - room + epoch_keys_ - 1) / epoch_keys_;
      const size_t allowed = max_epochs_ - std::min(epochs_.size(), max_epochs_);
      fresh.resize(std::min(opens, allowed));
    }
  }
  for (auto& w : fresh) w.assign(words, 0);
  std::unique_lock lock(mu_);
  for (const auto& [hi, lo] : keys) {
    if (epochs_.empty() || epochs_.back().keys >= epoch_keys_) {
      if (epochs_.size() >= max_epochs_) {
        over_capacity_ = true;
        refused_newest_us_ = std::max(refused_newest_us_, newest_us);
        return;
      }
      Epoch e;
      if (!fresh.empty()) {
        e.words = std::move(fresh.back());
        fresh.pop_back();
      } else {
        e.words.assign(words, 0);  // another Add took the room counted above
      }
      epochs_.push_back(std::move(e));
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

void KeyFilter::Expire(int64_t oldest_us) {
  std::unique_lock lock(mu_);
  epochs_.erase(std::remove_if(epochs_.begin(), epochs_.end(),
                               [&](const Epoch& e) { return e.newest_us < oldest_us; }),
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
  size_t n = 0;
  for (const Epoch& e : epochs_) n += e.words.size() * sizeof(uint64_t);
  return n;
}

}  // namespace rapport
