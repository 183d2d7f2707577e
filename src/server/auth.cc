#include "server/auth.h"

#include <sodium.h>

namespace rapport {
namespace {

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

constexpr size_t kMaxCacheEntries = 10000;
// Longer Authorization headers are not cached by their text: anyone may send any header, and
// the cache must stay small (a write key's header is ~50 bytes).
constexpr size_t kMaxCachedHeaderBytes = 256;

}  // namespace

Authenticator::Authenticator(ControlStore* store, Clock* clock, int64_t cache_ttl_us)
    : store_(store), clock_(clock), ttl_us_(cache_ttl_us) {}

Result<std::string> Authenticator::WriteKeyFromBasic(std::string_view authorization) {
  if (authorization.empty()) return std::string();
  if (!StartsWithNoCase(authorization, "basic ")) {
    return Status::Unauthenticated(
        "the Authorization header must be \"Basic base64(WRITE_KEY:)\" for /v1 endpoints");
  }
  std::string_view b64 = Trim(authorization.substr(6));
  std::string decoded(b64.size(), '\0');
  size_t len = 0;
  if (b64.empty() || sodium_base642bin(reinterpret_cast<unsigned char*>(decoded.data()),
                                       decoded.size(), b64.data(), b64.size(), nullptr, &len,
                                       nullptr, sodium_base64_VARIANT_ORIGINAL) != 0) {
    return Status::Unauthenticated("the Basic credentials are not valid base64");
  }
  decoded.resize(len);
  size_t colon = decoded.find(':');  // "key:" or "key:password"; legacy form has no colon
  if (colon != std::string::npos) decoded.resize(colon);
  return decoded;
}

Result<std::string> Authenticator::TokenFromBearer(std::string_view authorization) {
  if (authorization.empty()) {
    return Status::Unauthenticated(
        "missing Authorization header: send \"Authorization: Bearer TOKEN\" "
        "(create a token with `rapport admin token create --role ROLE`)");
  }
  if (!StartsWithNoCase(authorization, "bearer ")) {
    return Status::Unauthenticated("the Authorization header must be \"Bearer TOKEN\"");
  }
  std::string_view token = Trim(authorization.substr(7));
  if (token.empty()) return Status::Unauthenticated("the Bearer token is empty");
  return std::string(token);
}

template <typename T, typename Load, typename Keep>
Result<T> Authenticator::Cached(Cache<T>* cache, std::string_view secret, Load load,
                                std::string_view unknown, Keep keep) {
  int64_t now = clock_->NowMicros();
  {
    std::lock_guard lock(mu_);
    auto it = cache->find(secret);
    if (it != cache->end() && it->second.expires_us > now) return it->second.value;
  }
  std::string key(secret);
  Result<T> found = load(key);
  if (!found.ok()) {
    if (found.status().code() == StatusCode::kNotFound) {
      return Status::Unauthenticated(std::string(unknown));
    }
    return found.status();
  }
  if (!keep(*found)) return found;
  std::lock_guard lock(mu_);
  if (cache->size() >= kMaxCacheEntries) cache->clear();  // bounded: a flood of keys can't grow it
  (*cache)[key] = {*found, now + ttl_us_};
  return found;
}

Result<Authenticator::SourceRef> Authenticator::SourceForWriteKey(std::string_view write_key) {
  if (write_key.empty()) {
    return Status::Unauthenticated(
        "no write key: send it as HTTP Basic username (\"Authorization: Basic "
        "base64(WRITE_KEY:)\") or as \"writeKey\" in the body");
  }
  return Cached(
      &sources_, write_key,
      [this](const std::string& k) -> Result<SourceRef> {
        auto source = store_->SourceByWriteKey(k);
        if (!source.ok()) return source.status();
        return std::make_shared<const Source>(std::move(*source));
      },
      "unknown write key: check the source's write key");
}

Result<Authenticator::SourceRef> Authenticator::SourceForBasic(std::string_view authorization) {
  if (authorization.empty()) return SourceRef();
  auto uncached = [this](std::string_view header) -> Result<SourceRef> {
    auto key = WriteKeyFromBasic(header);
    if (!key.ok()) return key.status();
    if (key->empty()) return SourceRef();  // "Basic base64(:)": the key is in the body
    return SourceForWriteKey(*key);
  };
  if (authorization.size() > kMaxCachedHeaderBytes) return uncached(authorization);
  // Only headers that name a source are kept: one without a key must not fill the cache.
  return Cached(&basic_sources_, authorization, uncached, "",
                [](const SourceRef& source) { return source != nullptr; });
}

Result<Token> Authenticator::TokenForSecret(std::string_view secret) {
  return Cached(
      &tokens_, secret, [this](const std::string& k) { return store_->TokenBySecret(k); },
      "unknown API token (write keys do not open /api/v1)");
}

}  // namespace rapport
