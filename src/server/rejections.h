// RejectionLog: the last ingest requests refused (bad input, unknown write key, too large), kept
// in memory for the console's "why was my event rejected" views: when, which source (when the
// key was known), which endpoint, the HTTP status and error, the message naming the field or
// limit at fault, and the first kMaxBodyBytes of the body as sent. Nothing of it is stored on
// disk; a restart starts empty. `GET /api/v1/events/rejected` answers from it. Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "server/http_types.h"

namespace rapport {

struct Rejection {
  uint64_t id = 0;  // 1, 2, ... in the order recorded since the server started
  int64_t at_us = 0;
  std::string source;  // the source's name; "" when the write key was missing or unknown
  std::string endpoint;
  unsigned status = 0;  // the HTTP status answered
  std::string error;    // the error code answered ("invalid_argument", ...)
  std::string message;
  std::string body;  // at most kMaxBodyBytes (cut on a UTF-8 boundary)
  bool truncated = false;
};

class RejectionLog {
 public:
  static constexpr size_t kCapacity = 200;
  static constexpr size_t kMaxBodyBytes = 2048;

  void Record(int64_t at_us, std::string_view source, std::string_view endpoint,
              const Status& status, std::string_view body);
  // The newest first, at most `limit`.
  std::vector<Rejection> Recent(size_t limit) const;
  uint64_t total() const;  // recorded since start, including those no longer kept

 private:
  mutable std::mutex mu_;
  std::deque<Rejection> recent_;  // newest at the front
  uint64_t total_ = 0;
};

// GET /api/v1/events/rejected?limit=N (1-200, default 50): {"rejected":[{"id","at",...}],
// "total":N}.
void ListRejections(const RejectionLog& log, const HttpRequest& req, Responder respond);

}  // namespace rapport
