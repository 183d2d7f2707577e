// PartReader: reads one part file (docs/formats/warehouse.md) through a read-only memory map kept
// for the reader's life. Open checks the header and the footer's checksum and structure; every
// column is checked against its CRC-32C before it is decoded, and anything malformed is
// kCorruption naming the file, block and column — never a crash, never damaged data. Immutable
// after Open: safe to use from many threads. The BlockCache, if any, must outlive the reader.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "warehouse/chunk.h"
#include "warehouse/part/block_cache.h"
#include "warehouse/part/format.h"
#include "warehouse/part/part_writer.h"
#include "warehouse/row.h"
#include "warehouse/snapshot.h"

namespace rapport::warehouse {

class PartReader {
 public:
  // Maps `path`. kNotFound when it does not exist, kCorruption when it is not a sound part.
  // `cache` (may be null) keeps decoded columns across Loads.
  static Result<std::unique_ptr<PartReader>> Open(const std::string& path,
                                                  BlockCache* cache = nullptr);
  // The same over bytes in memory (tests, the fuzzer); `name` stands for the file in errors.
  static Result<std::unique_ptr<PartReader>> OpenBuffer(std::string bytes,
                                                        BlockCache* cache = nullptr,
                                                        std::string name = "<buffer>");
  ~PartReader();
  PartReader(const PartReader&) = delete;
  PartReader& operator=(const PartReader&) = delete;

  const std::string& name() const { return name_; }
  const PartMeta& meta() const { return meta_; }
  size_t blocks() const { return infos_.size(); }
  const ChunkInfo& info(size_t b) const { return infos_[b]; }
  // The property paths at least one row of block b has (typed columns and rest), sorted.
  std::vector<std::string> Paths(size_t b) const;

  // Block b with the fixed columns and those of `paths` it has (typed or materialized from the
  // rest column alike), sorted by path. kInvalidArgument when b is out of range.
  Result<ChunkPtr> Load(size_t b, const std::vector<std::string>& paths) const;
  // Every row, in file order (profile, ts, seq), props sorted by path; event ids are named
  // through `events` (an id it does not have is kCorruption). Bypasses the cache.
  Result<std::vector<Row>> ReadRows(const EventDictionary& events) const;

 private:
  struct Payload {
    std::unique_ptr<char[]> buf;
    std::string_view bytes;
  };
  class Mapping;
  struct RestGroup {  // one path of a rest column: the rows that have it and their values
    std::string path;
    std::vector<uint32_t> rows;
    PropertyColumn values;
  };

  PartReader() = default;
  static Result<std::unique_ptr<PartReader>> Init(std::unique_ptr<PartReader> reader);

  Status Corrupt(size_t b, const part::ColumnEntry* column, std::string_view what) const;
  Status ReadColumn(size_t b, const part::ColumnEntry& column, Payload* out) const;
  Result<std::shared_ptr<const FixedColumns>> DecodeFixed(size_t b) const;
  Result<std::shared_ptr<const PropertyColumn>> DecodeTyped(size_t b,
                                                            const part::ColumnEntry& column) const;
  // The groups of block b's rest column for `wanted` (sorted, each in the directory's list), or
  // all of them when it is null.
  Status DecodeRest(size_t b, const std::vector<std::string_view>* wanted,
                    std::vector<RestGroup>* out) const;
  const part::ColumnEntry* FindTyped(size_t b, std::string_view path) const;
  const part::ColumnEntry* RestOf(size_t b) const;

  std::string name_;
  std::unique_ptr<Mapping> mapping_;
  std::string_view file_;
  BlockCache* cache_ = nullptr;
  part::Footer footer_;
  uint32_t tag_ = 0;  // the footer's checksum: tells files of one part id apart in the cache
  PartMeta meta_;
  std::vector<ChunkInfo> infos_;
};

}  // namespace rapport::warehouse
