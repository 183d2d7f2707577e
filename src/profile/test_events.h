// Test helper: sends Segment-spec events (JSON text) through collect's parser into an EventLog,
// partitioned the way ingest does, so profile tests run on exactly what the server would store.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "collect/envelope.h"
#include "collect/request_parser.h"
#include "common/crc32c.h"
#include "log/event_log.h"

namespace rapport::testing {

class EventSender {
 public:
  explicit EventSender(EventLog* log, std::string source = "src_test")
      : log_(log), source_(std::move(source)) {}

  // `batch_items`: comma-separated event objects, e.g. R"({"type":"track",...})".
  void Send(const std::string& batch_items, int64_t received_at_us = 1'700'000'000'000'000) {
    auto parsed =
        parser_.Parse(Endpoint::kBatch, "{\"batch\":[" + batch_items + "]}", received_at_us);
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString() << "\n" << batch_items;
    std::vector<LogRecord> records;
    for (const NormalizedEvent& e : parsed->events) {
      const std::string& key = e.anonymous_id.empty() ? e.user_id : e.anonymous_id;
      int partition = static_cast<int>(crc32c::Value(key) % log_->partitions());
      records.push_back({partition, EncodeEnvelope(source_, e)});
    }
    ASSERT_TRUE(log_->AppendSync(std::move(records)).ok());
  }

 private:
  EventLog* log_;
  std::string source_;
  RequestParser parser_;
};

}  // namespace rapport::testing
