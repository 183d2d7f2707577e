// InsightsApi: `POST /api/v1/insights/{clv,rfm}/apply` (docs/kpis.md, "Scores on profiles") —
// runs the model on the warehouse as the query does, then writes each scored customer's scores
// to their profile as traits (p_alive, churn_risk, predicted_clv_12m, …; rfm_segment, …), where
// audiences can use them. The scores go in as identify calls of the
// reserved source "rapport-insight" (created on first use) through the same durable path as
// any event, so profiles stay a function of the event log and a replay gives the same traits.
// One run at a time (409 while one is writing); it runs on its own thread and answers when every
// identify call is durable: {"profiles", "skipped", "traits", "took_ms"}. Thread-safe; the
// destructor waits for a running apply.
#pragma once

#include <mutex>
#include <string>
#include <thread>

#include "common/clock.h"
#include "govern/control_store.h"
#include "profile/state_store.h"
#include "server/http_types.h"
#include "server/ingest.h"
#include "warehouse/store.h"

namespace rapport {

class InsightsApi {
 public:
  static constexpr char kSourceName[] = "rapport-insight";

  InsightsApi(warehouse::Warehouse* warehouse, const StateStore* state, ControlStore* control,
              IngestService* ingest, Clock* clock);
  ~InsightsApi();

  void Apply(HttpRequest& req, Responder respond);  // POST /api/v1/insights/{kind}/apply

 private:
  Result<std::string> Run(const std::string& kind, const std::string& body);

  warehouse::Warehouse* warehouse_;
  const StateStore* state_;
  ControlStore* control_;
  IngestService* ingest_;
  Clock* clock_;
  std::mutex mu_;
  bool running_ = false;  // GUARDED_BY(mu_)
  std::thread thread_;    // GUARDED_BY(mu_): the last run, joined before the next one starts
};

}  // namespace rapport
