// RejectionLog and its listing: newest first, bounded to kCapacity while counting every one,
// bodies cut at kMaxBodyBytes on a UTF-8 boundary and made valid UTF-8, unknown sources null,
// and a bad limit refused.
#include "server/rejections.h"

#include <gtest/gtest.h>

#include <string>

namespace rapport {
namespace {

HttpResponse List(const RejectionLog& log, std::string query) {
  HttpRequest req;
  req.query = std::move(query);
  HttpResponse out;
  ListRejections(log, req, [&](HttpResponse r) { out = std::move(r); });
  return out;
}

TEST(RejectionLog, KeepsTheNewestAndCountsAll) {
  RejectionLog log;
  for (int i = 0; i < 250; ++i) {
    log.Record(i, "web", "/v1/track", Status::InvalidArgument("bad " + std::to_string(i)), "{}");
  }
  EXPECT_EQ(log.total(), 250u);
  auto recent = log.Recent(1000);
  ASSERT_EQ(recent.size(), RejectionLog::kCapacity);
  EXPECT_EQ(recent.front().message, "bad 249");
  EXPECT_EQ(recent.front().id, 250u);
  EXPECT_EQ(recent.back().message, "bad 50");
  EXPECT_EQ(recent.front().status, 400u);
  EXPECT_EQ(recent.front().error, "invalid_argument");
}

TEST(RejectionLog, CutsBodiesOnACharacterAndRepairsBadBytes) {
  RejectionLog log;
  std::string body(RejectionLog::kMaxBodyBytes - 1, 'a');
  body += "é and more";  // é straddles the limit
  log.Record(0, "", "/v1/batch", Status::TooLarge("too big"), body);
  log.Record(1, "", "/v1/batch", Status::InvalidArgument("x"), std::string("\xff\"ok", 4));
  auto recent = log.Recent(2);
  EXPECT_EQ(recent[0].body, "\xEF\xBF\xBD\"ok");  // U+FFFD for the bad byte
  EXPECT_FALSE(recent[0].truncated);
  EXPECT_EQ(recent[1].body, std::string(RejectionLog::kMaxBodyBytes - 1, 'a'));
  EXPECT_TRUE(recent[1].truncated);
  EXPECT_EQ(recent[1].status, 413u);
}

TEST(RejectionLog, ListsAsJson) {
  RejectionLog log;
  log.Record(1'767'225'600'000'000, "", "/v1/track", Status::Unauthenticated("unknown write key"),
             "{\"event\":\"A\"}");
  log.Record(1'767'225'601'000'000, "web", "/v1/track",
             Status::InvalidArgument("event: a track call needs \"event\""), "{\"userId\":\"u\"}");
  HttpResponse r = List(log, "limit=5");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(
      r.body,
      R"({"rejected":[{"id":2,"at":"2026-01-01T00:00:01.000Z","source":"web","endpoint":"/v1/track",)"
      R"("status":400,"error":"invalid_argument","message":"event: a track call needs \"event\"",)"
      R"("body":"{\"userId\":\"u\"}","truncated":false},{"id":1,"at":"2026-01-01T00:00:00.000Z",)"
      R"("source":null,"endpoint":"/v1/track","status":401,"error":"unauthenticated",)"
      R"("message":"unknown write key","body":"{\"event\":\"A\"}","truncated":false}],"total":2})");
  EXPECT_EQ(List(log, "limit=1").body.find("unknown write key"), std::string::npos);
  for (const char* bad : {"limit=0", "limit=201", "limit=x"}) {
    EXPECT_EQ(List(log, bad).status, 400u) << bad;
  }
}

}  // namespace
}  // namespace rapport
