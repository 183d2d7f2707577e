#include "log/checkpoint_store.h"

#include <algorithm>

#include "log/format.h"

namespace rapport::log_internal {
namespace {
constexpr std::string_view kSuffix = ".ckpt";
}  // namespace

CheckpointStore::CheckpointStore(Env* env, std::string dir, int partitions)
    : env_(env), dir_(std::move(dir)), partitions_(partitions) {}

std::string CheckpointStore::PathOf(std::string_view consumer) const {
  return dir_ + "/" + std::string(consumer) + std::string(kSuffix);
}

Status CheckpointStore::Load(RecoveryReport* report) {
  RETURN_IF_ERROR(env_->CreateDirs(dir_));
  ASSIGN_OR_RETURN(std::vector<std::string> names, env_->ListDir(dir_));
  std::map<std::string, std::vector<uint64_t>, std::less<>> loaded;
  for (const std::string& name : names) {
    if (name.size() <= kSuffix.size() || !name.ends_with(kSuffix)) {
      if (name.ends_with(".tmp")) (void)env_->RemoveFile(dir_ + "/" + name);
      continue;
    }
    std::string consumer = name.substr(0, name.size() - kSuffix.size());
    if (!ValidConsumerName(consumer)) continue;
    const std::string path = dir_ + "/" + name;
    std::string data;
    std::vector<uint64_t> offsets;
    Status s = ReadFileToString(env_, path, &data);
    if (s.ok()) s = DecodeCheckpointFile(data, &offsets);
    if (!s.ok()) {
      // Starting over from 0 re-delivers events (at-least-once) but loses nothing, and it
      // also holds retention back until the consumer commits again.
      std::string msg = "CORRUPTION: checkpoint file ";
      msg.append(path).append(": ").append(s.message()).append("; consumer '");
      msg.append(consumer).append("' restarts at offset 0");
      report->AddCorrupt(0, 0, std::move(msg));
      offsets.clear();
    }
    offsets.resize(partitions_, 0);
    loaded[consumer] = std::move(offsets);
  }
  std::lock_guard<std::mutex> lock(mu_);
  offsets_ = std::move(loaded);
  return Status::OK();
}

Status CheckpointStore::Commit(std::string_view consumer, int partition, uint64_t next_offset) {
  std::lock_guard<std::mutex> write_lock(write_mu_);
  std::vector<uint64_t> offsets(partitions_, 0);
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = offsets_.find(consumer);
    if (it != offsets_.end()) offsets = it->second;
  }
  offsets[partition] = next_offset;
  RETURN_IF_ERROR(WriteFileAtomic(env_, PathOf(consumer), EncodeCheckpointFile(offsets)));
  std::lock_guard<std::mutex> lock(mu_);
  offsets_[std::string(consumer)] = std::move(offsets);
  return Status::OK();
}

Status CheckpointStore::Remove(std::string_view consumer) {
  std::lock_guard<std::mutex> write_lock(write_mu_);
  Status s = env_->RemoveFile(PathOf(consumer));
  if (!s.ok() && s.code() != StatusCode::kNotFound) return s;
  RETURN_IF_ERROR(env_->SyncDir(dir_));
  std::lock_guard<std::mutex> lock(mu_);
  auto it = offsets_.find(consumer);
  if (it != offsets_.end()) offsets_.erase(it);
  return Status::OK();
}

uint64_t CheckpointStore::Get(std::string_view consumer, int partition) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = offsets_.find(consumer);
  if (it == offsets_.end() || partition < 0 ||
      static_cast<size_t>(partition) >= it->second.size()) {
    return 0;
  }
  return it->second[partition];
}

std::optional<std::vector<uint64_t>> CheckpointStore::Floors() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (offsets_.empty()) return std::nullopt;
  std::vector<uint64_t> floors(partitions_, UINT64_MAX);
  for (const auto& [name, offsets] : offsets_) {
    for (int p = 0; p < partitions_; ++p) floors[p] = std::min(floors[p], offsets[p]);
  }
  return floors;
}

std::vector<std::string> CheckpointStore::Consumers() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> names;
  for (const auto& [name, offsets] : offsets_) names.push_back(name);
  return names;
}

}  // namespace rapport::log_internal
