#include "server/spend_api.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "common/json_writer.h"
#include "import/spend_parse.h"

namespace rapport {
namespace {

// The upload's form from its Content-Type (parameters such as charset ignored; none = JSON).
Result<SpendFormat> FormatFor(std::string_view content_type) {
  std::string type(content_type.substr(0, content_type.find(';')));
  type.erase(std::remove(type.begin(), type.end(), ' '), type.end());
  std::transform(type.begin(), type.end(), type.begin(),
                 [](char c) { return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c; });
  if (type == "text/csv" || type == "application/csv") return SpendFormat::kCsv;
  if (type.empty() || type == "application/json") return SpendFormat::kJson;
  if (type == "application/x-ndjson" || type == "application/jsonl" ||
      type == "application/json-lines") {
    return SpendFormat::kJsonLines;
  }
  return Status::InvalidArgument(fmt::format(
      "Content-Type {} is not a spend upload: send text/csv, application/json or "
      "application/x-ndjson (with curl: -H 'Content-Type: text/csv' --data-binary @spend.csv)",
      JsonString(type)));
}

// A sum of costs as JSON: rounded to a millionth, so that 0.1 + 0.2 reads 0.3.
std::string CostJson(double cost) {
  if (std::fabs(cost) < 1e9) cost = std::round(cost * 1e6) / 1e6;
  return fmt::format("{}", cost + 0.0);
}

// The day of query parameter `key`, or `fallback` when it is absent.
Result<int64_t> DayParam(const HttpRequest& req, std::string_view key, int64_t fallback) {
  std::optional<std::string> text = req.Query(key);
  if (!text) return fallback;
  auto day = ParseSpendDay(*text);
  if (!day.ok()) return day.status().WithContext(key);
  return day;
}

struct Range {
  int64_t from_day = 0;
  int64_t to_day = 0;
  std::string channel;  // "" = every channel
};

// ?from=&to=[&channel=]: both ends included; `required` makes from and to mandatory.
Result<Range> RangeParams(const HttpRequest& req, bool required) {
  if (required && (!req.Query("from") || !req.Query("to"))) {
    return Status::InvalidArgument(
        "give the days to delete with both from and to (YYYY-MM-DD, both included), e.g. "
        "?from=2026-01-01&to=2026-01-31");
  }
  Range r;
  ASSIGN_OR_RETURN(r.from_day, DayParam(req, "from", std::numeric_limits<int64_t>::min()));
  ASSIGN_OR_RETURN(r.to_day, DayParam(req, "to", std::numeric_limits<int64_t>::max()));
  if (r.from_day > r.to_day) {
    return Status::InvalidArgument(
        fmt::format("from ({}) is after to ({})", *req.Query("from"), *req.Query("to")));
  }
  r.channel = req.Query("channel").value_or("");
  return r;
}

}  // namespace

void SpendApi::Import(HttpRequest& req, Responder respond) {
  auto format = FormatFor(req.Header("content-type"));
  if (!format.ok()) return respond(HttpResponse::Error(format.status()));
  auto rows = ParseSpend(req.body, *format);
  if (!rows.ok()) return respond(HttpResponse::Error(rows.status()));
  if (Status s = control_->PutSpend(*rows); !s.ok()) return respond(HttpResponse::Error(s));
  std::set<int64_t> days;
  double cost = 0;
  for (const StoredSpend& r : *rows) {
    days.insert(r.day);
    cost += r.cost;
  }
  respond(HttpResponse::Json(
      200, fmt::format("{{\"imported\":{},\"days\":{},\"from\":\"{}\",\"to\":\"{}\",\"cost\":{}}}",
                       rows->size(), days.size(), FormatSpendDay(*days.begin()),
                       FormatSpendDay(*days.rbegin()), CostJson(cost))));
}

void SpendApi::List(HttpRequest& req, Responder respond) {
  auto range = RangeParams(req, /*required=*/false);
  if (!range.ok()) return respond(HttpResponse::Error(range.status()));
  auto rows = control_->ListSpend(range->from_day, range->to_day);
  if (!rows.ok()) return respond(HttpResponse::Error(rows.status()));
  std::map<std::string, double> channels;
  double total = 0;
  size_t listed = 0;
  std::string body = "{\"rows\":[";
  for (const StoredSpend& r : *rows) {
    if (!range->channel.empty() && r.channel != range->channel) continue;
    channels[r.channel] += r.cost;
    total += r.cost;
    if (++listed > kMaxListedRows) continue;
    body += fmt::format("{}{{\"date\":\"{}\",\"channel\":{},\"campaign\":{},\"cost\":{}}}",
                        listed == 1 ? "" : ",", FormatSpendDay(r.day), JsonString(r.channel),
                        JsonString(r.campaign), r.cost);
  }
  body += "],\"channels\":[";
  bool first = true;
  for (const auto& [channel, cost] : channels) {
    body += fmt::format("{}{{\"channel\":{},\"cost\":{}}}", first ? "" : ",", JsonString(channel),
                        CostJson(cost));
    first = false;
  }
  body += fmt::format("],\"cost\":{},\"truncated\":{}}}", CostJson(total),
                      listed > kMaxListedRows ? "true" : "false");
  respond(HttpResponse::Json(200, std::move(body)));
}

void SpendApi::Delete(HttpRequest& req, Responder respond) {
  auto range = RangeParams(req, /*required=*/true);
  if (!range.ok()) return respond(HttpResponse::Error(range.status()));
  auto deleted = control_->DeleteSpend(range->from_day, range->to_day, range->channel);
  if (!deleted.ok()) return respond(HttpResponse::Error(deleted.status()));
  respond(HttpResponse::Json(200, fmt::format("{{\"deleted\":{}}}", *deleted)));
}

insight::SpendReader MakeSpendReader(ControlStore* control) {
  return [control](int64_t from_day, int64_t to_day) -> Result<std::vector<insight::SpendRow>> {
    ASSIGN_OR_RETURN(std::vector<StoredSpend> stored, control->ListSpend(from_day, to_day));
    std::vector<insight::SpendRow> rows;
    rows.reserve(stored.size());
    for (StoredSpend& s : stored) {
      rows.push_back({s.day, std::move(s.channel), std::move(s.campaign), s.cost});
    }
    return rows;
  };
}

}  // namespace rapport
