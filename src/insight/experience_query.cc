#include "insight/experience_query.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <unordered_map>
#include <unordered_set>

#include "common/json_writer.h"
#include "common/time_format.h"
#include "insight/engagement/engagement.h"
#include "insight/event_scan.h"
#include "insight/spec_util.h"
#include "profile/profile_record.h"
#include "warehouse/chunk.h"

namespace rapport::insight {

namespace {

using simdjson::dom::element;
using simdjson::dom::object;
using warehouse::EventFilter;
using warehouse::FormatNumber;
using warehouse::QueryOutput;

// Events of one name, of any type and without conditions.
EventFilter Named(std::string event) {
  EventFilter f;
  f.event = std::move(event);
  return f;
}

Result<EventFilter> FilterAt(object spec, std::string_view field, EventFilter fallback) {
  element e;
  if (spec.at_key(field).get(e) != simdjson::SUCCESS) return fallback;
  return warehouse::ParseEventFilter(e, field);
}

Result<std::string> PathAt(object spec, std::string_view field, std::string fallback) {
  element e;
  if (spec.at_key(field).get(e) != simdjson::SUCCESS) return fallback;
  std::string_view path;
  if (e.get_string().get(path) != simdjson::SUCCESS || path.empty() || path.size() > 256) {
    return Status::InvalidArgument("\"" + std::string(field) +
                                   "\" must be a property path such as \"properties.score\"");
  }
  return std::string(path);
}

// Every matching event's number at `path` (events without a number there are skipped), with
// its time.
Result<std::vector<std::pair<int64_t, double>>> Answers(const warehouse::Snapshot& snapshot,
                                                        const EventFilter& filter,
                                                        const std::string& path,
                                                        warehouse::TimeRange range, int threads) {
  std::vector<std::vector<std::pair<int64_t, double>>> per(kMaxScanThreads);
  ASSIGN_OR_RETURN(int used,
                   ScanEvents(snapshot, filter, {path}, range, threads,
                              [&](int worker, uint64_t, const warehouse::Chunk& c, size_t r) {
                                const auto v = warehouse::ValueAtRow(c.Find(path), r).AsNumber();
                                if (v) per[static_cast<size_t>(worker)].emplace_back(c.ts()[r], *v);
                              }));
  std::vector<std::pair<int64_t, double>> out;
  for (int w = 0; w < used; ++w) {
    out.insert(out.end(), per[static_cast<size_t>(w)].begin(), per[static_cast<size_t>(w)].end());
  }
  std::sort(out.begin(), out.end());
  return out;
}

void Field(std::string* j, std::string_view name, double value, bool first = false) {
  if (!first) *j += ',';
  *j += '"';
  *j += name;
  *j += "\":";
  AppendNumber(j, value);
}

std::vector<double> Values(const std::vector<std::pair<int64_t, double>>& answers) {
  std::vector<double> v;
  for (const auto& a : answers) v.push_back(a.second);
  return v;
}

void AppendNps(const Nps& n, std::string* j) {
  Field(j, "answers", static_cast<double>(n.answers), true);
  Field(j, "promoters", static_cast<double>(n.promoters));
  Field(j, "passives", static_cast<double>(n.passives));
  Field(j, "detractors", static_cast<double>(n.detractors));
  Field(j, "invalid", static_cast<double>(n.invalid));
  Field(j, "nps", n.nps);
}

Result<QueryOutput> RunNps(const warehouse::Snapshot& snapshot, object spec,
                           const warehouse::QueryOptions& options) {
  RETURN_IF_ERROR(warehouse::RejectUnknown(
      spec, {"kind", "from", "to", "event", "score", "interval"}, "the query"));
  ASSIGN_OR_RETURN(warehouse::TimeRange range, warehouse::ParseTimeRange(spec));
  ASSIGN_OR_RETURN(EventFilter filter, FilterAt(spec, "event", Named("Survey Responded")));
  ASSIGN_OR_RETURN(std::string path, PathAt(spec, "score", "properties.score"));
  std::optional<warehouse::Interval> interval;
  if (spec.at_key("interval").error() == simdjson::SUCCESS) {
    ASSIGN_OR_RETURN(interval,
                     warehouse::ParseInterval(spec, "interval", warehouse::Interval::kMonth));
  }
  ASSIGN_OR_RETURN(auto answers, Answers(snapshot, filter, path, range, options.threads));
  const Nps all = ComputeNps(Values(answers));
  QueryOutput out;
  out.kind = "nps";
  out.json = "{";
  AppendNps(all, &out.json);
  out.table.columns = {"period", "answers", "promoters", "passives", "detractors", "NPS"};
  auto row = [&](std::string period, const Nps& n) {
    out.table.rows.push_back({std::move(period), FormatNumber(static_cast<double>(n.answers)),
                              FormatNumber(static_cast<double>(n.promoters)),
                              FormatNumber(static_cast<double>(n.passives)),
                              FormatNumber(static_cast<double>(n.detractors)),
                              FormatNumber(n.nps)});
  };
  if (interval) {
    out.json += ",\"points\":[";
    bool first = true;
    for (int64_t t = warehouse::PeriodStart(range.from_us, *interval); t < range.to_us;
         t = warehouse::AddPeriods(t, 1, *interval)) {
      const int64_t end = warehouse::AddPeriods(t, 1, *interval);
      std::vector<double> in;
      for (const auto& [ts, v] : answers) {
        if (ts >= t && ts < end) in.push_back(v);
      }
      const Nps n = ComputeNps(in);
      out.json += first ? "{\"t\":" : ",{\"t\":";
      first = false;
      AppendJsonString(&out.json, FormatIso8601(t));
      out.json += ',';
      AppendNps(n, &out.json);
      out.json += '}';
      row(FormatIso8601(t).substr(0, 10), n);
    }
    out.json += ']';
  }
  row("(all)", all);
  out.json += '}';
  return out;
}

Result<QueryOutput> RunCsat(const warehouse::Snapshot& snapshot, object spec,
                            const warehouse::QueryOptions& options) {
  RETURN_IF_ERROR(warehouse::RejectUnknown(
      spec, {"kind", "from", "to", "event", "score", "scale", "satisfied_from"}, "the query"));
  ASSIGN_OR_RETURN(warehouse::TimeRange range, warehouse::ParseTimeRange(spec));
  ASSIGN_OR_RETURN(EventFilter filter, FilterAt(spec, "event", Named("Survey Responded")));
  ASSIGN_OR_RETURN(std::string path, PathAt(spec, "score", "properties.csat"));
  ASSIGN_OR_RETURN(int64_t scale, warehouse::ParseInt(spec, "scale", 2, 100, 5));
  ASSIGN_OR_RETURN(int64_t from, warehouse::ParseInt(spec, "satisfied_from", 1, scale, scale - 1));
  ASSIGN_OR_RETURN(auto answers, Answers(snapshot, filter, path, range, options.threads));
  const Csat c = ComputeCsat(Values(answers), static_cast<int>(scale), static_cast<int>(from));
  QueryOutput out;
  out.kind = "csat";
  Field(&out.json, "answers", static_cast<double>(c.answers), true);
  out.json = "{" + out.json;
  Field(&out.json, "satisfied", static_cast<double>(c.satisfied));
  Field(&out.json, "invalid", static_cast<double>(c.invalid));
  Field(&out.json, "csat", c.csat);
  out.json += '}';
  out.table.columns = {"answers", "satisfied", "CSAT"};
  out.table.rows.push_back({FormatNumber(static_cast<double>(c.answers)),
                            FormatNumber(static_cast<double>(c.satisfied)),
                            FormatNumber(c.csat) + "%"});
  return out;
}

Result<QueryOutput> RunKFactor(const warehouse::Snapshot& snapshot, object spec,
                               const warehouse::QueryOptions& options) {
  RETURN_IF_ERROR(
      warehouse::RejectUnknown(spec, {"kind", "from", "to", "invite", "signup"}, "the query"));
  ASSIGN_OR_RETURN(warehouse::TimeRange range, warehouse::ParseTimeRange(spec));
  ASSIGN_OR_RETURN(EventFilter invite, FilterAt(spec, "invite", Named("Invite Sent")));
  EventFilter referred = Named("Signed Up");
  WhereClause has_referrer;
  has_referrer.path = "properties.referrer";
  has_referrer.op = WhereOp::kExists;
  referred.where.push_back(std::move(has_referrer));
  ASSIGN_OR_RETURN(EventFilter signup, FilterAt(spec, "signup", referred));
  std::vector<std::unordered_set<uint64_t>> active(kMaxScanThreads);
  ASSIGN_OR_RETURN(int used,
                   ScanEvents(snapshot, {}, {}, range, options.threads,
                              [&](int w, uint64_t profile, const warehouse::Chunk&, size_t) {
                                if (profile) active[static_cast<size_t>(w)].insert(profile);
                              }));
  std::unordered_set<uint64_t> base;
  for (int w = 0; w < used; ++w)
    base.insert(active[static_cast<size_t>(w)].begin(), active[static_cast<size_t>(w)].end());
  auto count = [&](const EventFilter& f) -> Result<uint64_t> {
    std::vector<uint64_t> n(kMaxScanThreads, 0);
    RETURN_IF_ERROR(ScanEvents(snapshot, f, {}, range, options.threads,
                               [&](int w, uint64_t, const warehouse::Chunk&, size_t) {
                                 ++n[static_cast<size_t>(w)];
                               })
                        .status());
    return std::accumulate(n.begin(), n.end(), uint64_t{0});
  };
  ASSIGN_OR_RETURN(uint64_t invites, count(invite));
  ASSIGN_OR_RETURN(uint64_t signups, count(signup));
  const KFactor k = ComputeKFactor(base.size(), invites, signups);
  QueryOutput out;
  out.kind = "kfactor";
  out.json = "{";
  Field(&out.json, "customers", static_cast<double>(k.base), true);
  Field(&out.json, "invites", static_cast<double>(k.invites));
  Field(&out.json, "invited_signups", static_cast<double>(k.invited_signups));
  Field(&out.json, "invites_per_customer", k.invites_per_customer);
  Field(&out.json, "conversion", k.conversion);
  Field(&out.json, "k", k.k);
  out.json += '}';
  out.table.columns = {"customers",  "invites", "invited sign-ups", "invites per customer",
                       "conversion", "k"};
  out.table.rows.push_back(
      {FormatNumber(static_cast<double>(k.base)), FormatNumber(static_cast<double>(k.invites)),
       FormatNumber(static_cast<double>(k.invited_signups)), FormatNumber(k.invites_per_customer),
       FormatNumber(k.conversion), FormatNumber(k.k)});
  return out;
}

struct EngagementRun {
  std::vector<std::pair<uint64_t, double>> scores;  // by profile
  size_t top = 10;
  double half_life_days = 30;
};

Result<EngagementRun> FitEngagement(const warehouse::Snapshot& snapshot, object spec,
                                    const warehouse::QueryOptions& options) {
  RETURN_IF_ERROR(warehouse::RejectUnknown(
      spec, {"kind", "from", "to", "weights", "half_life_days", "top"}, "the query"));
  ASSIGN_OR_RETURN(warehouse::TimeRange range, warehouse::ParseTimeRange(spec));
  object weights;
  if (spec["weights"].get_object().get(weights) != simdjson::SUCCESS || weights.size() == 0 ||
      weights.size() > 200) {
    return Status::InvalidArgument(
        "\"weights\" is required: an object of 1 to 200 event names and their weights, such as "
        "{\"Order Completed\": 10, \"Page Viewed\": 1}");
  }
  // Weight per event-name id of the warehouse's dictionary.
  const warehouse::EventDictionary& names = snapshot.events();
  std::vector<double> by_id(names.size(), 0.0);
  for (auto [name, value] : weights) {
    double w = 0;
    if (value.get_double().get(w) != simdjson::SUCCESS || !std::isfinite(w)) {
      return Status::InvalidArgument("\"weights." + std::string(name) + "\" must be a number");
    }
    if (auto id = names.Find(name)) by_id[*id] = w;
  }
  EngagementRun run;
  ASSIGN_OR_RETURN(int64_t half_life, warehouse::ParseInt(spec, "half_life_days", 1, 3650, 30));
  run.half_life_days = static_cast<double>(half_life);
  ASSIGN_OR_RETURN(int64_t top, warehouse::ParseInt(spec, "top", 0, 1000, 10));
  run.top = static_cast<size_t>(top);
  std::vector<std::unordered_map<uint64_t, double>> per(kMaxScanThreads);
  ASSIGN_OR_RETURN(
      int used, ScanEvents(snapshot, {}, {}, range, options.threads,
                           [&](int w, uint64_t profile, const warehouse::Chunk& c, size_t r) {
                             const uint32_t id = c.event()[r];
                             if (!profile || id >= by_id.size() || by_id[id] == 0) return;
                             per[static_cast<size_t>(w)][profile] += DecayedWeight(
                                 by_id[id], c.ts()[r], range.to_us, half_life * warehouse::kDayUs);
                           }));
  std::map<uint64_t, double> total;
  for (int w = 0; w < used; ++w) {
    for (const auto& [p, s] : per[static_cast<size_t>(w)]) total[p] += s;
  }
  run.scores.assign(total.begin(), total.end());
  return run;
}

Result<QueryOutput> RunEngagement(const warehouse::Snapshot& snapshot, object spec,
                                  const warehouse::QueryOptions& options) {
  ASSIGN_OR_RETURN(EngagementRun run, FitEngagement(snapshot, spec, options));
  std::vector<double> v;
  for (const auto& [p, s] : run.scores) v.push_back(s);
  std::sort(v.begin(), v.end());
  auto quantile = [&](double q) {
    return v.empty() ? 0.0 : v[std::min(v.size() - 1, static_cast<size_t>(q * v.size()))];
  };
  QueryOutput out;
  out.kind = "engagement";
  out.json = "{";
  Field(&out.json, "customers", static_cast<double>(v.size()), true);
  Field(&out.json, "mean", v.empty() ? 0 : std::accumulate(v.begin(), v.end(), 0.0) / v.size());
  Field(&out.json, "p50", quantile(0.5));
  Field(&out.json, "p90", quantile(0.9));
  Field(&out.json, "half_life_days", run.half_life_days);
  std::vector<std::pair<uint64_t, double>> top = run.scores;
  const size_t n = std::min(run.top, top.size());
  std::partial_sort(top.begin(), top.begin() + static_cast<std::ptrdiff_t>(n), top.end(),
                    [](const auto& a, const auto& b) {
                      return a.second != b.second ? a.second > b.second : a.first < b.first;
                    });
  out.json += ",\"top\":[";
  out.table.columns = {"profile", "engagement"};
  for (size_t i = 0; i < n; ++i) {
    out.json += i ? ",{\"profile\":" : "{\"profile\":";
    AppendJsonString(&out.json, ProfileIdText(top[i].first));
    Field(&out.json, "score", top[i].second);
    out.json += '}';
    out.table.rows.push_back({ProfileIdText(top[i].first), FormatNumber(top[i].second)});
  }
  out.json += "]}";
  return out;
}

}  // namespace

Result<QueryOutput> RunExperienceQuery(const warehouse::Snapshot& snapshot, std::string_view kind,
                                       object spec, const warehouse::QueryOptions& options) {
  if (kind == "nps") return RunNps(snapshot, spec, options);
  if (kind == "csat") return RunCsat(snapshot, spec, options);
  if (kind == "kfactor") return RunKFactor(snapshot, spec, options);
  return RunEngagement(snapshot, spec, options);
}

Result<ProfileScores> EngagementScores(const warehouse::Snapshot& snapshot, object spec,
                                       const warehouse::QueryOptions& options) {
  ASSIGN_OR_RETURN(EngagementRun run, FitEngagement(snapshot, spec, options));
  ProfileScores out;
  out.traits = {"engagement_score"};
  for (const auto& [profile, score] : run.scores) {
    std::string j = "{\"engagement_score\":";
    AppendNumber(&j, score);
    j += '}';
    out.profiles.emplace_back(profile, std::move(j));
  }
  return out;
}

}  // namespace rapport::insight
