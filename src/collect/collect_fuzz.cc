// libFuzzer target for the collect parsers. The first input byte picks the target: 0-7 feed the
// rest to RequestParser::Parse for that Endpoint, 8 to DecodeEnvelope. Beyond "no crash", it
// checks invariants: accepted events re-parse as JSON objects with the right type and messageId,
// hold no writeKey, are minified as simdjson minifies, and round-trip through the envelope byte
// for byte; any body that is JSON is minified by common/json_minify.h as by simdjson.
#include <simdjson.h>

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "collect/envelope.h"
#include "collect/request_parser.h"
#include "common/json_minify.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

void CheckEvent(const rapport::NormalizedEvent& e, simdjson::dom::parser& json) {
  simdjson::dom::element root;
  Check(json.parse(e.json).get(root) == simdjson::SUCCESS);
  std::string_view s;
  Check(root["type"].get_string().get(s) == simdjson::SUCCESS && s == e.type);
  Check(root["messageId"].get_string().get(s) == simdjson::SUCCESS && s == e.message_id);
  Check(root["writeKey"].error() == simdjson::NO_SUCH_FIELD);
  Check(root["receivedAt"].get_string().get(s) == simdjson::SUCCESS);
  Check(root["timestamp"].get_string().get(s) == simdjson::SUCCESS);
  // Stored minified: what simdjson's own minifier writes for it, byte for byte.
  Check(simdjson::minify(root) == e.json);

  const std::string record = rapport::EncodeEnvelope("fuzz-source", e);
  auto v = rapport::DecodeEnvelope(record);
  Check(v.ok());
  Check(v->source_id == "fuzz-source" && v->message_id == e.message_id && v->type == e.type &&
        v->user_id == e.user_id && v->anonymous_id == e.anonymous_id &&
        v->timestamp_us == e.timestamp_us && v->received_at_us == e.received_at_us &&
        v->json == e.json);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static rapport::RequestParser parser;
  static simdjson::dom::parser json;
  const uint8_t target = data[0] % 9;
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (target == 8) {
    auto v = rapport::DecodeEnvelope(body);
    if (v.ok()) {
      // Views lie inside the input, and canonical input re-encodes to itself.
      for (std::string_view part :
           {v->source_id, v->message_id, v->user_id, v->anonymous_id, v->json}) {
        Check(part.empty() || (part.data() >= body.data() &&
                               part.data() + part.size() <= body.data() + body.size()));
      }
      rapport::NormalizedEvent e;
      e.type = std::string(v->type);
      e.message_id = std::string(v->message_id);
      e.user_id = std::string(v->user_id);
      e.anonymous_id = std::string(v->anonymous_id);
      e.timestamp_us = v->timestamp_us;
      e.received_at_us = v->received_at_us;
      e.json = std::string(v->json);
      Check(rapport::EncodeEnvelope(v->source_id, e) == body);
    }
    return 0;
  }
  // The stored JSON's writer (common/json_minify.h) against simdjson's minifier, on any JSON.
  simdjson::dom::element any;
  if (json.parse(body.data(), body.size()).get(any) == simdjson::SUCCESS) {
    Check(rapport::Minified(any) == simdjson::minify(any));
  }
  auto r = parser.Parse(static_cast<rapport::Endpoint>(target), body, 1706702400000000);
  if (r.ok()) {
    for (const auto& e : r->events) CheckEvent(e, json);
  } else {
    Check(!r.status().message().empty());
  }
  return 0;
}
