// The identifiers an event carries (Segment spec): userId, anonymousId, traits.email and
// traits.phone of identify calls, context.traits.email/phone of any call, context.externalIds[]
// of configured types, and an alias call's previousId. Values are normalised and blocked ones
// left out. Thread-compatible (no state).
#pragma once

#include <simdjson.h>

#include <vector>

#include "collect/envelope.h"
#include "identity/identifier.h"
#include "identity/resolver.h"

namespace rapport {

struct ExtractedIds {
  std::vector<Identifier> ids;  // in event order, unique
  int unknown_types = 0;        // externalIds whose type is not configured (ignored)
  int blocked = 0;              // values left out as blocked or malformed
};

// `event` is the stored JSON of `envelope`. An alias's previousId is a user_id when the graph
// (`view`) has that user_id, else an anonymous_id.
Result<ExtractedIds> ExtractIdentifiers(const IdentitySettings& settings,
                                        const EnvelopeView& envelope, simdjson::dom::element event,
                                        IdentityView* view);

}  // namespace rapport
