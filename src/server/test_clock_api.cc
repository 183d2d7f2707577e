#include "server/test_clock_api.h"

#include <simdjson.h>

#include <charconv>
#include <mutex>

#include "common/json_writer.h"
#include "common/time_format.h"

namespace rapport {

Result<int64_t> ParseDuration(std::string_view text) {
  auto bad = [&] {
    return Status::InvalidArgument(
        "\"advance\" must be a whole number with a unit s, m, h or d "
        "(\"7d\"), got " +
        JsonString(text));
  };
  if (text.size() < 2) return bad();
  int64_t n = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size() - 1, n);
  if (ec != std::errc() || p != text.data() + text.size() - 1 || n < 0 || n > 36500LL * 86400) {
    return bad();
  }
  switch (text.back()) {
    case 's':
      return n * 1'000'000;
    case 'm':
      return n * 60'000'000;
    case 'h':
      return n * 3'600'000'000;
    case 'd':
      return n * 86'400'000'000;
    default:
      return bad();
  }
}

void TestClockApi::Move(HttpRequest& req, Responder respond) {
  static std::mutex mu;  // one move at a time, so "never back" holds
  std::lock_guard lock(mu);
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  std::string_view advance, to;
  if (parser.parse(req.body).get(obj) != simdjson::SUCCESS ||
      (obj["advance"].get(advance) == simdjson::SUCCESS) ==
          (obj["to"].get(to) == simdjson::SUCCESS)) {
    return respond(HttpResponse::Error(Status::InvalidArgument(
        "the body must be {\"advance\": \"7d\"} or {\"to\": \"2024-02-01T00:00:00Z\"}")));
  }
  int64_t target = clock_->NowMicros();
  if (!advance.empty()) {
    auto d = ParseDuration(advance);
    if (!d.ok()) return respond(HttpResponse::Error(d.status()));
    target += *d;
  } else {
    auto t = ParseIso8601(to);
    if (!t.ok()) return respond(HttpResponse::Error(t.status()));
    if (*t < target) {
      return respond(HttpResponse::Error(Status::InvalidArgument(
          "the test clock never moves back: it is " + FormatIso8601(target))));
    }
    target = *t;
  }
  clock_->Set(target);
  std::string out = "{\"now\":";
  AppendJsonString(&out, FormatIso8601(target));
  respond(HttpResponse::Json(200, out + "}"));
}

}  // namespace rapport
