// Manifest: the warehouse's one small file of truth — which parts exist, the event-name
// dictionary, the next part id, and how far into the event log (per partition) the parts reach.
// Replaced atomically (write, fsync, rename) after parts are written, so a crash leaves either
// the old or the new manifest and never one naming a missing part. Format in
// docs/formats/warehouse.md. Plain value type; Decode rejects anything damaged (kCorruption).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace rapport::warehouse {

struct PartEntry {
  uint64_t id = 0;
  int64_t day = 0;  // days since 1970-01-01 UTC
  uint64_t rows = 0;
  int64_t min_ts = 0, max_ts = 0;
  uint64_t bytes = 0;
  bool operator==(const PartEntry&) const = default;
};

struct Manifest {
  uint64_t next_part_id = 1;
  std::vector<uint64_t> offsets;    // per log partition: the next offset not yet in a part
  std::vector<std::string> events;  // the event-name dictionary from id 1 (id 0 is "no name")
  std::vector<PartEntry> parts;     // by (day, id)
  bool operator==(const Manifest&) const = default;

  std::string Encode() const;
  static Result<Manifest> Decode(std::string_view bytes);
};

// The file name of a part: "parts/<day>-<id>.part" under the warehouse directory.
std::string PartFileName(int64_t day, uint64_t id);

}  // namespace rapport::warehouse
