#include "server/event_hub.h"

#include <algorithm>

namespace rapport {

void EventHub::Subscribe(std::shared_ptr<StreamSink> sink, std::string source_id) {
  std::lock_guard lock(mu_);
  subs_.push_back({std::move(sink), std::move(source_id)});
  count_ = subs_.size();
}

void EventHub::Publish(std::string_view source_id, const std::vector<std::string_view>& events) {
  if (count_.load(std::memory_order_relaxed) == 0 || events.empty()) return;
  std::string chunk;
  for (auto e : events) {
    chunk += "data: ";
    chunk.append(e);
    chunk += "\n\n";
  }
  std::lock_guard lock(mu_);
  for (auto& s : subs_) {
    if (s.source_id.empty() || s.source_id == source_id) s.sink->Send(chunk);
  }
  subs_.erase(std::remove_if(subs_.begin(), subs_.end(),
                             [](const Subscriber& s) { return s.sink->closed(); }),
              subs_.end());
  count_ = subs_.size();
}

void EventHub::CloseAll() {
  std::lock_guard lock(mu_);
  subs_.clear();
  count_ = 0;
}

}  // namespace rapport
