#include "activate/signature.h"

#include <sodium.h>

#include <cstdlib>

namespace rapport {
namespace {

std::string Hmac(std::string_view secret, std::string_view timestamp, std::string_view body) {
  static const int init = sodium_init();
  if (init < 0) std::abort();  // no safe way on without libsodium
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(secret.data()),
                              secret.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(timestamp.data()),
                                timestamp.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>("."), 1);
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(body.data()),
                                body.size());
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_final(&state, mac);
  char hex[crypto_auth_hmacsha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
  return std::string(hex, crypto_auth_hmacsha256_BYTES * 2);
}

}  // namespace

std::string SignPayload(std::string_view secret, int64_t timestamp_s, std::string_view body) {
  return "v1=" + Hmac(secret, std::to_string(timestamp_s), body);
}

bool VerifySignature(std::string_view secret, std::string_view timestamp, std::string_view body,
                     std::string_view signature_header) {
  const std::string expected = Hmac(secret, timestamp, body);
  bool ok = false;
  while (!signature_header.empty()) {
    size_t comma = signature_header.find(',');
    std::string_view one = signature_header.substr(0, comma);
    signature_header = comma == std::string_view::npos ? "" : signature_header.substr(comma + 1);
    while (!one.empty() && one.front() == ' ') one.remove_prefix(1);
    while (!one.empty() && one.back() == ' ') one.remove_suffix(1);
    if (!one.starts_with("v1=") || one.size() != 3 + expected.size()) continue;
    ok |= sodium_memcmp(one.data() + 3, expected.data(), expected.size()) == 0;
  }
  return ok;
}

}  // namespace rapport
