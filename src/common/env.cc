#include "common/env.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace rapport {
namespace {

Status ErrnoStatus(std::string_view op, const std::string& path, int err) {
  std::string msg(op);
  msg += " ";
  msg += path;
  msg += ": ";
  msg += std::strerror(err);  // NOLINT(concurrency-mt-unsafe): glibc returns static strings
  switch (err) {
    case ENOSPC:
    case EDQUOT:
      return Status::NoSpace(std::move(msg));
    case ENOENT:
      return Status::NotFound(std::move(msg));
    default:
      return Status::IOError(std::move(msg));
  }
}

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(std::string path, int fd, uint64_t size)
      : path_(std::move(path)), fd_(fd), size_(size), reserved_(size) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0) ::close(fd_);
  }

  Status Append(std::string_view data) override {
    if (fd_ < 0) return Status::IOError("append to closed file " + path_);
    size_t written = 0;
    Status s = WriteAt(data, size_, "write", &written);
    size_ += written;  // after an error, what was written counts
    reserved_ = std::max(reserved_, size_);
    return s;
  }

  Status Reserve(uint64_t size) override {
    if (fd_ < 0) return Status::IOError("reserve in closed file " + path_);
    if (size <= reserved_) return Status::OK();
    static const std::string kZeros(1 << 20, '\0');
    while (reserved_ < size) {
      const uint64_t n = std::min<uint64_t>(size - reserved_, kZeros.size());
      size_t written = 0;
      Status s = WriteAt(std::string_view(kZeros.data(), n), reserved_, "reserve", &written);
      reserved_ += written;
      RETURN_IF_ERROR(s);
    }
    return Status::OK();
  }

  Status Sync() override {
    if (fd_ < 0) return Status::IOError("sync of closed file " + path_);
    if (::fdatasync(fd_) != 0) return ErrnoStatus("fdatasync", path_, errno);
    return Status::OK();
  }

  Status StartSync() override {
    if (fd_ < 0) return Status::IOError("sync of closed file " + path_);
    if (::sync_file_range(fd_, 0, 0, SYNC_FILE_RANGE_WRITE) != 0) {
      return ErrnoStatus("sync_file_range", path_, errno);
    }
    return Status::OK();
  }

  Status Truncate(uint64_t size) override {
    if (fd_ < 0) return Status::IOError("truncate of closed file " + path_);
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) {
      return ErrnoStatus("ftruncate", path_, errno);
    }
    size_ = reserved_ = size;
    return Status::OK();
  }

  Status Close() override {
    if (fd_ < 0) return Status::OK();
    int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) return ErrnoStatus("close", path_, errno);
    return Status::OK();
  }

  uint64_t Size() const override { return size_; }

 private:
  // Writes all of `data` at `offset` (pwrite: the descriptor is not O_APPEND, so appends can
  // overwrite reserved zeros).
  // *written counts the bytes written, also on error.
  Status WriteAt(std::string_view data, uint64_t offset, std::string_view op, size_t* written) {
    const char* p = data.data();
    size_t left = data.size();
    while (left > 0) {
      ssize_t n = ::pwrite(fd_, p, left, static_cast<off_t>(offset));
      if (n < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus(op, path_, errno);
      }
      if (n == 0) return Status::IOError(std::string(op) + " " + path_ + ": wrote nothing");
      p += n;
      left -= static_cast<size_t>(n);
      offset += static_cast<uint64_t>(n);
      *written += static_cast<size_t>(n);
    }
    return Status::OK();
  }

  std::string path_;
  int fd_;
  uint64_t size_;      // appended data
  uint64_t reserved_;  // bytes of file: data, then reserved zeros
};

class PosixRandomAccessFile final : public RandomAccessFile {
 public:
  PosixRandomAccessFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixRandomAccessFile() override { ::close(fd_); }

  Status Read(uint64_t offset, size_t n, std::string* out) const override {
    out->resize(n);
    size_t got = 0;
    while (got < n) {
      ssize_t r = ::pread(fd_, out->data() + got, n - got, static_cast<off_t>(offset + got));
      if (r < 0) {
        if (errno == EINTR) continue;
        int err = errno;
        out->clear();
        return ErrnoStatus("pread", path_, err);
      }
      if (r == 0) break;  // end of file
      got += static_cast<size_t>(r);
    }
    out->resize(got);
    return Status::OK();
  }

 private:
  std::string path_;
  int fd_;
};

class PosixFileLock final : public FileLock {
 public:
  explicit PosixFileLock(int fd) : fd_(fd) {}
  ~PosixFileLock() override {
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
  }

 private:
  int fd_;
};

class PosixEnv final : public Env {
 public:
  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return ErrnoStatus("open", path, errno);
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      int err = errno;
      ::close(fd);
      if (err == EWOULDBLOCK) {
        return Status::Unavailable("lock " + path + ": held by another owner");
      }
      return ErrnoStatus("flock", path, err);
    }
    return std::unique_ptr<FileLock>(std::make_unique<PosixFileLock>(fd));
  }

  Result<std::unique_ptr<WritableFile>> OpenAppendable(const std::string& path) override {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return ErrnoStatus("open", path, errno);
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      int err = errno;
      ::close(fd);
      return ErrnoStatus("fstat", path, err);
    }
    return std::unique_ptr<WritableFile>(
        std::make_unique<PosixWritableFile>(path, fd, static_cast<uint64_t>(st.st_size)));
  }

  Result<std::unique_ptr<RandomAccessFile>> OpenReadable(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus("open", path, errno);
    return std::unique_ptr<RandomAccessFile>(std::make_unique<PosixRandomAccessFile>(path, fd));
  }

  Result<std::vector<std::string>> ListDir(const std::string& dir) override {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return ErrnoStatus("opendir", dir, errno);
    std::vector<std::string> names;
    errno = 0;
    // readdir on a DIR* private to this call is thread-safe in glibc.
    while (struct dirent* e = ::readdir(d)) {  // NOLINT(concurrency-mt-unsafe)
      std::string_view name(e->d_name);
      if (name != "." && name != "..") names.emplace_back(name);
    }
    int err = errno;
    ::closedir(d);
    if (err != 0) return ErrnoStatus("readdir", dir, err);
    std::sort(names.begin(), names.end());
    return names;
  }

  Status CreateDirs(const std::string& dir) override {
    if (dir.empty()) return Status::InvalidArgument("CreateDirs: empty path");
    std::string partial;
    size_t pos = 0;
    while (pos != std::string::npos) {
      pos = dir.find('/', pos + 1);
      partial = dir.substr(0, pos);
      if (partial.empty() || partial == "/") continue;
      if (::mkdir(partial.c_str(), 0755) != 0 && errno != EEXIST) {
        return ErrnoStatus("mkdir", partial, errno);
      }
    }
    struct stat st;
    if (::stat(dir.c_str(), &st) != 0) return ErrnoStatus("stat", dir, errno);
    if (!S_ISDIR(st.st_mode)) return Status::IOError("CreateDirs " + dir + ": not a directory");
    return Status::OK();
  }

  Status RemoveFile(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return ErrnoStatus("unlink", path, errno);
    return Status::OK();
  }

  Status RenameFile(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) {
      return ErrnoStatus("rename to " + to + ": from", from, errno);
    }
    return Status::OK();
  }

  Status SyncDir(const std::string& dir) override {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus("open dir", dir, errno);
    Status s;
    if (::fsync(fd) != 0) s = ErrnoStatus("fsync dir", dir, errno);
    ::close(fd);
    return s;
  }

  bool Exists(const std::string& path) override { return ::access(path.c_str(), F_OK) == 0; }

  Result<uint64_t> FileSize(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return ErrnoStatus("stat", path, errno);
    return static_cast<uint64_t>(st.st_size);
  }
};

}  // namespace

Env* Env::Default() {
  static PosixEnv env;
  return &env;
}

std::string DirName(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Status WriteFileAtomic(Env* env, const std::string& path, std::string_view contents, bool sync) {
  const std::string tmp = path + ".tmp";
  {
    ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> f, env->OpenAppendable(tmp));
    Status s = f->Truncate(0);
    if (s.ok()) s = f->Append(contents);
    if (s.ok() && sync) s = f->Sync();
    Status c = f->Close();
    if (s.ok()) s = c;
    if (!s.ok()) {
      (void)env->RemoveFile(tmp);  // best effort: a stale .tmp is harmless
      return s;
    }
  }
  RETURN_IF_ERROR(env->RenameFile(tmp, path));
  if (sync) RETURN_IF_ERROR(env->SyncDir(DirName(path)));
  return Status::OK();
}

Status ReadFileToString(Env* env, const std::string& path, std::string* out) {
  ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> f, env->OpenReadable(path));
  ASSIGN_OR_RETURN(uint64_t size, env->FileSize(path));
  RETURN_IF_ERROR(f->Read(0, static_cast<size_t>(size), out));
  // The file may have grown since the stat; read the rest.
  std::string more;
  while (true) {
    RETURN_IF_ERROR(f->Read(out->size(), 64 << 10, &more));
    if (more.empty()) break;
    out->append(more);
  }
  return Status::OK();
}

}  // namespace rapport
