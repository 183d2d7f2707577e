// Input for the import readers: a ChunkSource hands out the bytes of a file (or an upload held in
// memory) in pieces, so a file larger than memory is never read whole. InputBuffer is the
// readers' window over a ChunkSource: it strips a UTF-8 byte-order mark and counts bytes consumed.
// Not thread-safe: one reader, one source, one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/env.h"
#include "common/status.h"

namespace rapport {

class ChunkSource {
 public:
  virtual ~ChunkSource() = default;
  // Appends up to `max` next bytes to `*out`; appends nothing only at the end of the input.
  virtual Status Read(size_t max, std::string* out) = 0;
  // Total size in bytes when known (for progress), else nullopt.
  virtual std::optional<uint64_t> size() const = 0;
};

// Reads the file at `path` through `env` (Env::Default() when null), one chunk at a time.
Result<std::unique_ptr<ChunkSource>> OpenFileSource(const std::string& path, Env* env = nullptr);
// Serves `data` (copied); for tests and uploads already in memory.
std::unique_ptr<ChunkSource> StringSource(std::string data);

// A window over a ChunkSource: data() is what is buffered and not yet consumed.
class InputBuffer {
 public:
  // Default chunk size used by the readers: 256 KiB.
  static constexpr size_t kDefaultChunkBytes = 256 * 1024;

  InputBuffer(ChunkSource* source, size_t chunk_bytes)
      : source_(source), chunk_bytes_(chunk_bytes == 0 ? 1 : chunk_bytes) {}

  // Drops the consumed bytes and reads the next chunk. Returns false at the end of the input.
  // Strips a UTF-8 byte-order mark at the very start.
  Result<bool> Fill();
  std::string_view data() const { return std::string_view(buf_).substr(pos_); }
  // Marks `n` bytes of data() as consumed.
  void Consume(size_t n) {
    pos_ += n;
    consumed_ += n;
  }
  // Bytes consumed since the start (a stripped byte-order mark counts as consumed).
  uint64_t consumed() const { return consumed_; }
  std::optional<uint64_t> total() const { return source_->size(); }

 private:
  ChunkSource* source_;
  size_t chunk_bytes_;
  std::string buf_;
  size_t pos_ = 0;
  uint64_t consumed_ = 0;
  bool started_ = false;
};

}  // namespace rapport
