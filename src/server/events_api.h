// EventsApi: reads stored events back from the log, newest first, for the console's debugger:
// GET /api/v1/events (pages with an opaque cursor) and GET /api/v1/events/stream (live, SSE).
// "Newest first" is the order events were made durable. Thread-safe; reads never block writes.
#pragma once

#include <string>
#include <vector>

#include "govern/control_store.h"
#include "log/event_log.h"
#include "server/event_hub.h"
#include "server/http_types.h"

namespace rapport {

struct EventPage {
  std::vector<std::string> events;  // stored JSON, newest first
  std::string next;                 // cursor for the following page; "" at the end
};

// Cursor "c1.<b0>.<b1>...": per partition, the offset below which the next page starts.
Result<std::vector<uint64_t>> ParseEventCursor(std::string_view cursor, int partitions);

// One page of at most `limit` events, optionally of one source, starting below `bounds`
// (empty: from the newest).
Result<EventPage> ReadEventPage(const EventLog& log, std::string_view source_id, size_t limit,
                                std::vector<uint64_t> bounds);

class EventsApi {
 public:
  EventsApi(EventLog* log, ControlStore* control, EventHub* hub)
      : log_(log), control_(control), hub_(hub) {}
  void List(HttpRequest& req, Responder respond);
  void Stream(HttpRequest& req, Responder respond);

 private:
  // The source id for the `source` query parameter ("" when absent).
  Result<std::string> SourceFilter(const HttpRequest& req);

  EventLog* log_;
  ControlStore* control_;
  EventHub* hub_;
};

}  // namespace rapport
