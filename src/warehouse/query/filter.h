// EventFilter: which rows a query step or filter selects — a call type, an event name and
// `where` clauses (the same {"path","op","value"} clauses computed traits use, with the same
// meaning: profile/computed/computed_match.h Holds). Compiled once per query against the
// snapshot's event dictionary, then evaluated a chunk at a time: each clause is decided once
// per distinct string of a column's dictionary, not once per row. Thread-safe once compiled.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "profile/computed/computed_def.h"
#include "warehouse/chunk.h"

namespace rapport::warehouse {

struct EventFilter {
  std::optional<EventType> type;   // nullopt: any call type
  std::string event;               // empty: any name
  std::vector<WhereClause> where;  // all must hold
  bool operator==(const EventFilter&) const = default;
};

class CompiledFilter {
 public:
  CompiledFilter() = default;
  CompiledFilter(const EventFilter& filter, const EventDictionary& events);

  // The property columns Evaluate reads (pass them to Snapshot::Load).
  const std::vector<std::string>& paths() const { return paths_; }
  // False when no row can match (an event name the warehouse has never seen).
  bool possible() const { return possible_; }
  // out[r] = 1 when row r matches, else 0 (out holds chunk.rows bytes).
  void Evaluate(const Chunk& chunk, uint8_t* out) const;
  // Whether one row matches (slow path: for reference code and single rows).
  bool Matches(const Chunk& chunk, size_t row) const;

 private:
  void ApplyClause(const WhereClause& clause, const Chunk& chunk, uint8_t* out) const;

  std::optional<EventType> type_;
  std::optional<uint32_t> event_;  // nullopt: any name
  std::vector<WhereClause> where_;
  std::vector<std::string> paths_;
  bool possible_ = true;
};

// What one row holds at a column, as the computed-trait code sees values.
ComputedValue ValueAtRow(const PropertyColumn* column, size_t row);

}  // namespace rapport::warehouse
