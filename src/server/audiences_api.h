// AudiencesApi: audiences over HTTP (docs/api.md, "Audiences") — create from the audience
// language or its JSON tree, list with status (computing, evaluating with progress, live) and
// size, read, delete, list members, and preview the size of a definition before saving it.
// Definitions live in the control store; the pipeline's audience engine keeps memberships;
// entered/exited can be synced to destinations.
// Errors in a definition answer 400 with the line and column. Thread-safe.
#pragma once

#include "activate/audience_sync.h"
#include "activate/catalog.h"
#include "audience/engine.h"
#include "common/clock.h"
#include "govern/control_store.h"
#include "profile/pipeline.h"
#include "server/http_types.h"

namespace rapport {

class AudiencesApi {
 public:
  AudiencesApi(ProfilePipeline* pipeline, AudienceEngine* engine, ControlStore* control,
               Clock* clock)
      : pipeline_(pipeline), engine_(engine), control_(control), clock_(clock) {}

  void List(HttpRequest& req, Responder respond);     // GET /api/v1/audiences
  void Create(HttpRequest& req, Responder respond);   // POST /api/v1/audiences
  void Get(HttpRequest& req, Responder respond);      // GET /api/v1/audiences/{name}
  void Delete(HttpRequest& req, Responder respond);   // DELETE /api/v1/audiences/{name}
  void Members(HttpRequest& req, Responder respond);  // GET /api/v1/audiences/{name}/members
  // GET /api/v1/audiences/{name}/history?days=N (1-400, default 90): per UTC day, oldest first,
  // the profiles that entered and exited and the size at the end of the day (worked back from
  // the size now).
  void History(HttpRequest& req, Responder respond);
  void Preview(HttpRequest& req, Responder respond);  // POST /api/v1/audiences/preview
  // PUT /api/v1/audiences/{name}/destinations {"destinations": [names]}
  void SetDestinations(HttpRequest& req, Responder respond);

  // Where audiences are synced (destinations must exist); without it the route answers 503.
  void SetSync(DestinationCatalog* catalog, AudienceSync* sync) {
    catalog_ = catalog;
    sync_ = sync;
  }

  // The saved audiences as the engine reads them (invalid ones are skipped and logged).
  static Result<std::vector<AudienceDef>> Load(ControlStore* control);
  // The audience that reads computed trait `name`, if any (so that it is not deleted).
  static Result<std::optional<std::string>> ComputedTraitUser(ControlStore* control,
                                                              std::string_view name);

 private:
  std::string AudienceJson(const StoredAudience& stored, const Node& root) const;

  ProfilePipeline* pipeline_;
  AudienceEngine* engine_;
  ControlStore* control_;
  Clock* clock_;
  DestinationCatalog* catalog_ = nullptr;
  AudienceSync* sync_ = nullptr;
};

}  // namespace rapport
