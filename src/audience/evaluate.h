// Evaluate: whether one profile is in one audience at a given time, and the earliest later time
// at which the answer can change without a new event (so that a timer can re-evaluate exactly
// then). Pure: it reads the profile record, its accounts and the compiled leaf bindings, never a
// clock. Thread-safe for distinct EvalContexts. Semantics: docs/audiences.md.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "audience/ast.h"
#include "profile/computed/computed_def.h"
#include "profile/profile_record.h"
#include "profile/state_store.h"

namespace rapport {

// What the leaves of one audience's tree refer to, resolved by the compiler (compile.h).
struct LeafBindings {
  // kPerformed → its latest_times definition; kCompare with kComputed → the computed trait.
  std::unordered_map<const Node*, const ComputedDef*> defs;
  // kInAudience → the referenced audience's id.
  std::unordered_map<const Node*, uint64_t> audiences;
};

struct EvalContext {
  const ProfileRecord* profile = nullptr;
  std::vector<const AccountRecord*> accounts;  // the profile's accounts that exist
  const LeafBindings* bindings = nullptr;
  // Membership of another audience as of this evaluation (audiences are evaluated in
  // dependency order, so a referenced audience is already up to date).
  std::function<bool(uint64_t audience)> in_audience;
  int64_t now_us = 0;
};

struct EvalResult {
  bool value = false;
  int64_t next_us = 0;  // > now_us: when the value may change with no new event; 0: never
};

EvalResult Evaluate(const Node& node, const EvalContext& ctx);

// The value at `path` in a trait map: the trait named by the whole path when there is one,
// else the trait named by the first segment and the rest as a path into its JSON.
ComputedValue TraitValue(const TraitMap& traits, std::string_view path);

// The value of minified JSON text (an object or array stays JSON).
ComputedValue ValueOfJson(std::string_view json);

}  // namespace rapport
