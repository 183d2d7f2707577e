#include "insight/spec_util.h"

#include <cmath>
#include <cstdio>

#include "common/time_format.h"
#include "warehouse/query/common.h"
#include "warehouse/row.h"

namespace rapport::insight {

using simdjson::dom::element;
using simdjson::dom::object;

namespace {
constexpr int64_t kDayUs = 86'400'000'000;
}  // namespace

Result<int64_t> ParseTime(object spec, std::string_view field, int64_t fallback) {
  element e;
  if (spec.at_key(field).get(e) != simdjson::SUCCESS) return fallback;
  std::string_view text;
  if (e.get_string().get(text) != simdjson::SUCCESS) {
    return Status::InvalidArgument("\"" + std::string(field) +
                                   "\" must be an ISO-8601 time string");
  }
  auto t = ParseIso8601(text);
  if (!t.ok())
    return Status::InvalidArgument("\"" + std::string(field) + "\": " + t.status().message());
  return *t;
}

Result<PurchaseSource> ParsePurchaseSource(object spec, std::string_view filter_field) {
  PurchaseSource out;
  element e;
  if (spec.at_key(filter_field).get(e) == simdjson::SUCCESS) {
    ASSIGN_OR_RETURN(out.filter, warehouse::ParseEventFilter(e, filter_field));
  } else {
    out.filter.event = "Order Completed";
  }
  if (spec.at_key("revenue").get(e) == simdjson::SUCCESS) {
    std::string_view path;
    if (e.get_string().get(path) != simdjson::SUCCESS || path.empty() || path.size() > 256) {
      return Status::InvalidArgument(
          "\"revenue\" must be a property path such as \"properties.revenue\"");
    }
    out.revenue_path = std::string(path);
  }
  return out;
}

// The last day an instant's exclusive end leaves in: [.., end) ends on day(end − 1 µs).
int64_t LastDay(int64_t end_us) { return warehouse::DayOf(end_us - 1); }

void AppendNumber(std::string* out, double x) {
  if (!std::isfinite(x)) {
    out->append("null");
    return;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", x);
  out->append(buf);
}

}  // namespace rapport::insight
