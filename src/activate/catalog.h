// DestinationCatalog: the destinations that exist. Definitions are saved in the control store
// (with their signing secret); each also has an outbox queue and a dispatcher lane, kept in step
// on create, on delete and at start (Load). It is what audiences and journeys send through:
// Send renders each message with the destination's template and enqueues them atomically.
// Callers check a destination's consent `purpose` (Get) before sending a profile to it.
// Thread-safe; Send and Get never touch SQLite.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "activate/destination_def.h"
#include "activate/dispatcher.h"
#include "activate/outbox.h"
#include "activate/template.h"
#include "common/clock.h"
#include "common/status.h"
#include "govern/control_store.h"

namespace rapport {

struct DestinationMessage {
  std::string idempotency_key;  // stable per message (e.g. "aud:big_spenders:p42:entered:17")
  std::string profile_key;      // order is kept per profile; "" → no order
  std::string context_json;     // the template's input: {"event":..,"profile":..,"audience":..}
  std::string flow;  // what sends it ("audience:NAME", "journey:ID"): flows take turns (outbox.h)
};

// What a test delivery enqueued.
struct TestDelivery {
  uint64_t id = 0;
  std::string idempotency_key;
  std::string body;
};

class DestinationCatalog {
 public:
  // Every pointer must outlive the catalog.
  DestinationCatalog(ControlStore* control, Outbox* outbox, Dispatcher* dispatcher, Clock* clock);

  // Loads the saved definitions (invalid ones are logged and skipped): each gets its queue and
  // lane. Queues left on disk without a definition (a delete cut short) are dropped.
  Status Load();

  // Parses `json` (see ParseDestinationDef), generates a secret when none is given, saves it and
  // starts delivering. Returns the definition with its secret (the only time it is shown).
  // kAlreadyExists for a taken name.
  Result<DestinationDef> Create(std::string_view json);
  // Stops delivering and removes the definition, its queue and its dead letters. kNotFound.
  Status Delete(std::string_view name);
  std::optional<DestinationDef> Get(std::string_view name) const;
  std::vector<DestinationDef> List() const;  // by name

  // Renders every message with the destination's template (none: the context is the body) and
  // enqueues them in one atomic write; ids of the items go to `ids` when given. kNotFound for an
  // unknown destination; a message that does not render fails the call (nothing enqueued).
  Status Send(std::string_view destination, const std::vector<DestinationMessage>& messages,
              std::vector<uint64_t>* ids = nullptr);
  // The body one context would get.
  Result<std::string> Render(std::string_view destination, std::string_view context_json) const;
  // Enqueues a sample message (a "Rapport Test" track event for a sample profile).
  Result<TestDelivery> SendTest(std::string_view destination);

 private:
  struct Entry {
    DestinationDef def;
    std::shared_ptr<const Template> tmpl;  // null without a template
  };
  Status Start(const DestinationDef& def);  // queue + lane + cache
  std::shared_ptr<const Entry> Find(std::string_view name) const;

  ControlStore* control_;
  Outbox* outbox_;
  Dispatcher* dispatcher_;
  Clock* clock_;
  std::mutex admin_mu_;  // serializes Load, Create, Delete
  mutable std::shared_mutex mu_;
  std::map<std::string, std::shared_ptr<const Entry>, std::less<>> entries_;  // GUARDED_BY(mu_)
};

}  // namespace rapport
