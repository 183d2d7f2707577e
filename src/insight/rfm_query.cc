#include "insight/rfm_query.h"

#include <array>

#include "common/json_writer.h"
#include "common/time_format.h"
#include "insight/spec_util.h"

namespace rapport::insight {

using simdjson::dom::object;

Result<RfmRun> FitRfm(const warehouse::Snapshot& snapshot, object spec,
                      const warehouse::QueryOptions& options) {
  RETURN_IF_ERROR(
      warehouse::RejectUnknown(spec, {"kind", "purchase", "revenue", "as_of"}, "the query"));
  ASSIGN_OR_RETURN(PurchaseSource source, ParsePurchaseSource(spec));
  RfmRun run;
  ASSIGN_OR_RETURN(run.as_of_us, ParseTime(spec, "as_of", options.now_us));
  source.until_us = run.as_of_us;
  ASSIGN_OR_RETURN(PurchaseRead read, ReadPurchases(snapshot, source, options.threads));
  run.customers = ScoreRfm(read.purchases, LastDay(run.as_of_us));
  if (run.customers.empty()) {
    return Status::InvalidArgument("no purchases before \"as_of\" match \"purchase\"");
  }
  return run;
}

std::string RfmTraitsJson(const RfmRun& run, size_t i) {
  const RfmCustomer& c = run.customers[i];
  std::string j = "{\"rfm_recency\":" + std::to_string(c.r) +
                  ",\"rfm_frequency\":" + std::to_string(c.f) +
                  ",\"rfm_monetary\":" + std::to_string(c.m) + ",\"rfm_segment\":";
  AppendJsonString(&j, RfmSegmentName(c.segment));
  j += '}';
  return j;
}

Result<warehouse::QueryOutput> RunRfmQuery(const warehouse::Snapshot& snapshot, object spec,
                                           const warehouse::QueryOptions& options) {
  ASSIGN_OR_RETURN(const RfmRun run, FitRfm(snapshot, spec, options));
  struct Totals {
    double customers = 0, recency = 0, frequency = 0, monetary = 0;
  };
  std::array<Totals, kRfmSegments> segments{};
  std::array<std::array<double, 5>, 5> grid{};  // [5 − r][f − 1]
  for (const RfmCustomer& c : run.customers) {
    Totals& t = segments[static_cast<size_t>(c.segment)];
    t.customers += 1;
    t.recency += static_cast<double>(c.recency_days);
    t.frequency += c.frequency;
    t.monetary += c.monetary;
    grid[static_cast<size_t>(5 - c.r)][static_cast<size_t>(c.f - 1)] += 1;
  }
  const auto n = static_cast<double>(run.customers.size());
  warehouse::QueryOutput out;
  out.kind = "rfm";
  std::string& j = out.json;
  j = "{\"customers\":" + std::to_string(run.customers.size()) + ",\"as_of\":";
  AppendJsonString(&j, FormatIso8601(run.as_of_us));
  j += ",\"segments\":[";
  out.table.columns = {"segment", "customers", "share", "days since last", "purchases", "spend"};
  for (int s = 0; s < kRfmSegments; ++s) {
    const Totals& t = segments[static_cast<size_t>(s)];
    const std::string_view name = RfmSegmentName(static_cast<RfmSegment>(s));
    const double per = t.customers > 0 ? 1 / t.customers : 0;
    j += s ? ",{\"segment\":" : "{\"segment\":";
    AppendJsonString(&j, name);
    j += ",\"customers\":";
    AppendNumber(&j, t.customers);
    j += ",\"share\":";
    AppendNumber(&j, t.customers / n);
    j += ",\"recency_days\":";
    AppendNumber(&j, t.recency * per);
    j += ",\"frequency\":";
    AppendNumber(&j, t.frequency * per);
    j += ",\"monetary\":";
    AppendNumber(&j, t.monetary * per);
    j += '}';
    out.table.rows.push_back({std::string(name), warehouse::FormatNumber(t.customers),
                              warehouse::FormatNumber(100 * t.customers / n) + "%",
                              warehouse::FormatNumber(t.recency * per),
                              warehouse::FormatNumber(t.frequency * per),
                              warehouse::FormatNumber(t.monetary * per)});
  }
  j += "],\"grid\":[";
  for (size_t r = 0; r < 5; ++r) {
    j += r ? ",[" : "[";
    for (size_t f = 0; f < 5; ++f) {
      if (f) j += ',';
      AppendNumber(&j, grid[r][f]);
    }
    j += ']';
  }
  j += "]}";
  return out;
}

}  // namespace rapport::insight
