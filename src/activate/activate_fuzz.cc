// libFuzzer target for activation's parsers. The first input byte picks the target:
//   0: Template::Parse of the rest. An accepted template renders against a fixed context, and
//      every tag that is not raw, rendered on its own, is valid JSON.
//   1: the rest as a context: fixed templates render without crashing, and a JSON tag's output
//      is valid JSON whenever the context is.
//   2: ParseDestinationDef. Accepted definitions (given a secret) survive ToJson → Parse.
// Anything else is ignored. Violations abort.
#include <simdjson.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "activate/destination_def.h"
#include "activate/template.h"

namespace {

using rapport::Template;

void Check(bool ok) {
  if (!ok) std::abort();
}

bool IsJson(const std::string& text) {
  static simdjson::dom::parser parser;
  simdjson::dom::element e;
  return parser.parse(text).get(e) == simdjson::SUCCESS;
}

constexpr std::string_view kContext =
    R"({"event":{"event":"Order Completed","properties":{"revenue":59.9,"o":"a\"b\\c\u0001",)"
    R"("items":[{"sku":"a"},null,true,[1,2]]}},"profile":{"id":"p1","traits":{"e":"x@y"}},)"
    R"("0":{"1":2},"a b":3})";

void FuzzTemplate(std::string_view body) {
  auto t = Template::Parse(body);
  if (!t.ok()) {
    Check(t.status().message().rfind("line ", 0) == 0);
    return;
  }
  Check(t->source() == body);
  auto out = rapport::Render(*t, kContext);
  Check(out.ok() || out.status().code() == rapport::StatusCode::kTooLarge);
  // Every tag that is not raw, cut out and rendered on its own, is JSON.
  for (const Template::Part& p : t->parts()) {
    Check(p.end <= body.size() && p.begin < p.end);
    if (!p.is_tag || p.raw) continue;
    auto one = Template::Parse(body.substr(p.begin, p.end - p.begin));
    Check(one.ok() && one->parts().size() == 1);
    auto json = rapport::Render(*one, kContext);
    Check(json.ok() && IsJson(*json));
  }
}

void FuzzContext(std::string_view body) {
  static const char* kTemplates[] = {
      "{{event}}",
      "{{event.properties.revenue}}",
      "{{a.0.b}}",
      "{{{event.event}}}",
      "{\"x\":{{profile.traits.email | default: \"none\"}},\"y\":{{0.1}}}",
      "{{[\"a b\"]}}"};
  const bool valid = IsJson(std::string(body));
  for (const char* text : kTemplates) {
    auto t = Template::Parse(text);
    Check(t.ok());
    auto out = rapport::Render(*t, body);
    Check(out.ok() == valid ||
          (!out.ok() && out.status().code() == rapport::StatusCode::kTooLarge));
    const bool raw = std::string_view(text).find("{{{") != std::string_view::npos;
    if (out.ok() && !raw) Check(IsJson(*out));
  }
}

void FuzzDef(std::string_view body) {
  auto d = rapport::ParseDestinationDef(body);
  if (!d.ok()) {
    Check(d.status().message().rfind("destination", 0) == 0);
    return;
  }
  if (d->secret.empty()) d->secret = "0123456789abcdef";
  const std::string canonical = rapport::ToJson(*d, true);
  auto again = rapport::ParseDestinationDef(canonical);
  Check(again.ok() && *again == *d && rapport::ToJson(*again, true) == canonical);
  Check(rapport::ParseWebhookUrl(d->url).ok());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0]) {
    case 0:
      FuzzTemplate(body);
      break;
    case 1:
      FuzzContext(body);
      break;
    case 2:
      FuzzDef(body);
      break;
    default:
      break;
  }
  return 0;
}
