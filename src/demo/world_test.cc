// DemoWorld: the same options give the same events; every event is a valid Segment call from a
// known source, in time order, unique by messageId, never after the end; and the shop has the
// shape a marketer expects: repeat buyers, churn, busier weekends and sales, spend every day.
#include "demo/world.h"

#include <simdjson.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>

namespace rapport::demo {
namespace {

constexpr int64_t kDayUs = 86'400'000'000;
constexpr int64_t kEnd = 20'781 * kDayUs + 15 * 3'600'000'000;  // 2026-11-24T15:00:00Z

DemoOptions Small(int days = 30, double scale = 0.05) {
  return {.seed = 3, .days = days, .end_us = kEnd, .scale = scale};
}

TEST(DemoWorld, SameOptionsSameEvents) {
  DemoWorld a(Small(10)), b(Small(10));
  DemoWorld other({.seed = 4, .days = 10, .end_us = kEnd, .scale = 0.05});
  bool differs = false;
  for (int d = 0; d < 10; ++d) {
    auto ea = a.Day(d), eb = b.Day(d), eo = other.Day(d);
    ASSERT_EQ(ea.size(), eb.size()) << "day " << d;
    for (size_t i = 0; i < ea.size(); ++i) ASSERT_EQ(ea[i].json, eb[i].json);
    differs |= ea.size() != eo.size() || (!ea.empty() && ea[0].json != eo[0].json);
  }
  EXPECT_TRUE(differs) << "another seed should give another shop";
}

TEST(DemoWorld, EveryEventIsAValidSegmentCallInOrder) {
  DemoWorld world(Small(40));
  const std::set<std::string_view> sources(DemoWorld::Sources().begin(),
                                           DemoWorld::Sources().end());
  std::set<std::string> ids;
  std::map<std::string, int> types;
  simdjson::dom::parser parser;
  int64_t previous = 0;
  for (int d = 0; d < world.days(); ++d) {
    const int64_t day_start = (world.first_day() + d) * kDayUs;
    for (const DemoEvent& e : world.Day(d)) {
      SCOPED_TRACE(e.json);
      ASSERT_TRUE(sources.count(e.source));
      ASSERT_GE(e.timestamp_us, previous);
      ASSERT_GE(e.timestamp_us, day_start);
      ASSERT_LT(e.timestamp_us, std::min(day_start + kDayUs, kEnd));
      previous = e.timestamp_us;
      simdjson::dom::element doc;
      ASSERT_EQ(parser.parse(e.json).get(doc), simdjson::SUCCESS);
      std::string_view type, id, user, anon, event;
      ASSERT_EQ(doc["type"].get(type), simdjson::SUCCESS);
      ASSERT_EQ(doc["messageId"].get(id), simdjson::SUCCESS);
      ASSERT_TRUE(ids.insert(std::string(id)).second) << "messageId used twice";
      ASSERT_EQ(doc["timestamp"].get_string().error(), simdjson::SUCCESS);
      const bool has_user = doc["userId"].get(user) == simdjson::SUCCESS && !user.empty();
      const bool has_anon = doc["anonymousId"].get(anon) == simdjson::SUCCESS && !anon.empty();
      ASSERT_TRUE(has_user || has_anon);
      if (type == "track") {
        ASSERT_EQ(doc["event"].get(event), simdjson::SUCCESS);
        ++types[std::string(event)];
      } else {
        ++types[std::string(type)];
      }
      ASSERT_LT(e.json.size(), 32u * 1024);
    }
  }
  for (const char* expected :
       {"page", "identify", "Application Opened", "Product Viewed", "Product Added",
        "Checkout Started", "Order Completed", "Signed Up", "Email Delivered", "Email Opened",
        "Ticket Opened", "Ticket Resolved", "Survey Responded", "Social Mention"}) {
    EXPECT_GT(types[expected], 0) << expected;
  }
}

TEST(DemoWorld, HasTheShapeOfARealShop) {
  DemoWorld world(Small(180, 0.25));
  std::map<int64_t, int64_t> views_by_weekday;
  std::map<int64_t, int64_t> days_by_weekday;
  for (int d = 0; d < world.days(); ++d) {
    const int64_t weekday = (world.first_day() + d + 4) % 7;
    ++days_by_weekday[weekday];
    for (const DemoEvent& e : world.Day(d)) {
      views_by_weekday[weekday] += e.json.find("\"Product Viewed\"") != std::string::npos;
    }
  }
  const DemoStats s = world.stats();
  EXPECT_GT(s.customers, 4000);  // about 20,000 at scale 1
  EXPECT_LT(s.customers, 6000);
  EXPECT_GT(s.identified, s.customers / 2);
  EXPECT_LT(s.identified, s.customers);
  EXPECT_GT(s.repeat_buyers, s.buyers / 5);
  EXPECT_LT(s.repeat_buyers, s.buyers);
  EXPECT_GT(s.churned, s.customers / 5);
  EXPECT_GT(s.revenue / s.orders, 40);
  EXPECT_LT(s.revenue / s.orders, 200);
  auto per_day = [&](int64_t wd) { return 1.0 * views_by_weekday[wd] / days_by_weekday[wd]; };
  EXPECT_GT(per_day(6), 1.1 * per_day(3));  // Saturday over Wednesday
  ASSERT_EQ(world.Spend().size(), 6u * 180);
  for (const DemoSpend& sp : world.Spend()) EXPECT_GT(sp.cost, 0);
}

}  // namespace
}  // namespace rapport::demo
