#include "warehouse/query/run.h"

#include <simdjson.h>

#include "warehouse/query/discovery.h"
#include "warehouse/query/funnel.h"
#include "warehouse/query/paths.h"
#include "warehouse/query/retention.h"
#include "warehouse/query/trends.h"

namespace rapport::warehouse {

namespace {

// Parse → run → render, for one kind's four functions.
template <typename Parse, typename Run, typename Json, typename MakeTable>
Result<QueryOutput> Execute(std::string_view kind, simdjson::dom::object spec,
                            const Snapshot& snapshot, const QueryOptions& options, Parse parse,
                            Run run, Json json, MakeTable make_table) {
  ASSIGN_OR_RETURN(auto parsed, parse(spec));
  ASSIGN_OR_RETURN(auto result, run(snapshot, parsed, options));
  QueryOutput out;
  out.kind = std::string(kind);
  json(result, snapshot, &out.json);
  out.table = make_table(result);
  return out;
}

}  // namespace

Result<QueryOutput> RunQuery(const Snapshot& snapshot, std::string_view text,
                             const QueryOptions& options) {
  if (text.size() > kMaxQuerySpecBytes) {
    return Status::TooLarge("the query spec is over 256 KB");
  }
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto error = parser.parse(text.data(), text.size()).get(root); error) {
    return Status::InvalidArgument(std::string("the query is not valid JSON: ") +
                                   simdjson::error_message(error));
  }
  simdjson::dom::object spec;
  if (root.get_object().get(spec) != simdjson::SUCCESS) {
    return Status::InvalidArgument("the query must be a JSON object");
  }
  std::string_view kind;
  if (spec["kind"].get_string().get(kind) != simdjson::SUCCESS) {
    return Status::InvalidArgument(
        "\"kind\" is required: one of \"trends\", \"funnel\", \"retention\", \"paths\", "
        "\"events\", \"properties\", \"values\"");
  }
  if (kind == "trends") {
    return Execute(kind, spec, snapshot, options, ParseTrendsSpec, RunTrends, AppendTrendsJson,
                   TrendsTable);
  }
  if (kind == "funnel") {
    return Execute(kind, spec, snapshot, options, ParseFunnelSpec, RunFunnel, AppendFunnelJson,
                   FunnelTable);
  }
  if (kind == "retention") {
    return Execute(kind, spec, snapshot, options, ParseRetentionSpec, RunRetention,
                   AppendRetentionJson, RetentionTable);
  }
  if (kind == "paths") {
    return Execute(kind, spec, snapshot, options, ParsePathsSpec, RunPaths, AppendPathsJson,
                   PathsTable);
  }
  if (kind == "events") {
    return Execute(kind, spec, snapshot, options, ParseEventsSpec, RunEvents, AppendEventsJson,
                   EventsTable);
  }
  if (kind == "properties") {
    return Execute(kind, spec, snapshot, options, ParsePropertiesSpec, RunProperties,
                   AppendPropertiesJson, PropertiesTable);
  }
  if (kind == "values") {
    return Execute(kind, spec, snapshot, options, ParseValuesSpec, RunValues, AppendValuesJson,
                   ValuesTable);
  }
  return Status::InvalidArgument(
      "\"kind\" must be one of \"trends\", \"funnel\", \"retention\", \"paths\", \"events\", "
      "\"properties\", \"values\"; got \"" +
      std::string(kind) + "\"");
}

}  // namespace rapport::warehouse
