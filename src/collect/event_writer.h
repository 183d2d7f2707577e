// Internal to collect: writes the stored JSON of one event (see README.md, "Stored JSON") from
// its parsed simdjson object. Owns reusable buffers: one per RequestParser, not thread-safe.
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>
#include <vector>

#include "collect/event_fields.h"
#include "collect/request_parser.h"
#include "common/json_minify.h"

namespace rapport::collect_internal {

class EventWriter {
 public:
  // Sets `ev->json`. `ev->type` and `ev->message_id` must be set. `sent_bytes` gets the size of
  // the item as the client sent it, minified (the per-event limit applies to that).
  void Write(object item, const ItemFields& f, const BatchDefaults& batch, const Stamps& t,
             NormalizedEvent* ev, size_t* sent_bytes);

 private:
  // The size of `v` as minified JSON.
  size_t ValueSize(element v) {
    scratch_.clear();
    AppendMinified(v, &scratch_);
    return scratch_.size();
  }
  // `item`'s fields, then `batch`'s fields whose keys `item` lacks.
  void AppendMerged(object item, object batch, std::string* out);

  std::string scratch_;
  std::vector<std::string_view> keys_;
  size_t last_size_ = 0;  // of the previous event: what the next one reserves
};

}  // namespace rapport::collect_internal
