#include "common/json_minify.h"

#include <charconv>

#include "common/json_writer.h"

namespace rapport {

void AppendMinified(simdjson::dom::object o, std::string* out) {
  out->push_back('{');
  bool first = true;
  for (simdjson::dom::key_value_pair kv : o) {
    if (!first) out->push_back(',');
    first = false;
    AppendJsonString(out, kv.key);
    out->push_back(':');
    AppendMinified(kv.value, out);
  }
  out->push_back('}');
}

void AppendMinified(simdjson::dom::array a, std::string* out) {
  out->push_back('[');
  bool first = true;
  for (simdjson::dom::element e : a) {
    if (!first) out->push_back(',');
    first = false;
    AppendMinified(e, out);
  }
  out->push_back(']');
}

void AppendMinified(simdjson::dom::element e, std::string* out) {
  char buf[32];
  switch (e.type()) {
    case simdjson::dom::element_type::OBJECT:
      return AppendMinified(e.get_object().value_unsafe(), out);
    case simdjson::dom::element_type::ARRAY:
      return AppendMinified(e.get_array().value_unsafe(), out);
    case simdjson::dom::element_type::STRING:
      return AppendJsonString(out, e.get_string().value_unsafe());
    case simdjson::dom::element_type::INT64: {
      auto r = std::to_chars(buf, buf + sizeof buf, e.get_int64().value_unsafe());
      out->append(buf, r.ptr);
      return;
    }
    case simdjson::dom::element_type::UINT64: {
      auto r = std::to_chars(buf, buf + sizeof buf, e.get_uint64().value_unsafe());
      out->append(buf, r.ptr);
      return;
    }
    case simdjson::dom::element_type::DOUBLE: {
      // simdjson's own formatting (grisu2, "1.0" for integral values, "1e+21" style exponents),
      // so that the bytes are the ones simdjson::minify writes.
      char* end = simdjson::internal::to_chars(buf, nullptr, e.get_double().value_unsafe());
      out->append(buf, end);
      return;
    }
    case simdjson::dom::element_type::BOOL:
      out->append(e.get_bool().value_unsafe() ? "true" : "false");
      return;
    case simdjson::dom::element_type::NULL_VALUE:
      out->append("null");
      return;
  }
}

std::string Minified(simdjson::dom::element e) {
  std::string out;
  AppendMinified(e, &out);
  return out;
}

}  // namespace rapport
