// AdminApi: sources, tokens and "who am I" under /api/v1 — the same operations as
// `rapport admin …`, for the console. Secrets (write keys, tokens) appear only in the response
// that creates them. Thread-safe.
#pragma once

#include "common/clock.h"
#include "govern/control_store.h"
#include "server/http_types.h"

namespace rapport {

class AdminApi {
 public:
  AdminApi(ControlStore* control, Clock* clock) : control_(control), clock_(clock) {}
  void ListSources(HttpRequest& req, Responder respond);
  void CreateSource(HttpRequest& req, Responder respond);
  void ListTokens(HttpRequest& req, Responder respond);
  void CreateToken(HttpRequest& req, Responder respond);
  void WhoAmI(HttpRequest& req, Responder respond);

 private:
  ControlStore* control_;
  Clock* clock_;
};

}  // namespace rapport
