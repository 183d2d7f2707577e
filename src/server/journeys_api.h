// JourneysApi: journeys over HTTP (docs/journeys.md, "API") — create from a JSON definition,
// list, read with the counts per step, delete. Definitions live in the control store; the
// pipeline's JourneyRunner runs them and is told to reload after every change. A definition is
// checked against what exists (trigger audience, audiences and computed traits its branches
// read, destinations, time zone) before it is saved. Thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "activate/journey_runner.h"
#include "audience/compile.h"
#include "common/clock.h"
#include "govern/control_store.h"
#include "server/http_types.h"

namespace rapport {

struct JourneysApiOptions {
  ControlStore* control = nullptr;
  JourneyRunner* runner = nullptr;
  // Which destinations exist (Purpose() is nullopt for an unknown one).
  const JourneySender* destinations = nullptr;
  Clock* clock = nullptr;
  // The saved audiences (AudiencesApi::Load) and the user's computed traits
  // (ProfilesApi::LoadDefinitions), for checking branch conditions.
  std::function<Result<std::vector<AudienceDef>>()> audiences;
  std::function<Result<std::vector<ComputedDef>>()> computed;
};

class JourneysApi {
 public:
  explicit JourneysApi(JourneysApiOptions options) : options_(std::move(options)) {}

  void List(HttpRequest& req, Responder respond);    // GET /api/v1/journeys
  void Create(HttpRequest& req, Responder respond);  // POST /api/v1/journeys
  void Get(HttpRequest& req, Responder respond);     // GET /api/v1/journeys/{name}
  void Delete(HttpRequest& req, Responder respond);  // DELETE /api/v1/journeys/{name}

  // The saved journeys as the runner reads them (ids and creation times set; invalid ones are
  // skipped and logged).
  static Result<std::vector<JourneyDef>> Load(ControlStore* control);
  // A journey that reads audience `name` (its trigger, or a branch's `in audience`), if any — so
  // that the audience is not deleted from under it.
  static Result<std::optional<std::string>> AudienceUser(ControlStore* control,
                                                         std::string_view name);

 private:
  std::string JourneyJson(const StoredJourney& stored, const JourneyDef& def) const;

  JourneysApiOptions options_;
};

}  // namespace rapport
