// Authenticator: turns credentials into a Source (write keys, for ingest) or a Token (bearer
// tokens, for /api/v1), with a short-lived cache in front of the control store so the hot path
// does not touch SQLite. Write keys and tokens are separate namespaces: a write key never
// authenticates as a token. Thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/clock.h"
#include "govern/control_store.h"

namespace rapport {

class Authenticator {
 public:
  Authenticator(ControlStore* store, Clock* clock, int64_t cache_ttl_us = 10'000'000);

  // The write key from an `Authorization: Basic` header: base64("key:") or legacy
  // base64("key"). Empty when the header is absent; kUnauthenticated when malformed.
  static Result<std::string> WriteKeyFromBasic(std::string_view authorization);
  // The token from `Authorization: Bearer TOKEN`; kUnauthenticated when absent or malformed.
  static Result<std::string> TokenFromBearer(std::string_view authorization);

  using SourceRef = std::shared_ptr<const Source>;
  Result<SourceRef> SourceForWriteKey(std::string_view write_key);  // kUnauthenticated if unknown
  // The source an ingest request's `Authorization` header names (WriteKeyFromBasic, then
  // SourceForWriteKey); nullptr when the header is absent (the key may be in the body). A header
  // that names a source is cached by its text (up to 256 bytes), so a client's next requests
  // skip the base64 and the key look-up.
  Result<SourceRef> SourceForBasic(std::string_view authorization);
  // How many Authorization headers SourceForBasic holds (for tests).
  size_t cached_headers() {
    std::lock_guard lock(mu_);
    return basic_sources_.size();
  }
  Result<Token> TokenForSecret(std::string_view secret);  // kUnauthenticated if unknown
  // A source by its id or name, for token-authenticated routes (not cached: not a hot path).
  Result<Source> SourceByIdOrName(std::string_view id_or_name) {
    return store_->SourceByIdOrName(id_or_name);
  }

 private:
  template <typename T>
  struct Entry {
    T value;
    int64_t expires_us;
  };

  // Keys looked up by string_view without a copy.
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  template <typename T>
  using Cache = std::unordered_map<std::string, Entry<T>, Hash, std::equal_to<>>;

  // The cached answer for `secret`, else load(secret), cached for the TTL when keep(answer).
  // Errors are not cached; a kNotFound from load becomes kUnauthenticated with the message
  // `unknown`.
  template <typename T>
  static bool Always(const T&) {
    return true;
  }
  template <typename T, typename Load, typename Keep = bool (*)(const T&)>
  Result<T> Cached(Cache<T>* cache, std::string_view secret, Load load, std::string_view unknown,
                   Keep keep = &Always<T>);

  ControlStore* store_;
  Clock* clock_;
  int64_t ttl_us_;
  std::mutex mu_;
  Cache<SourceRef> sources_;        // by write key; GUARDED_BY(mu_)
  Cache<SourceRef> basic_sources_;  // by Authorization header; GUARDED_BY(mu_)
  Cache<Token> tokens_;             // GUARDED_BY(mu_)
};

}  // namespace rapport
