// Identity resolution: which profile an event belongs to, given its identifiers and the graph
// so far. Pure decision logic over an IdentityView (the caller's storage); the caller applies
// the Resolution. Rules (docs/identity.md): identifiers of several profiles merge them into the
// oldest; a merge or addition that would put more values of a type on a profile than the type's
// limit is avoided by dropping the event's lowest-priority identifiers (Segment Unify's rule) and
// trying again. Deterministic: the same graph and identifiers give the same Resolution.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "common/status.h"
#include "identity/identifier.h"

namespace rapport {

// Read access to the identity graph. Profile ids are > 0; a lower id is an older profile.
class IdentityView {
 public:
  virtual ~IdentityView() = default;
  // The profile holding `id`, or nullopt.
  virtual Result<std::optional<uint64_t>> Find(const Identifier& id) = 0;
  // Every identifier of a live profile.
  virtual Result<std::vector<Identifier>> IdentifiersOf(uint64_t profile) = 0;
};

struct Resolution {
  // The profile the event belongs to; 0 when a new profile must be created (`create`).
  uint64_t profile = 0;
  bool create = false;
  struct Merge {
    uint64_t from = 0;            // merged into `profile` and gone
    std::vector<Identifier> via;  // the event's identifiers that were held by `from`
  };
  std::vector<Merge> merges;        // ascending by `from`
  std::vector<Identifier> add;      // the event's identifiers not yet in the graph, for `profile`
  std::vector<Identifier> dropped;  // left out because of a limit (in the order dropped)
  std::string conflict;             // the type whose limit was hit, when anything was dropped
};

// `ids`: the event's normalised identifiers (duplicates ignored); empty → kInvalidArgument.
Result<Resolution> Resolve(const IdentitySettings& settings, std::vector<Identifier> ids,
                           IdentityView* view);

}  // namespace rapport
