// Router: maps METHOD + path pattern ("/api/v1/profiles/{id}") to a handler, enforces each
// route's access rule (public, write key checked by the handler, or bearer token with a role in
// the route's list), answers CORS preflights for ingest, 404/405 with clear messages, and counts
// every response by route and status. Routes are added before serving; Dispatch is thread-safe.
#pragma once

#include <array>
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "common/metrics.h"
#include "server/auth.h"
#include "server/http_types.h"

namespace rapport {

enum class Access {
  kPublic,  // no credentials (ops endpoints)
  kIngest,  // a write key, checked by the handler (it may be in the body); CORS enabled
  kToken,   // Authorization: Bearer TOKEN with one of the route's roles
};

struct Route {
  std::string method;
  std::string pattern;
  Access access = Access::kToken;
  std::vector<Role> roles;  // for kToken
  Handler handler;
};

class Router {
 public:
  Router(Authenticator* auth, Registry* metrics);
  void Add(Route route);
  // Answers GET requests no route matches whose path is outside /api/ and /v1/ (the console);
  // public. Set before serving.
  void SetFallback(Handler handler) { fallback_ = std::move(handler); }
  // The HttpServer's dispatch function.
  void Dispatch(HttpRequest& req, Responder respond);
  // Every route, for the access-control test matrix and docs.
  std::vector<const Route*> routes() const;

 private:
  struct Entry {
    Route route;
    std::vector<std::string> segments;
    std::array<std::atomic<Counter*>, 600> by_status{};  // lazily created counters
  };
  static bool Match(const Entry& e, const std::vector<std::string_view>& path,
                    std::map<std::string, std::string>* params);
  Counter* CounterFor(Entry* e, const std::string& label, unsigned status);

  Authenticator* auth_;
  Registry* metrics_;
  std::vector<std::unique_ptr<Entry>> entries_;
  Entry unmatched_;
  Entry fallback_entry_;  // counts the fallback's answers
  Handler fallback_;
};

}  // namespace rapport
