#include "insight/run.h"

#include <simdjson.h>

#include <algorithm>
#include <string>

#include "insight/clv_query.h"

namespace rapport::insight {

using simdjson::dom::object;

Result<warehouse::QueryOutput> RunAnyQuery(const warehouse::Snapshot& snapshot,
                                           std::string_view text,
                                           const warehouse::QueryOptions& options) {
  static constexpr std::string_view kWarehouseKinds[] = {
      "trends", "funnel", "retention", "paths", "events", "properties", "values"};
  if (text.size() <= warehouse::kMaxQuerySpecBytes) {
    simdjson::dom::parser parser;
    object spec;
    std::string_view kind;
    if (parser.parse(text.data(), text.size()).get_object().get(spec) == simdjson::SUCCESS &&
        spec["kind"].get_string().get(kind) == simdjson::SUCCESS) {
      if (kind == "clv") return RunClvQuery(snapshot, spec, options);
      if (std::find(std::begin(kWarehouseKinds), std::end(kWarehouseKinds), kind) ==
          std::end(kWarehouseKinds)) {
        return Status::InvalidArgument(
            "\"kind\" must be one of \"trends\", \"funnel\", \"retention\", \"paths\", "
            "\"events\", \"properties\", \"values\", \"clv\"; got \"" +
            std::string(kind) + "\"");
      }
    }
  }
  return warehouse::RunQuery(snapshot, text, options);
}

Result<warehouse::QueryOutput> RunInsight(const warehouse::Snapshot& snapshot,
                                          std::string_view kind, std::string_view body,
                                          const warehouse::QueryOptions& options) {
  if (kind != "clv") {
    return Status::NotFound("there is no insight \"" + std::string(kind) +
                            "\"; the insights are: \"clv\"");
  }
  if (body.size() > warehouse::kMaxQuerySpecBytes) {
    return Status::TooLarge("the query spec is over 256 KB");
  }
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) body = "{}";
  simdjson::dom::parser parser;
  object spec;
  if (parser.parse(body.data(), body.size()).get_object().get(spec) != simdjson::SUCCESS) {
    return Status::InvalidArgument("the spec must be a JSON object");
  }
  std::string_view given;
  if (spec["kind"].get_string().get(given) == simdjson::SUCCESS && given != kind) {
    return Status::InvalidArgument("\"kind\" is \"" + std::string(given) +
                                   "\" but the path says \"" + std::string(kind) + "\"");
  }
  return RunClvQuery(snapshot, spec, options);
}

}  // namespace rapport::insight
