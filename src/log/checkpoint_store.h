// CheckpointStore: named consumer checkpoints (the next offset each consumer will read, per
// partition), one file per consumer under DIR/checkpoints/, replaced atomically and durably
// on every commit. Thread-safe; commits are serialised, reads never wait for a file write.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/env.h"
#include "common/status.h"
#include "log/log_types.h"

namespace rapport::log_internal {

class CheckpointStore {
 public:
  CheckpointStore(Env* env, std::string dir, int partitions);

  // Loads every "<consumer>.ckpt"; a damaged file is reported and its consumer starts at 0.
  Status Load(RecoveryReport* report);
  // The caller has validated consumer and partition.
  Status Commit(std::string_view consumer, int partition, uint64_t next_offset);
  Status Remove(std::string_view consumer);
  uint64_t Get(std::string_view consumer, int partition) const;  // 0 if none
  // Per partition, the smallest checkpoint of all consumers; nullopt when there are none.
  std::optional<std::vector<uint64_t>> Floors() const;
  std::vector<std::string> Consumers() const;

 private:
  std::string PathOf(std::string_view consumer) const;

  Env* const env_;
  const std::string dir_;
  const int partitions_;
  std::mutex write_mu_;  // serialises file writes (held across Commit/Remove)
  mutable std::mutex mu_;
  std::map<std::string, std::vector<uint64_t>, std::less<>> offsets_;  // guarded by mu_
};

}  // namespace rapport::log_internal
