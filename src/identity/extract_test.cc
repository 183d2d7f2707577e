#include "identity/extract.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "collect/envelope.h"
#include "collect/request_parser.h"

namespace rapport {
namespace {

constexpr int64_t kNow = 1706702400000000;  // 2024-01-31T12:00:00Z

std::vector<std::string> Strs(const std::vector<Identifier>& ids) {
  std::vector<std::string> out;
  for (const Identifier& id : ids) out.push_back(id.type + ":" + id.value);
  return out;
}

using Strings = std::vector<std::string>;

// A graph that only answers Find, from a fixed map.
class FakeView final : public IdentityView {
 public:
  Result<std::optional<uint64_t>> Find(const Identifier& id) override {
    ++finds;
    if (fail) return Status::IOError("state store unreadable");
    auto it = ids.find(id);
    if (it == ids.end()) return std::optional<uint64_t>();
    return std::optional<uint64_t>(it->second);
  }
  Result<std::vector<Identifier>> IdentifiersOf(uint64_t) override {
    return std::vector<Identifier>();
  }

  std::map<Identifier, uint64_t> ids;
  bool fail = false;
  int finds = 0;
};

class ExtractTest : public ::testing::Test {
 protected:
  // `body` as collect accepts it at `endpoint`, through the log record (EncodeEnvelope,
  // DecodeEnvelope) and simdjson, as the pipeline reads it.
  Result<ExtractedIds> TryExtract(Endpoint endpoint, std::string_view body) {
    RequestParser parser;
    auto parsed = parser.Parse(endpoint, body, kNow);
    if (!parsed.ok()) return parsed.status();
    if (parsed->events.size() != 1) return Status::Internal("one event expected");
    const std::string record = EncodeEnvelope("source-1", parsed->events[0]);
    auto envelope = DecodeEnvelope(record);
    if (!envelope.ok()) return envelope.status();
    simdjson::dom::parser json;
    simdjson::dom::element event;
    if (json.parse(envelope->json.data(), envelope->json.size()).get(event) != simdjson::SUCCESS) {
      return Status::Internal("stored JSON does not parse");
    }
    return ExtractIdentifiers(settings_, *envelope, event, &view_);
  }
  ExtractedIds Extract(Endpoint endpoint, std::string_view body) {
    auto ids = TryExtract(endpoint, body);
    EXPECT_TRUE(ids.ok()) << ids.status().ToString() << "\n" << body;
    return ids.ok() ? *ids : ExtractedIds{};
  }

  IdentitySettings settings_;
  FakeView view_;
};

TEST_F(ExtractTest, UserIdAndAnonymousId) {
  ExtractedIds x =
      Extract(Endpoint::kTrack, R"({"event":"Signed Up","userId":" u1 ","anonymousId":"a1"})");
  EXPECT_EQ(Strs(x.ids), (Strings{"user_id:u1", "anonymous_id:a1"}));
  EXPECT_EQ(x.blocked, 0);
  EXPECT_EQ(x.unknown_types, 0);
  x = Extract(Endpoint::kPage, R"({"anonymousId":"a1"})");
  EXPECT_EQ(Strs(x.ids), Strings{"anonymous_id:a1"});
  x = Extract(Endpoint::kScreen, R"({"userId":"U-1","anonymousId":null})");
  EXPECT_EQ(Strs(x.ids), Strings{"user_id:U-1"});
}

TEST_F(ExtractTest, NumbersAsIds) {
  ExtractedIds x = Extract(Endpoint::kTrack, R"({"event":"E","userId":12345,"anonymousId":-7})");
  EXPECT_EQ(Strs(x.ids), (Strings{"user_id:12345", "anonymous_id:-7"}));
  x = Extract(Endpoint::kIdentify, R"({"userId":18446744073709551615})");
  EXPECT_EQ(Strs(x.ids), Strings{"user_id:18446744073709551615"});
  // 0 is a blocked value, a number or not.
  x = Extract(Endpoint::kIdentify, R"({"userId":0,"anonymousId":"a1"})");
  EXPECT_EQ(Strs(x.ids), Strings{"anonymous_id:a1"});
  EXPECT_EQ(x.blocked, 1);
}

TEST_F(ExtractTest, IdentifyTraits) {
  ExtractedIds x = Extract(Endpoint::kIdentify, R"({"userId":"u1","traits":{
      "name":"Jane","email":" Jane.Doe@Example.COM ","phone":"(415) 555-2671"}})");
  EXPECT_EQ(Strs(x.ids),
            (Strings{"user_id:u1", "email:jane.doe@example.com", "phone:14155552671"}));
  EXPECT_EQ(x.blocked, 0);
  // A phone number sent as a JSON number.
  x = Extract(Endpoint::kIdentify, R"({"anonymousId":"a1","traits":{"phone":4155552671}})");
  EXPECT_EQ(Strs(x.ids), (Strings{"anonymous_id:a1", "phone:14155552671"}));
}

TEST_F(ExtractTest, TopLevelTraitsOnlyForIdentify) {
  // A group call's traits describe the group (its email is the company's), and other calls have
  // no top-level traits in the spec: none of them identifies the person.
  for (auto [endpoint, body] : {
           std::pair{Endpoint::kTrack, R"({"event":"E","userId":"u1","traits":{"email":"a@b.c"}})"},
           std::pair{Endpoint::kGroup,
                     R"({"groupId":"g1","userId":"u1","traits":{"email":"info@acme.com"}})"},
           std::pair{Endpoint::kPage, R"({"userId":"u1","traits":{"phone":"4155552671"}})"},
       }) {
    ExtractedIds x = Extract(endpoint, body);
    EXPECT_EQ(Strs(x.ids), Strings{"user_id:u1"}) << body;
    EXPECT_EQ(x.blocked, 0) << body;
  }
}

TEST_F(ExtractTest, ContextTraitsForAnyCall) {
  for (auto [endpoint, extra] : {
           std::pair{Endpoint::kTrack, R"("event":"E",)"},
           std::pair{Endpoint::kIdentify, ""},
           std::pair{Endpoint::kPage, ""},
           std::pair{Endpoint::kScreen, R"("name":"Home",)"},
           std::pair{Endpoint::kGroup, R"("groupId":"g1",)"},
       }) {
    std::string body = std::string("{") + extra +
                       R"("anonymousId":"a1","context":{"traits":{"email":"A@B.com",)"
                       R"("phone":"+44 20 7946 0958"}}})";
    ExtractedIds x = Extract(endpoint, body);
    EXPECT_EQ(Strs(x.ids), (Strings{"anonymous_id:a1", "email:a@b.com", "phone:442079460958"}))
        << body;
  }
}

TEST_F(ExtractTest, SameIdentifierFromSeveralSourcesOnce) {
  ExtractedIds x = Extract(Endpoint::kIdentify, R"({"userId":"u1","anonymousId":"u1",
      "traits":{"email":"Jane@Example.com","phone":"+1 415 555 2671"},
      "context":{"traits":{"email":"jane@example.COM","phone":"(415) 555-2671"},
                 "externalIds":[{"id":"u1","type":"user_id"},{"id":"JANE@example.com","type":"email"}]}})");
  // user_id and anonymous_id with the same value are two identifiers.
  EXPECT_EQ(Strs(x.ids), (Strings{"user_id:u1", "anonymous_id:u1", "email:jane@example.com",
                                  "phone:14155552671"}));
}

TEST_F(ExtractTest, ContextTraitsFromTheBatch) {
  ExtractedIds x = Extract(Endpoint::kBatch, R"({"batch":[
      {"type":"track","event":"E","anonymousId":"a1"}],
      "context":{"traits":{"email":"b@c.com"}}})");
  EXPECT_EQ(Strs(x.ids), (Strings{"anonymous_id:a1", "email:b@c.com"}));
}

TEST_F(ExtractTest, ExternalIds) {
  ASSERT_TRUE(settings_.SetType({"crm_id", 4, 5}).ok());
  ExtractedIds x = Extract(Endpoint::kTrack, R"({"event":"E","userId":"u1","context":{
      "externalIds":[
        {"id":"C-1","type":"crm_id","collection":"users","encoding":"none"},
        {"id":42,"type":"crm_id"},
        {"id":"GA1.2.3","type":"ga_client_id"},
        {"id":"C-9","type":"CRM_ID"},
        {"id":" Z@X.com ","type":"email"},
        {"id":"u2","type":"user_id"}]}})");
  EXPECT_EQ(Strs(x.ids),
            (Strings{"user_id:u1", "crm_id:C-1", "crm_id:42", "email:z@x.com", "user_id:u2"}));
  EXPECT_EQ(x.unknown_types, 2);  // ga_client_id, and CRM_ID (type names are exact)
  EXPECT_EQ(x.blocked, 0);
}

TEST_F(ExtractTest, MalformedExternalIdsCountAsBlocked) {
  ASSERT_TRUE(settings_.SetType({"crm_id", 4, 5}).ok());
  ExtractedIds x = Extract(Endpoint::kTrack, R"({"event":"E","userId":"u1","context":{
      "externalIds":[
        "C-1",
        {"type":"crm_id"},
        {"id":"C-2"},
        {"id":1.5,"type":"crm_id"},
        {"id":null,"type":"crm_id"},
        {"id":"NULL","type":"crm_id"},
        {"id":"C-3","type":7},
        {"id":"C-4","type":"crm_id"}]}})");
  EXPECT_EQ(Strs(x.ids), (Strings{"user_id:u1", "crm_id:C-4"}));
  EXPECT_EQ(x.blocked, 7);
  EXPECT_EQ(x.unknown_types, 0);
  // Not an array: nothing to read.
  x = Extract(
      Endpoint::kTrack,
      R"({"event":"E","userId":"u1","context":{"externalIds":{"id":"C-1","type":"crm_id"}}})");
  EXPECT_EQ(Strs(x.ids), Strings{"user_id:u1"});
}

TEST_F(ExtractTest, BlockedAndMalformedValuesCounted) {
  ExtractedIds x = Extract(Endpoint::kIdentify, R"({"userId":"null","anonymousId":"Anonymous",
      "traits":{"email":"not-an-email","phone":"123"},
      "context":{"traits":{"email":"undefined"}}})");
  EXPECT_TRUE(x.ids.empty());
  EXPECT_EQ(x.blocked, 5);

  IdentityConfig c;
  c.blocked_values = std::vector<std::string>{"n/a", "guest"};
  auto s = MakeIdentitySettings(c);
  ASSERT_TRUE(s.ok());
  settings_ = std::move(*s);
  x = Extract(Endpoint::kTrack, R"({"event":"E","userId":"GUEST","anonymousId":"null",
      "context":{"traits":{"email":"N/A"}}})");
  EXPECT_EQ(Strs(x.ids), Strings{"anonymous_id:null"});
  EXPECT_EQ(x.blocked, 2);
}

TEST_F(ExtractTest, TraitsOfOtherShapesAreIgnored) {
  ExtractedIds x = Extract(Endpoint::kIdentify, R"({"userId":"u1","traits":{"email":true,
      "phone":{"home":"4155552671"}},"context":{"traits":"x","externalIds":null}})");
  EXPECT_EQ(Strs(x.ids), Strings{"user_id:u1"});
  x = Extract(Endpoint::kIdentify, R"({"userId":"u1","traits":null,"context":{"traits":[]}})");
  EXPECT_EQ(Strs(x.ids), Strings{"user_id:u1"});
}

TEST_F(ExtractTest, PhoneCountryCodeFromSettings) {
  ASSERT_TRUE(settings_.SetPhoneCountryCode("44").ok());
  ExtractedIds x =
      Extract(Endpoint::kIdentify, R"({"userId":"u1","traits":{"phone":"07700 900123"}})");
  EXPECT_EQ(Strs(x.ids), (Strings{"user_id:u1", "phone:447700900123"}));
}

TEST_F(ExtractTest, AliasPreviousIdTypedByTheGraph) {
  // Not a known user id: the anonymous id the user had before signing up.
  ExtractedIds x = Extract(Endpoint::kAlias, R"({"previousId":"a1","userId":"u1"})");
  EXPECT_EQ(Strs(x.ids), (Strings{"user_id:u1", "anonymous_id:a1"}));
  EXPECT_EQ(view_.finds, 1);
  // A user id the graph holds: a user id that changes.
  view_.ids[{"user_id", "old"}] = 3;
  view_.ids[{"user_id", "42"}] = 4;
  x = Extract(Endpoint::kAlias, R"({"previousId":" old ","userId":"new"})");
  EXPECT_EQ(Strs(x.ids), (Strings{"user_id:new", "user_id:old"}));
  x = Extract(Endpoint::kAlias, R"({"previousId":42,"userId":"new"})");
  EXPECT_EQ(Strs(x.ids), (Strings{"user_id:new", "user_id:42"}));
  x = Extract(Endpoint::kAlias, R"({"previousId":43,"userId":"new","anonymousId":"a9"})");
  EXPECT_EQ(Strs(x.ids), (Strings{"user_id:new", "anonymous_id:a9", "anonymous_id:43"}));
  // Blocked: counted, not looked up.
  view_.finds = 0;
  x = Extract(Endpoint::kAlias, R"({"previousId":"Null","userId":"new"})");
  EXPECT_EQ(Strs(x.ids), Strings{"user_id:new"});
  EXPECT_EQ(x.blocked, 1);
  EXPECT_EQ(view_.finds, 0);
  // previousId means nothing outside an alias call.
  x = Extract(Endpoint::kTrack, R"({"event":"E","userId":"new","previousId":"old"})");
  EXPECT_EQ(Strs(x.ids), Strings{"user_id:new"});
  EXPECT_EQ(view_.finds, 0);
}

TEST_F(ExtractTest, AliasLookupErrorsArePassedOn) {
  view_.fail = true;
  auto x = TryExtract(Endpoint::kAlias, R"({"previousId":"a1","userId":"u1"})");
  ASSERT_FALSE(x.ok());
  EXPECT_EQ(x.status().code(), StatusCode::kIOError);
}

// The envelope can also be built by hand (as a replay or an import does).
TEST_F(ExtractTest, EnvelopeBuiltDirectly) {
  EnvelopeView envelope;
  envelope.type = "identify";
  envelope.user_id = "u7";
  const std::string json = R"({"type":"identify","userId":"u7","traits":{"email":"X@Y.Z"}})";
  simdjson::dom::parser parser;
  simdjson::dom::element event;
  ASSERT_EQ(parser.parse(json).get(event), simdjson::SUCCESS);
  auto x = ExtractIdentifiers(settings_, envelope, event, &view_);
  ASSERT_TRUE(x.ok()) << x.status().ToString();
  EXPECT_EQ(Strs(x->ids), (Strings{"user_id:u7", "email:x@y.z"}));
  // The ids come from the envelope, not from the JSON.
  envelope.user_id = "";
  envelope.anonymous_id = "a7";
  x = ExtractIdentifiers(settings_, envelope, event, &view_);
  ASSERT_TRUE(x.ok());
  EXPECT_EQ(Strs(x->ids), (Strings{"anonymous_id:a7", "email:x@y.z"}));
}

}  // namespace
}  // namespace rapport
