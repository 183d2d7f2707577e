#include "insight/roi_query.h"

#include <cmath>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/json_writer.h"
#include "insight/clv_query.h"
#include "insight/journeys.h"
#include "insight/roi/credit.h"
#include "insight/roi/roi.h"
#include "insight/spec_util.h"
#include "warehouse/query/parallel.h"
#include "warehouse/row.h"

namespace rapport::insight {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

constexpr double kDaysPerMonth = 30.4375;

struct RoiSpec {
  JourneySpec journey;
  RoiSettings roi;
  ClvOptions clv;
};

Result<RoiSpec> ParseRoiSpec(object spec) {
  std::vector<std::string_view> fields(std::begin(kJourneySpecFields),
                                       std::end(kJourneySpecFields));
  fields.insert(fields.end(), {"kind", "model", "margin", "horizon_months", "monthly_discount",
                               "min_response_days"});
  RETURN_IF_ERROR(warehouse::RejectUnknown(spec, fields, "the query"));
  RoiSpec out;
  ASSIGN_OR_RETURN(out.journey, ParseJourneySpec(spec));
  element e;
  if (spec.at_key("model").get(e) == simdjson::SUCCESS) {
    std::string_view model;
    if (e.get_string().get(model) != simdjson::SUCCESS) {
      return Status::InvalidArgument("\"model\" must be a string");
    }
    RETURN_IF_ERROR(ValidateCreditModel(model));
    out.roi.model = std::string(model);
  }
  for (auto [field, target] : {std::pair{"margin", &out.roi.margin},
                               std::pair{"monthly_discount", &out.clv.monthly_discount}}) {
    if (spec.at_key(field).get(e) != simdjson::SUCCESS) continue;
    double x = 0;
    const bool margin = std::string_view(field) == "margin";
    if (e.get_double().get(x) != simdjson::SUCCESS ||
        !(margin ? x > 0 && x <= 1 : x >= 0 && x <= 1)) {
      return Status::InvalidArgument(std::string("\"") + field + "\" must be a number " +
                                     (margin ? "above 0 and at most 1" : "from 0 to 1"));
    }
    *target = x;
  }
  ASSIGN_OR_RETURN(int64_t months, warehouse::ParseInt(spec, "horizon_months", 1, 120, 12));
  out.clv.horizon_months = static_cast<int>(months);
  ASSIGN_OR_RETURN(int64_t days, warehouse::ParseInt(spec, "min_response_days", 2, 365, 14));
  out.roi.min_response_days = static_cast<size_t>(days);
  out.roi.attribution = out.journey.settings;
  out.roi.from_day = warehouse::DayOf(out.journey.range.from_us);
  out.roi.to_day = LastDay(out.journey.range.to_us);
  return out;
}

// Per customer: the first purchase's day and the lifetime value.
struct Customer {
  int64_t first_day = INT64_MAX;
  double revenue = 0, predicted = 0;
};

// The customers' purchases before `to` and, when the purchase models can be fitted, their
// predicted CLV; *basis says which.
Result<std::unordered_map<uint64_t, Customer>> Customers(const warehouse::Snapshot& snapshot,
                                                         const RoiSpec& spec, int threads,
                                                         std::string* basis) {
  ClvRun run;
  run.spec.source = spec.journey.conversion;
  run.spec.source.until_us = spec.journey.range.to_us;
  run.spec.calibration_end_us = spec.journey.range.to_us;
  run.spec.clv = spec.clv;
  ASSIGN_OR_RETURN(run.read, ReadPurchases(snapshot, run.spec.source, threads));
  std::unordered_map<uint64_t, Customer> customers;
  for (const Purchase& p : run.read.purchases) {
    Customer& c = customers[p.customer];
    c.first_day = std::min(c.first_day, p.day);
    c.revenue += p.value;
  }
  const std::string horizon = std::to_string(spec.clv.horizon_months) + " months";
  Status fit =
      run.read.purchases.empty() ? Status::InvalidArgument("no purchases") : FitClvModels(&run);
  if (fit.ok() && run.scores.empty()) fit = Status::InvalidArgument(run.spend_error);
  if (!fit.ok()) {
    *basis = "revenue to date (CLV could not be predicted: " + std::string(fit.message()) + ")";
    return customers;
  }
  for (const CustomerScore& s : run.scores) customers[s.customer].predicted = s.clv;
  *basis = "revenue to date + predicted CLV over " + horizon;
  return customers;
}

void AppendOptional(std::string* j, const char* field, const std::optional<double>& x) {
  *j += ",\"";
  *j += field;
  *j += "\":";
  if (x) {
    AppendNumber(j, *x);
  } else {
    *j += "null";
  }
}

void AppendLine(std::string* j, const RoiLine& l, bool campaign) {
  *j += "{\"channel\":";
  AppendJsonString(j, l.channel);
  if (campaign) {
    *j += ",\"campaign\":";
    AppendJsonString(j, l.campaign);
  }
  for (auto [field, x] : {std::pair{"spend", l.spend},
                          {"conversions", l.conversions},
                          {"revenue", l.revenue},
                          {"new_customers", l.new_customers},
                          {"ltv", l.ltv}}) {
    *j += ",\"";
    *j += field;
    *j += "\":";
    AppendNumber(j, x);
  }
  AppendOptional(j, "cac", l.cac);
  AppendOptional(j, "roas", l.roas);
  AppendOptional(j, "ltv_cac", l.ltv_cac);
  AppendOptional(j, "payback_months", l.payback_months);
  AppendOptional(j, "marginal_roas", l.marginal_roas);
  AppendOptional(j, "elasticity", l.elasticity);
  *j += ",\"basis\":";
  *j += !l.marginal_roas ? "null" : l.elasticity ? "\"response curve\"" : "\"average\"";
  *j += ",\"response_days\":" + std::to_string(l.response_days) + "}";
}

void AppendRanking(std::string* j, const std::vector<RoiLine>& lines,
                   const std::vector<size_t>& ranking, bool campaign) {
  *j += '[';
  for (size_t i = 0; i < ranking.size(); ++i) {
    const RoiLine& l = lines[ranking[i]];
    *j += i ? ",{\"channel\":" : "{\"channel\":";
    AppendJsonString(j, l.channel);
    if (campaign) {
      *j += ",\"campaign\":";
      AppendJsonString(j, l.campaign);
    }
    AppendOptional(j, "marginal_roas", l.marginal_roas);
    *j += l.elasticity ? ",\"basis\":\"response curve\"}" : ",\"basis\":\"average\"}";
  }
  *j += ']';
}

std::vector<std::string> TableRow(const RoiLine& l, const std::string& campaign) {
  auto opt = [](const std::optional<double>& x) {
    return x ? warehouse::FormatNumber(*x) : std::string("-");
  };
  return {l.channel,
          campaign,
          warehouse::FormatNumber(l.spend),
          warehouse::FormatNumber(l.conversions),
          warehouse::FormatNumber(l.revenue),
          warehouse::FormatNumber(l.new_customers),
          opt(l.cac),
          opt(l.roas),
          opt(l.ltv_cac),
          opt(l.payback_months),
          opt(l.marginal_roas)};
}

warehouse::QueryOutput Render(const RoiReport& r, const RoiSpec& spec, const std::string& basis,
                              size_t spend_rows) {
  warehouse::QueryOutput out;
  out.kind = "roi";
  std::string& j = out.json;
  j = "{\"model\":";
  AppendJsonString(&j, r.model);
  j += ",\"margin\":";
  AppendNumber(&j, spec.roi.margin);
  j += ",\"ltv_basis\":";
  AppendJsonString(&j, basis);
  j += ",\"spend_rows\":" + std::to_string(spend_rows);
  if (spend_rows == 0) {
    j += ",\"note\":\"no spend is on record for the range: import it (POST /api/v1/spend, "
         "rapport spend import) to see CAC, ROAS and LTV:CAC\"";
  }
  j += ",\"total\":";
  AppendLine(&j, r.total, false);
  j += ",\"channels\":[";
  for (size_t i = 0; i < r.channels.size(); ++i) {
    if (i) j += ',';
    AppendLine(&j, r.channels[i], false);
  }
  j += "],\"campaigns\":[";
  for (size_t i = 0; i < r.campaigns.size(); ++i) {
    if (i) j += ',';
    AppendLine(&j, r.campaigns[i], true);
  }
  j += "],\"next_budget\":{\"channels\":";
  AppendRanking(&j, r.channels, r.channel_ranking, false);
  j += ",\"campaigns\":";
  AppendRanking(&j, r.campaigns, r.campaign_ranking, true);
  j += "}}";
  // The table: each channel, then its campaigns; the total last.
  out.table.columns = {"channel", "campaign",       "spend",        "conversions",
                       "revenue", "new_customers",  "cac",          "roas",
                       "ltv_cac", "payback_months", "marginal_roas"};
  for (const RoiLine& c : r.channels) {
    out.table.rows.push_back(TableRow(c, "(all)"));
    for (const RoiLine& l : r.campaigns) {
      if (l.channel == c.channel) out.table.rows.push_back(TableRow(l, l.campaign));
    }
  }
  out.table.rows.push_back(TableRow(r.total, ""));
  return out;
}

}  // namespace

Result<warehouse::QueryOutput> RunRoiQuery(const warehouse::Snapshot& snapshot, object spec_json,
                                           const warehouse::QueryOptions& options,
                                           const SpendReader& spend_reader) {
  ASSIGN_OR_RETURN(RoiSpec spec, ParseRoiSpec(spec_json));
  const int threads = options.threads > 0 ? options.threads : warehouse::DefaultQueryThreads();
  spec.roi.attribution.threads = threads;
  std::vector<SpendRow> spend;
  if (spend_reader) {
    ASSIGN_OR_RETURN(spend, spend_reader(spec.roi.from_day, spec.roi.to_day));
  }
  ASSIGN_OR_RETURN(const JourneyData data, ReadJourneys(snapshot, spec.journey, threads));
  std::string basis;
  ASSIGN_OR_RETURN(const auto customers, Customers(snapshot, spec, threads, &basis));

  // One RoiConversion per conversion, in the order BuildPaths makes the paths.
  std::vector<RoiConversion> conversions(data.conversions.size());
  for (size_t i = 0; i < data.conversions.size(); ++i) {
    const JourneyData::Conversion& c = data.conversions[i];
    RoiConversion& r = conversions[i];
    r.day = warehouse::DayOf(c.ts);
    const bool earlier_same_customer = i > 0 && data.conversions[i - 1].profile == c.profile;
    auto it = customers.find(c.profile);
    if (it == customers.end() || earlier_same_customer || it->second.first_day != r.day) continue;
    r.first = true;
    r.revenue_to_date = it->second.revenue;
    r.ltv = it->second.revenue + it->second.predicted;
    r.months = static_cast<double>(spec.journey.range.to_us - r.day * warehouse::kDayUs) /
               (kDaysPerMonth * static_cast<double>(warehouse::kDayUs));
  }
  std::vector<ConversionPath> converting, journeys;
  BuildPaths(
      data, spec.journey, [](const JourneyData::Touch& t) { return t.channel; }, &converting,
      &journeys);
  ASSIGN_OR_RETURN(const PreparedPaths by_channel,
                   PreparePaths(converting, journeys, spec.roi.attribution));
  converting.clear();
  journeys.clear();
  BuildPaths(
      data, spec.journey,
      [](const JourneyData::Touch& t) {
        return CampaignLabel(t.channel, t.campaign.empty() ? kNotSet : t.campaign);
      },
      &converting, &journeys);
  ASSIGN_OR_RETURN(const PreparedPaths by_campaign,
                   PreparePaths(converting, journeys, spec.roi.attribution));
  ASSIGN_OR_RETURN(const RoiReport report,
                   ComputeRoi(by_channel, by_campaign, conversions, spend, spec.roi));
  return Render(report, spec, basis, spend.size());
}

}  // namespace rapport::insight
