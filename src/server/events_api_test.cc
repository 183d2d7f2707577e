#include "server/events_api.h"

#include <filesystem>
#include <set>

#include <gtest/gtest.h>

#include "collect/envelope.h"
#include "common/temp_dir.h"

namespace rapport {
namespace {

class EventsApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LogOptions o;
    o.dir = dir_.path();
    o.partitions = 3;
    o.clock = &clock_;
    RecoveryReport report;
    log_ = std::move(*EventLog::Open(o, &report));
  }
  void TearDown() override { log_.reset(); }

  // Appends event number i of `source` to partition i % 3, one append per event, in time order.
  void Add(int i, const std::string& source) {
    clock_.Advance(1000);
    NormalizedEvent e;
    e.type = "track";
    e.message_id = "m" + std::to_string(i);
    e.anonymous_id = "a";
    e.json = "{\"n\":" + std::to_string(i) + "}";
    ASSERT_TRUE(log_->AppendSync({{i % 3, EncodeEnvelope(source, e)}}).ok());
  }

  testing::TempDir dir_;
  ManualClock clock_{1'700'000'000LL * 1000000};
  std::unique_ptr<EventLog> log_;
};

TEST_F(EventsApiTest, PagesWalkEveryEventOnceNewestFirst) {
  for (int i = 0; i < 20; ++i) Add(i, i % 4 == 0 ? "src_b" : "src_a");
  std::vector<std::string> seen;
  std::vector<uint64_t> bounds;
  for (int page = 0; page < 20; ++page) {
    auto p = ReadEventPage(*log_, "", 3, bounds);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    for (auto& e : p->events) seen.push_back(e);
    if (p->next.empty()) break;
    auto parsed = ParseEventCursor(p->next, 3);
    ASSERT_TRUE(parsed.ok());
    bounds = *parsed;
  }
  ASSERT_EQ(seen.size(), 20u);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(seen[i], "{\"n\":" + std::to_string(19 - i) + "}");
}

TEST_F(EventsApiTest, SourceFilter) {
  for (int i = 0; i < 20; ++i) Add(i, i % 4 == 0 ? "src_b" : "src_a");
  auto p = ReadEventPage(*log_, "src_b", 100, {});
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p->events.size(), 5u);
  EXPECT_EQ(p->events[0], "{\"n\":16}");
  EXPECT_EQ(p->events[4], "{\"n\":0}");
  EXPECT_TRUE(p->next.empty());
  auto first = ReadEventPage(*log_, "src_b", 2, {});
  ASSERT_TRUE(first.ok());
  ASSERT_FALSE(first->next.empty());
  auto rest = ReadEventPage(*log_, "src_b", 10, *ParseEventCursor(first->next, 3));
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->events.size(), 3u);
  EXPECT_EQ(rest->events[0], "{\"n\":8}");
}

TEST_F(EventsApiTest, EmptyLogAndBadCursors) {
  auto p = ReadEventPage(*log_, "", 10, {});
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->events.empty());
  EXPECT_TRUE(p->next.empty());
  EXPECT_FALSE(ParseEventCursor("garbage", 3).ok());
  EXPECT_FALSE(ParseEventCursor("c1.1.2", 3).ok());
  EXPECT_FALSE(ParseEventCursor("c1.1.x.3", 3).ok());
  EXPECT_TRUE(ParseEventCursor("c1.1.2.3", 3).ok());
}

}  // namespace
}  // namespace rapport
