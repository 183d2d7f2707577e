// ProfilesApi: the unified profiles over HTTP (docs/api.md, "Profiles") — look a profile up by
// any identifier or id, read its timeline, read accounts, and manage computed-trait definitions
// (saved in the control store; the pipeline computes new ones over history in the background).
// Reads go to the pipeline's state store and never block ingest. Thread-safe.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "common/clock.h"
#include "govern/control_store.h"
#include "profile/pipeline.h"
#include "server/http_types.h"
#include "server/profile_journeys.h"

namespace rapport {

class ProfilesApi {
 public:
  // How GET /api/v1/profiles/stats counts: every profile up to `exact_ids` profile ids, else
  // `samples` runs of `run` profiles; an answer is reused for `max_age_us`.
  struct StatsSampling {
    uint64_t exact_ids = 250'000;
    uint64_t samples = 20;
    uint64_t run = 5'000;
    int64_t max_age_us = 30'000'000;
  };

  ProfilesApi(ProfilePipeline* pipeline, ControlStore* control, Clock* clock)
      : pipeline_(pipeline), control_(control), clock_(clock) {}

  void Lookup(HttpRequest& req, Responder respond);  // GET /api/v1/profiles?identifier=T:V
  void Get(HttpRequest& req, Responder respond);     // GET /api/v1/profiles/{id}
  void Events(HttpRequest& req, Responder respond);  // GET /api/v1/profiles/{id}/events
  // GET /api/v1/profiles/stats: {"profiles","identified","estimate","computedAt"} — live
  // profiles, and those holding a user_id or an email; exact or estimated (StatsSampling).
  void Stats(HttpRequest& req, Responder respond);
  void SetStatsSampling(StatsSampling sampling) { sampling_ = sampling; }
  void GetAccount(HttpRequest& req, Responder respond);      // GET /api/v1/accounts/{id}
  void ListComputed(HttpRequest& req, Responder respond);    // GET /api/v1/computed-traits
  void CreateComputed(HttpRequest& req, Responder respond);  // POST /api/v1/computed-traits
  void DeleteComputed(HttpRequest& req, Responder respond);  // DELETE .../{name}

  // Which audience reads a computed trait (such a trait is not deleted); may stay unset.
  void SetComputedTraitUser(
      std::function<Result<std::optional<std::string>>(std::string_view)> user) {
    computed_user_ = std::move(user);
  }
  // Where profiles' audience memberships get their names (may stay unset).
  void SetAudienceNames(std::function<std::map<uint64_t, std::string>()> names) {
    audience_names_ = std::move(names);
  }

  // The journeys by id with their step names, for the profile view's "journeys" (may stay unset).
  void SetJourneyNames(std::function<std::map<uint64_t, JourneyNames>()> names) {
    journey_names_ = std::move(names);
  }

  // The definitions saved in `control`, for the pipeline (invalid ones are skipped and logged).
  static Result<std::vector<ComputedDef>> LoadDefinitions(ControlStore* control);

 private:
  // The live profile for the {id} path parameter (kNotFound / kInvalidArgument otherwise).
  Result<ProfileRecord> ProfileFor(const std::string& id_text);
  std::vector<ComputedDef> Defs() const;
  std::map<uint64_t, std::string> AudienceNames() const;
  // The 360° view: ProfileJson plus "journeys".
  std::string ProfileView(const ProfileRecord& record) const;

  ProfilePipeline* pipeline_;
  ControlStore* control_;
  Clock* clock_;
  std::function<std::map<uint64_t, std::string>()> audience_names_;
  std::function<std::map<uint64_t, JourneyNames>()> journey_names_;
  std::function<Result<std::optional<std::string>>(std::string_view)> computed_user_;
  StatsSampling sampling_;
  std::mutex stats_mu_;  // held while a scan runs: concurrent callers wait for its answer
  int64_t stats_at_us_ = 0;
  std::string stats_json_;
};

}  // namespace rapport
