// The audience compiler: turns saved audience definitions into what the engine evaluates —
// each `performed` leaf bound to a hidden computed trait (aggregate latest_times, named
// "_a<16 hex>", shared by every leaf that selects the same events with the same count), each
// `computed.x` bound to its definition, each `in audience` to the audience's id, the audiences
// in dependency order, and an index of what can change each audience (event names, traits,
// accounts, consent, computed traits, other audiences). Pure; the result is immutable and
// thread-safe to read.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "audience/ast.h"
#include "audience/evaluate.h"
#include "audience/parser.h"
#include "common/status.h"
#include "profile/computed/computed_def.h"

namespace rapport {

struct AudienceDef {
  uint64_t id = 0;   // assigned by the control store; never reused
  std::string name;  // [a-z][a-z0-9_]{0,63}
  std::string description;
  Node root;
};

struct CompiledAudience {
  uint64_t id = 0;
  std::string name;
  Node root;
  LeafBindings bindings;                      // pointers into root and AudienceSet's definitions
  std::vector<std::string> hidden;            // its latest_times definitions
  std::vector<std::string> computed;          // user computed traits it reads
  std::set<std::string, std::less<>> traits;  // trait names (first path segment) it reads
  bool accounts = false;                      // reads account traits
  bool consent = false;                       // reads consent
  std::vector<uint64_t> refs;                 // audiences it reads
  std::vector<size_t> dependents;  // indices (in AudienceSet order) of audiences reading it
};

class AudienceSet {
 public:
  // Compiles `defs` (any order) against the user's computed traits. An audience that names an
  // unknown audience or computed trait, or sits in a reference cycle, is left out with a line
  // in *problems (the API refuses such definitions; this only guards stored state).
  static std::unique_ptr<AudienceSet> Compile(std::vector<AudienceDef> defs,
                                              std::vector<ComputedDef> computed,
                                              std::vector<std::string>* problems);

  // Dependency order: an audience comes after every audience it reads.
  const std::vector<std::unique_ptr<CompiledAudience>>& audiences() const { return audiences_; }
  const CompiledAudience* Find(uint64_t id) const;
  int IndexOf(uint64_t id) const;  // -1 when absent
  // Every hidden latest_times definition, sorted by name.
  const std::vector<ComputedDef>& hidden_defs() const { return hidden_; }
  // Audiences (indices) that a match of the named computed definition can change.
  const std::vector<size_t>* ByDefinition(const std::string& def_name) const;
  const std::vector<size_t>* ByTrait(std::string_view trait) const;
  const std::vector<size_t>& with_accounts() const { return with_accounts_; }
  const std::vector<size_t>& with_consent() const { return with_consent_; }

 private:
  std::vector<std::unique_ptr<CompiledAudience>> audiences_;
  std::unordered_map<uint64_t, size_t> index_;  // id → index in audiences_
  std::vector<ComputedDef> hidden_;
  std::vector<ComputedDef> computed_;
  std::map<std::string, std::vector<size_t>, std::less<>> by_def_, by_trait_;
  std::vector<size_t> with_accounts_, with_consent_;
};

// The hidden latest_times definition a `performed` leaf needs.
ComputedDef HiddenDefFor(const Performed& performed);

// Checks `def` as the API is about to save it, next to `others` (the saved audiences, without
// the one being replaced): every `in audience` names an existing audience and makes no cycle,
// every `computed.x` exists. kInvalidArgument "line L, column C: ..." (position when known, and
// then also in *at).
Status CheckAudience(const AudienceDef& def, const std::vector<AudienceDef>& others,
                     const std::vector<ComputedDef>& computed, ParseError* at = nullptr);

}  // namespace rapport
