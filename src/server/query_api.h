// QueryApi: `POST /api/v1/query` — runs one analytics query (docs/queries.md) on a snapshot of
// the warehouse and answers {"kind", "took_ms", "result"} (with ?format=table: the result as a
// text table, for `rapport query`) — and `POST /api/v1/insights/{kind}`, a model's query
// (src/insight). Queries run on the API's own `workers` threads (each query itself uses every
// core), never on an HTTP thread, so ingest is never stuck behind a long query; at most
// kMaxQueued wait, beyond that the answer is 503 with Retry-After. The models read the marketing
// spend through `spend` (may be empty: no spend). Thread-safe; the destructor finishes running
// queries and answers queued ones.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "insight/roi/spend.h"
#include "server/http_types.h"
#include "warehouse/query/run.h"
#include "warehouse/store.h"

namespace rapport {

class QueryApi {
 public:
  static constexpr size_t kMaxQueued = 64;

  QueryApi(warehouse::Warehouse* warehouse, Clock* clock, insight::SpendReader spend = {},
           int workers = 2);
  ~QueryApi();
  void Query(HttpRequest& req, Responder respond);
  // `POST /api/v1/insights/{kind}` (docs/kpis.md): a model's query, the spec in the body.
  void Insight(HttpRequest& req, Responder respond);

 private:
  using Runner =
      std::function<Result<warehouse::QueryOutput>(const warehouse::Snapshot&, int64_t now_us)>;
  // Queues `run` on the workers; answers as Query does.
  void Submit(Runner run, bool table, Responder respond);
  void Work();

  warehouse::Warehouse* warehouse_;
  Clock* clock_;
  insight::SpendReader spend_;  // read by the workers; set once, before them
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;  // GUARDED_BY(mu_)
  bool stopping_ = false;                    // GUARDED_BY(mu_)
  std::vector<std::thread> workers_;
};

}  // namespace rapport
