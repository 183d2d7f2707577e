#include "common/json_describe.h"

#include "common/json_writer.h"

namespace rapport {

std::string DescribeJson(simdjson::dom::element e) {
  using simdjson::dom::element_type;
  constexpr size_t kMaxShown = 64;
  switch (e.type()) {
    case element_type::OBJECT:
      return "an object";
    case element_type::ARRAY:
      return "an array";
    case element_type::NULL_VALUE:
      return "null";
    case element_type::BOOL:
      return e.get_bool().value_unsafe() ? "true" : "false";
    case element_type::STRING: {
      std::string_view s = e.get_string().value_unsafe();
      size_t n = std::min(s.size(), kMaxShown);
      if (n < s.size()) {
        while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
      }
      return JsonString(s.substr(0, n)) + (n < s.size() ? "..." : "");
    }
    default:
      return simdjson::minify(e);
  }
}

}  // namespace rapport
