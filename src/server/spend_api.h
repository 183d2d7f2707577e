// SpendApi: `POST|GET|DELETE /api/v1/spend` — the marketing spend per day, channel and campaign
// that the "roi" insight reads (docs/api.md, "Spend"). POST stores a CSV, JSON or JSON Lines
// upload all or nothing (import/spend_parse.h), upserting by (day, channel, campaign); GET lists
// a day range with totals per channel (at most kMaxListedRows rows); DELETE removes a range and
// needs both ends. Thread-safe (the control store is); handlers answer on the calling thread.
#pragma once

#include <cstddef>

#include "govern/control_store.h"
#include "insight/roi/spend.h"
#include "server/http_types.h"

namespace rapport {

class SpendApi {
 public:
  static constexpr size_t kMaxListedRows = 100'000;

  explicit SpendApi(ControlStore* control) : control_(control) {}
  void Import(HttpRequest& req, Responder respond);
  void List(HttpRequest& req, Responder respond);
  void Delete(HttpRequest& req, Responder respond);

 private:
  ControlStore* control_;
};

// What the models read (insight::InsightInputs::spend): the stored spend of a day range.
insight::SpendReader MakeSpendReader(ControlStore* control);

}  // namespace rapport
