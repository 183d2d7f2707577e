// Test support shared by the query operators' tests: rows and snapshots built by hand or at
// random (several overlapping parts per day, small chunks so profiles span them, merges,
// profile 0), and the plain one-row-at-a-time pieces the reference implementations use.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "profile/computed/computed_value.h"
#include "warehouse/query/filter.h"
#include "warehouse/row.h"
#include "warehouse/snapshot.h"

namespace rapport::warehouse::testing {

inline constexpr int64_t kSec = 1'000'000;
inline constexpr int64_t kMin = 60 * kSec;
inline constexpr int64_t kHour = 60 * kMin;

// An ISO-8601 time in µs (the test's own constant: must parse).
int64_t T(std::string_view iso);
// A track row.
Row Ev(uint64_t profile, int64_t ts, std::string event,
       std::vector<std::pair<std::string, Value>> props = {});
// Gives rows unique increasing seqs in the given order.
std::vector<Row> Seq(std::vector<Row> rows);

// Deals rows into `parts_per_day` parts per UTC day at random: the parts overlap in time.
std::vector<std::vector<Row>> DealIntoParts(const std::vector<Row>& rows, int parts_per_day,
                                            uint64_t seed);
// A snapshot over explicit parts (MemorySnapshot's parts form).
std::unique_ptr<Snapshot> MakePartsSnapshot(std::vector<std::vector<Row>> parts,
                                            const ProfileMap& profiles, size_t chunk_rows);

// Random rows split into parts: one to three parts per UTC day, overlapping in time.
struct RandomData {
  std::vector<std::vector<Row>> parts;
  std::vector<std::pair<uint64_t, uint64_t>> merges;  // for ProfileMap
  uint64_t max_profile = 0;
  size_t chunk_rows = 1;
};
RandomData MakeRandomData(uint64_t seed);
std::vector<Row> AllRows(const RandomData& d);

// The benchmark generator's CSV (bench/warehouse/generate.mjs: ts_us,profile,type,event,
// context.campaign.source,properties.category,properties.revenue) as rows, seqs in file order;
// empty when the file cannot be read.
std::vector<Row> ReadBenchCsv(const char* path);

const Value* Prop(const Row& r, std::string_view path);  // nullptr when absent
ComputedValue ToComputed(const Value* v);
bool RefMatches(const EventFilter& f, const Row& r);  // EventFilter, one row at a time
// The message of the error `parse` returns for `json` (an object), or "accepted".
std::string ParseError(const std::string& json,
                       const std::function<Status(simdjson::dom::object)>& parse);

}  // namespace rapport::warehouse::testing
