#include "insight/run.h"

#include <simdjson.h>

#include <algorithm>
#include <string>

#include "insight/attribution_query.h"
#include "insight/clv_query.h"
#include "insight/experience_query.h"
#include "insight/rfm_query.h"
#include "insight/roi_query.h"

namespace rapport::insight {

using simdjson::dom::object;

namespace {

constexpr std::string_view kInsights[] = {"clv",        "rfm", "attribution", "roi",
                                          "engagement", "nps", "csat",        "kfactor"};
constexpr char kInsightList[] =
    "\"clv\", \"rfm\", \"attribution\", \"roi\", \"engagement\", \"nps\", \"csat\", "
    "\"kfactor\"";

bool IsInsight(std::string_view kind) {
  return std::find(std::begin(kInsights), std::end(kInsights), kind) != std::end(kInsights);
}

Result<warehouse::QueryOutput> RunKind(const warehouse::Snapshot& snapshot, std::string_view kind,
                                       object spec, const warehouse::QueryOptions& options,
                                       const InsightInputs& inputs) {
  if (kind == "clv") return RunClvQuery(snapshot, spec, options);
  if (kind == "rfm") return RunRfmQuery(snapshot, spec, options);
  if (kind == "attribution") return RunAttributionQuery(snapshot, spec, options);
  if (kind == "roi") return RunRoiQuery(snapshot, spec, options, inputs.spend);
  return RunExperienceQuery(snapshot, kind, spec, options);
}

// The body of /api/v1/insights/{kind}[/apply] as an object: empty is {}; a "kind" must match.
Status ParseBody(std::string_view kind, std::string_view body, simdjson::dom::parser* parser,
                 object* spec) {
  if (!IsInsight(kind)) {
    return Status::NotFound("there is no insight \"" + std::string(kind) +
                            "\"; the insights are: " + kInsightList);
  }
  if (body.size() > warehouse::kMaxQuerySpecBytes) {
    return Status::TooLarge("the query spec is over 256 KB");
  }
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) body = "{}";
  if (parser->parse(body.data(), body.size()).get_object().get(*spec) != simdjson::SUCCESS) {
    return Status::InvalidArgument("the spec must be a JSON object");
  }
  std::string_view given;
  if ((*spec)["kind"].get_string().get(given) == simdjson::SUCCESS && given != kind) {
    return Status::InvalidArgument("\"kind\" is \"" + std::string(given) +
                                   "\" but the path says \"" + std::string(kind) + "\"");
  }
  return Status::OK();
}

}  // namespace

Result<warehouse::QueryOutput> RunAnyQuery(const warehouse::Snapshot& snapshot,
                                           std::string_view text,
                                           const warehouse::QueryOptions& options,
                                           const InsightInputs& inputs) {
  static constexpr std::string_view kWarehouseKinds[] = {
      "trends", "funnel", "retention", "paths", "events", "properties", "values"};
  if (text.size() <= warehouse::kMaxQuerySpecBytes) {
    simdjson::dom::parser parser;
    object spec;
    std::string_view kind;
    if (parser.parse(text.data(), text.size()).get_object().get(spec) == simdjson::SUCCESS &&
        spec["kind"].get_string().get(kind) == simdjson::SUCCESS) {
      if (IsInsight(kind)) return RunKind(snapshot, kind, spec, options, inputs);
      if (std::find(std::begin(kWarehouseKinds), std::end(kWarehouseKinds), kind) ==
          std::end(kWarehouseKinds)) {
        return Status::InvalidArgument(
            "\"kind\" must be one of \"trends\", \"funnel\", \"retention\", \"paths\", "
            "\"events\", \"properties\", \"values\", " +
            std::string(kInsightList) + "; got \"" + std::string(kind) + "\"");
      }
    }
  }
  return warehouse::RunQuery(snapshot, text, options);
}

Result<warehouse::QueryOutput> RunInsight(const warehouse::Snapshot& snapshot,
                                          std::string_view kind, std::string_view body,
                                          const warehouse::QueryOptions& options,
                                          const InsightInputs& inputs) {
  simdjson::dom::parser parser;
  object spec;
  RETURN_IF_ERROR(ParseBody(kind, body, &parser, &spec));
  return RunKind(snapshot, kind, spec, options, inputs);
}

Result<ProfileScores> ScoresFor(const warehouse::Snapshot& snapshot, std::string_view kind,
                                std::string_view body, const warehouse::QueryOptions& options) {
  simdjson::dom::parser parser;
  object spec;
  RETURN_IF_ERROR(ParseBody(kind, body, &parser, &spec));
  ProfileScores out;
  if (kind == "clv") {
    ASSIGN_OR_RETURN(const ClvRun run, FitClv(snapshot, spec, options));
    const std::string months = std::to_string(run.spec.clv.horizon_months) + "m";
    out.traits = {"p_alive", "churn_risk", "expected_purchases_" + months};
    if (!run.scores.empty()) {
      out.traits.push_back("expected_spend");
      out.traits.push_back("predicted_clv_" + months);
    }
    for (size_t i = 0; i < run.customers.size(); ++i) {
      out.profiles.emplace_back(run.customers[i].customer, ClvTraitsJson(run, i));
    }
    return out;
  }
  if (kind == "engagement") return EngagementScores(snapshot, spec, options);
  if (kind != "rfm") {
    return Status::NotFound("\"" + std::string(kind) +
                            "\" has no scores to write to profiles; these have: \"clv\", "
                            "\"rfm\", \"engagement\"");
  }
  ASSIGN_OR_RETURN(const RfmRun run, FitRfm(snapshot, spec, options));
  out.traits = {"rfm_recency", "rfm_frequency", "rfm_monetary", "rfm_segment"};
  for (size_t i = 0; i < run.customers.size(); ++i) {
    out.profiles.emplace_back(run.customers[i].customer, RfmTraitsJson(run, i));
  }
  return out;
}

}  // namespace rapport::insight
