#include "warehouse/event_row.h"

#include <algorithm>
#include <cmath>

#include "common/json_minify.h"

namespace rapport::warehouse {

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

class Flattener {
 public:
  Flattener(Row* row, size_t* dropped) : row_(row), dropped_(dropped) {}

  void Walk(element e, std::string* path, int depth) {
    switch (e.type()) {
      case element_type::OBJECT: {
        if (depth >= kMaxPathDepth) return Put(*path, Value::Json(Minified(e)));
        const size_t keep = path->size();
        simdjson::dom::object obj;
        if (e.get_object().get(obj) != simdjson::SUCCESS) return;
        for (auto field : obj) {
          path->append(".").append(field.key);
          Walk(field.value, path, depth + 1);
          path->resize(keep);
        }
        return;
      }
      case element_type::ARRAY:
        return Put(*path, Value::Json(Minified(e)));
      case element_type::STRING:
        return Put(*path, Value::String(std::string(e.get_string().value_unsafe())));
      case element_type::INT64:
        return Put(*path, Value::Number(static_cast<double>(e.get_int64().value_unsafe())));
      case element_type::UINT64:
        return Put(*path, Value::Number(static_cast<double>(e.get_uint64().value_unsafe())));
      case element_type::DOUBLE: {
        const double x = e.get_double().value_unsafe();
        return Put(*path, std::isfinite(x) ? Value::Number(x == 0 ? 0.0 : x) : Value::Null());
      }
      case element_type::BOOL:
        return Put(*path, Value::Bool(e.get_bool().value_unsafe()));
      case element_type::NULL_VALUE:
        return Put(*path, Value::Null());
    }
  }

  void Put(const std::string& path, Value v) {
    if (row_->props.size() >= kMaxRowPaths) {
      if (dropped_) ++*dropped_;
      return;
    }
    row_->props.emplace_back(path, std::move(v));
  }

 private:
  Row* row_;
  size_t* dropped_;
};

}  // namespace

Row EventRow(const EnvelopeView& envelope, element doc, int64_t append_time_us, uint64_t profile,
             size_t* dropped) {
  Row row;
  row.ts = envelope.timestamp_us;
  row.seq = static_cast<uint64_t>(append_time_us);
  row.profile = profile;
  row.type = EventTypeFromName(envelope.type).value_or(EventType::kTrack);
  std::string_view name;
  if (row.type == EventType::kTrack) {
    if (doc["event"].get_string().get(name) == simdjson::SUCCESS) row.event = std::string(name);
  } else if (row.type == EventType::kPage || row.type == EventType::kScreen) {
    if (doc["name"].get_string().get(name) == simdjson::SUCCESS) row.event = std::string(name);
  }
  Flattener flat(&row, dropped);
  if (!envelope.user_id.empty()) flat.Put("userId", Value::String(std::string(envelope.user_id)));
  if (!envelope.anonymous_id.empty()) {
    flat.Put("anonymousId", Value::String(std::string(envelope.anonymous_id)));
  }
  if (!envelope.message_id.empty()) {
    flat.Put("messageId", Value::String(std::string(envelope.message_id)));
  }
  for (std::string_view root : {"properties", "traits", "context"}) {
    if (root == "traits" && row.type != EventType::kIdentify && row.type != EventType::kGroup) {
      continue;
    }
    element e;
    if (doc[root].get(e) != simdjson::SUCCESS || e.type() != element_type::OBJECT) continue;
    std::string path(root);
    flat.Walk(e, &path, 1);
  }
  // Paths are unique: a JSON object with a repeated key keeps its first value.
  std::stable_sort(row.props.begin(), row.props.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  row.props.erase(std::unique(row.props.begin(), row.props.end(),
                              [](const auto& a, const auto& b) { return a.first == b.first; }),
                  row.props.end());
  return row;
}

}  // namespace rapport::warehouse
