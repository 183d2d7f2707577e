// The fixed cast of the demo shop (demo/world.h): its marketing campaigns with their daily
// budgets and the new customers a budget brings, the products it sells, people's names, and the
// calendar effects (weekends, a summer sale, Black Friday week). Plain constant data; no state.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace rapport::demo {

// A paid campaign (or the newsletter): how it is tagged on visits, what it costs per day on
// average, and how many new customers that average budget brings per day (0: it only brings
// back customers already acquired). New customers follow budget^kSpendElasticity.
struct Campaign {
  std::string_view channel;  // what the default channel grouping calls it
  std::string_view name;     // utm_campaign
  std::string_view source;   // utm_source
  std::string_view medium;   // utm_medium
  double daily_cost;
  double new_per_day;
};
inline constexpr double kSpendElasticity = 0.6;
std::span<const Campaign> Campaigns();
// The campaign index of the newsletter and of the two retargeting campaigns.
int NewsletterCampaign();
int RetargetingCampaign();
int BrandSearchCampaign();

// Unpaid ways in: tagged (organic search, social) or not (direct); new customers per day.
struct FreeChannel {
  std::string_view source;  // "" = direct
  std::string_view medium;
  double new_per_day;
};
std::span<const FreeChannel> FreeChannels();

struct Product {
  std::string_view id;
  std::string_view name;
  std::string_view category;
  double price;
};
std::span<const Product> Products();

std::span<const std::string_view> FirstNames();
std::span<const std::string_view> LastNames();
std::span<const std::string_view> Countries();  // ISO 3166 codes
std::span<const std::string_view> Industries();
std::span<const std::string_view> TicketTopics();

// How much busier than an ordinary weekday a day (days since 1970-01-01) is: weekends, the
// summer sale (July 10-16) and Black Friday week (the 7 days from the fourth Thursday of
// November) raise it.
double DemandOn(int64_t day);
// The share of a day's visits starting in each UTC hour (sums to 1): quiet nights, busy evenings.
std::span<const double> HourWeights();

}  // namespace rapport::demo
