#include "demo/catalog.h"

#include <array>

namespace rapport::demo {
namespace {

// Civil date of a day count (Howard Hinnant's algorithm).
void CivilFromDays(int64_t z, int* year, int* month, int* day) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  *day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *year = static_cast<int>(yoe + era * 400 + (*month <= 2));
}

constexpr std::array kCampaigns = {
    Campaign{"Paid Search", "brand", "google", "cpc", 240, 12},
    Campaign{"Paid Search", "generic", "google", "cpc", 620, 16},
    Campaign{"Paid Social", "prospecting", "facebook", "paid_social", 480, 14},
    Campaign{"Paid Social", "retargeting", "instagram", "paid_social", 170, 0},
    Campaign{"Display", "awareness", "gdn", "display", 230, 4},
    Campaign{"Email", "newsletter", "newsletter", "email", 12, 0},
};

constexpr std::array kFree = {
    FreeChannel{"google", "organic", 14},
    FreeChannel{"", "", 11},
    FreeChannel{"twitter", "social", 4},
};

constexpr std::array kProducts = {
    Product{"sku-100", "Trail Runner", "Shoes", 89},
    Product{"sku-101", "City Sneaker", "Shoes", 69},
    Product{"sku-102", "Rain Boot", "Shoes", 59},
    Product{"sku-200", "Merino Tee", "Tops", 39},
    Product{"sku-201", "Linen Shirt", "Tops", 49},
    Product{"sku-202", "Fleece Hoodie", "Tops", 65},
    Product{"sku-300", "Packable Jacket", "Outerwear", 129},
    Product{"sku-301", "Down Parka", "Outerwear", 219},
    Product{"sku-400", "Daypack 20L", "Bags", 79},
    Product{"sku-401", "Weekender Duffel", "Bags", 119},
    Product{"sku-500", "Wool Socks (3)", "Accessories", 19},
    Product{"sku-501", "Sun Cap", "Accessories", 24},
    Product{"sku-502", "Water Bottle", "Accessories", 15},
};

constexpr std::array<std::string_view, 24> kFirst = {
    "Ada",  "Ben",  "Chloe", "David", "Emma", "Felix", "Grace", "Hugo",
    "Iris", "Jack", "Kira",  "Leo",   "Maya", "Noah",  "Olga",  "Paul",
    "Rosa", "Sam",  "Tara",  "Umar",  "Vera", "Will",  "Yara",  "Zoe"};
constexpr std::array<std::string_view, 20> kLast = {
    "Adams",  "Brown", "Costa",  "Dubois",   "Evans",  "Fischer", "Garcia",
    "Hughes", "Ito",   "Jensen", "Kowalski", "Lopez",  "Moreau",  "Novak",
    "Okafor", "Patel", "Rossi",  "Silva",    "Tanaka", "Weber"};
constexpr std::array<std::string_view, 8> kCountries = {"US", "US", "US", "GB",
                                                        "DE", "FR", "CA", "NL"};
constexpr std::array<std::string_view, 6> kIndustries = {"Retail",     "Software",    "Education",
                                                         "Healthcare", "Hospitality", "Logistics"};
constexpr std::array<std::string_view, 5> kTopics = {"Delivery", "Sizing", "Returns", "Payment",
                                                     "Account"};

constexpr std::array<double, 24> kHours = {0.010, 0.006, 0.004, 0.003, 0.003, 0.005, 0.012, 0.025,
                                           0.040, 0.050, 0.055, 0.058, 0.062, 0.060, 0.057, 0.055,
                                           0.056, 0.060, 0.068, 0.075, 0.088, 0.070, 0.050, 0.028};

}  // namespace

std::span<const Campaign> Campaigns() { return kCampaigns; }
int RetargetingCampaign() { return 3; }
int NewsletterCampaign() { return 5; }
int BrandSearchCampaign() { return 0; }
std::span<const FreeChannel> FreeChannels() { return kFree; }
std::span<const Product> Products() { return kProducts; }
std::span<const std::string_view> FirstNames() { return kFirst; }
std::span<const std::string_view> LastNames() { return kLast; }
std::span<const std::string_view> Countries() { return kCountries; }
std::span<const std::string_view> Industries() { return kIndustries; }
std::span<const std::string_view> TicketTopics() { return kTopics; }
std::span<const double> HourWeights() { return kHours; }

double DemandOn(int64_t day) {
  int year, month, dom;
  CivilFromDays(day, &year, &month, &dom);
  const int64_t weekday = (day + 4) % 7;  // 0 = Sunday (1970-01-01 was a Thursday)
  double demand = (weekday == 0 || weekday == 6) ? 1.25 : 1.0;
  if (month == 7 && dom >= 10 && dom <= 16) demand *= 1.6;
  if (month == 11) {
    // The fourth Thursday: the first Thursday falls on day 1 + (4 - weekday of the 1st) mod 7.
    const int64_t first = day - (dom - 1);
    const int first_thursday = 1 + static_cast<int>((4 - (first + 4) % 7 + 7) % 7);
    const int thanksgiving = first_thursday + 21;
    if (dom >= thanksgiving && dom < thanksgiving + 7) demand *= 1.8;
  }
  return demand;
}

}  // namespace rapport::demo
