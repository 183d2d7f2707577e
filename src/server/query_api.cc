#include "server/query_api.h"

#include <chrono>
#include <cstdio>

#include "insight/run.h"

namespace rapport {

QueryApi::QueryApi(warehouse::Warehouse* warehouse, Clock* clock, insight::SpendReader spend,
                   int workers)
    : warehouse_(warehouse), clock_(clock), spend_(std::move(spend)) {
  for (int i = 0; i < workers; ++i) workers_.emplace_back([this] { Work(); });
}

QueryApi::~QueryApi() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : workers_) t.join();
}

void QueryApi::Work() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    job();
  }
}

void QueryApi::Query(HttpRequest& req, Responder respond) {
  const bool table = req.Query("format").value_or("json") == "table";
  Submit(
      [this, body = std::move(req.body)](const warehouse::Snapshot& snapshot, int64_t now_us) {
        warehouse::QueryOptions options;
        options.now_us = now_us;
        return insight::RunAnyQuery(snapshot, body, options, insight::InsightInputs{spend_});
      },
      table, std::move(respond));
}

void QueryApi::Insight(HttpRequest& req, Responder respond) {
  const bool table = req.Query("format").value_or("json") == "table";
  Submit(
      [this, kind = req.params["kind"], body = std::move(req.body)](
          const warehouse::Snapshot& snapshot, int64_t now_us) {
        warehouse::QueryOptions options;
        options.now_us = now_us;
        return insight::RunInsight(snapshot, kind, body, options, insight::InsightInputs{spend_});
      },
      table, std::move(respond));
}

void QueryApi::Submit(Runner run, bool table, Responder respond) {
  auto job = [this, run = std::move(run), respond, table]() {
    const auto start = std::chrono::steady_clock::now();
    auto out = run(*warehouse_->Snapshot(), clock_->NowMicros());
    if (!out.ok()) return respond(HttpResponse::Error(out.status()));
    if (table) {
      HttpResponse r = HttpResponse::Json(200, out->table.Render());
      r.content_type = "text/plain; charset=utf-8";
      return respond(std::move(r));
    }
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    char took[32];
    std::snprintf(took, sizeof took, "%.3f", ms);
    respond(HttpResponse::Json(200, "{\"kind\":\"" + out->kind + "\",\"took_ms\":" + took +
                                        ",\"result\":" + out->json + "}"));
  };
  {
    std::lock_guard lock(mu_);
    if (!stopping_ && queue_.size() < kMaxQueued) {
      queue_.push_back(std::move(job));
      cv_.notify_one();
      return;
    }
  }
  HttpResponse busy = HttpResponse::Error(
      Status::Unavailable("too many analytics queries are waiting; try again in a second"));
  busy.headers.emplace_back("Retry-After", "1");
  respond(std::move(busy));
}

}  // namespace rapport
