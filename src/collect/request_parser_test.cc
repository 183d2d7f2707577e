#include "collect/request_parser.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include "common/time_format.h"

namespace rapport {
namespace {

constexpr int64_t kSec = 1'000'000;
const int64_t kNow = *ParseIso8601("2024-01-31T12:00:00.000Z");

// The stored JSON, re-parsed; fails the test when it is not one valid JSON object.
class Json {
 public:
  explicit Json(const std::string& text) {
    auto err = parser_.parse(text).get(root_);
    EXPECT_EQ(err, simdjson::SUCCESS) << text;
    EXPECT_TRUE(root_.is_object()) << text;
  }
  bool Has(std::string_view key) const { return !root_[key].error(); }
  std::string Str(std::string_view key) const {
    std::string_view s;
    EXPECT_EQ(root_[key].get_string().get(s), simdjson::SUCCESS) << key;
    return std::string(s);
  }
  std::string Raw(std::string_view key) const { return simdjson::minify(root_[key]); }

 private:
  simdjson::dom::parser parser_;
  simdjson::dom::element root_;
};

ParsedRequest MustParse(Endpoint ep, std::string_view body, CollectLimits limits = {}) {
  RequestParser p(limits);
  auto r = p.Parse(ep, body, kNow);
  EXPECT_TRUE(r.ok()) << body << "\n" << r.status().ToString();
  return r.ok() ? std::move(r).value() : ParsedRequest{};
}

TEST(EndpointTest, FromPath) {
  const std::pair<const char*, Endpoint> cases[] = {
      {"/v1/track", Endpoint::kTrack},  {"/v1/identify", Endpoint::kIdentify},
      {"/v1/page", Endpoint::kPage},    {"/v1/screen", Endpoint::kScreen},
      {"/v1/group", Endpoint::kGroup},  {"/v1/alias", Endpoint::kAlias},
      {"/v1/batch", Endpoint::kBatch},  {"/v1/import", Endpoint::kImport},
      {"/v1/track/", Endpoint::kTrack},
  };
  for (const auto& [path, ep] : cases) {
    auto r = EndpointFromPath(path);
    ASSERT_TRUE(r.ok()) << path;
    EXPECT_EQ(*r, ep) << path;
  }
  auto bad = EndpointFromPath("/v1/tracks");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(bad.status().message(),
            "unknown path \"/v1/tracks\"; the tracking API accepts POST to /v1/track, "
            "/v1/identify, /v1/page, /v1/screen, /v1/group, /v1/alias, /v1/batch, /v1/import");
  EXPECT_FALSE(EndpointFromPath("").ok());
  EXPECT_FALSE(EndpointFromPath("/v1/track//").ok());
}

struct ValidCase {
  Endpoint endpoint;
  const char* body;
  const char* type;
  const char* user_id;
  const char* anonymous_id;
};

TEST(RequestParserTest, MinimalValidBodies) {
  const ValidCase cases[] = {
      {Endpoint::kTrack, R"({"userId":"u1","event":"Signed Up"})", "track", "u1", ""},
      {Endpoint::kTrack, R"({"anonymousId":"a1","event":"x"})", "track", "", "a1"},
      {Endpoint::kTrack, R"({"userId":42,"event":"x"})", "track", "42", ""},
      {Endpoint::kTrack, R"({"userId":"","anonymousId":"a","event":"x"})", "track", "", "a"},
      {Endpoint::kTrack, R"({"userId":null,"anonymousId":7.5,"event":"x"})", "track", "", "7.5"},
      {Endpoint::kIdentify, R"({"userId":"u1"})", "identify", "u1", ""},
      {Endpoint::kPage, R"({"anonymousId":"a"})", "page", "", "a"},
      {Endpoint::kScreen, R"({"userId":"u"})", "screen", "u", ""},
      {Endpoint::kGroup, R"({"userId":"u","groupId":"g"})", "group", "u", ""},
      {Endpoint::kGroup, R"({"userId":"u","groupId":12})", "group", "u", ""},
      {Endpoint::kAlias, R"({"userId":"u","previousId":"p"})", "alias", "u", ""},
      {Endpoint::kTrack, R"({"type":"track","userId":"u","event":"x"})", "track", "u", ""},
      {Endpoint::kTrack, " \n{ \"userId\" : \"u\" ,\t\"event\" : \"x\" }\r\n", "track", "u", ""},
  };
  for (const auto& c : cases) {
    ParsedRequest r = MustParse(c.endpoint, c.body);
    ASSERT_EQ(r.events.size(), 1u) << c.body;
    const NormalizedEvent& e = r.events[0];
    EXPECT_EQ(e.type, c.type) << c.body;
    EXPECT_EQ(e.user_id, c.user_id) << c.body;
    EXPECT_EQ(e.anonymous_id, c.anonymous_id) << c.body;
    EXPECT_EQ(e.message_id.size(), 36u) << c.body;
    EXPECT_EQ(e.timestamp_us, kNow);
    EXPECT_EQ(e.received_at_us, kNow);
    EXPECT_EQ(r.write_key, "");
    Json j(e.json);
    EXPECT_EQ(j.Str("type"), c.type);
    EXPECT_EQ(j.Str("messageId"), e.message_id);
    EXPECT_EQ(j.Str("receivedAt"), "2024-01-31T12:00:00.000Z");
    EXPECT_EQ(j.Str("timestamp"), "2024-01-31T12:00:00.000Z");
    EXPECT_FALSE(j.Has("originalTimestamp"));
    EXPECT_FALSE(j.Has("sentAt"));
  }
}

// The Segment spec's track example, byte for byte through normalisation.
TEST(RequestParserTest, TrackSpecExampleExactOutput) {
  const char* body = R"({
    "type": "track",
    "event": "Order Completed",
    "userId": "019mr8mf4r",
    "properties": { "orderId": "50314b8e9bcf000000000000", "total": 27.5, "revenue": 25.00,
                    "currency": "USD", "products": [ { "sku": "45790-32", "price": 19, "quantity": 1 } ] },
    "context": { "ip": "8.8.8.8", "library": { "name": "analytics.js", "version": "2.11.1" } },
    "messageId": "022bb90c-bbac-11e4-8dfc-aa07a5b093db",
    "timestamp": "2015-12-12T19:11:01.249Z",
    "sentAt": "2015-12-12T19:11:01.169Z",
    "writeKey": "wk_secret"
  })";
  ParsedRequest r = MustParse(Endpoint::kTrack, body);
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.write_key, "wk_secret");
  const NormalizedEvent& e = r.events[0];
  EXPECT_EQ(e.message_id, "022bb90c-bbac-11e4-8dfc-aa07a5b093db");
  EXPECT_EQ(e.timestamp_us, kNow + 80'000);  // the client clock ran 80 ms behind its send
  EXPECT_EQ(
      e.json,
      R"({"type":"track","event":"Order Completed","userId":"019mr8mf4r",)"
      R"("properties":{"orderId":"50314b8e9bcf000000000000","total":27.5,"revenue":25.0,)"
      R"("currency":"USD","products":[{"sku":"45790-32","price":19,"quantity":1}]},)"
      R"("context":{"ip":"8.8.8.8","library":{"name":"analytics.js","version":"2.11.1"}},)"
      R"("messageId":"022bb90c-bbac-11e4-8dfc-aa07a5b093db",)"
      R"("timestamp":"2024-01-31T12:00:00.080Z","sentAt":"2015-12-12T19:11:01.169Z",)"
      R"("originalTimestamp":"2015-12-12T19:11:01.249Z","receivedAt":"2024-01-31T12:00:00.000Z"})");
}

TEST(RequestParserTest, FullBodiesOfEachCall) {
  struct Case {
    Endpoint endpoint;
    const char* body;
    const char* field;     // a field that must survive
    const char* expected;  // its minified value
  };
  const Case cases[] = {
      {Endpoint::kIdentify,
       R"({"userId":"97980cfea0067","traits":{"name":"Peter Gibbons","email":"peter@example.com",
          "plan":"premium","logins":5,"address":{"city":"San Francisco","state":"CA"}},
          "context":{"ip":"24.5.68.47"},"timestamp":"2012-12-02T00:30:08.276Z"})",
       "traits",
       R"({"name":"Peter Gibbons","email":"peter@example.com","plan":"premium","logins":5,)"
       R"("address":{"city":"San Francisco","state":"CA"}})"},
      {Endpoint::kPage,
       R"({"userId":"019mr8mf4r","category":"Docs","name":"Tracking HTTP API",
          "properties":{"title":"Segment Tracking API","url":"https://segment.com/docs/"}})",
       "name", R"("Tracking HTTP API")"},
      {Endpoint::kScreen,
       R"({"userId":"019mr8mf4r","name":"Home","properties":{"Feed Type":"private"}})",
       "properties", R"({"Feed Type":"private"})"},
      {Endpoint::kGroup,
       R"({"userId":"019mr8mf4r","groupId":"8e9df332ac","traits":{"name":"Initech","industry":
          "Technology","employees":329}})",
       "groupId", R"("8e9df332ac")"},
      {Endpoint::kAlias, R"({"previousId":"39239-239239-239239-23923","userId":"019mr8mf4r"})",
       "previousId", R"("39239-239239-239239-23923")"},
  };
  for (const auto& c : cases) {
    ParsedRequest r = MustParse(c.endpoint, c.body);
    ASSERT_EQ(r.events.size(), 1u);
    Json j(r.events[0].json);
    EXPECT_EQ(j.Raw(c.field), c.expected) << c.body;
  }
}

TEST(RequestParserTest, BatchWithMixedTypesAndBatchLevelDefaults) {
  const char* body = R"({
    "batch": [
      {"type":"identify","userId":"u1","traits":{"email":"a@b.c"},
       "context":{"ip":"1.1.1.1","locale":"fr-FR"},"timestamp":"2024-01-31T11:59:00Z"},
      {"type":"track","userId":"u1","event":"Viewed","integrations":{"All":false}},
      {"type":"page","anonymousId":"a9","name":"Home","sentAt":"2024-01-31T11:59:50Z",
       "timestamp":"2024-01-31T11:59:40Z"},
      {"type":"screen","userId":"u2","name":"Feed"},
      {"type":"group","userId":"u2","groupId":"g1"},
      {"type":"alias","userId":"u2","previousId":"a9"}
    ],
    "context": {"locale":"en-US","library":{"name":"analytics-node","version":"1.0"}},
    "integrations": {"Mixpanel": true, "All": true},
    "sentAt": "2024-01-31T12:00:10Z",
    "writeKey": "wk_batch"
  })";
  ParsedRequest r = MustParse(Endpoint::kBatch, body);
  EXPECT_EQ(r.write_key, "wk_batch");
  ASSERT_EQ(r.events.size(), 6u);
  const char* types[] = {"identify", "track", "page", "screen", "group", "alias"};
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(r.events[i].type, types[i]);
    EXPECT_EQ(r.events[i].json.find("wk_batch"), std::string::npos);
    Json j(r.events[i].json);
    EXPECT_EQ(j.Str("receivedAt"), "2024-01-31T12:00:00.000Z");
  }
  // Item 0: its context keys win, the batch's others are added after them.
  Json j0(r.events[0].json);
  EXPECT_EQ(
      j0.Raw("context"),
      R"({"ip":"1.1.1.1","locale":"fr-FR","library":{"name":"analytics-node","version":"1.0"}})");
  EXPECT_EQ(j0.Raw("integrations"), R"({"Mixpanel":true,"All":true})");
  // Batch sentAt is 10 s ahead of the server clock: the event time moves back by 10 s.
  EXPECT_EQ(j0.Str("sentAt"), "2024-01-31T12:00:10.000Z");
  EXPECT_EQ(j0.Str("originalTimestamp"), "2024-01-31T11:59:00.000Z");
  EXPECT_EQ(j0.Str("timestamp"), "2024-01-31T11:58:50.000Z");
  EXPECT_EQ(r.events[0].timestamp_us, kNow - 70 * kSec);
  // Item 1: its integrations win key by key; no client timestamp -> receivedAt.
  Json j1(r.events[1].json);
  EXPECT_EQ(j1.Raw("integrations"), R"({"All":false,"Mixpanel":true})");
  EXPECT_EQ(j1.Raw("context"),
            R"({"locale":"en-US","library":{"name":"analytics-node","version":"1.0"}})");
  EXPECT_FALSE(j1.Has("originalTimestamp"));
  EXPECT_EQ(j1.Str("timestamp"), "2024-01-31T12:00:00.000Z");
  // Item 2: its own sentAt wins over the batch's.
  Json j2(r.events[2].json);
  EXPECT_EQ(j2.Str("sentAt"), "2024-01-31T11:59:50.000Z");
  EXPECT_EQ(j2.Str("timestamp"), "2024-01-31T11:59:50.000Z");
  EXPECT_EQ(r.events[2].timestamp_us, kNow - 10 * kSec);
}

TEST(RequestParserTest, ImportIsABatchAndEmptyBatchIsFine) {
  EXPECT_EQ(MustParse(Endpoint::kImport, R"({"batch":[{"type":"track","userId":"u","event":"e"}]})")
                .events.size(),
            1u);
  EXPECT_EQ(MustParse(Endpoint::kBatch, R"({"batch":[]})").events.size(), 0u);
  EXPECT_EQ(MustParse(Endpoint::kImport, R"({"batch":[],"writeKey":"k"})").write_key, "k");
}

struct ErrorCase {
  Endpoint endpoint;
  std::string body;
  StatusCode code;
  std::string message;
};

void ExpectErrors(const std::vector<ErrorCase>& cases, CollectLimits limits = {}) {
  RequestParser p(limits);
  for (const auto& c : cases) {
    auto r = p.Parse(c.endpoint, c.body, kNow);
    ASSERT_FALSE(r.ok()) << c.body;
    EXPECT_EQ(r.status().code(), c.code) << c.body << "\n" << r.status().ToString();
    EXPECT_EQ(r.status().message(), c.message) << c.body;
  }
}

TEST(RequestParserTest, ValidationErrors) {
  constexpr auto kBad = StatusCode::kInvalidArgument;
  const auto T = Endpoint::kTrack;
  const auto B = Endpoint::kBatch;
  const std::string ok_item = R"({"type":"track","userId":"u","event":"e"})";
  ExpectErrors({
      {T, "", kBad, "request body is empty; send one JSON object"},
      {T, " \n", kBad, "request body is not valid JSON: Empty: no JSON found"},
      {T, R"({"userId":"u",})", kBad,
       "request body is not valid JSON: The JSON document has an improper structure: missing or "
       "superfluous commas, braces, missing keys, etc."},
      {T, "[1]", kBad, "request body must be a JSON object"},
      {T, R"("x")", kBad, "request body must be a JSON object"},
      {T, R"({"event":"e"})", kBad,
       "a track call needs \"userId\" or \"anonymousId\", a non-empty string or a number"},
      {T, R"({"userId":"","anonymousId":null,"event":"e"})", kBad,
       "a track call needs \"userId\" or \"anonymousId\", a non-empty string or a number"},
      {T, R"({"userId":true,"event":"e"})", kBad, "userId: must be a non-empty string or a number"},
      {T, R"({"userId":"u","anonymousId":{},"event":"e"})", kBad,
       "anonymousId: must be a non-empty string or a number"},
      {T, R"({"userId":"u"})", kBad, "event: a track call needs \"event\", a non-empty string"},
      {T, R"({"userId":"u","event":""})", kBad,
       "event: a track call needs \"event\", a non-empty string"},
      {T, R"({"userId":"u","event":5})", kBad,
       "event: a track call needs \"event\", a non-empty string"},
      {T, R"({"type":"identify","userId":"u","event":"e"})", kBad,
       "type: \"identify\" does not match /v1/track, which takes \"track\" calls; send it to "
       "/v1/identify or /v1/batch"},
      {T, R"({"type":"bogus","userId":"u","event":"e"})", kBad,
       "type: \"bogus\" does not match /v1/track, which takes \"track\" calls"},
      {T, R"({"type":1,"userId":"u","event":"e"})", kBad, "type: must be a string"},
      {Endpoint::kGroup, R"({"userId":"u"})", kBad,
       "groupId: a group call needs \"groupId\", a non-empty string or a number"},
      {Endpoint::kGroup, R"({"userId":"u","groupId":""})", kBad,
       "groupId: a group call needs \"groupId\", a non-empty string or a number"},
      {Endpoint::kAlias, R"({"userId":"u"})", kBad,
       "previousId: an alias call needs \"previousId\", a non-empty string or a number"},
      {Endpoint::kAlias, R"({"anonymousId":"a","previousId":"p"})", kBad,
       "userId: an alias call needs \"userId\", a non-empty string or a number"},
      {Endpoint::kAlias, R"({"previousId":"p"})", kBad,
       "an alias call needs \"userId\" or \"anonymousId\", a non-empty string or a number"},
      {T, R"({"userId":"u","event":"e","properties":[]})", kBad,
       "properties: must be a JSON object"},
      {Endpoint::kIdentify, R"({"userId":"u","traits":"vip"})", kBad,
       "traits: must be a JSON object"},
      {T, R"({"userId":"u","event":"e","context":1})", kBad, "context: must be a JSON object"},
      {T, R"({"userId":"u","event":"e","integrations":true})", kBad,
       "integrations: must be a JSON object"},
      {T, R"({"userId":"u","event":"e","messageId":12})", kBad, "messageId: must be a string"},
      {T, R"({"userId":"u","event":"e","timestamp":"yesterday"})", kBad,
       "timestamp: \"yesterday\" is not an ISO-8601 date-time (the date must be YYYY-MM-DD); "
       "expected e.g. \"2024-01-31T12:00:00.123Z\""},
      {T, R"({"userId":"u","event":"e","sentAt":1706702400000})", kBad,
       "sentAt: must be a string, an ISO-8601 date-time such as \"2024-01-31T12:00:00.123Z\""},
      {T, R"({"userId":"u","event":"e","originalTimestamp":"2024-02-30T00:00:00Z"})", kBad,
       "originalTimestamp: \"2024-02-30T00:00:00Z\" is not an ISO-8601 date-time (the day does not "
       "exist in that month); expected e.g. \"2024-01-31T12:00:00.123Z\""},
      {T, R"({"userId":"u","event":"e","writeKey":5})", kBad, "writeKey: must be a string"},
      // Batches.
      {B, R"({})", kBad,
       "a /v1/batch body needs \"batch\", an array of events: {\"batch\": [{\"type\": \"track\", "
       "...}]}"},
      {Endpoint::kImport, R"({"Batch":[]})", kBad,
       "a /v1/import body needs \"batch\", an array of events: {\"batch\": [{\"type\": "
       "\"track\", ...}]}"},
      {B, R"({"batch":{}})", kBad, "batch: must be an array of events"},
      {B, R"({"batch":[],"context":[]})", kBad, "context: must be a JSON object"},
      {B, R"({"batch":[],"integrations":"x"})", kBad, "integrations: must be a JSON object"},
      {B,
       R"({"batch":[],"sentAt":"2024-01-31"})"
       "x",
       kBad,
       "request body is not valid JSON: The JSON document has an improper structure: missing or "
       "superfluous commas, braces, missing keys, etc."},
      {B, R"({"batch":[],"sentAt":"31/01/2024"})", kBad,
       "sentAt: \"31/01/2024\" is not an ISO-8601 date-time (the date must be YYYY-MM-DD); "
       "expected e.g. \"2024-01-31T12:00:00.123Z\""},
      {B, R"({"batch":[],"writeKey":["k"]})", kBad, "writeKey: must be a string"},
      {B, R"({"batch":[)" + ok_item + R"(,7]})", kBad, "batch[1]: must be a JSON object"},
      {B, R"({"batch":[)" + ok_item + "," + ok_item + "," + ok_item + R"(,{"userId":"u"}]})", kBad,
       "batch[3]: \"type\" must be one of track, identify, page, screen, group, alias"},
      {B, R"({"batch":[{"type":"Track","userId":"u","event":"e"}]})", kBad,
       "batch[0]: \"type\" must be one of track, identify, page, screen, group, alias"},
      {B, R"({"batch":[{"type":null,"userId":"u","event":"e"}]})", kBad,
       "batch[0]: \"type\" must be one of track, identify, page, screen, group, alias"},
      {B, R"({"batch":[)" + ok_item + "," + ok_item + R"(,{"type":"track","userId":"u"}]})", kBad,
       "batch[2].event: a track call needs \"event\", a non-empty string"},
      {B, R"({"batch":[{"type":"page"}]})", kBad,
       "batch[0]: a page call needs \"userId\" or \"anonymousId\", a non-empty string or a number"},
      {B, R"({"batch":[{"type":"identify","userId":"u","traits":1}]})", kBad,
       "batch[0].traits: must be a JSON object"},
      {B,
       R"({"batch":[)" + ok_item +
           R"(,{"type":"track","userId":"u","event":"e","timestamp":"2024-01-31T12:00:00"}]})",
       kBad,
       "batch[1].timestamp: \"2024-01-31T12:00:00\" is not an ISO-8601 date-time (a time needs a "
       "zone: Z or ±HH:MM); expected e.g. \"2024-01-31T12:00:00.123Z\""},
      {B, R"({"writeKey":"k1","batch":[{"type":"identify","userId":"u","writeKey":"k2"}]})", kBad,
       "batch[0].writeKey: differs from the request's write key; one request goes to one source"},
      {B,
       R"({"batch":[{"type":"identify","userId":"u","writeKey":"k1"},{"type":"identify","userId":"u","writeKey":"k2"}]})",
       kBad,
       "batch[1].writeKey: differs from the request's write key; one request goes to one source"},
  });
}

TEST(RequestParserTest, OneBadItemRejectsTheWholeBatch) {
  RequestParser p;
  auto r = p.Parse(Endpoint::kBatch,
                   R"({"batch":[{"type":"identify","userId":"u"},{"type":"track","userId":"u"},
                                {"type":"page"}]})",
                   kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "batch[1].event: a track call needs \"event\", a non-empty string");
  // The same parser then accepts a good request.
  EXPECT_TRUE(p.Parse(Endpoint::kIdentify, R"({"userId":"u"})", kNow).ok());
}

// A track body of exactly `size` bytes.
std::string TrackBodyOfSize(size_t size) {
  std::string head = R"({"userId":"u","event":"e","properties":{"pad":")";
  std::string tail = R"("}})";
  return head + std::string(size - head.size() - tail.size(), 'x') + tail;
}

TEST(RequestParserTest, SingleEventSizeLimitBoundary) {
  RequestParser p;
  std::string ok = TrackBodyOfSize(32768);
  ASSERT_EQ(ok.size(), 32768u);
  EXPECT_TRUE(p.Parse(Endpoint::kTrack, ok, kNow).ok());
  std::string big = TrackBodyOfSize(32769);
  auto r = p.Parse(Endpoint::kTrack, big, kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kTooLarge);
  EXPECT_EQ(r.status().message(),
            "request body is 32769 bytes; the limit is 32768 bytes (32 KB) per event");
}

// A batch body of exactly `size` bytes made of `items` items of about the same size.
std::string BatchBodyOfSize(size_t size, size_t items) {
  std::string head = R"({"batch":[)";
  std::string tail = "]}";
  std::string item_head = R"({"type":"track","userId":"u","event":"e","properties":{"p":")";
  std::string item_tail = R"("}})";
  const size_t fixed =
      head.size() + tail.size() + (items - 1) + items * (item_head.size() + item_tail.size());
  const size_t pad = size - fixed;
  std::string body = head;
  for (size_t i = 0; i < items; ++i) {
    if (i > 0) body += ',';
    size_t n = pad / items + (i == 0 ? pad % items : 0);
    body += item_head + std::string(n, 'x') + item_tail;
  }
  return body + tail;
}

TEST(RequestParserTest, BatchSizeLimits) {
  RequestParser p;
  std::string ok = BatchBodyOfSize(512000, 20);
  ASSERT_EQ(ok.size(), 512000u);
  auto r_ok = p.Parse(Endpoint::kBatch, ok, kNow);
  ASSERT_TRUE(r_ok.ok()) << r_ok.status().ToString();
  EXPECT_EQ(r_ok->events.size(), 20u);
  ExpectErrors({
      {Endpoint::kBatch, BatchBodyOfSize(512001, 20), StatusCode::kTooLarge,
       "request body is 512001 bytes; the limit is 512000 bytes (500 KB) per batch"},
      {Endpoint::kBatch, BatchBodyOfSize(612345, 20), StatusCode::kTooLarge,
       "request body is 612345 bytes; the limit is 512000 bytes (500 KB) per batch"},
  });
  // One item of exactly 32,768 bytes is fine; 32,769 is not, and names the item.
  std::string item_ok = BatchBodyOfSize(32768 + 12, 1);  // 12 = {"batch":[ + ]}
  EXPECT_TRUE(p.Parse(Endpoint::kBatch, item_ok, kNow).ok());
  std::string small = R"({"type":"identify","userId":"u"},)";
  std::string big = BatchBodyOfSize(32769 + 12, 1);
  big.insert(10, small + small);
  ExpectErrors({{Endpoint::kBatch, big, StatusCode::kTooLarge,
                 "batch[2] is 32769 bytes; the limit is 32768 bytes (32 KB) per event"}});
}

TEST(RequestParserTest, BatchItemSizeIsMeasuredMinified) {
  // Whitespace and the parts the parser rewrites count as the client sent them, minified.
  std::string item = R"({ "type" : "track", "userId":"u", "event":"e", "writeKey":"k", "p":")";
  const std::string minified_head =
      R"({"type":"track","userId":"u","event":"e","writeKey":"k","p":")";
  std::string pad(32768 - minified_head.size() - 2, 'x');
  std::string body = R"({"batch":[)" + item + pad + R"(" }]})";
  CollectLimits limits;
  EXPECT_TRUE(RequestParser(limits).Parse(Endpoint::kBatch, body, kNow).ok());
  body = R"({"batch":[)" + item + pad + R"(x" }]})";
  ExpectErrors({{Endpoint::kBatch, body, StatusCode::kTooLarge,
                 "batch[0] is 32769 bytes; the limit is 32768 bytes (32 KB) per event"}});
}

TEST(RequestParserTest, BatchEventCountLimit) {
  CollectLimits limits;
  limits.max_batch_events = 3;
  std::string item = R"({"type":"identify","userId":"u"})";
  std::string three = R"({"batch":[)" + item + "," + item + "," + item + "]}";
  EXPECT_EQ(MustParse(Endpoint::kBatch, three, limits).events.size(), 3u);
  std::string four = R"({"batch":[)" + item + "," + item + "," + item + "," + item + "]}";
  ExpectErrors({{Endpoint::kBatch, four, StatusCode::kTooLarge,
                 "the batch has 4 events; the limit is 3 per request"}},
               limits);
  // The default limit: 2,500.
  std::string many = R"({"batch":[)";
  for (int i = 0; i < 2501; ++i) many += (i ? "," : "") + item;
  many += "]}";
  ExpectErrors({{Endpoint::kBatch, many, StatusCode::kTooLarge,
                 "the batch has 2501 events; the limit is 2500 per request"}});
}

TEST(RequestParserTest, MessageIdAssignedOrKept) {
  auto id_of = [](const std::string& body) {
    ParsedRequest r = MustParse(Endpoint::kIdentify, body);
    EXPECT_EQ(Json(r.events[0].json).Str("messageId"), r.events[0].message_id);
    return r.events[0].message_id;
  };
  EXPECT_EQ(id_of(R"({"userId":"u","messageId":"m-1"})"), "m-1");
  const std::string a = id_of(R"({"userId":"u"})");
  const std::string b = id_of(R"({"userId":"u","messageId":""})");
  const std::string c = id_of(R"({"userId":"u","messageId":null})");
  for (const auto& id : {a, b, c}) {
    EXPECT_EQ(id.size(), 36u);
    EXPECT_EQ(id[14], '4');
  }
  EXPECT_NE(a, b);
  const std::string max(256, 'm');
  EXPECT_EQ(id_of(R"({"userId":"u","messageId":")" + max + "\"}"), max);
  ExpectErrors({{Endpoint::kIdentify, R"({"userId":"u","messageId":")" + max + "m\"}",
                 StatusCode::kInvalidArgument, "messageId: is 257 bytes; the limit is 256 bytes"}});
  // The messageId keeps its place in the stored JSON.
  ParsedRequest r = MustParse(Endpoint::kIdentify, R"({"messageId":"m","userId":"u"})");
  EXPECT_EQ(r.events[0].json.rfind(R"({"messageId":"m","userId":"u","type":"identify",)", 0), 0u)
      << r.events[0].json;
}

TEST(RequestParserTest, TimestampCorrection) {
  struct Case {
    const char* fields;
    const char* timestamp;
    const char* original;  // "" when absent
    const char* sent_at;   // "" when absent
  };
  const Case cases[] = {
      // Device clock 10 s ahead: sentAt 10 s after the server's receivedAt.
      {R"("timestamp":"2024-01-31T12:00:05Z","sentAt":"2024-01-31T12:00:10Z")",
       "2024-01-31T11:59:55.000Z", "2024-01-31T12:00:05.000Z", "2024-01-31T12:00:10.000Z"},
      // Device clock 1 h behind, with offsets.
      {R"("originalTimestamp":"2024-01-31T11:59:00+01:00","sentAt":"2024-01-31T12:00:00+01:00")",
       "2024-01-31T11:59:00.000Z", "2024-01-31T10:59:00.000Z", "2024-01-31T11:00:00.000Z"},
      // originalTimestamp wins over timestamp.
      {R"("timestamp":"2020-01-01T00:00:00Z","originalTimestamp":"2024-01-31T11:00:00Z",)"
       R"("sentAt":"2024-01-31T11:00:01Z")",
       "2024-01-31T11:59:59.000Z", "2024-01-31T11:00:00.000Z", "2024-01-31T11:00:01.000Z"},
      // No sentAt: the client time as given.
      {R"("timestamp":"2024-01-30T00:00:00.5Z")", "2024-01-30T00:00:00.500Z",
       "2024-01-30T00:00:00.500Z", ""},
      // sentAt only: receivedAt.
      {R"("sentAt":"2024-01-30T00:00:00Z")", "2024-01-31T12:00:00.000Z", "",
       "2024-01-30T00:00:00.000Z"},
      // Nulls are absent.
      {R"("timestamp":null,"sentAt":null,"originalTimestamp":null)", "2024-01-31T12:00:00.000Z", "",
       ""},
  };
  for (const auto& c : cases) {
    std::string body = std::string(R"({"userId":"u",)") + c.fields + "}";
    ParsedRequest r = MustParse(Endpoint::kIdentify, body);
    Json j(r.events[0].json);
    EXPECT_EQ(j.Str("timestamp"), c.timestamp) << body;
    EXPECT_EQ(FormatIso8601(r.events[0].timestamp_us), c.timestamp) << body;
    if (*c.original) {
      EXPECT_EQ(j.Str("originalTimestamp"), c.original) << body;
    } else {
      EXPECT_FALSE(j.Has("originalTimestamp")) << body;
    }
    if (*c.sent_at) {
      EXPECT_EQ(j.Str("sentAt"), c.sent_at) << body;
    } else {
      EXPECT_FALSE(j.Has("sentAt")) << body;
    }
    EXPECT_EQ(j.Str("receivedAt"), "2024-01-31T12:00:00.000Z");
  }
  // Exact microseconds in the struct.
  ParsedRequest r = MustParse(
      Endpoint::kIdentify,
      R"({"userId":"u","timestamp":"2024-01-31T12:00:05.000001Z","sentAt":"2024-01-31T12:00:10Z"})");
  EXPECT_EQ(r.events[0].timestamp_us, kNow - 5 * kSec + 1);
}

TEST(RequestParserTest, WriteKeyExtractedAndRemoved) {
  ParsedRequest r = MustParse(Endpoint::kIdentify, R"({"writeKey":"wk_1","userId":"u"})");
  EXPECT_EQ(r.write_key, "wk_1");
  EXPECT_EQ(r.events[0].json.find("writeKey"), std::string::npos);
  EXPECT_EQ(r.events[0].json.find("wk_1"), std::string::npos);
  // In a batch: the top-level key, or the items' (all equal), and never stored.
  r = MustParse(Endpoint::kBatch,
                R"({"batch":[{"type":"identify","userId":"u","writeKey":"wk_2"},
                             {"type":"identify","userId":"v","writeKey":"wk_2"}]})");
  EXPECT_EQ(r.write_key, "wk_2");
  for (const auto& e : r.events) EXPECT_EQ(e.json.find("wk_2"), std::string::npos) << e.json;
  r = MustParse(
      Endpoint::kBatch,
      R"({"batch":[{"type":"identify","userId":"u","writeKey":"wk_3"}],"writeKey":"wk_3"})");
  EXPECT_EQ(r.write_key, "wk_3");
  EXPECT_EQ(r.events[0].json.find("wk_3"), std::string::npos);
  r = MustParse(Endpoint::kIdentify, R"({"writeKey":null,"userId":"u"})");
  EXPECT_EQ(r.write_key, "");
  EXPECT_EQ(r.events[0].json.find("writeKey"), std::string::npos);
}

TEST(RequestParserTest, UnicodeAndEscapedKeysSurvive) {
  const char* body =
      R"({"userId":"\u00e9l\u00e8ve \ud83d\ude00","event":"caf\u00e9 \"quoted\" \\ /",)"
      R"("properties":{"k\u00e9y\n\t\"q\"\\":"v\u0001\u001f\u007f","\u0000nul":"a\u0000b",)"
      R"("日本語":"テスト","\u2028":"line sep"}})";
  ParsedRequest r = MustParse(Endpoint::kTrack, body);
  const NormalizedEvent& e = r.events[0];
  EXPECT_EQ(e.user_id, "\xC3\xA9l\xC3\xA8ve \xF0\x9F\x98\x80");
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  ASSERT_EQ(parser.parse(e.json).get(root), simdjson::SUCCESS) << e.json;
  EXPECT_EQ(std::string_view(root["event"]), "caf\xC3\xA9 \"quoted\" \\ /");
  simdjson::dom::object props = root["properties"];
  std::vector<std::pair<std::string, std::string>> got;
  for (auto kv : props)
    got.emplace_back(std::string(kv.key), std::string(std::string_view(kv.value)));
  ASSERT_EQ(got.size(), 4u) << e.json;
  EXPECT_EQ(got[0].first, "k\xC3\xA9y\n\t\"q\"\\");
  EXPECT_EQ(got[0].second, std::string("v\x01\x1f\x7f"));
  EXPECT_EQ(got[1].first, std::string("\0nul", 4));
  EXPECT_EQ(got[1].second, std::string("a\0b", 3));
  EXPECT_EQ(got[2].first, "日本語");
  EXPECT_EQ(got[3].first, "\xE2\x80\xA8");
  // No raw control characters in the output.
  for (char ch : e.json) EXPECT_GE(static_cast<unsigned char>(ch), 0x20u) << e.json;
}

TEST(RequestParserTest, EscapedKnownKeysAreRecognised) {
  // "\u0074ype" is "type" and "write\u004bey" is "writeKey": same keys, once unescaped.
  ParsedRequest r = MustParse(Endpoint::kIdentify,
                              R"({"\u0074ype":"identify","user\u0049d":"u","write\u004bey":"wk"})");
  EXPECT_EQ(r.write_key, "wk");
  EXPECT_EQ(r.events[0].user_id, "u");
  EXPECT_EQ(r.events[0].json.find("wk"), std::string::npos) << r.events[0].json;
  EXPECT_EQ(r.events[0].json.rfind(R"({"type":"identify","userId":"u","messageId":)", 0), 0u)
      << r.events[0].json;
}

TEST(RequestParserTest, DuplicateKnownKeysFirstWins) {
  ParsedRequest r = MustParse(
      Endpoint::kTrack,
      R"({"userId":"first","event":"e","userId":"second","timestamp":"2024-01-01T00:00:00Z",)"
      R"("timestamp":"2025-01-01T00:00:00Z","x":1,"x":2})");
  const NormalizedEvent& e = r.events[0];
  EXPECT_EQ(e.user_id, "first");
  // Searched without the random messageId, which could hold "2025" by chance.
  Json j(e.json);
  std::string rest = e.json;
  rest.erase(rest.find(j.Str("messageId")), j.Str("messageId").size());
  EXPECT_EQ(rest.find("second"), std::string::npos) << e.json;
  EXPECT_EQ(FormatIso8601(e.timestamp_us), "2024-01-01T00:00:00.000Z");
  EXPECT_EQ(rest.find("2025"), std::string::npos) << e.json;
  EXPECT_NE(e.json.find(R"("x":1,"x":2)"), std::string::npos) << e.json;  // unknown keys kept
}

TEST(RequestParserTest, NullContextTakesTheBatchContext) {
  ParsedRequest r =
      MustParse(Endpoint::kBatch,
                R"({"batch":[{"type":"identify","userId":"u","context":null,"integrations":{}}],)"
                R"("context":{"ip":"1.2.3.4"},"integrations":{"All":true}})");
  Json j(r.events[0].json);
  EXPECT_EQ(j.Raw("context"), R"({"ip":"1.2.3.4"})");
  EXPECT_EQ(j.Raw("integrations"), R"({"All":true})");
}

TEST(RequestParserTest, NumbersAsIdentifiers) {
  const std::pair<const char*, const char*> cases[] = {
      {"0", "0"},     {"-12", "-12"},  {"18446744073709551615", "18446744073709551615"},
      {"1.5", "1.5"}, {"1e3", "1000"},
  };
  for (const auto& [num, text] : cases) {
    ParsedRequest r = MustParse(Endpoint::kIdentify, std::string(R"({"userId":)") + num + "}");
    EXPECT_EQ(r.events[0].user_id, text) << num;
  }
}

TEST(RequestParserTest, ParserIsReusableAcrossSizes) {
  RequestParser p;
  for (int round = 0; round < 3; ++round) {
    auto big = p.Parse(Endpoint::kBatch, BatchBodyOfSize(400000, 100), kNow);
    ASSERT_TRUE(big.ok()) << big.status().ToString();
    EXPECT_EQ(big->events.size(), 100u);
    auto small = p.Parse(Endpoint::kTrack, R"({"userId":"u","event":"e"})", kNow);
    ASSERT_TRUE(small.ok());
  }
}

}  // namespace
}  // namespace rapport
