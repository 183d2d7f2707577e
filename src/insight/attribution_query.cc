#include "insight/attribution_query.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "common/json_writer.h"
#include "insight/attribution/channel.h"
#include "insight/attribution/compare.h"
#include "insight/attribution/paths.h"
#include "insight/spec_util.h"
#include "warehouse/query/filter.h"
#include "warehouse/query/parallel.h"

namespace rapport::insight {

namespace {

using simdjson::dom::element;
using simdjson::dom::object;
using warehouse::FormatNumber;

constexpr const char* kSource = "context.campaign.source";
constexpr const char* kMedium = "context.campaign.medium";
constexpr const char* kName = "context.campaign.name";
constexpr const char* kUrl = "context.page.url";

struct Touch {
  uint64_t profile;
  int64_t ts;
  std::string channel;
};
struct Conversion {
  uint64_t profile;
  int64_t ts;
  double value;
};

std::string Text(const warehouse::Chunk& c, const char* path, size_t r) {
  const warehouse::PropertyColumn* col = c.Find(path);
  if (!col || col->kind[r] != warehouse::ValueKind::kString) return "";
  return std::string(col->text(r));
}

}  // namespace

Result<warehouse::QueryOutput> RunAttributionQuery(const warehouse::Snapshot& snapshot, object spec,
                                                   const warehouse::QueryOptions& options) {
  RETURN_IF_ERROR(
      warehouse::RejectUnknown(spec,
                               {"kind", "from", "to", "conversion", "revenue", "lookback_days",
                                "half_life_days", "markov_order", "channels"},
                               "the query"));
  ASSIGN_OR_RETURN(warehouse::TimeRange range, warehouse::ParseTimeRange(spec));
  ASSIGN_OR_RETURN(const PurchaseSource conversion_source, ParsePurchaseSource(spec, "conversion"));
  element e;
  AttributionSettings settings;
  ASSIGN_OR_RETURN(int64_t lookback, warehouse::ParseInt(spec, "lookback_days", 1, 365, 30));
  ASSIGN_OR_RETURN(int64_t half_life, warehouse::ParseInt(spec, "half_life_days", 1, 365, 7));
  ASSIGN_OR_RETURN(int64_t order, warehouse::ParseInt(spec, "markov_order", 1, 4, 1));
  settings.lookback_us = lookback * warehouse::kDayUs;
  settings.half_life_us = half_life * warehouse::kDayUs;
  settings.markov_order = static_cast<int>(order);
  ChannelRules rules = DefaultChannelRules();
  if (spec.at_key("channels").get(e) == simdjson::SUCCESS) {
    ASSIGN_OR_RETURN(rules, ParseChannelRules(simdjson::minify(e)));
  }

  // One pass over [from − lookback, to): touchpoints, and conversions in [from, to).
  const warehouse::CompiledFilter conversion(conversion_source.filter, snapshot.events());
  std::vector<std::string> paths = {kSource, kMedium, kName, kUrl, conversion_source.revenue_path};
  paths.insert(paths.end(), conversion.paths().begin(), conversion.paths().end());
  const warehouse::TimeRange scan{range.from_us - settings.lookback_us, range.to_us};
  const int threads = options.threads > 0 ? options.threads : warehouse::DefaultQueryThreads();
  std::vector<std::vector<Touch>> touches(static_cast<size_t>(threads));
  std::vector<std::vector<Conversion>> conversions(static_cast<size_t>(threads));
  const warehouse::ProfileMap& profiles = snapshot.profiles();
  RETURN_IF_ERROR(warehouse::ParallelChunks(
      snapshot.chunk_count(), threads, [&](int worker, size_t i) -> Status {
        const warehouse::ChunkInfo& info = snapshot.info(i);
        if (info.max_ts < scan.from_us || info.min_ts >= scan.to_us) return Status::OK();
        ASSIGN_OR_RETURN(warehouse::ChunkPtr chunk, snapshot.Load(i, paths));
        const warehouse::Chunk& c = *chunk;
        std::vector<uint8_t> converts(c.rows);
        if (conversion.possible()) conversion.Evaluate(c, converts.data());
        for (size_t r = 0; r < c.rows; ++r) {
          const int64_t ts = c.ts()[r];
          if (!scan.Contains(ts) || c.profile()[r] == 0) continue;
          const uint64_t profile = profiles.Current(c.profile()[r]);
          if (converts[r] && range.Contains(ts)) {
            const auto v =
                warehouse::ValueAtRow(c.Find(conversion_source.revenue_path), r).AsNumber();
            conversions[static_cast<size_t>(worker)].push_back(
                {profile, ts, v && std::isfinite(*v) && *v > 0 ? *v : 0});
          }
          CampaignFields fields{Text(c, kSource, r), Text(c, kMedium, r), Text(c, kName, r)};
          if (fields.source.empty() && fields.medium.empty() && fields.campaign.empty()) {
            fields = ParseUtm(Text(c, kUrl, r));
          }
          if (fields.source.empty() && fields.medium.empty() && fields.campaign.empty()) continue;
          touches[static_cast<size_t>(worker)].push_back(
              {profile, ts, std::string(AssignChannel(rules, fields))});
        }
        return Status::OK();
      }));
  std::vector<Touch> all_touches;
  std::vector<Conversion> all_conversions;
  for (int w = 0; w < threads; ++w) {
    for (Touch& t : touches[static_cast<size_t>(w)]) all_touches.push_back(std::move(t));
    auto& cw = conversions[static_cast<size_t>(w)];
    all_conversions.insert(all_conversions.end(), cw.begin(), cw.end());
  }
  auto by_profile_time = [](const auto& a, const auto& b) {
    return a.profile != b.profile ? a.profile < b.profile : a.ts < b.ts;
  };
  std::sort(all_touches.begin(), all_touches.end(), by_profile_time);
  std::sort(all_conversions.begin(), all_conversions.end(),
            [&](const Conversion& a, const Conversion& b) {
              return a.profile != b.profile ? a.profile < b.profile
                     : a.ts != b.ts         ? a.ts < b.ts
                                            : a.value < b.value;
            });
  // Paths: per conversion, its customer's touches up to it (PreparePaths applies the window);
  // per customer with touches in the range and no conversion, a journey ending at `to`.
  std::vector<ConversionPath> converting, journeys;
  size_t t = 0, k = 0;
  while (t < all_touches.size() || k < all_conversions.size()) {
    const uint64_t p =
        std::min(t < all_touches.size() ? all_touches[t].profile : UINT64_MAX,
                 k < all_conversions.size() ? all_conversions[k].profile : UINT64_MAX);
    const size_t t0 = t;
    while (t < all_touches.size() && all_touches[t].profile == p) ++t;
    bool converted = false;
    for (; k < all_conversions.size() && all_conversions[k].profile == p; ++k) {
      ConversionPath path{.end_us = all_conversions[k].ts, .value = all_conversions[k].value};
      for (size_t i = t0; i < t && all_touches[i].ts <= path.end_us; ++i) {
        path.touchpoints.push_back({all_touches[i].channel, all_touches[i].ts});
      }
      converting.push_back(std::move(path));
      converted = true;
    }
    if (!converted && t > t0 && all_touches[t - 1].ts >= range.from_us) {
      ConversionPath journey{.end_us = range.to_us - 1};
      for (size_t i = t0; i < t; ++i) {
        journey.touchpoints.push_back({all_touches[i].channel, all_touches[i].ts});
      }
      journeys.push_back(std::move(journey));
    }
  }
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
