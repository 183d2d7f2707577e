#include "activate/template.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>

namespace rapport {
namespace {

constexpr std::string_view kContext = R"({
  "event": {"event": "Order Completed", "properties": {"revenue": 59.9, "order id": "o-1",
            "items": [{"sku": "a"}, {"sku": "b"}], "note": "say \"hi\"\n", "gift": null}},
  "profile": {"id": "p1", "traits": {"email": "ada@example.com", "plan": "pro", "vip": true}},
  "audience": {"name": "big_spenders"}
})";

std::string MustRender(std::string_view text, std::string_view context = kContext) {
  auto t = Template::Parse(text);
  EXPECT_TRUE(t.ok()) << text << ": " << t.status().ToString();
  if (!t.ok()) return "";
  auto r = Render(*t, context);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : "";
}

std::string ParseError(std::string_view text) {
  auto t = Template::Parse(text);
  if (t.ok()) return "accepted";
  EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
  return t.status().message();
}

bool IsJson(const std::string& s) {
  simdjson::dom::parser p;
  simdjson::dom::element e;
  return p.parse(s).get(e) == simdjson::SUCCESS;
}

TEST(TemplateTest, ValuesAreInsertedAsJson) {
  EXPECT_EQ(
      MustRender(R"({"email":{{profile.traits.email}},"revenue":{{event.properties.revenue}}})"),
      R"({"email":"ada@example.com","revenue":59.9})");
  EXPECT_EQ(MustRender("{{ profile.traits.vip }}"), "true");
  EXPECT_EQ(MustRender("{{event.properties.items}}"), R"([{"sku":"a"},{"sku":"b"}])");
  EXPECT_EQ(MustRender("{{profile.traits}}"),
            R"({"email":"ada@example.com","plan":"pro","vip":true})");
  EXPECT_EQ(MustRender("no tags at all"), "no tags at all");
  EXPECT_EQ(MustRender(""), "");
}

TEST(TemplateTest, StringsAreEscapedSoTheBodyStaysJson) {
  std::string body = MustRender(R"({"note":{{event.properties.note}}})");
  EXPECT_EQ(body, R"({"note":"say \"hi\"\n"})");
  EXPECT_TRUE(IsJson(body));
}

TEST(TemplateTest, MissingAndNullAreNull) {
  EXPECT_EQ(MustRender(R"({"x":{{profile.traits.nope}},"y":{{nothing.at.all}}})"),
            R"({"x":null,"y":null})");
  EXPECT_EQ(MustRender("{{event.properties.gift}}"), "null");
  EXPECT_EQ(MustRender("{{profile.traits.email.deeper}}"), "null");  // a string has no fields
  EXPECT_EQ(MustRender("{{event.properties.items.7}}"), "null");
}

TEST(TemplateTest, RawInsertsStringsUnquoted) {
  EXPECT_EQ(MustRender("Hello {{{profile.traits.email}}}!"), "Hello ada@example.com!");
  EXPECT_EQ(MustRender("Hello {{profile.traits.email | raw}}!"), "Hello ada@example.com!");
  EXPECT_EQ(MustRender("{{{profile.traits.missing}}}|{{event.properties.gift|raw}}"), "|");
  EXPECT_EQ(MustRender("{{{event.properties.revenue}}}"), "59.9");
  EXPECT_EQ(MustRender("{{{profile.traits.email | json}}}"), "\"ada@example.com\"");
}

TEST(TemplateTest, IndexesKeysAndLiterals) {
  EXPECT_EQ(MustRender("{{event.properties.items.1.sku}}"), "\"b\"");
  EXPECT_EQ(MustRender("{{event.properties.items[0].sku}}"), "\"a\"");
  EXPECT_EQ(MustRender(R"({{event.properties["order id"]}})"), "\"o-1\"");
  EXPECT_EQ(MustRender(R"({{ "{{" | raw }})"), "{{");
  EXPECT_EQ(MustRender(R"({{ "a\"b" }})"), R"("a\"b")");
  EXPECT_EQ(MustRender(R"({"k":{{"0"}}})", R"({"0":1})"), R"({"k":"0"})");
  EXPECT_EQ(MustRender("{{0}}", R"({"0":1})"), "1");
}

TEST(TemplateTest, Defaults) {
  EXPECT_EQ(MustRender(R"({{profile.traits.nope | default: "none"}})"), "\"none\"");
  EXPECT_EQ(MustRender(R"({{{profile.traits.nope | default: "none"}}})"), "none");
  EXPECT_EQ(MustRender("{{event.properties.gift | default: 0}}"), "0");
  EXPECT_EQ(MustRender("{{profile.traits.plan | default: false}}"), "\"pro\"");
  EXPECT_EQ(MustRender("{{x | default: null}}"), "null");
  EXPECT_EQ(MustRender("{{x | default: -1.5e3 | raw}}"), "-1.5e3");
}

TEST(TemplateTest, BracesThatAreNotTagsStayText) {
  EXPECT_EQ(MustRender(R"({"a":{"b":{{audience.name}}}})"), R"({"a":{"b":"big_spenders"}})");
  EXPECT_EQ(MustRender("}} { }"), "}} { }");
}

TEST(TemplateTest, ContextMustBeJson) {
  auto t = Template::Parse("{{a}}");
  ASSERT_TRUE(t.ok());
  auto r = Render(*t, "{not json");
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(*Render(*t, "[1]"), "null");  // not an object: every path is missing
}

TEST(TemplateTest, RenderBodyWithoutTemplateIsTheContext) {
  EXPECT_EQ(*RenderBody(nullptr, R"({"a":1})"), R"({"a":1})");
  EXPECT_EQ(RenderBody(nullptr, "nope").status().code(), StatusCode::kInvalidArgument);
  auto t = Template::Parse("{{a}}");
  EXPECT_EQ(*RenderBody(&*t, R"({"a":1})"), "1");
}

TEST(TemplateTest, OutputIsBounded) {
  std::string big(kMaxRenderedBytes / 4, 'x');
  std::string context = R"({"s":")" + big + R"("})";
  auto t = Template::Parse("{{s}}{{s}}{{s}}{{s}}{{s}}");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(Render(*t, context).status().code(), StatusCode::kTooLarge);
}

TEST(TemplateTest, ErrorsPointAtLineAndColumn) {
  EXPECT_EQ(ParseError("abc {{ event.x"),
            "line 1, column 5: the tag opened here is not closed with \"}}\"");
  EXPECT_EQ(ParseError("{\n  \"a\": {{ event..x }}"),
            "line 2, column 17: expected a name after \".\", got \".x }}\"");
  EXPECT_EQ(ParseError("{{ }}"),
            "line 1, column 4: expected a path such as event.properties.revenue or a \"string\", "
            "got \"}}\"");
  EXPECT_EQ(ParseError("{{ a b }}"), "line 1, column 6: expected \"|\" or \"}}\", got \"b }}\"");
  EXPECT_EQ(ParseError("{{ a | upper }}"),
            "line 1, column 8: unknown filter \"upper }}\" (filters: raw, json, default: VALUE)");
  EXPECT_EQ(ParseError("{{ a | default }}"),
            "line 1, column 16: expected \":\" after \"default\", got \"}}\"");
  EXPECT_EQ(ParseError("{{ a | default: nope }}"),
            "line 1, column 17: expected a value (a \"string\", a number, true, false or null), "
            "got \"nope }}\"");
  EXPECT_EQ(ParseError("{{ a[x] }}"),
            "line 1, column 6: expected an index (digits) or a \"key\" after \"[\", got \"x] }}\"");
  EXPECT_EQ(ParseError("{{ a[1 }}"),
            "line 1, column 8: expected \"]\" to close the \"[\" at column 5, got \"}}\"");
  EXPECT_EQ(ParseError("{{ \"abc }}"),
            "line 1, column 4: the string opened here is not closed with \"");
  EXPECT_EQ(ParseError("{{{ a }}"), "line 1, column 7: expected \"|\" or \"}}}\", got \"}}\"");
  EXPECT_EQ(ParseError("x\n{{{ a"),
            "line 2, column 1: the tag opened here is not closed with \"}}}\"");
  EXPECT_EQ(ParseError("{{ \"\\q\" }}"),
            "line 1, column 4: not a valid JSON string (check its \\ escapes and UTF-8)");
}

TEST(TemplateTest, Limits) {
  std::string many;
  for (size_t i = 0; i <= kMaxTemplateTags; ++i) many += "{{a}}";
  EXPECT_NE(ParseError(many).find("at most 1024 tags"), std::string::npos);
  std::string deep = "{{a";
  for (size_t i = 0; i < kMaxTemplatePathSegments; ++i) deep += ".b";
  deep += "}}";
  EXPECT_NE(ParseError(deep).find("at most 32 segments"), std::string::npos);
  EXPECT_NE(ParseError(std::string(kMaxTemplateBytes + 1, ' ')).find("at most 65536 bytes"),
            std::string::npos);
}

}  // namespace
}  // namespace rapport
