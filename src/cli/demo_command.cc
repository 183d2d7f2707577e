#include "cli/demo_command.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <map>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "cli/api_client.h"
#include "common/clock.h"
#include "common/json_writer.h"
#include "common/time_format.h"
#include "demo/world.h"
#include "govern/control_store.h"
#include "server/app.h"

namespace rapport::cli {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int64_t kHourUs = 3'600'000'000;
constexpr int64_t kDayUs = 24 * kHourUs;
constexpr int64_t kLiveUs = 24 * kHourUs;  // the last day arrives after the journeys
constexpr int kAudienceDays = 30;          // audiences are created this many days before now
constexpr size_t kBatchEvents = 500;
constexpr size_t kBatchBytes = 400 * 1024;
constexpr int64_t kCatchUpUs = 300'000'000;

// What the demo defines on top of the events: (path, body) in the order they are created.
struct Definition {
  const char* path;
  std::string body;
};

std::vector<Definition> ComputedTraits() {
  return {
      {"/api/v1/computed-traits",
       R"({"name":"lifetime_revenue","event":"Order Completed","aggregate":"sum","property":"properties.revenue"})"},
      {"/api/v1/computed-traits",
       R"({"name":"orders_30d","event":"Order Completed","aggregate":"count","window_days":30})"},
      {"/api/v1/computed-traits", R"({"name":"last_seen","aggregate":"last"})"},
      {"/api/v1/computed-traits",
       R"({"name":"favorite_category","event":"Product Viewed","aggregate":"most_frequent","property":"properties.category"})"},
  };
}

std::vector<Definition> Audiences() {
  auto audience = [](std::string_view name, std::string_view description,
                     std::string_view definition) {
    return Definition{
        "/api/v1/audiences",
        fmt::format(R"({{"name":{},"description":{},"definition":{}}})", JsonString(name),
                    JsonString(description), JsonString(definition))};
  };
  return {
      audience(
          "vip", "Spent 500 or more and bought in the last 90 days",
          R"(computed.lifetime_revenue >= 500 and performed "Order Completed" within 90 days)"),
      audience(
          "cart_abandoners", "Added to cart in the last 2 days without buying",
          R"(performed "Product Added" within 2 days and not performed "Order Completed" within 2 days)"),
      audience(
          "churn_risk", "Bought at least twice, silent for 30 days",
          R"(performed "Order Completed" at least 2 times and not performed any event within 30 days)"),
      audience("pro_plan", "Customers on a paid plan",
               R"(traits.plan = "pro" or traits.plan = "business")"),
      audience(
          "newsletter_fans", "Subscribers who opened a newsletter in the last 30 days",
          R"(traits.newsletter = true and performed "Email Opened" at least 2 times within 30 days)"),
  };
}

std::vector<Definition> Activation(const std::string& webhook) {
  return {
      {"/api/v1/destinations",
       fmt::format(
           R"({{"name":"email_tool","url":{},"purpose":"Advertising","max_attempts":3,"backoff_initial_ms":1000,"backoff_max_ms":5000,"timeout_ms":2000}})",
           JsonString(webhook))},
      {"/api/v1/journeys",
       R"({"name":"welcome_series","description":"A welcome on sign-up, tips a day later","trigger":{"event":"Signed Up"},"reentry":"never","steps":[{"name":"welcome","type":"send","destination":"email_tool","data":{"template":"welcome"}},{"name":"one_day","type":"wait","duration":"1 day"},{"name":"tips","type":"send","destination":"email_tool","data":{"template":"tips"}}]})"},
      {"/api/v1/journeys",
       R"({"name":"cart_recovery","description":"A reminder when a cart is left for an hour","trigger":{"event":"Product Added"},"reentry":"after_exit","frequency_cap":{"max_sends":1,"per_days":7},"steps":[{"name":"wait_order","type":"wait_for","event":"Order Completed","timeout":"1 hour","on_event":"exit","on_timeout":"remind"},{"name":"remind","type":"send","destination":"email_tool","data":{"template":"cart"}}]})"},
  };
}

class Demo {
 public:
  Demo(ApiClient* client, ManualClock* clock) : client_(client), clock_(clock) {}

  // POSTs `body`; the answer's body in *answer when given.
  Status Post(const std::string& path, const std::string& body, int expected = 201,
              std::string* answer = nullptr) {
    for (int attempt = 0;; ++attempt) {
      auto r = client_->Send(http::verb::post, path, body);
      if (!r.ok()) return r.status().WithContext(path);
      if (r->status == expected) {
        if (answer != nullptr) *answer = std::move(r->body);
        return Status::OK();
      }
      if (r->status == 503 && attempt < 100) {  // the log asks to slow down
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        continue;
      }
      return Status::Internal(fmt::format("POST {}: HTTP {}: {}", path, r->status, r->body));
    }
  }

  Status Define(const std::vector<Definition>& definitions) {
    for (const Definition& d : definitions) RETURN_IF_ERROR(Post(d.path, d.body));
    return Status::OK();
  }

  // Sends events in per-source batches; Flush() sends what is left. The server's clock follows
  // the events, so they are received (and audiences and journeys react) when they happen.
  Status Send(demo::DemoEvent event) {
    if (event.timestamp_us > clock_->NowMicros()) clock_->Set(event.timestamp_us);
    Batch& b = batches_[event.source];
    if (b.count > 0) b.body += ',';
    b.body += event.json;
    ++b.count;
    ++sent_;
    if (b.count >= kBatchEvents || b.body.size() >= kBatchBytes) return FlushOne(event.source, b);
    return Status::OK();
  }
  Status Flush() {
    for (auto& [source, b] : batches_) RETURN_IF_ERROR(FlushOne(source, b));
    return Status::OK();
  }
  int64_t sent() const { return sent_; }

  Status WaitAudiencesLive() {
    for (int i = 0; i < 600; ++i) {
      auto r = client_->Send(http::verb::get, "/api/v1/audiences", "");
      if (!r.ok()) return r.status();
      if (r->status != 200) {
        return Status::Internal(
            fmt::format("GET /api/v1/audiences: HTTP {}: {}", r->status, r->body));
      }
      if (r->body.find("\"status\":\"computing\"") == std::string::npos &&
          r->body.find("\"status\":\"evaluating\"") == std::string::npos) {
        return Status::OK();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return Status::Unavailable("the audiences did not become live within 2 minutes");
  }

 private:
  struct Batch {
    std::string body;
    size_t count = 0;
  };
  Status FlushOne(std::string_view source, Batch& b) {
    if (b.count == 0) return Status::OK();
    Status s =
        Post(fmt::format("/api/v1/sources/{}/batch", source), "{\"batch\":[" + b.body + "]}", 200);
    b.body.clear();
    b.count = 0;
    return s;
  }

  ApiClient* client_;
  ManualClock* clock_;
  std::map<std::string_view, Batch> batches_;
  int64_t sent_ = 0;
};

std::string SpendBody(const std::vector<demo::DemoSpend>& spend) {
  std::string body = "{\"rows\":[";
  for (size_t i = 0; i < spend.size(); ++i) {
    const demo::DemoSpend& s = spend[i];
    if (i > 0) body += ',';
    body += fmt::format(R"({{"date":"{}","channel":{},"campaign":{},"cost":{:.2f}}})",
                        FormatIso8601(s.day * kDayUs).substr(0, 10), JsonString(s.channel),
                        JsonString(s.campaign), s.cost);
  }
  return body + "]}";
}

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

// Days of history flush once a day; the last day flushes every hour, so that journeys see it
// arrive as it happens.
Status SendAll(Demo* demo, std::vector<demo::DemoEvent> events, int64_t flush_every_us) {
  int64_t period = events.empty() ? 0 : events.front().timestamp_us / flush_every_us;
  for (demo::DemoEvent& e : events) {
    if (e.timestamp_us / flush_every_us != period) {
      RETURN_IF_ERROR(demo->Flush());
      period = e.timestamp_us / flush_every_us;
    }
    RETURN_IF_ERROR(demo->Send(std::move(e)));
  }
  return demo->Flush();
}

Status Build(App* app, ApiClient* client, ManualClock* clock, const DemoCommandOptions& o,
             int64_t now_us) {
  const auto started = Clock::now();
  demo::DemoWorld world({.seed = o.seed, .days = o.days, .end_us = now_us, .scale = o.scale});
  Demo demo(client, clock);
  // Sources and computed traits on the first simulated day; audiences kAudienceDays before the
  // end, so their membership history has a month of ups and downs (from the start, every event
  // would be evaluated for them: twice the time for the whole demo).
  std::string website;  // the answer creating the "website" source: its write key
  for (std::string_view source : demo::DemoWorld::Sources()) {
    std::string answer;
    RETURN_IF_ERROR(
        demo.Post("/api/v1/sources", fmt::format(R"({{"name":"{}"}})", source), 201, &answer));
    if (source == "website") website = std::move(answer);
  }
  RETURN_IF_ERROR(demo.Define(ComputedTraits()));
  const int audiences_day = std::max(0, world.days() - kAudienceDays);
  std::cout << fmt::format("  simulating {} days of a shop and sending its events ...\n", o.days)
            << std::flush;
  std::vector<demo::DemoEvent> live;
  for (int d = 0; d < world.days(); ++d) {
    if (d == audiences_day) {
      if (!app->WaitCaughtUp(kCatchUpUs)) {
        return Status::Unavailable("the profiles did not catch up with the events in 5 minutes");
      }
      RETURN_IF_ERROR(demo.Define(Audiences()));
      RETURN_IF_ERROR(demo.WaitAudiencesLive());
    }
    std::vector<demo::DemoEvent> day = world.Day(d);
    auto cut = std::find_if(day.begin(), day.end(), [&](const demo::DemoEvent& e) {
      return e.timestamp_us >= now_us - kLiveUs;
    });
    std::move(cut, day.end(), std::back_inserter(live));
    day.erase(cut, day.end());
    RETURN_IF_ERROR(SendAll(&demo, std::move(day), kDayUs));
    if ((d + 1) % 30 == 0) {
      std::cout << fmt::format("    day {:>3}: {:>9} events ({:.0f} s)\n", d + 1, demo.sent(),
                               Seconds(started))
                << std::flush;
    }
  }
  RETURN_IF_ERROR(demo.Post("/api/v1/spend", SpendBody(world.Spend()), 200));
  if (!app->WaitCaughtUp(kCatchUpUs)) {
    return Status::Unavailable("the profiles did not catch up with the events in 5 minutes");
  }
  RETURN_IF_ERROR(demo.WaitAudiencesLive());
  std::cout << fmt::format("  the destination and journeys, then the last day ... ({:.0f} s)\n",
                           Seconds(started))
            << std::flush;
  if (now_us - kLiveUs > clock->NowMicros()) clock->Set(now_us - kLiveUs);
  RETURN_IF_ERROR(demo.Define(Activation(o.webhook)));
  RETURN_IF_ERROR(SendAll(&demo, std::move(live), kHourUs));
  if (now_us > clock->NowMicros()) clock->Set(now_us);
  if (!app->WaitCaughtUp(kCatchUpUs)) {
    return Status::Unavailable("the last events were not processed in 5 minutes");
  }
  const demo::DemoStats s = world.stats();
  std::cout << fmt::format(
      "  done in {:.0f} s: {} customers ({} signed up, {} bought, {} more than once), {} events "
      "from {} sources, {} orders worth {:.0f}, {} days of spend on {} campaigns, {} audiences, "
      "{} journeys\n",
      Seconds(started), s.customers, s.identified, s.buyers, s.repeat_buyers, demo.sent(),
      demo::DemoWorld::Sources().size(), s.orders, s.revenue, world.days(),
      world.Spend().size() / std::max(1, world.days()), Audiences().size(),
      Activation(o.webhook).size() - 1);  // the destination, then the journeys
  // Shown once, like any write key (only its hash is kept): for sending events of one's own.
  const size_t key = website.find("\"writeKey\":\"");
  if (key != std::string::npos) {
    const size_t from = key + 12;
    std::cout << fmt::format("  the write key of the source \"website\" (shown only now): {}\n",
                             website.substr(from, website.find('"', from) - from));
  }
  return Status::OK();
}

}  // namespace

CLI::App* RegisterDemo(CLI::App& app, DemoCommandOptions* o) {
  auto* demo = app.add_subcommand(
      "demo", "fill an empty data directory with a demo shop: ~20,000 customers, ~1 M events");
  demo->add_option("--seed", o->seed, "the simulation's seed (default 1)");
  demo->add_option("--days", o->days, "days of history (default 180)")->check(CLI::Range(1, 730));
  demo->add_option("--scale", o->scale, "customers and events relative to the default")
      ->check(CLI::Range(0.001, 10.0));
  demo->add_option("--webhook", o->webhook,
                   "where the demo's destination delivers (default: nowhere, so deliveries "
                   "become dead letters)");
  return demo;
}

int RunDemo(const Config& base, const DemoCommandOptions& o) {
  if (std::filesystem::exists(base.data_dir + "/control.db")) {
    std::cerr << fmt::format(
        "rapport demo: {} already holds a workspace; the demo fills an empty data directory "
        "(choose another --data, or remove this one)\n",
        base.data_dir);
    return 2;
  }
  spdlog::set_level(spdlog::level::err);  // a destination nobody listens to is the point
  Config c = base;
  c.http = "127.0.0.1:0";
  const int64_t now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  // The server runs on the simulation's clock, from the start of its first day to now.
  ManualClock clock(((now_us - 1) / kDayUs - o.days + 1) * kDayUs);
  auto app = App::Open(c, &clock);
  if (!app.ok()) return std::cerr << "rapport demo: " << app.status().message() << "\n", 1;
  auto token = (*app)->FirstStartToken();
  Status s = token.ok() ? (*app)->Start() : token.status();
  if (s.ok()) {
    std::cout << fmt::format("rapport demo: creating a demo workspace in {}\n", c.data_dir);
    ApiClient client({"127.0.0.1", std::to_string((*app)->port()), "", "demo"}, *token,
                     "rapport-demo");
    s = Build(app->get(), &client, &clock, o, now_us);
  }
  (*app)->Stop();
  app->reset();
  // The demo's own token goes: `rapport serve` creates the first one and prints the sign-in link.
  if (token.ok() && !token->empty()) {
    auto control = ControlStore::Open(c.data_dir + "/control.db");
    if (control.ok()) {
      if (auto t = (*control)->TokenBySecret(*token); t.ok()) (void)(*control)->DeleteToken(t->id);
    }
  }
  if (!s.ok()) {
    std::cerr << "rapport demo: " << s.message() << "\n";
    return 1;
  }
  std::cout << fmt::format("  start it: rapport serve --data {}\n", c.data_dir);
  return 0;
}

}  // namespace rapport::cli
