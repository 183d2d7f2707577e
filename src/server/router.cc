#include "server/router.h"

#include <fmt/format.h>

namespace rapport {
namespace {

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> out;
  while (!path.empty()) {
    if (path.front() == '/') {
      path.remove_prefix(1);
      continue;
    }
    size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash);
  }
  return out;
}

std::string RoleList(const std::vector<Role>& roles) {
  std::string out;
  for (Role r : roles) {
    if (!out.empty()) out += ", ";
    out += RoleName(r);
  }
  return out;
}

}  // namespace

Router::Router(Authenticator* auth, Registry* metrics) : auth_(auth), metrics_(metrics) {
  unmatched_.route.pattern = "unmatched";
  fallback_entry_.route.pattern = "console";
}

void Router::Add(Route route) {
  auto e = std::make_unique<Entry>();
  for (auto s : SplitPath(route.pattern)) e->segments.emplace_back(s);
  e->route = std::move(route);
  entries_.push_back(std::move(e));
}

std::vector<const Route*> Router::routes() const {
  std::vector<const Route*> out;
  for (const auto& e : entries_) out.push_back(&e->route);
  return out;
}

bool Router::Match(const Entry& e, const std::vector<std::string_view>& path,
                   std::map<std::string, std::string>* params) {
  if (e.segments.size() != path.size()) return false;
  for (size_t i = 0; i < path.size(); ++i) {
    const std::string& seg = e.segments[i];
    if (seg.size() > 2 && seg.front() == '{' && seg.back() == '}') {
      if (params) (*params)[seg.substr(1, seg.size() - 2)] = std::string(path[i]);
    } else if (seg != path[i]) {
      return false;
    }
  }
  return true;
}

Counter* Router::CounterFor(Entry* e, const std::string& label, unsigned status) {
  if (status >= e->by_status.size()) status = 599;
  Counter* c = e->by_status[status].load(std::memory_order_acquire);
  if (c) return c;
  c = metrics_->GetCounter("rapport_http_requests_total", "HTTP requests by route and status.",
                           {{"route", label}, {"status", std::to_string(status)}});
  e->by_status[status].store(c, std::memory_order_release);
  return c;
}

void Router::Dispatch(HttpRequest& req, Responder respond) {
  auto path = SplitPath(req.path);
  Entry* matched = nullptr;
  std::string allowed;
  bool ingest_path = false;
  for (auto& e : entries_) {
    if (!Match(*e, path, nullptr)) continue;
    ingest_path |= e->route.access == Access::kIngest;
    if (e->route.method == req.method) {
      matched = e.get();
      Match(*e, path, &req.params);
      break;
    }
    if (!allowed.empty()) allowed += ", ";
    allowed += e->route.method;
  }
  const bool fallback = !matched && allowed.empty() && fallback_ && req.method == "GET" &&
                        req.path.rfind("/api/", 0) != 0 && req.path.rfind("/v1/", 0) != 0;
  Entry* entry = matched ? matched : fallback ? &fallback_entry_ : &unmatched_;
  auto counted = [this, entry, cors = ingest_path, respond = std::move(respond)](HttpResponse r) {
    r.cors |= cors;
    CounterFor(entry, entry->route.pattern, r.status)->Inc();
    respond(std::move(r));
  };

  if (fallback) return fallback_(req, std::move(counted));
  if (!matched) {
    if (req.method == "OPTIONS" && ingest_path) {  // CORS preflight from a browser SDK
      HttpResponse r;
      r.status = 204;
      r.content_type.clear();
      r.headers = {
          {"Access-Control-Allow-Methods", "POST, OPTIONS"},
          {"Access-Control-Allow-Headers", "Content-Type, Authorization, Content-Encoding"},
          {"Access-Control-Max-Age", "86400"}};
      return counted(std::move(r));
    }
    if (!allowed.empty()) {
      HttpResponse r = HttpResponse::Error(
          405, "method_not_allowed",
          fmt::format("{} does not accept {}; use {}", req.path, req.method, allowed));
      r.headers.emplace_back("Allow", allowed);
      return counted(std::move(r));
    }
    return counted(HttpResponse::Error(
        404, "not_found", fmt::format("no such endpoint: {} {}", req.method, req.path)));
  }

  const Route& route = matched->route;
  if (route.access == Access::kToken) {
    auto secret = Authenticator::TokenFromBearer(req.Header("authorization"));
    if (!secret.ok()) return counted(HttpResponse::Error(secret.status()));
    auto token = auth_->TokenForSecret(*secret);
    if (!token.ok()) return counted(HttpResponse::Error(token.status()));
    bool allowed_role = false;
    for (Role r : route.roles) allowed_role |= r == token->role;
    if (!allowed_role) {
      return counted(HttpResponse::Error(Status::PermissionDenied(
          fmt::format("the {} role may not {} {}; allowed roles: {}", RoleName(token->role),
                      route.method, route.pattern, RoleList(route.roles)))));
    }
    req.token = std::move(*token);
  }
  route.handler(req, std::move(counted));
}

}  // namespace rapport
