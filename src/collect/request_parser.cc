#include "collect/request_parser.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <optional>

#include "collect/event_fields.h"
#include "collect/event_writer.h"
#include "common/ids.h"
#include "common/time_format.h"

namespace rapport {

using namespace collect_internal;  // NOLINT(google-build-using-namespace): this file's helpers

namespace {

constexpr std::string_view kPaths[] = {"/v1/track", "/v1/identify", "/v1/page",  "/v1/screen",
                                       "/v1/group", "/v1/alias",    "/v1/batch", "/v1/import"};
}  // namespace

Result<Endpoint> EndpointFromPath(std::string_view path) {
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  for (size_t i = 0; i < std::size(kPaths); ++i) {
    if (path == kPaths[i]) return static_cast<Endpoint>(i);
  }
  return Status::NotFound(fmt::format("unknown path \"{}\"; the tracking API accepts POST to {}",
                                      path.substr(0, 100),
                                      fmt::join(std::begin(kPaths), std::end(kPaths), ", ")));
}

std::string_view EndpointPath(Endpoint endpoint) { return kPaths[static_cast<int>(endpoint)]; }

struct RequestParser::Impl {
  explicit Impl(const CollectLimits& l)
      : limits(l), parser(std::max(l.max_batch_bytes, l.max_event_bytes)) {}

  Status ParseBatch(object body, ParsedRequest* out);
  Status ParseItem(element item, int64_t index, const BatchDefaults& batch, std::string* write_key,
                   NormalizedEvent* ev);

  CollectLimits limits;
  Endpoint endpoint = Endpoint::kTrack;
  int64_t received_at_us = 0;
  simdjson::dom::parser parser;
  std::string padded;  // the body plus SIMDJSON_PADDING
  std::string scratch;
  EventWriter writer;
};

RequestParser::RequestParser(CollectLimits limits)
    : limits_(limits), impl_(std::make_unique<Impl>(limits)) {}

RequestParser::~RequestParser() = default;

Result<ParsedRequest> RequestParser::Parse(Endpoint endpoint, std::string_view body,
                                           int64_t received_at_us) {
  const bool is_batch = endpoint == Endpoint::kBatch || endpoint == Endpoint::kImport;
  const size_t limit = is_batch ? limits_.max_batch_bytes : limits_.max_event_bytes;
  if (body.size() > limit) {
    return Status::TooLarge(fmt::format("request body is {} bytes; the limit is {} per {}",
                                        body.size(), SizeText(limit),
                                        is_batch ? "batch" : "event"));
  }
  if (body.empty()) return Status::InvalidArgument("request body is empty; send one JSON object");
  Impl& im = *impl_;
  im.endpoint = endpoint;
  im.received_at_us = received_at_us;
  im.padded.resize(body.size() + simdjson::SIMDJSON_PADDING);
  std::copy(body.begin(), body.end(), im.padded.begin());
  element root;
  if (auto err = im.parser.parse(im.padded.data(), body.size(), false).get(root)) {
    // simdjson 3.0 keeps integers exact and so refuses those beyond 64 bits: say how to send them.
    std::string_view hint = err == simdjson::NUMBER_ERROR
                                ? " (integers must fit in 64 bits; write larger numbers with an "
                                  "exponent, like 1e20)"
                                : "";
    return Status::InvalidArgument(
        fmt::format("request body is not valid JSON: {}{}", simdjson::error_message(err), hint));
  }
  object obj;
  if (root.get_object().get(obj) != simdjson::SUCCESS) {
    return Status::InvalidArgument("request body must be a JSON object");
  }
  ParsedRequest out;
  if (is_batch) {
    RETURN_IF_ERROR(im.ParseBatch(obj, &out));
  } else {
    out.events.resize(1);
    RETURN_IF_ERROR(im.ParseItem(root, -1, BatchDefaults{}, &out.write_key, &out.events[0]));
  }
  return out;
}

Status RequestParser::Impl::ParseBatch(object body, ParsedRequest* out) {
  const Where top(-1);
  std::optional<element> batch;
  std::optional<element> context, integrations, sent_at, write_key;
  for (simdjson::dom::key_value_pair kv : body) {
    auto set_first = [&](std::optional<element>* slot) {
      if (!*slot) *slot = kv.value;
    };
    if (kv.key == "batch")
      set_first(&batch);
    else if (kv.key == "context")
      set_first(&context);
    else if (kv.key == "integrations")
      set_first(&integrations);
    else if (kv.key == "sentAt")
      set_first(&sent_at);
    else if (kv.key == "writeKey")
      set_first(&write_key);
  }
  BatchDefaults defaults;
  if (context) {
    ASSIGN_OR_RETURN(defaults.context, ReadObject(*context, "context", top));
  }
  if (integrations) {
    ASSIGN_OR_RETURN(defaults.integrations, ReadObject(*integrations, "integrations", top));
  }
  if (sent_at) {
    ASSIGN_OR_RETURN(defaults.sent_at_us, ReadTime(*sent_at, true, "sentAt", top));
  }
  if (write_key && !IsNull(*write_key)) {
    std::string_view wk;
    if (write_key->get_string().get(wk) != simdjson::SUCCESS) {
      return top.Bad("writeKey", "must be a string");
    }
    out->write_key.assign(wk);
  }
  if (!batch) {
    return Status::InvalidArgument(
        fmt::format("a {} body needs \"batch\", an array of events: {{\"batch\": [{{\"type\": "
                    "\"track\", ...}}]}}",
                    EndpointPath(endpoint)));
  }
  simdjson::dom::array items;
  if (batch->get_array().get(items) != simdjson::SUCCESS) {
    return top.Bad("batch", "must be an array of events");
  }
  const size_t n = items.size();
  if (n > limits.max_batch_events) {
    return Status::TooLarge(fmt::format("the batch has {} events; the limit is {} per request", n,
                                        limits.max_batch_events));
  }
  out->events.resize(n);
  int64_t i = 0;
  for (element item : items) {
    RETURN_IF_ERROR(ParseItem(item, i, defaults, &out->write_key, &out->events[i]));
    ++i;
  }
  return Status::OK();
}

Status RequestParser::Impl::ParseItem(element item, int64_t index, const BatchDefaults& batch,
                                      std::string* write_key, NormalizedEvent* ev) {
  const Where where(index);
  object obj;
  if (item.get_object().get(obj) != simdjson::SUCCESS) {
    return where.BadItem("must be a JSON object");
  }
  ItemFields f;
  for (simdjson::dom::key_value_pair kv : obj) {
    const Field id = FieldOf(kv.key);
    if (id != kOther && !f.Has(id)) {
      f.value[id] = kv.value;
      f.present |= 1u << id;
    }
  }

  // The type: implied by the path, or the item's "type" in a batch.
  std::string_view type;
  if (f.HasValue(kType) && f.value[kType].get_string().get(type) != simdjson::SUCCESS) {
    return index < 0 ? where.Bad("type", "must be a string")
                     : where.BadItem(
                           fmt::format("\"type\" must be one of {}", fmt::join(kTypeNames, ", ")));
  }
  int type_index = -1;
  for (int t = 0; t < 6; ++t) {
    if (type == kTypeNames[t]) type_index = t;
  }
  if (index < 0) {
    const std::string_view implied = kTypeNames[static_cast<int>(endpoint)];
    if (f.HasValue(kType) && type != implied) {
      std::string msg = fmt::format("\"{}\" does not match {}, which takes \"{}\" calls",
                                    type.substr(0, 64), EndpointPath(endpoint), implied);
      if (type_index >= 0) {
        msg += fmt::format("; send it to {} or /v1/batch", kPaths[type_index]);
      }
      return where.Bad("type", msg);
    }
    type = implied;
    type_index = static_cast<int>(endpoint);
  } else if (type_index < 0) {
    return where.BadItem(fmt::format("\"type\" must be one of {}", fmt::join(kTypeNames, ", ")));
  }
  const bool alias = type_index == 5;
  ev->type.assign(type);

  // Identifiers.
  const Id user = ReadId(f.value[kUserId], f.Has(kUserId), &ev->user_id);
  if (user == Id::kBadType) return where.Bad("userId", "must be a non-empty string or a number");
  const Id anon = ReadId(f.value[kAnonymousId], f.Has(kAnonymousId), &ev->anonymous_id);
  if (anon == Id::kBadType) {
    return where.Bad("anonymousId", "must be a non-empty string or a number");
  }
  const std::string_view article = alias ? "an" : "a";
  if (user == Id::kAbsent && anon == Id::kAbsent) {
    return where.BadItem(fmt::format(
        "{} {} call needs \"userId\" or \"anonymousId\", a non-empty string or a number", article,
        type));
  }
  switch (type_index) {
    case 0: {  // track
      std::string_view name;
      if (!f.Has(kEvent) || f.value[kEvent].get_string().get(name) != simdjson::SUCCESS ||
          name.empty()) {
        return where.Bad("event", "a track call needs \"event\", a non-empty string");
      }
      break;
    }
    case 4:  // group
      if (ReadId(f.value[kGroupId], f.Has(kGroupId), &scratch) != Id::kPresent) {
        return where.Bad("groupId",
                         "a group call needs \"groupId\", a non-empty string or a number");
      }
      break;
    case 5:  // alias
      if (ReadId(f.value[kPreviousId], f.Has(kPreviousId), &scratch) != Id::kPresent) {
        return where.Bad("previousId",
                         "an alias call needs \"previousId\", a non-empty string or a number");
      }
      if (user != Id::kPresent) {
        return where.Bad("userId",
                         "an alias call needs \"userId\", a non-empty string or a number");
      }
      break;
    default:
      break;
  }
  for (Field obj_field : {kProperties, kTraits, kContext, kIntegrations}) {
    if (f.HasValue(obj_field) && !f.value[obj_field].is_object()) {
      return where.Bad(FieldName(obj_field), "must be a JSON object");
    }
  }

  // messageId.
  ev->message_id.clear();
  if (f.HasValue(kMessageId)) {
    std::string_view id;
    if (f.value[kMessageId].get_string().get(id) != simdjson::SUCCESS) {
      return where.Bad("messageId", "must be a string");
    }
    if (id.size() > limits.max_message_id_bytes) {
      return where.Bad("messageId", fmt::format("is {} bytes; the limit is {} bytes", id.size(),
                                                limits.max_message_id_bytes));
    }
    ev->message_id.assign(id);
  }
  if (ev->message_id.empty()) ev->message_id = NewUuid();

  // writeKey: kept out of the stored JSON; one request goes to one source.
  if (f.HasValue(kWriteKey)) {
    std::string_view wk;
    if (f.value[kWriteKey].get_string().get(wk) != simdjson::SUCCESS) {
      return where.Bad("writeKey", "must be a string");
    }
    if (write_key->empty()) {
      write_key->assign(wk);
    } else if (wk != *write_key) {
      return where.Bad("writeKey",
                       "differs from the request's write key; one request goes to "
                       "one source");
    }
  }

  // Times: timestamp = receivedAt - (sentAt - originalTimestamp).
  Stamps t;
  t.received_us = received_at_us;
  ASSIGN_OR_RETURN(t.original_us, ReadTime(f.value[kOriginalTimestamp], f.Has(kOriginalTimestamp),
                                           "originalTimestamp", where));
  ASSIGN_OR_RETURN(std::optional<int64_t> client_ts,
                   ReadTime(f.value[kTimestamp], f.Has(kTimestamp), "timestamp", where));
  ASSIGN_OR_RETURN(t.sent_at_us, ReadTime(f.value[kSentAt], f.Has(kSentAt), "sentAt", where));
  if (!t.original_us) t.original_us = client_ts;
  if (!t.sent_at_us) t.sent_at_us = batch.sent_at_us;
  if (t.original_us && t.sent_at_us) {
    t.timestamp_us = t.received_us - (*t.sent_at_us - *t.original_us);
  } else {
    t.timestamp_us = t.original_us.value_or(t.received_us);
  }
  ev->timestamp_us = t.timestamp_us;
  ev->received_at_us = t.received_us;

  size_t sent_bytes = 0;
  writer.Write(obj, f, batch, t, ev, &sent_bytes);
  if (index >= 0 && sent_bytes > limits.max_event_bytes) {
    return Status::TooLarge(fmt::format("batch[{}] is {} bytes; the limit is {} per event", index,
                                        sent_bytes, SizeText(limits.max_event_bytes)));
  }
  return Status::OK();
}

}  // namespace rapport
