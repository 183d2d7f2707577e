#include "demo/world.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <utility>

#include <fmt/format.h>

#include "common/json_writer.h"
#include "common/time_format.h"
#include "demo/catalog.h"

namespace rapport::demo {
namespace {

constexpr int64_t kMinuteUs = 60'000'000;
constexpr int64_t kHourUs = 60 * kMinuteUs;
constexpr int64_t kDayUs = 24 * kHourUs;

constexpr double kExistingShare = 0.25;   // of the customers: known before the first day
constexpr double kBaseVisitRate = 0.085;  // median visits per customer per ordinary day

enum Platform : uint8_t { kWeb, kApp, kBoth };

// Where a visit came from: a campaign, a free channel, or neither (direct).
struct Touch {
  int campaign = -1;
  int free_channel = -1;
  std::string_view referrer_url;
};

struct Customer {
  uint32_t id = 0;
  int first_day = 0;
  int churn_day = 0;  // the last day with visits
  bool existing = false;
  double visit_rate = 0;
  double buy_rate = 0;  // P(order | checkout started)
  Platform platform = kWeb;
  Touch acquired;
  uint32_t referrer = UINT32_MAX;
  bool signed_up = false;
  bool identify_sent = false;
  bool subscriber = false;
  bool ads_consent = true;
  bool crm = false;
  bool social = false;
  int plan = 0;  // 0 free, 1 pro, 2 business
  int signup_day = -1;
  int orders = 0;
  int last_ticket_hours = 0;
  double revenue = 0;
  int last_order_day = -1000;
};

constexpr std::string_view kPlans[] = {"free", "pro", "business"};
constexpr double kPlanFee[] = {0, 29, 99};

// A Segment call under construction: {"type": ..., fields...}.
class Call {
 public:
  explicit Call(std::string_view type) {
    out_ = "{\"type\":";
    AppendJsonString(&out_, type);
  }
  Call& Str(std::string_view key, std::string_view value) {
    Key(key);
    AppendJsonString(&out_, value);
    return *this;
  }
  Call& Raw(std::string_view key, std::string_view json) {
    Key(key);
    out_ += json;
    return *this;
  }
  std::string Done() { return std::move(out_) + "}"; }

 private:
  void Key(std::string_view key) {
    out_ += ',';
    AppendJsonString(&out_, key);
    out_ += ':';
  }
  std::string out_;
};

std::string Money(double v) { return fmt::format("{:.2f}", std::round(v * 100) / 100); }

}  // namespace

struct DemoWorld::State {
  DemoOptions options;
  std::mt19937_64 rng;
  int64_t first_day = 0;
  std::vector<Customer> customers;
  std::vector<DemoSpend> spend;
  std::multimap<int64_t, DemoEvent> later;        // events of days still to come, by timestamp
  std::vector<std::pair<int, uint32_t>> invited;  // (arrival day, referrer) of invitees to come
  std::vector<DemoEvent> today;
  DemoStats stats;
  uint64_t messages = 0;
  uint64_t orders = 0;
  uint64_t tickets = 0;
  uint64_t strangers = 0;
  int next_day = 0;
  bool sale = false;  // today is a sale day: 20 % off

  double Uniform() { return std::uniform_real_distribution<double>(0, 1)(rng); }
  bool Chance(double p) { return Uniform() < p; }
  int Poisson(double mean) { return mean <= 0 ? 0 : std::poisson_distribution<int>(mean)(rng); }
  template <typename T>
  const T& Pick(std::span<const T> items) {
    return items[std::uniform_int_distribution<size_t>(0, items.size() - 1)(rng)];
  }
  double LogNormal(double median, double sigma) {
    return median * std::exp(std::normal_distribution<double>(0, sigma)(rng));
  }
  int64_t DayStart(int d) const { return (first_day + d) * kDayUs; }
  // A moment of day `d`, hours weighted as people visit.
  int64_t VisitTime(int d) {
    std::span<const double> w = HourWeights();
    const size_t hour = std::discrete_distribution<size_t>(w.begin(), w.end())(rng);
    return DayStart(d) + static_cast<int64_t>(hour) * kHourUs +
           static_cast<int64_t>(Uniform() * kHourUs);
  }

  // --- identities -------------------------------------------------------------------------
  static std::string UserId(const Customer& c) { return fmt::format("u{:05}", c.id); }
  std::string Hex(uint32_t id, uint64_t salt) const {
    uint64_t x = (options.seed * 0x9E3779B97F4A7C15ull) ^ (uint64_t{id} << 20) ^ salt;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 29;
    return fmt::format("{:016x}", x);
  }
  std::string AnonymousId(const Customer& c) const { return "a-" + Hex(c.id, 1); }
  std::string DeviceId(const Customer& c) const { return "d-" + Hex(c.id, 2); }
  static std::string_view First(const Customer& c) {
    return FirstNames()[c.id % FirstNames().size()];
  }
  static std::string_view Last(const Customer& c) {
    return LastNames()[(c.id / FirstNames().size()) % LastNames().size()];
  }
  static std::string Email(const Customer& c) {
    std::string e = fmt::format("{}.{}{}@example.com", First(c), Last(c), c.id);
    std::transform(e.begin(), e.end(), e.begin(), [](char ch) {
      return ch >= 'A' && ch <= 'Z' ? static_cast<char>(ch - 'A' + 'a') : ch;
    });
    return e;
  }
  static std::string Handle(const Customer& c) {
    return fmt::format("@{}_{}{}", First(c), Last(c), c.id % 97);
  }

  // Adds the customer's identifiers: userId once signed up, else the web or app anonymous id.
  void Identify(Call& call, const Customer& c, bool app) const {
    if (c.signed_up) call.Str("userId", UserId(c));
    call.Str("anonymousId", app ? DeviceId(c) : AnonymousId(c));
  }

  void Emit(int64_t ts, std::string_view source, Call call) {
    call.Str("messageId", fmt::format("demo-{}-{}", options.seed, ++messages));
    call.Str("timestamp", FormatIso8601(ts));
    DemoEvent e{ts, source, call.Done()};
    if (ts >= DayStart(next_day) + kDayUs) {
      later.emplace(ts, std::move(e));
    } else {
      today.push_back(std::move(e));
    }
  }

  // --- customers ------------------------------------------------------------------------
  Customer& NewCustomer(int d, Touch touch) {
    Customer c;
    c.id = static_cast<uint32_t>(customers.size() + 1);
    c.first_day = d;
    const double lifetime = -std::log(1 - Uniform()) * 120;  // days, exponential
    c.churn_day = d + static_cast<int>(lifetime);
    c.visit_rate = LogNormal(kBaseVisitRate * options.activity, 0.6);
    c.buy_rate = 0.25 + 0.55 * Uniform();
    const double p = Uniform();
    c.platform = p < 0.6 ? kWeb : p < 0.8 ? kApp : kBoth;
    c.acquired = touch;
    c.ads_consent = Chance(0.8);
    c.social = Chance(0.12);
    customers.push_back(c);
    ++stats.customers;
    return customers.back();
  }

  void SeedExisting() {
    double per_day = 0;
    for (const Campaign& c : Campaigns()) per_day += c.new_per_day;
    for (const FreeChannel& f : FreeChannels()) per_day += f.new_per_day;
    const int n = static_cast<int>(std::lround(per_day * options.days * options.scale *
                                               kExistingShare / (1 - kExistingShare)));
    for (int i = 0; i < n; ++i) {
      Customer& c = NewCustomer(0, {});
      c.existing = true;
      c.signed_up = true;
      c.signup_day = -1 - static_cast<int>(Uniform() * 365);
      c.subscriber = Chance(0.6);
      c.crm = Chance(0.3);
      c.plan = Chance(0.2) ? (Chance(0.25) ? 2 : 1) : 0;
      c.orders = Poisson(2.5);
      c.churn_day = static_cast<int>(-std::log(1 - Uniform()) * 150);
    }
  }

  // --- one day ----------------------------------------------------------------------------
  void DaySpendAndArrivals(int d, double demand, double trend) {
    std::span<const Campaign> campaigns = Campaigns();
    const int64_t weekday = (first_day + d + 4) % 7;
    const bool weekend = weekday == 0 || weekday == 6;
    for (size_t i = 0; i < campaigns.size(); ++i) {
      const Campaign& k = campaigns[i];
      double cost = k.daily_cost * (weekend ? 0.85 : 1.0) * (demand > 1.3 ? 1.5 : 1.0) *
                    LogNormal(1, 0.35) * options.scale;
      cost = std::round(cost * 100) / 100;
      spend.push_back({first_day + d, k.channel, k.name, cost});
      const double relative = cost / (k.daily_cost * options.scale);
      const int n = Poisson(k.new_per_day * options.scale * trend * demand *
                            std::pow(relative, kSpendElasticity));
      for (int j = 0; j < n; ++j) NewCustomer(d, {static_cast<int>(i), -1, ""});
    }
    std::span<const FreeChannel> free = FreeChannels();
    for (size_t i = 0; i < free.size(); ++i) {
      const int n = Poisson(free[i].new_per_day * options.scale * trend * demand);
      std::string_view referrer = free[i].medium == "organic"  ? "https://www.google.com/"
                                  : free[i].medium == "social" ? "https://t.co/"
                                                               : "";
      for (int j = 0; j < n; ++j) NewCustomer(d, {-1, static_cast<int>(i), referrer});
    }
    for (auto it = invited.begin(); it != invited.end();) {
      if (it->first != d) {
        ++it;
        continue;
      }
      Customer& c = NewCustomer(d, {-1, -1, "https://rapport-outfitters.example/invite"});
      c.referrer = it->second;
      it = invited.erase(it);
    }
  }

  Touch ReturnTouch(const Customer& c) {
    const double p = Uniform();
    if (p < 0.12) return {BrandSearchCampaign(), -1, ""};
    if (p < 0.22 && c.ads_consent) return {RetargetingCampaign(), -1, ""};
    if (p < 0.40) return {-1, 0, "https://www.google.com/"};
    return {};
  }

  std::string TouchQuery(const Touch& t) const {
    if (t.campaign >= 0) {
      const Campaign& k = Campaigns()[t.campaign];
      return fmt::format("?utm_source={}&utm_medium={}&utm_campaign={}", k.source, k.medium,
                         k.name);
    }
    if (t.free_channel >= 0 && !FreeChannels()[t.free_channel].source.empty()) {
      const FreeChannel& f = FreeChannels()[t.free_channel];
      return fmt::format("?utm_source={}&utm_medium={}", f.source, f.medium);
    }
    return "";
  }

  std::string Consent(const Customer& c) const {
    return fmt::format(
        R"({{"consent":{{"categoryPreferences":{{"Advertising":{},"Analytics":true}}}}}})",
        c.ads_consent ? "true" : "false");
  }

  void SignUp(Customer& c, int d, int64_t t, bool app) {
    c.signed_up = true;
    c.signup_day = d;
    c.subscriber = Chance(0.6);
    c.crm = Chance(0.3);
    c.plan = Chance(0.15) ? (Chance(0.25) ? 2 : 1) : 0;
    SendIdentify(c, t, app);
    Call signup("track");
    Identify(signup, c, app);
    signup.Str("event", "Signed Up");
    std::string props = fmt::format(R"({{"method":"{}","plan":"{}")",
                                    Chance(0.7) ? "email" : "google", kPlans[c.plan]);
    if (c.referrer != UINT32_MAX) {
      props += ",\"referrer\":" + JsonString(UserId(customers[c.referrer - 1]));
    }
    signup.Raw("properties", props + "}");
    Emit(t + 1'000'000, app ? "mobile-app" : "website", std::move(signup));
    if (c.crm) {
      Call lead("track");
      lead.Str("userId", UserId(c)).Str("event", "Lead Created");
      lead.Raw("properties",
               fmt::format(R"({{"lead_source":"signup","plan":"{}"}})", kPlans[c.plan]));
      Emit(t + 30 * kMinuteUs, "crm", std::move(lead));
      Call crm("identify");
      crm.Str("userId", UserId(c));
      crm.Raw(
          "traits",
          fmt::format(R"({{"email":{},"company":"{} {}","industry":"{}","lifecycle_stage":"{}"}})",
                      JsonString(Email(c)), Last(c), Pick(Industries()), Pick(Industries()),
                      c.plan == 2 ? "customer" : "lead"));
      crm.Raw(
          "context",
          fmt::format(
              R"({{"externalIds":[{{"id":"C-{:05}","type":"crm_id","collection":"users","encoding":"none"}}]}})",
              c.id));
      Emit(t + static_cast<int64_t>((2 + Uniform() * 46) * kHourUs), "crm", std::move(crm));
    }
    if (c.plan > 0) {
      Call sub("track");
      sub.Str("userId", UserId(c)).Str("event", "Subscription Started");
      sub.Raw("properties", fmt::format(R"({{"plan":"{}","amount":{}}})", kPlans[c.plan],
                                        Money(kPlanFee[c.plan])));
      Emit(t + 2 * kMinuteUs, "shop", std::move(sub));
    }
  }

  void SendIdentify(Customer& c, int64_t t, bool app) {
    c.identify_sent = true;
    Call id("identify");
    Identify(id, c, app);
    std::string traits =
        fmt::format(R"({{"email":{},"first_name":"{}","last_name":"{}","plan":"{}","country":"{}")",
                    JsonString(Email(c)), First(c), Last(c), kPlans[c.plan],
                    Countries()[c.id % Countries().size()]);
    if (c.id % 5 < 2) traits += fmt::format(R"(,"phone":"+1 555 {:07}")", c.id);
    traits += fmt::format(R"(,"newsletter":{})", c.subscriber ? "true" : "false");
    id.Raw("traits", traits + "}");
    id.Raw("context", Consent(c));
    Emit(t, app ? "mobile-app" : "website", std::move(id));
  }

  void Visit(Customer& c, int d, int64_t t, const Touch& touch, bool first) {
    const bool app = c.platform == kApp || (c.platform == kBoth && Chance(0.4));
    const std::string_view source = app ? "mobile-app" : "website";
    auto step = [&] { t += static_cast<int64_t>((15 + Uniform() * 100) * 1'000'000); };
    if (c.signed_up && !c.identify_sent) SendIdentify(c, t, app);
    const std::string query = TouchQuery(touch);
    if (app) {
      Call open("track");
      Identify(open, c, app);
      open.Str("event", "Application Opened");
      std::string ctx = fmt::format(
          R"({{"app":{{"name":"Rapport Outfitters","version":"3.2.0"}},"device":{{"id":"{}","type":"{}"}})",
          DeviceId(c), c.id % 3 ? "ios" : "android");
      if (touch.campaign >= 0) {
        const Campaign& k = Campaigns()[touch.campaign];
        ctx += fmt::format(R"(,"campaign":{{"name":"{}","source":"{}","medium":"{}"}})", k.name,
                           k.source, k.medium);
      }
      open.Raw("context", ctx + "}");
      open.Raw("properties",
               first ? R"({"from_background":false})" : R"({"from_background":true})");
      Emit(t, source, std::move(open));
    } else {
      Call page("page");
      Identify(page, c, app);
      const std::string url = "https://rapport-outfitters.example/" + query;
      page.Str("name", "Home");
      page.Raw("properties", fmt::format(R"({{"path":"/","url":{},"title":"Rapport Outfitters"}})",
                                         JsonString(url)));
      page.Raw("context", fmt::format(R"({{"page":{{"path":"/","url":{},"referrer":{}}}}})",
                                      JsonString(url), JsonString(touch.referrer_url)));
      Emit(t, source, std::move(page));
    }
    if (!c.signed_up && !c.existing && Chance(first ? 0.4 : 0.2)) {
      step();
      SignUp(c, d, t, app);
    }
    const int viewed = 1 + std::geometric_distribution<int>(0.4)(rng);
    const Product* last = nullptr;
    for (int i = 0; i < viewed; ++i) {
      step();
      last = &Pick(Products());
      Call view("track");
      Identify(view, c, app);
      view.Str("event", "Product Viewed");
      view.Raw("properties",
               fmt::format(R"({{"product_id":"{}","name":"{}","category":"{}","price":{}}})",
                           last->id, last->name, last->category, last->price));
      Emit(t, source, std::move(view));
    }
    if (!Chance(0.32)) return;
    step();
    const int quantity = Chance(0.8) ? 1 : 2;
    Call add("track");
    Identify(add, c, app);
    add.Str("event", "Product Added");
    add.Raw("properties",
            fmt::format(R"({{"product_id":"{}","category":"{}","price":{},"quantity":{}}})",
                        last->id, last->category, last->price, quantity));
    Emit(t, source, std::move(add));
    if (!Chance(0.6)) return;
    step();
    Call checkout("track");
    Identify(checkout, c, app);
    checkout.Str("event", "Checkout Started");
    const double revenue = last->price * quantity * (sale ? 0.8 : 1.0);
    checkout.Raw("properties", fmt::format(R"({{"value":{}}})", Money(revenue)));
    Emit(t, source, std::move(checkout));
    if (!Chance(c.buy_rate)) return;
    t += 2 * kMinuteUs;
    Order(c, d, t, *last, quantity, revenue, app);
  }

  void Order(Customer& c, int d, int64_t t, const Product& p, int quantity, double revenue,
             bool app) {
    const std::string order_id = fmt::format("o-{:06}", ++orders);
    Call order("track");
    if (c.signed_up) {
      order.Str("userId", UserId(c));
    } else {  // a guest checkout: the shop knows the browser and the e-mail given at checkout
      order.Str("anonymousId", app ? DeviceId(c) : AnonymousId(c));
      order.Raw("context", fmt::format(R"({{"traits":{{"email":{}}}}})", JsonString(Email(c))));
    }
    order.Str("event", "Order Completed");
    order.Raw(
        "properties",
        fmt::format(
            R"({{"order_id":"{}","revenue":{},"currency":"USD","products":[{{"product_id":"{}","category":"{}","price":{},"quantity":{}}}]}})",
            order_id, Money(revenue), p.id, p.category, p.price, quantity));
    Emit(t, "shop", std::move(order));
    ++stats.orders;
    stats.revenue += revenue;
    if (c.orders == 0) ++stats.buyers;
    if (c.orders == 1) ++stats.repeat_buyers;
    ++c.orders;
    c.revenue += revenue;
    c.last_order_day = d;
    // Buying keeps people around: a later churn day for each order.
    c.churn_day += static_cast<int>(Uniform() * 25);
    if (Chance(0.04)) {
      Call refund("track");
      if (c.signed_up) {
        refund.Str("userId", UserId(c));
      } else {
        refund.Str("anonymousId", app ? DeviceId(c) : AnonymousId(c));
      }
      refund.Str("event", "Order Refunded");
      refund.Raw("properties",
                 fmt::format(R"({{"order_id":"{}","revenue":{}}})", order_id, Money(revenue)));
      Emit(t + static_cast<int64_t>((2 + Uniform() * 8) * kDayUs), "shop", std::move(refund));
    }
    if (c.signed_up && Chance(0.08)) {
      Call invite("track");
      invite.Str("userId", UserId(c)).Str("event", "Invite Sent");
      invite.Raw("properties", Chance(0.5) ? R"({"channel":"link"})" : R"({"channel":"email"})");
      Emit(t + 5 * kMinuteUs, app ? "mobile-app" : "website", std::move(invite));
      if (Chance(0.35)) invited.emplace_back(d + 1 + static_cast<int>(Uniform() * 6), c.id);
    }
  }

  // The Tuesday newsletter. Opens and clicks carry the campaign (they are touchpoints); a
  // delivery does not: the customer did nothing.
  void Newsletter(int d) {
    const std::string name = fmt::format("newsletter-{}", FormatIso8601(DayStart(d)).substr(0, 10));
    const Campaign& k = Campaigns()[NewsletterCampaign()];
    const std::string context =
        fmt::format(R"({{"campaign":{{"name":"{}","source":"{}","medium":"{}"}}}})", k.name,
                    k.source, k.medium);
    const int64_t sent = DayStart(d) + 9 * kHourUs;
    for (Customer& c : customers) {
      if (!c.subscriber || !c.signed_up || c.first_day > d) continue;
      const bool alive = d <= c.churn_day;
      auto email = [&](std::string_view event, int64_t t) {
        Call e("track");
        e.Str("userId", UserId(c)).Str("event", event);
        e.Raw("properties",
              fmt::format(R"({{"campaign_id":"{}","subject":"New in this week"}})", name));
        if (event != "Email Delivered") e.Raw("context", context);
        Emit(t, "email", std::move(e));
      };
      email("Email Delivered", sent);
      if (!Chance(alive ? 0.3 : 0.03)) continue;
      const int64_t opened = sent + static_cast<int64_t>(Uniform() * 30 * kHourUs);
      email("Email Opened", opened);
      if (!alive || !Chance(0.25)) continue;
      email("Email Clicked", opened + kMinuteUs);
      if (opened + 2 * kMinuteUs < DayStart(d) + kDayUs) {
        Visit(c, d, opened + 2 * kMinuteUs, {NewsletterCampaign(), -1, ""}, false);
      }
    }
  }

  void Support(Customer& c, int d) {
    const double hazard = 0.002 + (d - c.last_order_day <= 10 ? 0.015 : 0);
    if (!Chance(hazard)) return;
    const std::string ticket = fmt::format("t-{:05}", ++tickets);
    const int64_t opened = VisitTime(d);
    const int hours = 1 + static_cast<int>(LogNormal(8, 0.9));
    c.last_ticket_hours = hours;
    auto event = [&](std::string_view name, int64_t t, std::string props) {
      Call e("track");
      e.Str("userId", UserId(c)).Str("event", name);
      e.Raw("properties", std::move(props));
      Emit(t, "support", std::move(e));
    };
    event("Ticket Opened", opened,
          fmt::format(R"({{"ticket_id":"{}","topic":"{}","priority":"{}","channel":"{}"}})", ticket,
                      Pick(TicketTopics()), Chance(0.2) ? "high" : "normal",
                      Chance(0.5) ? "email" : "chat"));
    const int64_t resolved = opened + hours * kHourUs;
    event("Ticket Resolved", resolved,
          fmt::format(R"({{"ticket_id":"{}","resolution_hours":{}}})", ticket, hours));
    if (Chance(0.4)) {
      const double mean = hours < 12 ? 4.5 : hours < 36 ? 3.6 : 2.4;
      const int csat = std::clamp(
          static_cast<int>(std::lround(std::normal_distribution<double>(mean, 0.8)(rng))), 1, 5);
      event("Survey Responded", resolved + 3 * kHourUs,
            fmt::format(R"({{"survey":"csat","ticket_id":"{}","csat":{}}})", ticket, csat));
    }
  }

  void Nps(Customer& c, int d) {
    double mean = c.orders >= 2 ? 8.6 : c.orders == 1 ? 7.4 : 6.2;
    if (c.last_ticket_hours > 36) mean -= 2;
    const int score = std::clamp(
        static_cast<int>(std::lround(std::normal_distribution<double>(mean, 1.8)(rng))), 0, 10);
    Call e("track");
    e.Str("userId", UserId(c)).Str("event", "Survey Responded");
    e.Raw("properties", fmt::format(R"({{"survey":"nps","score":{}}})", score));
    Emit(VisitTime(d), "email", std::move(e));
  }

  void Mention(const Customer* c, int d) {
    Call e("track");
    std::string handle;
    if (c != nullptr) {
      handle = Handle(*c);
      if (c->signed_up)
        e.Str("userId", UserId(*c));
      else
        e.Str("anonymousId", "social-" + handle.substr(1));
    } else {
      handle = fmt::format("@fan{}", ++strangers);
      e.Str("anonymousId", "social-" + handle.substr(1));
    }
    e.Str("event", "Social Mention");
    const double p = Uniform();
    const std::string_view sentiment = p < 0.55 ? "positive" : p < 0.85 ? "neutral" : "negative";
    e.Raw("properties", fmt::format(R"({{"network":"{}","handle":"{}","sentiment":"{}"}})",
                                    Chance(0.6) ? "twitter" : "instagram", handle, sentiment));
    Emit(VisitTime(d), "social", std::move(e));
  }

  void Invoices(Customer& c, int d) {
    if (c.plan == 0) return;  // called for signed-up customers still around
    if (((d - c.signup_day) % 30 + 30) % 30 != 0) return;
    Call e("track");
    e.Str("userId", UserId(c)).Str("event", "Invoice Paid");
    e.Raw("properties",
          fmt::format(R"({{"plan":"{}","amount":{}}})", kPlans[c.plan], Money(kPlanFee[c.plan])));
    Emit(DayStart(d) + 3 * kHourUs, "shop", std::move(e));
  }

  std::vector<DemoEvent> RunDay(int d) {
    const double demand = DemandOn(first_day + d);
    sale = demand > 1.3;
    const double trend = 0.85 + 0.3 * d / std::max(1, options.days - 1);
    DaySpendAndArrivals(d, demand, trend);
    const int64_t weekday = (first_day + d + 4) % 7;
    for (size_t i = 0; i < customers.size(); ++i) {
      Customer& c = customers[i];
      if (c.first_day > d || d > c.churn_day) continue;
      int visits = Poisson(c.visit_rate * demand * (d - c.last_order_day < 3 ? 0.5 : 1.0));
      const bool arriving = d == c.first_day && !c.existing;
      if (arriving) visits = std::max(visits, 1);
      for (int v = 0; v < visits; ++v) {
        const Touch touch = arriving && v == 0 ? c.acquired : ReturnTouch(c);
        Visit(customers[i], d, VisitTime(d), touch, arriving && v == 0);
      }
      if (customers[i].signed_up) {
        Support(customers[i], d);
        if (d % 30 == 20 && Chance(0.1)) Nps(customers[i], d);
        Invoices(customers[i], d);
      }
      if (customers[i].social && Chance(0.01)) Mention(&customers[i], d);
    }
    if (weekday == 2) Newsletter(d);  // Tuesdays
    for (int i = Poisson(3 * options.scale); i > 0; --i) Mention(nullptr, d);
    // Events planned on earlier days for this one.
    const int64_t end = DayStart(d) + kDayUs;
    while (!later.empty() && later.begin()->first < end) {
      today.push_back(std::move(later.begin()->second));
      later.erase(later.begin());
    }
    std::vector<DemoEvent> out;
    out.swap(today);
    std::stable_sort(out.begin(), out.end(), [](const DemoEvent& a, const DemoEvent& b) {
      return a.timestamp_us < b.timestamp_us;
    });
    while (!out.empty() && out.back().timestamp_us >= options.end_us) out.pop_back();
    stats.events += static_cast<int64_t>(out.size());
    return out;
  }
};

DemoWorld::DemoWorld(DemoOptions options) : state_(std::make_unique<State>()) {
  State& s = *state_;
  s.options = options;
  s.options.days = std::max(1, options.days);
  s.rng.seed(options.seed);
  const int64_t end_day = (options.end_us - 1) / kDayUs;
  s.first_day = end_day - s.options.days + 1;
  s.SeedExisting();
}

DemoWorld::~DemoWorld() = default;

const std::vector<std::string_view>& DemoWorld::Sources() {
  static const std::vector<std::string_view> kSources = {"website", "mobile-app", "shop",  "email",
                                                         "crm",     "support",    "social"};
  return kSources;
}

int DemoWorld::days() const { return state_->options.days; }
int64_t DemoWorld::first_day() const { return state_->first_day; }

std::vector<DemoEvent> DemoWorld::Day(int d) {
  State& s = *state_;
  s.next_day = d;
  return s.RunDay(d);
}

const std::vector<DemoSpend>& DemoWorld::Spend() const { return state_->spend; }

DemoStats DemoWorld::stats() const {
  DemoStats out = state_->stats;
  out.identified = 0;
  out.churned = 0;
  const int last = state_->options.days - 1;
  for (const Customer& c : state_->customers) {
    out.identified += c.signed_up;
    out.churned += c.churn_day < last;
  }
  return out;
}

}  // namespace rapport::demo
