#include "server/events_api.h"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "collect/envelope.h"
#include "common/json_writer.h"

namespace rapport {
namespace {

constexpr size_t kDefaultLimit = 50;
constexpr size_t kMaxLimit = 1000;
constexpr uint64_t kScanBudget = 200000;  // records examined per partition per page

struct Candidate {
  int partition;
  uint64_t offset;
  int64_t append_time_us;
  std::string json;
};

// Newest-first matches of one partition below `bound`; sets *low to the lowest offset examined.
Status ScanBackwards(const EventLog& log, int p, uint64_t bound, std::string_view source_id,
                     size_t limit, std::vector<Candidate>* out, uint64_t* low) {
  uint64_t start = log.StartOffset(p);
  uint64_t hi = std::min(bound, log.EndOffset(p));
  uint64_t budget = kScanBudget;
  std::vector<LogEntry> entries, part;
  while (hi > start && out->size() < limit && budget > 0) {
    uint64_t lo = hi - std::min<uint64_t>({hi - start, std::max<uint64_t>(limit, 256), budget});
    entries.clear();
    for (uint64_t from = lo; from < hi;) {  // Read may stop early at its byte cap
      part.clear();
      RETURN_IF_ERROR(log.Read(p, from, hi - from, &part));
      if (part.empty()) break;
      from = part.back().offset + 1;
      for (auto& e : part) entries.push_back(std::move(e));
    }
    if (entries.empty()) break;
    for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
      if (out->size() >= limit || budget == 0) break;
      if (it->offset >= hi) continue;
      auto env = DecodeEnvelope(it->payload);
      if (!env.ok()) {
        return env.status().WithContext(fmt::format("partition {} offset {}", p, it->offset));
      }
      hi = it->offset;
      --budget;
      if (!source_id.empty() && env->source_id != source_id) continue;
      out->push_back({p, it->offset, it->append_time_us, std::string(env->json)});
    }
  }
  *low = hi;
  return Status::OK();
}

}  // namespace

Result<std::vector<uint64_t>> ParseEventCursor(std::string_view cursor, int partitions) {
  Status bad = Status::InvalidArgument(
      "after: not a cursor returned by this API (use the \"next\" value of the previous page)");
  if (cursor.substr(0, 3) != "c1.") return bad;
  cursor.remove_prefix(3);
  std::vector<uint64_t> bounds;
  while (!cursor.empty()) {
    size_t dot = cursor.find('.');
    std::string_view part = cursor.substr(0, dot);
    uint64_t v = 0;
    auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
    if (ec != std::errc() || ptr != part.data() + part.size() || part.empty()) return bad;
    bounds.push_back(v);
    if (dot == std::string_view::npos) break;
    cursor.remove_prefix(dot + 1);
  }
  if (bounds.size() != static_cast<size_t>(partitions)) return bad;
  return bounds;
}

Result<EventPage> ReadEventPage(const EventLog& log, std::string_view source_id, size_t limit,
                                std::vector<uint64_t> bounds) {
  int n = log.partitions();
  if (bounds.empty()) {
    for (int p = 0; p < n; ++p) bounds.push_back(log.EndOffset(p));
  }
  std::vector<Candidate> all, one;
  std::vector<uint64_t> low(n);
  for (int p = 0; p < n; ++p) {
    one.clear();
    RETURN_IF_ERROR(ScanBackwards(log, p, bounds[p], source_id, limit, &one, &low[p]));
    for (auto& c : one) all.push_back(std::move(c));
  }
  std::sort(all.begin(), all.end(), [](const Candidate& a, const Candidate& b) {
    if (a.append_time_us != b.append_time_us) return a.append_time_us > b.append_time_us;
    if (a.partition != b.partition) return a.partition > b.partition;
    return a.offset > b.offset;
  });
  // A partition whose candidates were all taken continues below what it examined; one with
  // candidates left over continues below the last one taken.
  std::vector<uint64_t> next = low;
  std::vector<bool> leftover(n, false);
  EventPage page;
  for (size_t i = 0; i < all.size(); ++i) {
    Candidate& c = all[i];
    if (i < limit) {
      page.events.push_back(std::move(c.json));
    } else if (!leftover[c.partition]) {
      leftover[c.partition] = true;
      next[c.partition] = c.offset + 1;
    }
  }
  bool more = false;
  for (int p = 0; p < n; ++p) more |= next[p] > log.StartOffset(p);
  if (more) {
    page.next = "c1";
    for (uint64_t b : next) page.next += "." + std::to_string(b);
  }
  return page;
}

Result<std::string> EventsApi::SourceFilter(const HttpRequest& req) {
  auto name = req.Query("source");
  if (!name || name->empty()) return std::string();
  auto source = control_->SourceByName(*name);
  if (!source.ok()) {
    if (source.status().code() == StatusCode::kNotFound) {
      return Status::InvalidArgument(fmt::format("source: no source named \"{}\"", *name));
    }
    return source.status();
  }
  return source->id;
}

void EventsApi::List(HttpRequest& req, Responder respond) {
  size_t limit = kDefaultLimit;
  if (auto text = req.Query("limit")) {
    auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), limit);
    if (ec != std::errc() || ptr != text->data() + text->size() || limit < 1 || limit > kMaxLimit) {
      return respond(HttpResponse::Error(Status::InvalidArgument(
          fmt::format("limit: \"{}\" is not a number from 1 to {}", *text, kMaxLimit))));
    }
  }
  auto source_id = SourceFilter(req);
  if (!source_id.ok()) return respond(HttpResponse::Error(source_id.status()));
  std::vector<uint64_t> bounds;
  if (auto after = req.Query("after"); after && !after->empty()) {
    auto parsed = ParseEventCursor(*after, log_->partitions());
    if (!parsed.ok()) return respond(HttpResponse::Error(parsed.status()));
    bounds = std::move(*parsed);
  }
  auto page = ReadEventPage(*log_, *source_id, limit, std::move(bounds));
  if (!page.ok()) return respond(HttpResponse::Error(page.status()));
  std::string body = "{\"events\":[";
  for (size_t i = 0; i < page->events.size(); ++i) {
    if (i) body.push_back(',');
    body += page->events[i];
  }
  body += "],\"next\":";
  body += page->next.empty() ? "null" : JsonString(page->next);
  body += "}";
  respond(HttpResponse::Json(200, std::move(body)));
}

void EventsApi::Stream(HttpRequest& req, Responder respond) {
  auto source_id = SourceFilter(req);
  if (!source_id.ok()) return respond(HttpResponse::Error(source_id.status()));
  HttpResponse head;
  head.content_type = "text/event-stream";
  auto sink = req.start_stream(head);
  sink->Send(": connected\n\n");
  hub_->Subscribe(std::move(sink), std::move(*source_id));
}

}  // namespace rapport
