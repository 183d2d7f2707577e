#include "common/fault_injection_env.h"

#include <algorithm>

namespace rapport {

class FaultWritableFile final : public WritableFile {
 public:
  FaultWritableFile(FaultInjectionEnv* env, std::string path, std::unique_ptr<WritableFile> base)
      : env_(env), path_(std::move(path)), base_(std::move(base)) {}

  Status Append(std::string_view data) override {
    env_->appends_.fetch_add(1);
    size_t allowed = env_->ReserveSpace(data.size());
    bool short_write = env_->short_write_once_.exchange(false);
    if (short_write) {
      size_t half = data.size() / 2;
      if (allowed > half) {
        env_->ReleaseSpace(allowed - half);
        allowed = half;
      }
    }
    if (allowed < data.size()) {
      Status s = base_->Append(data.substr(0, allowed));
      if (!s.ok()) return s;
      if (short_write) return Status::IOError("injected short write to " + path_);
      return Status::NoSpace("injected disk full writing " + path_);
    }
    return base_->Append(data);
  }

  Status Sync() override {
    env_->WaitWhileHeld();
    if (env_->fail_syncs_.load()) {
      env_->failed_syncs_.fetch_add(1);
      return Status::IOError("injected fdatasync failure on " + path_);
    }
    Status s = base_->Sync();
    if (s.ok()) env_->syncs_.fetch_add(1);
    return s;
  }

  Status StartSync() override {
    if (env_->fail_syncs_.load()) return Status::OK();  // a hint: the Sync() that follows fails
    return base_->StartSync();
  }

  Status Truncate(uint64_t size) override {
    env_->truncates_.fetch_add(1);
    if (env_->fail_truncates_.load()) {
      return Status::IOError("injected ftruncate failure on " + path_);
    }
    uint64_t before = base_->Size();
    RETURN_IF_ERROR(base_->Truncate(size));
    if (size < before) env_->ReleaseSpace(before - size);
    return Status::OK();
  }

  // Forwarded; the zeros are not counted against the space limit (appends over them are).
  Status Reserve(uint64_t size) override { return base_->Reserve(size); }
  Status Close() override { return base_->Close(); }
  uint64_t Size() const override { return base_->Size(); }

 private:
  FaultInjectionEnv* env_;
  std::string path_;
  std::unique_ptr<WritableFile> base_;
};

void FaultInjectionEnv::HoldSyncs(bool on) {
  {
    std::lock_guard<std::mutex> lock(hold_mu_);
    hold_syncs_ = on;
  }
  hold_cv_.notify_all();
}

uint64_t FaultInjectionEnv::held_sync_count() const {
  std::lock_guard<std::mutex> lock(hold_mu_);
  return held_;
}

void FaultInjectionEnv::WaitWhileHeld() {
  std::unique_lock<std::mutex> lock(hold_mu_);
  ++held_;
  hold_cv_.wait(lock, [this] { return !hold_syncs_; });
  --held_;
}

void FaultInjectionEnv::SetSpaceLimit(std::optional<uint64_t> bytes) {
  std::lock_guard<std::mutex> lock(space_mu_);
  space_limit_ = bytes;
  space_used_ = 0;
}

size_t FaultInjectionEnv::ReserveSpace(size_t n) {
  std::lock_guard<std::mutex> lock(space_mu_);
  if (!space_limit_) return n;
  int64_t left = static_cast<int64_t>(*space_limit_) - space_used_;
  size_t allowed = left <= 0 ? 0 : std::min<uint64_t>(n, static_cast<uint64_t>(left));
  space_used_ += static_cast<int64_t>(allowed);
  return allowed;
}

void FaultInjectionEnv::ReleaseSpace(uint64_t n) {
  std::lock_guard<std::mutex> lock(space_mu_);
  space_used_ -= static_cast<int64_t>(n);
}

Result<std::unique_ptr<WritableFile>> FaultInjectionEnv::OpenAppendable(const std::string& path) {
  ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> base, base_->OpenAppendable(path));
  return std::unique_ptr<WritableFile>(
      std::make_unique<FaultWritableFile>(this, path, std::move(base)));
}

Status FaultInjectionEnv::RemoveFile(const std::string& path) {
  Result<uint64_t> size = base_->FileSize(path);
  RETURN_IF_ERROR(base_->RemoveFile(path));
  if (size.ok()) ReleaseSpace(*size);
  return Status::OK();
}

Status FaultInjectionEnv::SyncDir(const std::string& dir) {
  if (fail_syncs_.load()) {
    failed_syncs_.fetch_add(1);
    return Status::IOError("injected fsync failure on directory " + dir);
  }
  return base_->SyncDir(dir);
}

}  // namespace rapport
