// DemoWorld: a deterministic simulation of an online outdoor-clothing shop for `rapport demo` —
// customers arriving through paid and free channels (more of them on days with more budget),
// browsing on the web and in the app, signing up, buying again or drifting away, reading the
// newsletter, opening support tickets, answering surveys, inviting friends and being talked about
// on social media. It yields Segment events per source, day by day in time order, and the
// marketing spend behind them. The same options give byte-identical output.
// Not thread-safe; call Day(0), Day(1), ... in order.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace rapport::demo {

struct DemoOptions {
  uint64_t seed = 1;
  int days = 180;
  int64_t end_us = 0;     // the simulation stops here: its last day is the one holding end_us
  double scale = 1.0;     // customers (and events) relative to the default ~20,000
  double activity = 1.0;  // visits per customer relative to the default
};

struct DemoEvent {
  int64_t timestamp_us = 0;
  std::string_view source;  // one of Sources()
  std::string json;         // a Segment call with "type", ready for a /v1/batch body
};

struct DemoSpend {
  int64_t day = 0;  // days since 1970-01-01
  std::string_view channel;
  std::string_view campaign;
  double cost = 0;
};

struct DemoStats {
  int64_t customers = 0;
  int64_t identified = 0;
  int64_t buyers = 0;
  int64_t repeat_buyers = 0;
  int64_t churned = 0;
  int64_t events = 0;
  int64_t orders = 0;
  double revenue = 0;
};

class DemoWorld {
 public:
  explicit DemoWorld(DemoOptions options);
  ~DemoWorld();

  // The sources events come from: website, mobile-app, shop, email, crm, support, social.
  static const std::vector<std::string_view>& Sources();

  int days() const;
  int64_t first_day() const;  // days since 1970-01-01 of Day(0)
  // The events of day `d` (0 <= d < days()), in timestamp order, none after end_us. Must be
  // called for 0, 1, 2, ... in turn.
  std::vector<DemoEvent> Day(int d);
  // What each campaign cost on each day simulated so far.
  const std::vector<DemoSpend>& Spend() const;
  DemoStats stats() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace rapport::demo
