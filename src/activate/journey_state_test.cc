// The per-profile journey state and the counts: round trips, the wake time read without a full
// decode, and corrupt input refused with the byte position.
#include "activate/journey_state.h"

#include <gtest/gtest.h>

namespace rapport {
namespace {

JourneyState Active() {
  JourneyState s;
  s.wake_us = 1'700'000'000'000'000;
  s.active = true;
  s.in_step = true;
  s.entries = 3;
  s.last_entered_us = 1'699'000'000'000'000;
  s.last_exited_us = 1'698'000'000'000'000;
  s.sends = {1'698'500'000'000'000, 1'699'000'000'000'000};
  s.origin = 42;
  s.instance = 3;
  s.step = 7;
  s.event = R"({"type":"track","event":"Signed Up"})";
  return s;
}

TEST(JourneyStateTest, RoundTrips) {
  for (const JourneyState& s : {JourneyState{}, Active()}) {
    const std::string bytes = s.Encode();
    auto back = JourneyState::Decode(bytes);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(*back, s);
    EXPECT_EQ(JourneyState::PeekWake(bytes), s.wake_us);
  }
  JourneyState done = Active();
  done.active = done.in_step = false;
  done.origin = done.instance = done.step = 0;
  done.event.clear();
  done.wake_us = 0;
  auto back = JourneyState::Decode(done.Encode());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, done);
  EXPECT_LT(done.Encode().size(), 40u);  // what a finished journey costs a profile
}

TEST(JourneyStateTest, CorruptInputIsRefused) {
  const std::string good = Active().Encode();
  for (size_t n = 0; n < good.size(); ++n) {
    auto r = JourneyState::Decode(good.substr(0, n));
    ASSERT_FALSE(r.ok()) << n;
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
    EXPECT_NE(r.status().message().find("at byte"), std::string::npos);
  }
  EXPECT_FALSE(JourneyState::Decode(good + "x").ok());
  std::string version = good;
  version[0] = 9;
  EXPECT_FALSE(JourneyState::Decode(version).ok());
  EXPECT_EQ(JourneyState::PeekWake(version), 0);
  JourneyState unordered = Active();
  std::swap(unordered.sends[0], unordered.sends[1]);
  EXPECT_FALSE(JourneyState::Decode(unordered.Encode()).ok());
  JourneyState in_step_inactive;
  in_step_inactive.in_step = true;
  EXPECT_FALSE(JourneyState::Decode(in_step_inactive.Encode()).ok());
}

TEST(JourneyStateTest, ExtKeys) {
  EXPECT_EQ(JourneyExtKey(42), "j42");
  EXPECT_EQ(ParseJourneyExtKey("j42"), 42u);
  for (const char* bad : {"", "j", "j0", "j042", "x42", "j4x", "j-1", "j99999999999999999999"}) {
    EXPECT_FALSE(ParseJourneyExtKey(bad).has_value()) << bad;
  }
}

TEST(JourneyCountsTest, RoundTrips) {
  std::map<uint64_t, JourneyCounts> counts;
  counts[1] = {10, 4, 1, {{10, 8, 0, 0, 0, 0, 3}, {8, 4, 5, 1, 1, 1, 0}}};
  counts[7] = {0, 0, 0, {{}, {}, {}}};
  const std::string bytes = EncodeJourneyCounts(counts);
  auto back = DecodeJourneyCounts(bytes);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, counts);
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_FALSE(DecodeJourneyCounts(bytes.substr(0, n)).ok()) << n;
  }
  EXPECT_FALSE(DecodeJourneyCounts(bytes + "x").ok());
  auto empty = DecodeJourneyCounts(EncodeJourneyCounts({}));
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

}  // namespace
}  // namespace rapport
