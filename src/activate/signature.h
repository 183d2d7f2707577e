// Webhook signatures: every request carries `X-Rapport-Timestamp: <unix seconds>` and
// `X-Rapport-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>` so a receiver can
// check that Rapport sent it, unchanged, recently (docs/destinations.md shows a receiver).
// libsodium's HMAC-SHA256 (any key length); pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace rapport {

// "v1=" + 64 lower-case hex digits.
std::string SignPayload(std::string_view secret, int64_t timestamp_s, std::string_view body);

// True when `signature_header` (one or more comma-separated "v1=HEX" values, so receivers can
// accept two secrets while rotating) holds the signature of `timestamp` + "." + `body`; compared
// in constant time. The receiver should also reject timestamps far from its own clock.
bool VerifySignature(std::string_view secret, std::string_view timestamp, std::string_view body,
                     std::string_view signature_header);

}  // namespace rapport
