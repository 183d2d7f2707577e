// DestinationDef: where and how activation delivers — a webhook's URL, method, extra headers,
// payload template, signing secret, consent purpose and delivery limits — parsed strictly from
// the JSON of `POST /api/v1/destinations` and written back in one canonical form. Also parses
// webhook URLs. Pure functions, thread-safe. Field reference and limits: docs/destinations.md.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace rapport {

enum class DestinationType : uint8_t { kWebhook };
enum class WebhookMethod : uint8_t { kPost, kPut };

struct DestinationDef {
  std::string name;  // [a-z][a-z0-9_]{0,63}
  DestinationType type = DestinationType::kWebhook;
  std::string url;  // http:// or https://
  WebhookMethod method = WebhookMethod::kPost;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers, in the given order
  std::string template_text;                                 // "" → the context is the body
  std::string secret;   // HMAC key; "" only before the catalog generates one
  std::string purpose;  // consent category ("Advertising"); "" → none
  int32_t rate_limit_per_second = 100;
  int32_t concurrency = 4;
  int32_t timeout_ms = 5000;
  int32_t max_attempts = 10;
  int64_t backoff_initial_ms = 1000;
  int64_t backoff_max_ms = 600000;

  friend bool operator==(const DestinationDef&, const DestinationDef&) = default;
};

inline constexpr size_t kMaxDestinationDefBytes = 131072;
inline constexpr size_t kMaxDestinationNameChars = 64;
inline constexpr size_t kMaxUrlBytes = 2048;
inline constexpr size_t kMaxExtraHeaders = 32;
inline constexpr size_t kMaxHeaderNameBytes = 64;
inline constexpr size_t kMaxHeaderValueBytes = 2048;
inline constexpr size_t kMinSecretBytes = 16;
inline constexpr size_t kMaxSecretBytes = 256;
inline constexpr size_t kMaxPurposeBytes = 64;

// A webhook URL taken apart for the HTTP client.
struct WebhookUrl {
  bool tls = false;
  std::string host;         // name, IPv4 address, or IPv6 address without brackets
  uint16_t port = 0;        // 80 / 443 when not given
  std::string target;       // path and query, "/" at least
  std::string host_header;  // host[:port] as sent in Host
};

// Accepts http(s)://HOST[:PORT][/PATH][?QUERY]: no user info, no fragment, printable ASCII
// only, at most kMaxUrlBytes. kInvalidArgument says what is wrong (without the field name).
Result<WebhookUrl> ParseWebhookUrl(std::string_view url);

bool ValidDestinationName(std::string_view name);
std::string_view WebhookMethodName(WebhookMethod m);  // "POST", "PUT"

// Parses and validates one definition (the template is parsed too). A missing "secret" stays
// empty (the catalog generates one). kInvalidArgument names the field and the reason
// (`destination "crm": "timeout_ms" must be an integer from 100 to 120000, got 0`); kTooLarge
// over kMaxDestinationDefBytes.
Result<DestinationDef> ParseDestinationDef(std::string_view json);

// Canonical JSON, every field written (defaults too), keys in the order of the struct; "template"
// and "purpose" only when set; "secret" last and only when `with_secret`.
// ParseDestinationDef(ToJson(d, true)) == d for every parsed d with a secret.
std::string ToJson(const DestinationDef& def, bool with_secret);

}  // namespace rapport
