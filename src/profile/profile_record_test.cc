#include "profile/profile_record.h"

#include <gtest/gtest.h>

namespace rapport {
namespace {

StampedValue At(std::string json, int64_t ts, uint64_t seq, std::string source = "web") {
  return {std::move(json), ts, seq, std::move(source)};
}

// A record with every field set.
ProfileRecord Full() {
  ProfileRecord r;
  r.id = 42;
  r.first_seen_us = 1'000;
  r.last_seen_us = 9'000;
  r.event_count = 7;
  r.identities = {{{"user_id", "u1"}, 1'000, "web"}, {{"email", "a@b.example"}, 2'000, "crm"}};
  r.traits["plan"] = At("\"pro\"", 5'000, 3);
  r.traits["age"] = At("41", 4'000, 2, "crm");
  r.computed["orders_30d"] = std::string("\x01\x02\x00\x03", 4);  // opaque bytes, NUL included
  r.accounts = {"acme", "globex"};
  r.members = {3, 17};
  MergeEvent merge;
  merge.from = 17;
  merge.ids = {{"anonymous_id", "a-1"}, {"user_id", "u1"}};
  merge.message_id = "m-9";
  merge.source = "app";
  merge.ts_us = 6'000;
  merge.seq = 5;
  MergeEvent blocked;
  blocked.kind = MergeEvent::Kind::kBlocked;
  blocked.ids = {{"email", "x@y.example"}};
  blocked.conflict = "user_id";
  blocked.message_id = "m-10";
  blocked.ts_us = 7'000;
  blocked.seq = 6;
  r.merges = {merge, blocked};
  r.blocked_dropped = 2;
  r.consent["marketing"] = At("false", 8'000, 7);
  r.audiences[5] = {true, 3'000, 90'000};
  r.audiences[8] = {false, 0, 50'000};
  r.next_check_us = 50'000;
  r.ext["j3"] = "journey state";
  r.timeline = {{5'000, 3}, {-20, 4}, {9'000, (uint64_t{8'000} << 10) | 5}};
  return r;
}

TEST(ProfileRecordTest, EveryFieldSurvivesEncodeAndDecode) {
  const ProfileRecord r = Full();
  auto back = ProfileRecord::Decode(r.Encode());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, r);
  EXPECT_EQ(back->Encode(), r.Encode());        // deterministic
  std::string reused = std::string(5000, 'z');  // EncodeTo replaces what the buffer held
  r.EncodeTo(&reused);
  EXPECT_EQ(reused, r.Encode());
  // A profile merged away keeps only its id and where it went.
  ProfileRecord gone;
  gone.id = 17;
  gone.merged_into = 42;
  gone.EncodeTo(&reused);
  EXPECT_EQ(reused, gone.Encode());
  auto g = ProfileRecord::Decode(gone.Encode());
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->merged_into, 42u);
  EXPECT_TRUE(g->identities.empty());
}

TEST(ProfileRecordTest, DamagedBytesAreAnErrorNeverACrash) {
  const std::string bytes = Full().Encode();
  for (size_t n = 0; n < bytes.size(); ++n) {  // every truncation
    auto r = ProfileRecord::Decode(std::string_view(bytes).substr(0, n));
    ASSERT_FALSE(r.ok()) << "truncated to " << n << " bytes";
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  }
  std::string versioned = bytes;
  versioned[0] = static_cast<char>(versioned[0] + 1);  // a format this build does not know
  EXPECT_FALSE(ProfileRecord::Decode(versioned).ok());
  EXPECT_FALSE(ProfileRecord::Decode(bytes + "x").ok());  // trailing bytes
}

TEST(ProfileRecordTest, AVersion2RecordDecodesWithoutTimelinePositions) {
  ProfileRecord r = Full();
  r.timeline.clear();
  std::string v2 = r.Encode();
  ASSERT_EQ(v2.back(), '\0');  // the empty timeline list: the only field version 3 added
  v2.pop_back();
  v2[0] = 2;
  auto back = ProfileRecord::Decode(v2);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, r);
  v2.push_back('\0');  // a version 2 record has nothing after ext
  EXPECT_FALSE(ProfileRecord::Decode(v2).ok());
}

TEST(ProfileRecordTest, TheLatestEventTimeWinsThenTheLogOrder) {
  ProfileRecord r;
  r.SetTrait("plan", At("\"free\"", 2'000, 1));
  r.SetTrait("plan", At("\"pro\"", 1'000, 9));  // arrived later, happened earlier: ignored
  EXPECT_EQ(r.traits["plan"].json, "\"free\"");
  r.SetTrait("plan", At("\"team\"", 2'000, 4));  // same event time, later in the log
  EXPECT_EQ(r.traits["plan"].json, "\"team\"");
  r.SetTrait("plan", At("\"solo\"", 2'000, 3));
  EXPECT_EQ(r.traits["plan"].json, "\"team\"");
  r.SetConsent("ads", At("true", 5'000, 1));
  r.SetConsent("ads", At("false", 4'000, 2));
  EXPECT_EQ(r.consent["ads"].json, "true");
}

TEST(ProfileRecordTest, MergingGivesTheSameTraitsWhicheverProfileComesFirst) {
  ProfileRecord a, b;
  a.id = 1;
  a.event_count = 2;
  a.first_seen_us = 1'000;
  a.last_seen_us = 3'000;
  a.identities = {{{"user_id", "u1"}, 1'000, "web"}};
  a.traits["plan"] = At("\"free\"", 1'000, 1);
  a.traits["city"] = At("\"Lyon\"", 3'000, 4);
  a.accounts = {"acme"};
  b.id = 2;
  b.event_count = 3;
  b.first_seen_us = 500;
  b.last_seen_us = 2'000;
  b.identities = {{{"anonymous_id", "a1"}, 500, "app"}, {{"user_id", "u1"}, 1'000, "web"}};
  b.traits["plan"] = At("\"pro\"", 2'000, 2);
  b.traits["city"] = At("\"Paris\"", 1'500, 3);
  b.accounts = {"globex"};
  ProfileRecord ab = a, ba = b;
  ab.MergeFrom(b);
  ba.MergeFrom(a);
  EXPECT_EQ(ab.traits, ba.traits);
  EXPECT_EQ(ab.traits["plan"].json, "\"pro\"");
  EXPECT_EQ(ab.traits["city"].json, "\"Lyon\"");
  EXPECT_EQ(ab.event_count, 5u);
  EXPECT_EQ(ab.first_seen_us, 500);
  EXPECT_EQ(ab.last_seen_us, 3'000);
  EXPECT_EQ(ab.accounts, (std::vector<std::string>{"acme", "globex"}));
  EXPECT_EQ(ab.members, std::vector<uint64_t>{2});
  // Identities: this profile's first, the other's new ones after, none twice.
  ASSERT_EQ(ab.identities.size(), 2u);
  EXPECT_EQ(ab.identities[0].id, (Identifier{"user_id", "u1"}));
  EXPECT_EQ(ab.identities[1].id, (Identifier{"anonymous_id", "a1"}));
}

TEST(ProfileRecordTest, ProfileIdsHaveOneTextForm) {
  EXPECT_EQ(ProfileIdText(42), "p42");
  EXPECT_EQ(ParseProfileId("p42"), 42u);
  EXPECT_EQ(ParseProfileId("p18446744073709551615"), UINT64_MAX);
  for (const char* bad :
       {"", "p", "42", "q42", "p042", "p0", "p4x", "p-1", " p4", "p18446744073709551616"}) {
    EXPECT_FALSE(ParseProfileId(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace rapport
