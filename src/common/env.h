// Env: the file-system interface every durable subsystem uses, so tests can inject faults
// (short writes, fsync failures, a full disk) as LevelDB's fault-injection tests do.
// Env::Default() is POSIX and thread-safe; a WritableFile has one writer at a time; a
// RandomAccessFile may be read from many threads (pread). errno maps to Status: ENOSPC and
// EDQUOT -> kNoSpace, ENOENT -> kNotFound, everything else -> kIOError, naming the path.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace rapport {

// An append-only file with one writer.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  // Appends all of `data` or returns an error (kNoSpace on ENOSPC). After an error part of
  // `data` may have been written; Size() counts what was.
  virtual Status Append(std::string_view data) = 0;
  // Makes the data durable (fdatasync).
  virtual Status Sync() = 0;
  // A hint: starts writing dirty data to disk without waiting (sync_file_range), so that the
  // Sync() calls of several files that follow overlap their I/O. Durability still needs Sync().
  virtual Status StartSync() { return Status::OK(); }
  // Shrinks (or extends with zeros) the file to `size`; the next Append writes at `size`, and
  // nothing stays reserved beyond it.
  virtual Status Truncate(uint64_t size) = 0;
  // Best effort: writes zeros after the data up to `size` bytes of file (nothing if the file is
  // that long already), so that later appends overwrite written blocks and their Sync() need not
  // write the file's new size too (on ext4 without a journal, half the latency and CPU of a
  // small fdatasync). Size() still counts only appended data; a reader of the file sees the
  // zeros after it. The default does nothing.
  virtual Status Reserve(uint64_t size) {
    (void)size;
    return Status::OK();
  }
  // Closes the descriptor; later calls fail. The destructor closes too, ignoring errors.
  virtual Status Close() = 0;
  // Current size of the file as seen by this writer.
  virtual uint64_t Size() const = 0;
};

// A file read at arbitrary offsets; thread-safe.
class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  // Reads up to `n` bytes at `offset` into `*out` (replacing its contents). `*out` is shorter
  // than `n` only at end of file.
  virtual Status Read(uint64_t offset, size_t n, std::string* out) const = 0;
};

// An advisory lock on a file, held until destroyed.
class FileLock {
 public:
  virtual ~FileLock() = default;
};

class Env {
 public:
  virtual ~Env() = default;
  // The process-wide POSIX Env; never null, lives until exit.
  static Env* Default();

  // Opens `path` for appending, creating it if missing; writes go to its end (the end of the
  // appended data: see WritableFile::Reserve).
  virtual Result<std::unique_ptr<WritableFile>> OpenAppendable(const std::string& path) = 0;
  virtual Result<std::unique_ptr<RandomAccessFile>> OpenReadable(const std::string& path) = 0;
  // Names (not paths) of the entries of `dir`, without "." and "..", sorted.
  virtual Result<std::vector<std::string>> ListDir(const std::string& dir) = 0;
  // mkdir -p; OK if it exists already.
  virtual Status CreateDirs(const std::string& dir) = 0;
  virtual Status RemoveFile(const std::string& path) = 0;
  // Atomically replaces `to` with `from` (rename(2)).
  virtual Status RenameFile(const std::string& from, const std::string& to) = 0;
  // fsyncs a directory so that creations, renames and removals in it are durable.
  virtual Status SyncDir(const std::string& dir) = 0;
  virtual bool Exists(const std::string& path) = 0;
  virtual Result<uint64_t> FileSize(const std::string& path) = 0;
  // Creates `path` if missing and takes an exclusive advisory lock on it (flock), so that two
  // owners (processes, or two objects in one process) cannot use one directory at once.
  // kUnavailable when it is held already. The default implementation locks nothing.
  virtual Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) {
    return std::make_unique<FileLock>();
  }
};

// The directory part of `path` ("." when it has none).
std::string DirName(const std::string& path);

// Replaces `path` with `contents` atomically and durably: writes `path`.tmp, syncs it, renames
// it over `path` and syncs the directory. With sync=false it skips both syncs (for caches).
Status WriteFileAtomic(Env* env, const std::string& path, std::string_view contents,
                       bool sync = true);

// Reads the whole of `path` into `*out`.
Status ReadFileToString(Env* env, const std::string& path, std::string* out);

}  // namespace rapport
