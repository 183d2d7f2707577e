// Random identifiers: UUIDs for messageIds, secrets for write keys and API tokens, and the
// SHA-256 hex digest under which secrets are stored. Randomness comes from libsodium
// (the OS CSPRNG). Thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace rapport {

// A random RFC 4122 version-4 UUID, lower-case: "3b241101-e2bb-4255-8caf-4136c566a962".
std::string NewUuid();
// A random URL-safe secret of `bytes` random bytes, base64url without padding, after `prefix`.
std::string NewSecret(std::string_view prefix, size_t bytes = 24);
// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);

}  // namespace rapport
