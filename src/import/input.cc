#include "import/input.h"

#include <utility>

namespace rapport {
namespace {

class FileSource final : public ChunkSource {
 public:
  FileSource(std::unique_ptr<RandomAccessFile> file, uint64_t size)
      : file_(std::move(file)), size_(size) {}

  Status Read(size_t max, std::string* out) override {
    if (offset_ >= size_) return Status::OK();  // the size was taken at open: a fixed snapshot
    RETURN_IF_ERROR(file_->Read(offset_, std::min<uint64_t>(max, size_ - offset_), &scratch_));
    if (scratch_.empty()) {
      size_ = offset_;  // the file shrank while being read: stop here
      return Status::OK();
    }
    offset_ += scratch_.size();
    out->append(scratch_);
    return Status::OK();
  }
  std::optional<uint64_t> size() const override { return size_; }

 private:
  std::unique_ptr<RandomAccessFile> file_;
  uint64_t size_;
  uint64_t offset_ = 0;
  std::string scratch_;
};

class MemorySource final : public ChunkSource {
 public:
  explicit MemorySource(std::string data) : data_(std::move(data)) {}
  Status Read(size_t max, std::string* out) override {
    size_t n = std::min(max, data_.size() - offset_);
    out->append(data_, offset_, n);
    offset_ += n;
    return Status::OK();
  }
  std::optional<uint64_t> size() const override { return data_.size(); }

 private:
  std::string data_;
  size_t offset_ = 0;
};

}  // namespace

Result<std::unique_ptr<ChunkSource>> OpenFileSource(const std::string& path, Env* env) {
  if (env == nullptr) env = Env::Default();
  ASSIGN_OR_RETURN(uint64_t size, env->FileSize(path));
  ASSIGN_OR_RETURN(auto file, env->OpenReadable(path));
  return std::unique_ptr<ChunkSource>(std::make_unique<FileSource>(std::move(file), size));
}

std::unique_ptr<ChunkSource> StringSource(std::string data) {
  return std::make_unique<MemorySource>(std::move(data));
}

Result<bool> InputBuffer::Fill() {
  buf_.erase(0, pos_);
  pos_ = 0;
  const size_t before = buf_.size();
  RETURN_IF_ERROR(source_->Read(chunk_bytes_, &buf_));
  if (!started_) {
    // The byte-order mark may straddle tiny chunks: read until 3 bytes or the end.
    while (buf_.size() < 3) {
      const size_t n = buf_.size();
      RETURN_IF_ERROR(source_->Read(chunk_bytes_, &buf_));
      if (buf_.size() == n) break;
    }
    started_ = true;
    if (buf_.compare(0, 3, "\xEF\xBB\xBF") == 0) Consume(3);
  }
  return buf_.size() > before;
}

}  // namespace rapport
