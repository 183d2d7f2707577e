// EventHub: fans newly stored events out to live subscribers (the console's debugger, over
// Server-Sent Events). Publishing is a no-op when nobody listens; a subscriber whose stream
// closed is dropped on the next publish. Thread-safe.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "server/http_types.h"

namespace rapport {

class EventHub {
 public:
  // `source_id` empty: every source.
  void Subscribe(std::shared_ptr<StreamSink> sink, std::string source_id);
  // Sends each JSON event as one SSE message ("data: <json>\n\n").
  void Publish(std::string_view source_id, const std::vector<std::string_view>& events);
  void CloseAll();

 private:
  struct Subscriber {
    std::shared_ptr<StreamSink> sink;
    std::string source_id;
  };
  std::mutex mu_;
  std::vector<Subscriber> subs_;  // GUARDED_BY(mu_)
  std::atomic<size_t> count_{0};
};

}  // namespace rapport
