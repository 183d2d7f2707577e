// The audience language's syntax tree: what the text form (parser.h) and the JSON form
// (json_form.h) both produce and what the printer, the checker and the evaluator read. A plain
// value tree; thread-compatible. Reference: docs/audiences.md.
//
//   traits.plan = "pro"
//     and performed "Order Completed" where revenue > 50 at least 2 times within 30 days
//     and not performed "Ticket Opened" within 7 days
//
// is And(Compare{trait plan eq "pro"}, Performed{...}, Not(Performed{...})).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "profile/computed/computed_def.h"
#include "profile/computed/computed_value.h"

namespace rapport {

// Where a comparison reads its value from.
enum class CompareScope : uint8_t {
  kTrait,     // traits.<path>: the profile's trait (first segment), then a path into its JSON
  kComputed,  // computed.<name>: a computed trait's current value
  kAccount,   // account.<path>: true when ANY of the profile's accounts satisfies it
};

// A comparison of a profile value: `clause.path` is the path after the scope
// ("plan", "address.city", "orders_30d"); clause.op/value/values as in computed-trait `where`
// clauses (WhereOp; kIn uses `values`).
struct Compare {
  CompareScope scope = CompareScope::kTrait;
  WhereClause clause;
  friend bool operator==(const Compare&, const Compare&) = default;
};

enum class CountOp : uint8_t { kAtLeast, kAtMost, kExactly };
enum class TimeUnit : uint8_t { kMinutes, kHours, kDays, kWeeks };

// A duration as the user wrote it (printed back in the same unit).
struct Window {
  int32_t amount = 0;  // 0: no window (all time); else ≥ 1, and at most 3650 days in total
  TimeUnit unit = TimeUnit::kDays;
  int64_t micros() const;
  friend bool operator==(const Window&, const Window&) = default;
};

// performed <event> [where <conditions>] [<count>] [within <window>]
struct Performed {
  // kTrack with `event` set: that track event. kPage / kScreen: page or screen views, of the
  // page/screen named `event` when it is set. kAny (`any event`): every event of any type.
  EventType type = EventType::kTrack;
  std::string event;
  // Conditions on the event; paths from the event's root ("properties.revenue",
  // "context.campaign.source"). In the text form a bare name means properties.<name>.
  std::vector<WhereClause> where;
  CountOp count_op = CountOp::kAtLeast;
  uint32_t count = 1;  // at_least: 1..kMaxPerformedCount; at_most / exactly: 0..kMax...
  Window within;       // amount 0: ever
  friend bool operator==(const Performed&, const Performed&) = default;
};

struct Node {
  enum class Kind : uint8_t {
    kAnd,         // children: ≥ 2
    kOr,          // children: ≥ 2
    kNot,         // children: exactly 1
    kCompare,     // compare
    kPerformed,   // performed
    kInAudience,  // name: another audience's name
    kConsent,     // name: a consent category ("Advertising"), true when the profile consented
  };
  Kind kind = Kind::kCompare;
  std::vector<Node> children;
  Compare compare;
  Performed performed;
  std::string name;
  // Where the node starts in the text form (1-based; 0 when built from JSON). Not compared.
  int line = 0, column = 0;

  friend bool operator==(const Node& a, const Node& b) {
    return a.kind == b.kind && a.children == b.children && a.compare == b.compare &&
           a.performed == b.performed && a.name == b.name;
  }
};

// Limits, shared by both forms (errors name them).
inline constexpr size_t kMaxAudienceTextBytes = 65536;
inline constexpr int kMaxAudienceDepth = 32;       // nesting of and/or/not/parentheses
inline constexpr size_t kMaxAudienceLeaves = 256;  // compare/performed/in audience/consent nodes
inline constexpr uint32_t kMaxPerformedCount = 1000;
inline constexpr size_t kMaxAudienceNameChars = 64;  // audience names: [a-z][a-z0-9_]{0,63}
inline constexpr size_t kMaxConsentCategoryBytes = 128;

}  // namespace rapport
