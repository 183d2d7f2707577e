// Rejects: the rows an import could not turn into stored events, each with its line and reason.
// FileRejectSink writes them to a file created (or truncated) at the first reject: CSV
// (line,reason,row) when the path ends in .csv, JSON Lines ({"line","reason","row"}) otherwise.
// MemoryRejectSink keeps the first N in memory. Neither is thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/env.h"
#include "common/status.h"

namespace rapport {

struct Reject {
  int64_t line = 0;  // where the row starts in the input, 1-based
  std::string reason;
  std::string raw;  // the row as in the input (JSON output replaces invalid UTF-8 by U+FFFD)
};

class RejectSink {
 public:
  virtual ~RejectSink() = default;
  virtual Status Write(const Reject& reject) = 0;
  // Makes everything written so far visible to readers of the destination.
  virtual Status Flush() { return Status::OK(); }
};

class FileRejectSink final : public RejectSink {
 public:
  explicit FileRejectSink(std::string path, Env* env = nullptr);
  ~FileRejectSink() override;  // flushes, ignoring errors

  Status Write(const Reject& reject) override;
  Status Flush() override;
  const std::string& path() const { return path_; }
  int64_t count() const { return count_; }

 private:
  std::string path_;
  Env* env_;
  bool csv_;
  std::unique_ptr<WritableFile> file_;
  std::string buffer_;
  int64_t count_ = 0;
};

class MemoryRejectSink final : public RejectSink {
 public:
  explicit MemoryRejectSink(size_t keep = SIZE_MAX) : keep_(keep) {}
  Status Write(const Reject& reject) override;
  const std::vector<Reject>& rejects() const { return rejects_; }
  int64_t count() const { return count_; }

 private:
  size_t keep_;
  std::vector<Reject> rejects_;
  int64_t count_ = 0;
};

// One reject in JSON Lines form, without the newline.
std::string RejectJson(const Reject& reject);

}  // namespace rapport
