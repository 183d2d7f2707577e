#include "activate/destination_def.h"

#include <gtest/gtest.h>

#include <string>

namespace rapport {
namespace {

DestinationDef MustParse(std::string_view json) {
  auto r = ParseDestinationDef(json);
  EXPECT_TRUE(r.ok()) << json << ": " << r.status().ToString();
  return r.ok() ? *r : DestinationDef{};
}

std::string ErrorOf(std::string_view json) {
  auto r = ParseDestinationDef(json);
  if (r.ok()) return "accepted";
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << json;
  return r.status().message();
}

TEST(DestinationDefTest, DefaultsAndEveryField) {
  DestinationDef d = MustParse(R"({"name":"crm","url":"https://hooks.example.com/in"})");
  EXPECT_EQ(d.name, "crm");
  EXPECT_EQ(d.type, DestinationType::kWebhook);
  EXPECT_EQ(d.method, WebhookMethod::kPost);
  EXPECT_TRUE(d.headers.empty());
  EXPECT_EQ(d.template_text, "");
  EXPECT_EQ(d.secret, "");
  EXPECT_EQ(d.purpose, "");
  EXPECT_EQ(d.rate_limit_per_second, 100);
  EXPECT_EQ(d.concurrency, 4);
  EXPECT_EQ(d.timeout_ms, 5000);
  EXPECT_EQ(d.max_attempts, 10);
  EXPECT_EQ(d.backoff_initial_ms, 1000);
  EXPECT_EQ(d.backoff_max_ms, 600000);

  d = MustParse(R"({"name":"ads_sync","type":"webhook","url":"http://127.0.0.1:9000/hook?x=1",
    "method":"PUT","headers":{"Authorization":"Bearer abc","X-Team":"growth"},
    "template":"{\"email\":{{profile.traits.email}}}","secret":"0123456789abcdef",
    "purpose":"Advertising","rate_limit_per_second":5,"concurrency":2,"timeout_ms":250,
    "max_attempts":3,"backoff_initial_ms":10,"backoff_max_ms":100})");
  EXPECT_EQ(d.method, WebhookMethod::kPut);
  ASSERT_EQ(d.headers.size(), 2u);
  EXPECT_EQ(d.headers[0].first, "Authorization");
  EXPECT_EQ(d.headers[1].second, "growth");
  EXPECT_EQ(d.template_text, "{\"email\":{{profile.traits.email}}}");
  EXPECT_EQ(d.secret, "0123456789abcdef");
  EXPECT_EQ(d.purpose, "Advertising");
  EXPECT_EQ(d.rate_limit_per_second, 5);
  EXPECT_EQ(d.concurrency, 2);
  EXPECT_EQ(d.timeout_ms, 250);
  EXPECT_EQ(d.max_attempts, 3);
  EXPECT_EQ(d.backoff_initial_ms, 10);
  EXPECT_EQ(d.backoff_max_ms, 100);
}

TEST(DestinationDefTest, CanonicalJsonRoundTrips) {
  DestinationDef d = MustParse(R"({"secret":"0123456789abcdef!","backoff_max_ms":2000,
    "name":"a1","url":"http://h:1/","headers":{"B":"1","a":"2"},"template":"{{x}}",
    "purpose":"Email Marketing"})");
  std::string json = ToJson(d, true);
  EXPECT_EQ(json,
            R"({"name":"a1","type":"webhook","url":"http://h:1/","method":"POST",)"
            R"("headers":{"B":"1","a":"2"},"template":"{{x}}","purpose":"Email Marketing",)"
            R"("rate_limit_per_second":100,"concurrency":4,"timeout_ms":5000,"max_attempts":10,)"
            R"("backoff_initial_ms":1000,"backoff_max_ms":2000,"secret":"0123456789abcdef!"})");
  EXPECT_EQ(MustParse(json), d);
  EXPECT_EQ(ToJson(d, false).find("secret"), std::string::npos);
}

TEST(DestinationDefTest, BadDefinitionsNameTheField) {
  EXPECT_EQ(ErrorOf("[]"), "destination: the definition must be a JSON object, got an array");
  EXPECT_EQ(ErrorOf("{"),
            "destination: the body is not valid JSON (The JSON document has an "
            "improper structure: missing or superfluous commas, braces, missing "
            "keys, etc.)");
  EXPECT_EQ(ErrorOf(R"({"url":"http://h/"})"), "destination: \"name\" is required");
  EXPECT_EQ(ErrorOf(R"({"name":"Bad Name","url":"http://h/"})"),
            "destination: \"name\" must be 1 to 64 characters of a-z, 0-9 and _, starting with a "
            "letter, got \"Bad Name\"");
  EXPECT_EQ(ErrorOf(R"({"name":"x"})"),
            "destination \"x\": \"url\" is required (an http:// or https:// URL)");
  EXPECT_EQ(ErrorOf(R"({"name":"x","url":"ftp://h/"})"),
            "destination \"x\": \"url\": must start with http:// or https://");
  EXPECT_EQ(ErrorOf(R"({"name":"x","url":"http://h/","colour":1})"),
            "destination \"x\": unknown field \"colour\" (fields: name, type, url, method, "
            "headers, template, secret, purpose, rate_limit_per_second, concurrency, timeout_ms, "
            "max_attempts, backoff_initial_ms, backoff_max_ms)");
  EXPECT_EQ(ErrorOf(R"({"name":"x","url":"http://h/","url":"http://h/"})"),
            "destination \"x\": field \"url\" appears twice");
  EXPECT_EQ(ErrorOf(R"({"name":"x","url":"http://h/","type":"kafka"})"),
            "destination \"x\": \"type\" must be \"webhook\" (the only type so far), got "
            "\"kafka\"");
  EXPECT_EQ(ErrorOf(R"({"name":"x","url":"http://h/","method":"GET"})"),
            "destination \"x\": \"method\" must be \"POST\" or \"PUT\", got \"GET\"");
  EXPECT_EQ(ErrorOf(R"({"name":"x","url":"http://h/","timeout_ms":0})"),
            "destination \"x\": \"timeout_ms\" must be an integer from 100 to 120000, got 0");
  EXPECT_EQ(ErrorOf(R"({"name":"x","url":"http://h/","concurrency":2.5})"),
            "destination \"x\": \"concurrency\" must be an integer from 1 to 256, got 2.5");
  EXPECT_EQ(ErrorOf(R"({"name":"x","url":"http://h/","rate_limit_per_second":"9"})"),
            "destination \"x\": \"rate_limit_per_second\" must be an integer from 1 to 100000, "
            "got \"9\"");
  EXPECT_EQ(ErrorOf(R"({"name":"x","url":"http://h/","max_attempts":101})"),
            "destination \"x\": \"max_attempts\" must be an integer from 1 to 100, got 101");
  EXPECT_EQ(
      ErrorOf(R"({"name":"x","url":"http://h/","backoff_initial_ms":500,"backoff_max_ms":100})"),
      "destination \"x\": \"backoff_max_ms\" (100) must not be less than "
      "\"backoff_initial_ms\" (500)");
  EXPECT_EQ(ErrorOf(R"({"name":"x","url":"http://h/","secret":"short"})"),
            "destination \"x\": \"secret\" must be 16 to 256 printable ASCII characters without "
            "spaces (leave it out to have one generated), got a string of 5 bytes");
  EXPECT_EQ(ErrorOf(R"({"name":"x","url":"http://h/","purpose":"a/b"})"),
            "destination \"x\": \"purpose\" must be a consent category of 1 to 64 letters, "
            "digits, spaces, _ or - (such as \"Advertising\"), got \"a/b\"");
  EXPECT_EQ(ErrorOf(R"({"name":"x","url":"http://h/","template":"{{ a"})"),
            "destination \"x\": \"template\": line 1, column 1: the tag opened here is not "
            "closed with \"}}\"");
  EXPECT_EQ(ErrorOf(R"({"name":"x","url":"http://h/","template":""})"),
            "destination \"x\": \"template\" must not be empty (leave it out to send the context "
            "as the body)");
}

TEST(DestinationDefTest, Headers) {
  EXPECT_EQ(ErrorOf(R"({"name":"x","url":"http://h/","headers":[]})"),
            "destination \"x\": \"headers\" must be an object of header names to string values, "
            "got an array");
  EXPECT_EQ(ErrorOf(R"({"name":"x","url":"http://h/","headers":{"Content-Type":"text/plain"}})"),
            "destination \"x\": \"headers\": \"Content-Type\" is set by Rapport and cannot be "
            "given");
  EXPECT_EQ(ErrorOf(R"({"name":"x","url":"http://h/","headers":{"X-Rapport-Thing":"1"}})"),
            "destination \"x\": \"headers\": \"X-Rapport-Thing\" is reserved (X-Rapport-* "
            "headers are set by Rapport)");
  EXPECT_EQ(ErrorOf(R"({"name":"x","url":"http://h/","headers":{"A":"1","a":"2"}})"),
            "destination \"x\": \"headers\": \"a\" appears twice");
  EXPECT_EQ(ErrorOf(R"({"name":"x","url":"http://h/","headers":{"A B":"1"}})"),
            "destination \"x\": \"headers\": \"A B\" is not a header name (1 to 64 letters, "
            "digits or !#$%&'*+-.^_`|~)");
  EXPECT_EQ(ErrorOf(R"({"name":"x","url":"http://h/","headers":{"A":"1\r\nB: 2"}})"),
            "destination \"x\": \"headers\": \"A\" must be a string of at most 2048 printable "
            "ASCII characters, got \"1\\r\\nB: 2\"");
  EXPECT_EQ(ErrorOf(R"({"name":"x","url":"http://h/","headers":{"A":1}})"),
            "destination \"x\": \"headers\": \"A\" must be a string of at most 2048 printable "
            "ASCII characters, got 1");
}

TEST(DestinationDefTest, Urls) {
  auto u = ParseWebhookUrl("http://127.0.0.1:8081/hooks/in?x=1");
  ASSERT_TRUE(u.ok());
  EXPECT_FALSE(u->tls);
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 8081);
  EXPECT_EQ(u->target, "/hooks/in?x=1");
  EXPECT_EQ(u->host_header, "127.0.0.1:8081");

  u = ParseWebhookUrl("HTTPS://Example.com");
  ASSERT_TRUE(u.ok());
  EXPECT_TRUE(u->tls);
  EXPECT_EQ(u->host, "Example.com");
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(u->target, "/");

  u = ParseWebhookUrl("http://[::1]:9/?q");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, 9);
  EXPECT_EQ(u->target, "/?q");
  EXPECT_EQ(u->host_header, "[::1]:9");

  for (std::string_view bad :
       {"http://", "http://h:0/", "http://h:65536/", "http://h:/", "http://u:p@h/", "http://h/#f",
        "http://h h/", "http://[::1/", "http://[zz]/", "mailto:a@b", "http://h:12a/"}) {
    EXPECT_FALSE(ParseWebhookUrl(bad).ok()) << bad;
  }
  EXPECT_EQ(ParseWebhookUrl(std::string("http://h/") + std::string(3000, 'a')).status().message(),
            "a URL is at most 2048 bytes");
}

TEST(DestinationDefTest, TooLarge) {
  std::string big =
      R"({"name":"x","url":"http://h/","template":")" + std::string(200000, 'a') + "\"}";
  EXPECT_EQ(ParseDestinationDef(big).status().code(), StatusCode::kTooLarge);
}

}  // namespace
}  // namespace rapport
