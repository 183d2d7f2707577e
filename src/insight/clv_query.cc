#include "insight/clv_query.h"

#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "common/json_writer.h"
#include "common/time_format.h"
#include "insight/clv/bgnbd.h"
#include "insight/clv/clv.h"
#include "insight/clv/gamma_gamma.h"
#include "insight/clv/purchases.h"
#include "insight/spec_util.h"
#include "profile/profile_record.h"

namespace rapport::insight {

namespace {

using simdjson::dom::element;
using simdjson::dom::object;
using warehouse::FormatNumber;

Result<ClvSpec> ParseClvSpec(object spec, int64_t now_us) {
  RETURN_IF_ERROR(
      warehouse::RejectUnknown(spec,
                               {"kind", "purchase", "revenue", "calibration_end", "holdout_end",
                                "unit", "horizon_months", "monthly_discount", "top"},
                               "the query"));
  ClvSpec out;
  element e;
  ASSIGN_OR_RETURN(out.source, ParsePurchaseSource(spec));
  ASSIGN_OR_RETURN(out.calibration_end_us, ParseTime(spec, "calibration_end", now_us));
  ASSIGN_OR_RETURN(out.holdout_end_us, ParseTime(spec, "holdout_end", 0));
  if (out.holdout_end_us != 0 && out.holdout_end_us <= out.calibration_end_us) {
    return Status::InvalidArgument("\"holdout_end\" must be after \"calibration_end\"");
  }
  if (spec.at_key("unit").get(e) == simdjson::SUCCESS) {
    std::string_view unit;
    if (e.get_string().get(unit) != simdjson::SUCCESS || (unit != "week" && unit != "day")) {
      return Status::InvalidArgument("\"unit\" must be \"week\" or \"day\"");
    }
    out.unit_days = unit == "week" ? 7 : 1;
  }
  out.clv.unit_days = out.unit_days;
  ASSIGN_OR_RETURN(int64_t months, warehouse::ParseInt(spec, "horizon_months", 1, 120, 12));
  out.clv.horizon_months = static_cast<int>(months);
  if (spec.at_key("monthly_discount").get(e) == simdjson::SUCCESS) {
    double d = 0;
    if (e.get_double().get(d) != simdjson::SUCCESS || !(d >= 0 && d <= 1)) {
      return Status::InvalidArgument("\"monthly_discount\" must be a number from 0 to 1");
    }
    out.clv.monthly_discount = d;
  }
  ASSIGN_OR_RETURN(int64_t top, warehouse::ParseInt(spec, "top", 0, 1000, 10));
  out.top = static_cast<size_t>(top);
  return out;
}

double Quantile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  const size_t k = std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

// A "round" bin width at least x: 1, 2, 2.5 or 5 times a power of ten.
double NiceWidth(double x) {
  if (!(x > 0) || !std::isfinite(x)) return 1;
  const double base = std::pow(10.0, std::floor(std::log10(x)));
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    if (m * base >= x) return m * base;
  }
  return 10 * base;
}

// ,"histogram":[{"from","to","customers"}…]: `bins` bins of `width` from 0; with `open_tail` a
// last bin from bins × width with "to": null takes what lies beyond, else the last bin takes it.
void AppendHistogram(std::string* j, const std::vector<double>& values, double width, size_t bins,
                     bool open_tail) {
  std::vector<size_t> counts(bins + (open_tail ? 1 : 0), 0);
  for (double v : values) {
    const double at = std::floor(std::max(0.0, v) / width);
    ++counts[std::min(counts.size() - 1, static_cast<size_t>(std::min(at, 1e9)))];
  }
  *j += ",\"histogram\":[";
  for (size_t b = 0; b < counts.size(); ++b) {
    if (b) *j += ',';
    *j += "{\"from\":";
    AppendNumber(j, static_cast<double>(b) * width);
    *j += ",\"to\":";
    if (b == bins) {
      *j += "null";
    } else {
      AppendNumber(j, static_cast<double>(b + 1) * width);
    }
    *j += ",\"customers\":" + std::to_string(counts[b]) + "}";
  }
  *j += ']';
}

}  // namespace

Result<ClvRun> FitClv(const warehouse::Snapshot& snapshot, object spec_json,
                      const warehouse::QueryOptions& options) {
  ClvRun run;
  ASSIGN_OR_RETURN(run.spec, ParseClvSpec(spec_json, options.now_us));
  ClvSpec& spec = run.spec;
  spec.source.until_us = spec.holdout_end_us ? spec.holdout_end_us : spec.calibration_end_us;
  ASSIGN_OR_RETURN(run.read, ReadPurchases(snapshot, spec.source, options.threads));
  RETURN_IF_ERROR(FitClvModels(&run));
  return run;
}

Status FitClvModels(ClvRun* run) {
  const ClvSpec& spec = run->spec;
  const int64_t calibration_day = LastDay(spec.calibration_end_us);
  run->periods = {
      .calibration_end_day = calibration_day,
      .holdout_end_day = spec.holdout_end_us ? LastDay(spec.holdout_end_us) : calibration_day,
      .unit_days = spec.unit_days};
  ASSIGN_OR_RETURN(run->customers, Summarize(run->read.purchases, run->periods));
  if (run->customers.empty()) {
    return Status::InvalidArgument("no purchases before \"calibration_end\" match \"purchase\"");
  }
  ASSIGN_OR_RETURN(run->purchases, FitBgNbd(run->customers));
  auto spend = FitGammaGamma(run->customers);
  if (spend.ok()) {
    run->spend = *spend;
    run->scores = ScoreCustomers(run->purchases.params, spend->params, run->customers, spec.clv);
  } else {
    run->spend_error = spend.status().message();
  }
  return Status::OK();
}

std::string ClvTraitsJson(const ClvRun& run, size_t i) {
  const CustomerSummary& c = run.customers[i];
  const std::string months = std::to_string(run.spec.clv.horizon_months) + "m";
  const double p_alive = ProbabilityAlive(run.purchases.params, c);
  std::string j = "{\"p_alive\":";
  AppendNumber(&j, p_alive);
  j += ",\"churn_risk\":";
  AppendNumber(&j, 1 - p_alive);
  j += ",\"expected_purchases_" + months + "\":";
  const double month_units = 365.25 / 12 / run.spec.unit_days;
  AppendNumber(&j, run.scores.empty() ? ExpectedPurchases(run.purchases.params, c,
                                                          run.spec.clv.horizon_months * month_units)
                                      : run.scores[i].expected_purchases);
  if (!run.scores.empty()) {
    j += ",\"expected_spend\":";
    AppendNumber(&j, run.scores[i].expected_spend);
    j += ",\"predicted_clv_" + months + "\":";
    AppendNumber(&j, run.scores[i].clv);
  }
  j += '}';
  return j;
}

Result<warehouse::QueryOutput> RunClvQuery(const warehouse::Snapshot& snapshot, object spec_json,
                                           const warehouse::QueryOptions& options) {
  ASSIGN_OR_RETURN(const ClvRun run, FitClv(snapshot, spec_json, options));
  const ClvSpec& spec = run.spec;
  const PurchaseRead& read = run.read;
  const SummaryOptions& periods = run.periods;
  const int64_t calibration_day = periods.calibration_end_day;
  const std::vector<CustomerSummary>& customers = run.customers;
  const BgNbdFit& purchases = run.purchases;
  const std::vector<CustomerScore>& scores = run.scores;

  warehouse::QueryOutput out;
  out.kind = "clv";
  std::string& j = out.json;
  auto field = [&](std::string_view name, double value) {
    j += '"';
    j += name;
    j += "\":";
    AppendNumber(&j, value);
  };
  const auto& p = purchases.params;
  j += "{";
  field("customers", static_cast<double>(customers.size()));
  j += ",";
  field("repeat_buyers",
        static_cast<double>(std::count_if(customers.begin(), customers.end(),
                                          [](const CustomerSummary& c) { return c.x > 0; })));
  j += ",";
  field("purchases", static_cast<double>(read.purchases.size()));
  j += ",";
  field("purchases_without_revenue", static_cast<double>(read.without_value));
  j += ",\"calibration_end\":";
  AppendJsonString(&j, FormatIso8601(spec.calibration_end_us));
  j += std::string(",\"unit\":\"") + (spec.unit_days == 7 ? "week" : "day") + "\"";
  j += ",\"bgnbd\":{";
  field("r", p.r), j += ",", field("alpha", p.alpha), j += ",", field("a", p.a), j += ",";
  field("b", p.b), j += ",", field("log_likelihood", purchases.log_likelihood), j += "}";
  out.table.columns = {"measure", "value"};
  auto row = [&](std::string name, double value) {
    out.table.rows.push_back({std::move(name), FormatNumber(value)});
  };
  row("customers", static_cast<double>(customers.size()));
  row("BG/NBD r", p.r), row("BG/NBD alpha", p.alpha), row("BG/NBD a", p.a), row("BG/NBD b", p.b);
  row("BG/NBD log-likelihood", purchases.log_likelihood);
  if (run.spend) {
    const auto& g = run.spend->params;
    j += ",\"gamma_gamma\":{";
    field("p", g.p), j += ",", field("q", g.q), j += ",", field("gamma", g.gamma), j += ",";
    field("log_likelihood", run.spend->log_likelihood), j += ",";
    field("customers", static_cast<double>(run.spend->customers)), j += "}";
    row("Gamma-Gamma p", g.p), row("Gamma-Gamma q", g.q), row("Gamma-Gamma gamma", g.gamma);
    row("Gamma-Gamma log-likelihood", run.spend->log_likelihood);
  } else {
    j += ",\"gamma_gamma\":null,\"spend_model_error\":";
    AppendJsonString(&j, run.spend_error);
  }
  if (spec.holdout_end_us) {
    const double units =
        static_cast<double>(periods.holdout_end_day - calibration_day) / spec.unit_days;
    const HoldoutReport h = Holdout(p, customers, units);
    j += ",\"holdout\":{";
    field("units", units), j += ",", field("actual", h.actual_total), j += ",";
    field("predicted", h.predicted_total), j += ",\"by_repeat_purchases\":[";
    for (size_t i = 0; i < h.rows.size(); ++i) {
      const HoldoutRow& r = h.rows[i];
      j += i ? ",{" : "{";
      field("x", r.x), j += ",", field("customers", static_cast<double>(r.customers)), j += ",";
      field("actual", r.actual), j += ",", field("predicted", r.predicted), j += "}";
      row("holdout x=" + std::to_string(r.x) + (r.x == 7 ? "+" : "") + " actual", r.actual);
      row("holdout x=" + std::to_string(r.x) + (r.x == 7 ? "+" : "") + " predicted", r.predicted);
    }
    j += "]}";
    row("holdout purchases actual", h.actual_total);
    row("holdout purchases predicted", h.predicted_total);
  } else {
    j += ",\"holdout\":null";
  }
  std::vector<double> alive(customers.size());
  for (size_t i = 0; i < customers.size(); ++i) alive[i] = ProbabilityAlive(p, customers[i]);
  j += ",\"p_alive\":{";
  field("mean",
        std::accumulate(alive.begin(), alive.end(), 0.0) / static_cast<double>(alive.size()));
  j += ",";
  field("below_half", static_cast<double>(std::count_if(alive.begin(), alive.end(),
                                                        [](double a) { return a < 0.5; })));
  AppendHistogram(&j, alive, 0.1, 10, false);
  j += "}";
  if (scores.empty()) {
    j += ",\"clv\":null,\"top\":[]}";
    return out;
  }
  std::vector<double> clv(scores.size());
  for (size_t i = 0; i < scores.size(); ++i) clv[i] = scores[i].clv;
  const double total = std::accumulate(clv.begin(), clv.end(), 0.0);
  j += ",\"clv\":{";
  field("horizon_months", spec.clv.horizon_months), j += ",";
  field("monthly_discount", spec.clv.monthly_discount), j += ",", field("total", total), j += ",";
  field("mean", total / static_cast<double>(clv.size())), j += ",";
  field("p50", Quantile(clv, 0.5)), j += ",", field("p90", Quantile(clv, 0.9)), j += ",";
  const double p99 = Quantile(clv, 0.99);
  field("p99", p99);
  // Ten round bins up to the 99th percentile, and the tail beyond it in one open bin.
  const double width = NiceWidth(p99 / 10);
  AppendHistogram(&j, clv, width, static_cast<size_t>(std::ceil(p99 / width)) + (p99 > 0 ? 0 : 1),
                  true);
  j += "}";
  row("CLV mean", total / static_cast<double>(clv.size()));
  row("CLV total", total);
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  const size_t top = std::min(spec.top, order.size());
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(top), order.end(),
                    [&](size_t a, size_t b) {
                      return scores[a].clv != scores[b].clv
                                 ? scores[a].clv > scores[b].clv
                                 : scores[a].customer < scores[b].customer;
                    });
  j += ",\"top\":[";
  for (size_t k = 0; k < top; ++k) {
    const CustomerScore& s = scores[order[k]];
    const CustomerSummary& c = customers[order[k]];
    j += k ? ",{\"profile\":" : "{\"profile\":";
    AppendJsonString(&j, ProfileIdText(s.customer));
    j += ",";
    field("clv", s.clv), j += ",", field("p_alive", s.p_alive), j += ",";
    field("expected_purchases", s.expected_purchases), j += ",";
    field("expected_spend", s.expected_spend), j += ",", field("repeat_purchases", c.x), j += ",";
    field("average_spend", c.monetary), j += "}";
  }
  j += "]}";
  return out;
}

}  // namespace rapport::insight
