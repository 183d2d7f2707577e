#include "insight/roi/roi.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "insight/roi/credit.h"

namespace rapport::insight {
namespace {

constexpr char kSeparator = '\x1f';
constexpr int64_t kMaxDays = 3700;  // ten years and a bit

// The measures credited for every line, in this order.
enum Measure { kConversions, kRevenue, kNew, kLtv, kAcquiredRevenue, kAcquiredMonths, kMeasures };

std::optional<double> Ratio(double a, double b) {
  if (!(b > 0)) return std::nullopt;
  const double r = a / b;
  return std::isfinite(r) ? std::optional<double>(r) : std::nullopt;
}

// The slope of log(revenue) on log(spend) over the days with both > 0, clamped to [0, 1];
// nullopt with fewer than `min_days` such days or (almost) constant spend.
std::optional<double> Elasticity(const std::vector<double>& spend,
                                 const std::vector<double>& revenue, size_t min_days,
                                 size_t* used) {
  std::vector<std::pair<double, double>> points;
  for (size_t d = 0; d < spend.size(); ++d) {
    if (spend[d] > 0 && revenue[d] > 0)
      points.emplace_back(std::log(spend[d]), std::log(revenue[d]));
  }
  if (points.size() < std::max<size_t>(min_days, 2)) return std::nullopt;
  double mx = 0, my = 0;
  for (auto [x, y] : points) mx += x, my += y;
  mx /= static_cast<double>(points.size());
  my /= static_cast<double>(points.size());
  double sxx = 0, sxy = 0;
  for (auto [x, y] : points) sxx += (x - mx) * (x - mx), sxy += (x - mx) * (y - my);
  // Spend that varies by less than ~5 % says nothing about the response to more of it.
  if (sxx / static_cast<double>(points.size()) < 0.05 * 0.05) return std::nullopt;
  *used = points.size();
  return std::clamp(sxy / sxx, 0.0, 1.0);
}

// Without spend there is nothing to return (and no spend on record is not free): no ratios.
void Derive(const RoiSettings& s, RoiLine* l) {
  if (!(l->spend > 0)) return;
  l->cac = Ratio(l->spend, l->new_customers);
  l->roas = Ratio(l->revenue, l->spend);
  l->ltv_cac = Ratio(s.margin * l->ltv, l->spend);
  const auto monthly = Ratio(l->acquired_revenue, l->acquired_months);
  if (l->cac && monthly) l->payback_months = Ratio(*l->cac, s.margin * *monthly);
}

struct Built {
  std::vector<RoiLine> lines;
  std::vector<size_t> ranking;
  std::string model;
};

// The lines of one level (channels, or campaigns when `campaigns`).
Result<Built> BuildLines(const PreparedPaths& paths, bool campaigns,
                         const std::vector<std::vector<double>>& measures,
                         const std::vector<uint32_t>& day, const std::vector<SpendRow>& spend,
                         const RoiSettings& s) {
  const size_t days = static_cast<size_t>(s.to_day - s.from_day + 1);
  ASSIGN_OR_RETURN(MeasureCredits credits,
                   CreditMeasures(s.model, paths, s.attribution, measures, day, days, kRevenue));
  Built out;
  out.model = credits.model;
  std::map<std::string, size_t> index;
  std::vector<std::vector<double>> daily_revenue, daily_spend;
  auto line_of = [&](const std::string& label) -> size_t {
    auto [it, added] = index.emplace(label, out.lines.size());
    if (added) {
      RoiLine l;
      if (campaigns) {
        std::tie(l.channel, l.campaign) = SplitCampaignLabel(label);
      } else {
        l.channel = label;
      }
      out.lines.push_back(std::move(l));
      daily_revenue.emplace_back(days, 0.0);
      daily_spend.emplace_back(days, 0.0);
    }
    return it->second;
  };
  for (size_t c = 0; c < paths.channels.size(); ++c) {
    const size_t i = line_of(paths.channels[c]);
    RoiLine& l = out.lines[i];
    const std::vector<double>& t = credits.total[c];
    l.conversions = t[kConversions];
    l.revenue = t[kRevenue];
    l.new_customers = t[kNew];
    l.ltv = t[kLtv];
    l.acquired_revenue = t[kAcquiredRevenue];
    l.acquired_months = t[kAcquiredMonths];
    daily_revenue[i] = credits.daily[c];
  }
  for (const SpendRow& row : spend) {
    if (row.day < s.from_day || row.day > s.to_day) continue;
    const std::string campaign = row.campaign.empty() ? std::string(kNotSet) : row.campaign;
    const size_t i = line_of(campaigns ? CampaignLabel(row.channel, campaign) : row.channel);
    out.lines[i].spend += row.cost;
    daily_spend[i][static_cast<size_t>(row.day - s.from_day)] += row.cost;
  }
  for (size_t i = 0; i < out.lines.size(); ++i) {
    RoiLine& l = out.lines[i];
    Derive(s, &l);
    if (!l.roas) continue;
    l.elasticity =
        Elasticity(daily_spend[i], daily_revenue[i], s.min_response_days, &l.response_days);
    l.marginal_roas = l.elasticity ? *l.elasticity * *l.roas : *l.roas;
  }
  std::sort(out.lines.begin(), out.lines.end(), [](const RoiLine& a, const RoiLine& b) {
    if (a.spend != b.spend) return a.spend > b.spend;
    if (a.revenue != b.revenue) return a.revenue > b.revenue;
    return std::tie(a.channel, a.campaign) < std::tie(b.channel, b.campaign);
  });
  for (size_t i = 0; i < out.lines.size(); ++i) {
    if (out.lines[i].marginal_roas) out.ranking.push_back(i);
  }
  std::stable_sort(out.ranking.begin(), out.ranking.end(), [&](size_t a, size_t b) {
    return *out.lines[a].marginal_roas > *out.lines[b].marginal_roas;
  });
  return out;
}

Status Validate(const PreparedPaths& by_channel, const PreparedPaths& by_campaign,
                const std::vector<RoiConversion>& conversions, const std::vector<SpendRow>& spend,
                const RoiSettings& s) {
  RETURN_IF_ERROR(ValidateCreditModel(s.model));
  if (!(s.margin > 0 && s.margin <= 1)) {
    return Status::InvalidArgument("\"margin\" must be in (0, 1]");
  }
  if (s.to_day < s.from_day || s.to_day - s.from_day >= kMaxDays) {
    return Status::InvalidArgument("the range must hold 1 to " + std::to_string(kMaxDays) +
                                   " days");
  }
  if (conversions.size() != by_channel.conversions() ||
      conversions.size() != by_campaign.conversions()) {
    return Status::InvalidArgument("one RoiConversion per converting path is needed");
  }
  for (const RoiConversion& c : conversions) {
    for (double x : {c.ltv, c.revenue_to_date, c.months}) {
      if (!std::isfinite(x) || x < 0) {
        return Status::InvalidArgument("lifetime values and months must be finite and ≥ 0");
      }
    }
  }
  for (const SpendRow& row : spend) {
    if (!std::isfinite(row.cost) || row.cost < 0 || row.channel.empty()) {
      return Status::InvalidArgument("spend rows need a channel and a finite cost ≥ 0");
    }
  }
  return Status::OK();
}

}  // namespace

std::string CampaignLabel(std::string_view channel, std::string_view campaign) {
  std::string label(channel);
  label += kSeparator;
  label += campaign;
  return label;
}

std::pair<std::string, std::string> SplitCampaignLabel(std::string_view label) {
  const size_t at = label.find(kSeparator);
  if (at == std::string_view::npos) return {std::string(label), std::string(kNotSet)};
  return {std::string(label.substr(0, at)), std::string(label.substr(at + 1))};
}

Result<RoiReport> ComputeRoi(const PreparedPaths& by_channel, const PreparedPaths& by_campaign,
                             const std::vector<RoiConversion>& conversions,
                             const std::vector<SpendRow>& spend, const RoiSettings& settings) {
  RETURN_IF_ERROR(Validate(by_channel, by_campaign, conversions, spend, settings));
  const size_t n = conversions.size();
  const int64_t days = settings.to_day - settings.from_day + 1;
  std::vector<std::vector<double>> measures(kMeasures, std::vector<double>(n, 0.0));
  std::vector<uint32_t> day(n);
  for (size_t i = 0; i < n; ++i) {
    const RoiConversion& c = conversions[i];
    measures[kConversions][i] = 1;
    measures[kRevenue][i] = by_channel.value[i];
    if (c.first) {
      measures[kNew][i] = 1;
      measures[kLtv][i] = c.ltv;
      measures[kAcquiredRevenue][i] = c.revenue_to_date;
      measures[kAcquiredMonths][i] = std::max(1.0, c.months);
    }
    day[i] = static_cast<uint32_t>(std::clamp<int64_t>(c.day - settings.from_day, 0, days - 1));
  }
  ASSIGN_OR_RETURN(Built channels, BuildLines(by_channel, false, measures, day, spend, settings));
  ASSIGN_OR_RETURN(Built campaigns, BuildLines(by_campaign, true, measures, day, spend, settings));
  RoiReport r;
  r.model = channels.model;
  r.total.channel = "total";
  for (const RoiLine& l : channels.lines) {
    r.total.spend += l.spend;
    r.total.conversions += l.conversions;
    r.total.revenue += l.revenue;
    r.total.new_customers += l.new_customers;
    r.total.ltv += l.ltv;
    r.total.acquired_revenue += l.acquired_revenue;
    r.total.acquired_months += l.acquired_months;
  }
  Derive(settings, &r.total);
  r.channels = std::move(channels.lines);
  r.channel_ranking = std::move(channels.ranking);
  r.campaigns = std::move(campaigns.lines);
  r.campaign_ranking = std::move(campaigns.ranking);
  return r;
}

}  // namespace rapport::insight
