// DestinationsApi: destinations over HTTP (docs/destinations.md, "API") — create (the signing
// secret is shown in that answer only), list and read with health (queue, in flight, delivered,
// failures, dead letters, latency percentiles, up/down), delete, send a test payload, and list,
// replay or delete dead letters. Header values of a definition are masked when read back.
// Errors are JSON {"error","message"} like every API. Thread-safe.
#pragma once

#include "activate/catalog.h"
#include "activate/dispatcher.h"
#include "activate/outbox.h"
#include "common/clock.h"
#include "server/http_types.h"

namespace rapport {

class DestinationsApi {
 public:
  DestinationsApi(DestinationCatalog* catalog, Outbox* outbox, Dispatcher* dispatcher, Clock* clock)
      : catalog_(catalog), outbox_(outbox), dispatcher_(dispatcher), clock_(clock) {}

  void List(HttpRequest& req, Responder respond);         // GET /api/v1/destinations
  void Create(HttpRequest& req, Responder respond);       // POST /api/v1/destinations
  void Get(HttpRequest& req, Responder respond);          // GET /api/v1/destinations/{name}
  void Delete(HttpRequest& req, Responder respond);       // DELETE /api/v1/destinations/{name}
  void Test(HttpRequest& req, Responder respond);         // POST .../{name}/test
  void DeadLetters(HttpRequest& req, Responder respond);  // GET .../{name}/dead-letters
  void Replay(HttpRequest& req, Responder respond);       // POST .../{name}/dead-letters/replay
  void DeleteDeadLetter(HttpRequest& req, Responder respond);  // DELETE .../dead-letters/{id}

 private:
  // {"definition": {...}, "health": {...}}; header values masked unless `reveal`.
  std::string DestinationJson(const DestinationDef& def, bool reveal) const;
  std::string HealthJson(const std::string& name) const;

  DestinationCatalog* catalog_;
  Outbox* outbox_;
  Dispatcher* dispatcher_;
  Clock* clock_;
};

}  // namespace rapport
