// FaultInjectionEnv: an Env wrapping another Env that can fail or hold fsyncs, cut one append
// short, fail truncates and simulate a full disk, for tests of every durable subsystem. All knobs
// and counters are thread-safe and take effect on files opened before or after they are set. The
// wrapped Env must outlive this one, and this one every file it opened.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/env.h"

namespace rapport {

class FaultInjectionEnv final : public Env {
 public:
  explicit FaultInjectionEnv(Env* base = Env::Default()) : base_(base) {}

  // While on, WritableFile::Sync and SyncDir fail with kIOError (the data is not synced).
  void FailSyncs(bool on) { fail_syncs_.store(on); }
  // While on, WritableFile::Sync waits (before anything else) until it is turned off: a test
  // can see what happens while a sync is under way. held_sync_count() counts those waiting.
  void HoldSyncs(bool on);
  uint64_t held_sync_count() const;
  // The next Append (on any file) writes only the first half of its data, then fails kIOError.
  void SetShortWriteOnce() { short_write_once_.store(true); }
  // While on, WritableFile::Truncate fails with kIOError and changes nothing.
  void FailTruncates(bool on) { fail_truncates_.store(on); }
  // Disk full: from now on Appends may add at most `bytes` bytes in total (net of bytes given
  // back by Truncate and RemoveFile through this Env); an Append beyond that writes what fits,
  // then fails kNoSpace. nullopt removes the limit (space returns).
  void SetSpaceLimit(std::optional<uint64_t> bytes);

  uint64_t sync_count() const { return syncs_.load(); }  // successful file syncs
  uint64_t failed_sync_count() const { return failed_syncs_.load(); }
  uint64_t append_count() const { return appends_.load(); }      // Append calls
  uint64_t truncate_count() const { return truncates_.load(); }  // Truncate calls
  uint64_t open_readable_count() const { return open_readables_.load(); }

  Result<std::unique_ptr<WritableFile>> OpenAppendable(const std::string& path) override;
  Result<std::unique_ptr<RandomAccessFile>> OpenReadable(const std::string& path) override {
    open_readables_.fetch_add(1);
    return base_->OpenReadable(path);
  }
  Result<std::vector<std::string>> ListDir(const std::string& dir) override {
    return base_->ListDir(dir);
  }
  Status CreateDirs(const std::string& dir) override { return base_->CreateDirs(dir); }
  Status RemoveFile(const std::string& path) override;
  Status RenameFile(const std::string& from, const std::string& to) override {
    return base_->RenameFile(from, to);
  }
  Status SyncDir(const std::string& dir) override;
  bool Exists(const std::string& path) override { return base_->Exists(path); }
  Result<uint64_t> FileSize(const std::string& path) override { return base_->FileSize(path); }
  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) override {
    return base_->LockFile(path);
  }

 private:
  friend class FaultWritableFile;

  // How many of `n` bytes an Append may write now; charges them to the budget.
  size_t ReserveSpace(size_t n);
  // Gives `n` bytes back to the budget (after a truncate or a removal).
  void ReleaseSpace(uint64_t n);

  Env* const base_;
  std::atomic<bool> fail_syncs_{false};
  std::atomic<bool> short_write_once_{false};
  std::atomic<bool> fail_truncates_{false};
  std::atomic<uint64_t> syncs_{0};
  std::atomic<uint64_t> failed_syncs_{0};
  std::atomic<uint64_t> appends_{0};
  std::atomic<uint64_t> truncates_{0};
  std::atomic<uint64_t> open_readables_{0};

  void WaitWhileHeld();

  mutable std::mutex hold_mu_;
  std::condition_variable hold_cv_;
  bool hold_syncs_ = false;  // guarded by hold_mu_
  uint64_t held_ = 0;        // guarded by hold_mu_

  std::mutex space_mu_;
  std::optional<uint64_t> space_limit_;  // guarded by space_mu_
  int64_t space_used_ = 0;               // guarded by space_mu_; may go negative
};

}  // namespace rapport
