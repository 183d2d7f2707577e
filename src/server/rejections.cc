#include "server/rejections.h"

#include <charconv>

#include <fmt/format.h>

#include "common/json_writer.h"
#include "common/time_format.h"
#include "import/utf8.h"

namespace rapport {

void RejectionLog::Record(int64_t at_us, std::string_view source, std::string_view endpoint,
                          const Status& status, std::string_view body) {
  Rejection r;
  r.at_us = at_us;
  r.source = std::string(source);
  r.endpoint = std::string(endpoint);
  r.status = HttpStatusFor(status.code());
  r.error = std::string(StatusCodeName(status.code()));
  r.message = status.message();
  r.truncated = body.size() > kMaxBodyBytes;
  // Cut before kMaxBodyBytes without splitting a UTF-8 sequence; invalid bytes become U+FFFD.
  size_t keep = std::min(body.size(), kMaxBodyBytes);
  while (r.truncated && keep > 0 && (static_cast<unsigned char>(body[keep]) & 0xC0) == 0x80) {
    --keep;
  }
  r.body = ToValidUtf8(body.substr(0, keep));
  std::lock_guard lock(mu_);
  r.id = ++total_;
  recent_.push_front(std::move(r));
  if (recent_.size() > kCapacity) recent_.pop_back();
}

std::vector<Rejection> RejectionLog::Recent(size_t limit) const {
  std::lock_guard lock(mu_);
  const size_t n = std::min(limit, recent_.size());
  return {recent_.begin(), recent_.begin() + static_cast<std::ptrdiff_t>(n)};
}

uint64_t RejectionLog::total() const {
  std::lock_guard lock(mu_);
  return total_;
}

void ListRejections(const RejectionLog& log, const HttpRequest& req, Responder respond) {
  size_t limit = 50;
  if (auto text = req.Query("limit")) {
    auto [p, ec] = std::from_chars(text->data(), text->data() + text->size(), limit);
    if (ec != std::errc() || p != text->data() + text->size() || limit < 1 ||
        limit > RejectionLog::kCapacity) {
      return respond(HttpResponse::Error(Status::InvalidArgument(fmt::format(
          "limit: \"{}\" must be an integer from 1 to {}", *text, RejectionLog::kCapacity))));
    }
  }
  const uint64_t total = log.total();
  std::string out = "{\"rejected\":[";
  bool first = true;
  for (const Rejection& r : log.Recent(limit)) {
    out += fmt::format("{}{{\"id\":{},\"at\":", first ? "" : ",", r.id);
    first = false;
    AppendJsonTime(r.at_us, &out);
    out += ",\"source\":";
    out += r.source.empty() ? "null" : JsonString(r.source);
    out += ",\"endpoint\":" + JsonString(r.endpoint);
    out += fmt::format(",\"status\":{},\"error\":", r.status);
    AppendJsonString(&out, r.error);
    out += ",\"message\":";
    AppendJsonString(&out, r.message);
    out += ",\"body\":";
    AppendJsonString(&out, r.body);
    out += r.truncated ? ",\"truncated\":true}" : ",\"truncated\":false}";
  }
  out += fmt::format("],\"total\":{}}}", total);
  respond(HttpResponse::Json(200, std::move(out)));
}

}  // namespace rapport
