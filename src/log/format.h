// Byte layout of the event log's files (docs/formats/log.md is the specification): segment
// header, record header, sparse index file, consumer checkpoint file, and file names. Pure
// functions, no I/O, thread-safe. Integers are little-endian; checksums are masked CRC32C.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace rapport::log_internal {

inline constexpr size_t kSegmentHeaderSize = 32;
inline constexpr size_t kRecordHeaderSize = 24;
inline constexpr uint32_t kFormatVersion = 1;
// Hard upper bound of one payload, whatever the options say (a larger length is corruption).
inline constexpr uint32_t kMaxPayloadBytes = 64u << 20;
// A sparse index entry is added for the first record and then for the first record that starts
// at least this many bytes after the previous indexed one.
inline constexpr uint64_t kIndexIntervalBytes = 4096;
// Segments stay below 4 GiB so that index positions fit 32 bits.
inline constexpr uint64_t kMaxSegmentBytes = 1ull << 30;

inline constexpr std::string_view kSegmentMagic = "RPTLOGS1";
inline constexpr std::string_view kIndexMagic = "RPTLOGI1";
inline constexpr std::string_view kCheckpointMagic = "RPTCKPT1";

// ---- segment header -------------------------------------------------------------------
struct SegmentHeader {
  uint32_t partition = 0;
  uint64_t base_offset = 0;
};
std::string EncodeSegmentHeader(const SegmentHeader& h);
// kCorruption when the magic, version or checksum is wrong or `data` is short.
Status DecodeSegmentHeader(std::string_view data, SegmentHeader* h);

// ---- records --------------------------------------------------------------------------
struct RecordHeader {
  uint32_t masked_crc = 0;
  uint32_t length = 0;
  uint64_t offset = 0;
  int64_t append_time_us = 0;
};
// Appends header + payload to *dst.
void EncodeRecord(uint64_t offset, int64_t append_time_us, std::string_view payload,
                  std::string* dst);
// The same for a payload in two pieces (LogRecord::tail): header + payload + tail.
void EncodeRecord(uint64_t offset, int64_t append_time_us, std::string_view payload,
                  std::string_view tail, std::string* dst);
// Decodes the fixed header fields; `p` must hold kRecordHeaderSize bytes. No checksum test.
RecordHeader DecodeRecordHeader(const char* p);
// True when the checksum in `header_bytes` (kRecordHeaderSize) matches header and payload.
bool RecordChecksumOk(const char* header_bytes, std::string_view payload);

// ---- sparse index file ----------------------------------------------------------------
struct IndexEntry {
  uint32_t relative_offset;  // record offset - segment base offset
  uint32_t position;         // byte position of the record in the segment file
};
struct IndexFile {
  uint64_t base_offset = 0;
  uint64_t log_size = 0;       // size of the segment file this index describes
  uint64_t record_count = 0;   // records in the segment
  int64_t last_append_us = 0;  // append time of the last record (0 when empty)
  std::vector<IndexEntry> entries;
};
std::string EncodeIndexFile(const IndexFile& f);
Status DecodeIndexFile(std::string_view data, IndexFile* f);

// ---- checkpoint file ------------------------------------------------------------------
std::string EncodeCheckpointFile(const std::vector<uint64_t>& next_offsets);
Status DecodeCheckpointFile(std::string_view data, std::vector<uint64_t>* next_offsets);

// ---- names ----------------------------------------------------------------------------
std::string PartitionDirName(int partition);  // "p-007"
std::optional<int> ParsePartitionDirName(std::string_view name);
std::string SegmentFileName(uint64_t base_offset);  // "00000000000000000042.log"
std::string IndexFileName(uint64_t base_offset);    // "00000000000000000042.idx"
// The base offset of a "<20 digits>.log" name, nullopt for anything else.
std::optional<uint64_t> ParseSegmentFileName(std::string_view name);
// Consumer names: 1-64 characters of [A-Za-z0-9._-], not starting with '.'.
bool ValidConsumerName(std::string_view name);

}  // namespace rapport::log_internal
