#include "insight/attribution_query.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "common/json_writer.h"
#include "insight/attribution/compare.h"
#include "insight/journeys.h"
#include "insight/spec_util.h"
#include "warehouse/query/parallel.h"

namespace rapport::insight {

using simdjson::dom::object;
using warehouse::FormatNumber;

Result<warehouse::QueryOutput> RunAttributionQuery(const warehouse::Snapshot& snapshot, object spec,
                                                   const warehouse::QueryOptions& options) {
  std::vector<std::string_view> fields(std::begin(kJourneySpecFields),
                                       std::end(kJourneySpecFields));
  fields.push_back("kind");
  RETURN_IF_ERROR(warehouse::RejectUnknown(spec, fields, "the query"));
  ASSIGN_OR_RETURN(const JourneySpec journey, ParseJourneySpec(spec));
  AttributionSettings settings = journey.settings;
  const int threads = options.threads > 0 ? options.threads : warehouse::DefaultQueryThreads();
  ASSIGN_OR_RETURN(const JourneyData data, ReadJourneys(snapshot, journey, threads));
  std::vector<ConversionPath> converting, journeys;
  BuildPaths(
      data, journey, [](const JourneyData::Touch& t) { return t.channel; }, &converting, &journeys);
  settings.threads = threads;
  ASSIGN_OR_RETURN(PreparedPaths prepared, PreparePaths(converting, journeys, settings));
  ASSIGN_OR_RETURN(AttributionTable table, CompareModels(prepared, settings));

  warehouse::QueryOutput out;
  out.kind = "attribution";
  std::string& j = out.json;
  j = "{\"conversions\":";
  AppendNumber(&j, table.total_conversions);
  j += ",\"value\":";
  AppendNumber(&j, table.total_value);
  j += ",\"no_touch_conversions\":" + std::to_string(prepared.no_touch_conversions) +
       ",\"journeys\":" + std::to_string(journeys.size()) + ",\"models\":[";
  for (size_t m = 0; m < table.models.size(); ++m) {
    if (m) j += ',';
    AppendJsonString(&j, table.models[m]);
  }
  j += "],\"channels\":[";
  out.table.columns = {"channel"};
  for (const std::string& m : table.models) out.table.columns.push_back(m);
  for (size_t c = 0; c < table.channels.size(); ++c) {
    j += c ? ",{\"channel\":" : "{\"channel\":";
    AppendJsonString(&j, table.channels[c]);
    for (const char* what : {"conversions", "value"}) {
      const auto& cells =
          std::string_view(what) == "conversions" ? table.conversions[c] : table.value[c];
      j += std::string(",\"") + what + "\":{";
      for (size_t m = 0; m < table.models.size(); ++m) {
        if (m) j += ',';
        AppendJsonString(&j, table.models[m]);
        j += ':';
        AppendNumber(&j, cells[m]);
      }
      j += '}';
    }
    j += '}';
    std::vector<std::string> row = {table.channels[c]};
    for (double x : table.conversions[c]) row.push_back(FormatNumber(x));
    out.table.rows.push_back(std::move(row));
  }
  j += "]}";
  return out;
}

}  // namespace rapport::insight
