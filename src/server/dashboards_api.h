// DashboardsApi: `GET|POST /api/v1/dashboards`, `GET|PUT|DELETE /api/v1/dashboards/{id}` —
// saved analytics dashboards for the console (docs/api.md, "Dashboards"). A dashboard is a
// unique name and up to kMaxTiles tiles; a tile is a title, the body of a POST /api/v1/query
// (an object with a "kind") and optional free-form view settings for the client. Bodies are
// validated field by field and stored minified; the answers are {"id","name","tiles",
// "createdAt","updatedAt"}. Thread-safe (the control store is); handlers answer on the caller.
#pragma once

#include <cstddef>

#include "common/clock.h"
#include "govern/control_store.h"
#include "server/http_types.h"

namespace rapport {

class DashboardsApi {
 public:
  static constexpr size_t kMaxNameChars = 100;
  static constexpr size_t kMaxTiles = 24;
  static constexpr size_t kMaxTitleChars = 200;
  static constexpr size_t kMaxQueryBytes = 16 * 1024;  // the tile's query, minified
  static constexpr size_t kMaxViewBytes = 4 * 1024;    // the tile's view, minified

  DashboardsApi(ControlStore* control, Clock* clock) : control_(control), clock_(clock) {}
  void List(HttpRequest& req, Responder respond);
  void Create(HttpRequest& req, Responder respond);
  void Get(HttpRequest& req, Responder respond);
  void Update(HttpRequest& req, Responder respond);
  void Delete(HttpRequest& req, Responder respond);

 private:
  ControlStore* control_;
  Clock* clock_;
};

}  // namespace rapport
