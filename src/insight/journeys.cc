#include "insight/journeys.h"

#include <algorithm>
#include <cmath>

#include "insight/spec_util.h"
#include "warehouse/query/filter.h"
#include "warehouse/query/parallel.h"

namespace rapport::insight {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

constexpr const char* kSource = "context.campaign.source";
constexpr const char* kMedium = "context.campaign.medium";
constexpr const char* kName = "context.campaign.name";
constexpr const char* kUrl = "context.page.url";

std::string Text(const warehouse::Chunk& c, const char* path, size_t r) {
  const warehouse::PropertyColumn* col = c.Find(path);
  if (!col || col->kind[r] != warehouse::ValueKind::kString) return "";
  return std::string(col->text(r));
}

}  // namespace

Result<JourneySpec> ParseJourneySpec(object spec) {
  JourneySpec out;
  ASSIGN_OR_RETURN(out.range, warehouse::ParseTimeRange(spec));
  ASSIGN_OR_RETURN(out.conversion, ParsePurchaseSource(spec, "conversion"));
  ASSIGN_OR_RETURN(int64_t lookback, warehouse::ParseInt(spec, "lookback_days", 1, 365, 30));
  ASSIGN_OR_RETURN(int64_t half_life, warehouse::ParseInt(spec, "half_life_days", 1, 365, 7));
  ASSIGN_OR_RETURN(int64_t order, warehouse::ParseInt(spec, "markov_order", 1, 4, 1));
  out.settings.lookback_us = lookback * warehouse::kDayUs;
  out.settings.half_life_us = half_life * warehouse::kDayUs;
  out.settings.markov_order = static_cast<int>(order);
  out.rules = DefaultChannelRules();
  element e;
  if (spec.at_key("channels").get(e) == simdjson::SUCCESS) {
    ASSIGN_OR_RETURN(out.rules, ParseChannelRules(simdjson::minify(e)));
  }
  return out;
}

Result<JourneyData> ReadJourneys(const warehouse::Snapshot& snapshot, const JourneySpec& spec,
                                 int threads) {
  // One pass over [from − lookback, to): touchpoints, and conversions in [from, to).
  const warehouse::TimeRange& range = spec.range;
  const warehouse::CompiledFilter conversion(spec.conversion.filter, snapshot.events());
  std::vector<std::string> paths = {kSource, kMedium, kName, kUrl, spec.conversion.revenue_path};
  paths.insert(paths.end(), conversion.paths().begin(), conversion.paths().end());
  const warehouse::TimeRange scan{range.from_us - spec.settings.lookback_us, range.to_us};
  if (threads <= 0) threads = warehouse::DefaultQueryThreads();
  std::vector<JourneyData> parts(static_cast<size_t>(threads));
  const warehouse::ProfileMap& profiles = snapshot.profiles();
  RETURN_IF_ERROR(warehouse::ParallelChunks(
      snapshot.chunk_count(), threads, [&](int worker, size_t i) -> Status {
        const warehouse::ChunkInfo& info = snapshot.info(i);
        if (info.max_ts < scan.from_us || info.min_ts >= scan.to_us) return Status::OK();
        ASSIGN_OR_RETURN(warehouse::ChunkPtr chunk, snapshot.Load(i, paths));
        const warehouse::Chunk& c = *chunk;
        JourneyData& out = parts[static_cast<size_t>(worker)];
        std::vector<uint8_t> converts(c.rows);
        if (conversion.possible()) conversion.Evaluate(c, converts.data());
        for (size_t r = 0; r < c.rows; ++r) {
          const int64_t ts = c.ts()[r];
          if (!scan.Contains(ts) || c.profile()[r] == 0) continue;
          const uint64_t profile = profiles.Current(c.profile()[r]);
          if (converts[r] && range.Contains(ts)) {
            const auto v =
                warehouse::ValueAtRow(c.Find(spec.conversion.revenue_path), r).AsNumber();
            out.conversions.push_back({profile, ts, v && std::isfinite(*v) && *v > 0 ? *v : 0});
          }
          CampaignFields fields{Text(c, kSource, r), Text(c, kMedium, r), Text(c, kName, r)};
          if (fields.source.empty() && fields.medium.empty() && fields.campaign.empty()) {
            fields = ParseUtm(Text(c, kUrl, r));
          }
          if (fields.source.empty() && fields.medium.empty() && fields.campaign.empty()) continue;
          out.touches.push_back({profile, ts, std::string(AssignChannel(spec.rules, fields)),
                                 std::move(fields.campaign)});
        }
        return Status::OK();
      }));
  JourneyData all;
  for (JourneyData& p : parts) {
    std::move(p.touches.begin(), p.touches.end(), std::back_inserter(all.touches));
    all.conversions.insert(all.conversions.end(), p.conversions.begin(), p.conversions.end());
  }
  std::sort(all.touches.begin(), all.touches.end(), [](const auto& a, const auto& b) {
    return a.profile != b.profile ? a.profile < b.profile : a.ts < b.ts;
  });
  std::sort(all.conversions.begin(), all.conversions.end(), [](const auto& a, const auto& b) {
    return a.profile != b.profile ? a.profile < b.profile
           : a.ts != b.ts         ? a.ts < b.ts
                                  : a.value < b.value;
  });
  return all;
}

void BuildPaths(const JourneyData& data, const JourneySpec& spec, const TouchLabel& label,
                std::vector<ConversionPath>* converting, std::vector<ConversionPath>* journeys) {
  const auto& touches = data.touches;
  const auto& conversions = data.conversions;
  size_t t = 0, k = 0;
  while (t < touches.size() || k < conversions.size()) {
    const uint64_t p = std::min(t < touches.size() ? touches[t].profile : UINT64_MAX,
                                k < conversions.size() ? conversions[k].profile : UINT64_MAX);
    const size_t t0 = t;
    while (t < touches.size() && touches[t].profile == p) ++t;
    bool converted = false;
    for (; k < conversions.size() && conversions[k].profile == p; ++k) {
      ConversionPath path{.end_us = conversions[k].ts, .value = conversions[k].value};
      for (size_t i = t0; i < t && touches[i].ts <= path.end_us; ++i) {
        path.touchpoints.push_back({label(touches[i]), touches[i].ts});
      }
      converting->push_back(std::move(path));
      converted = true;
    }
    if (!converted && t > t0 && touches[t - 1].ts >= spec.range.from_us) {
      ConversionPath journey{.end_us = spec.range.to_us - 1};
      for (size_t i = t0; i < t; ++i)
        journey.touchpoints.push_back({label(touches[i]), touches[i].ts});
      journeys->push_back(std::move(journey));
    }
  }
}

}  // namespace rapport::insight
