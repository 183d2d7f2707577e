#include "warehouse/chunk.h"

#include <algorithm>

namespace rapport::warehouse {

std::string_view EventTypeName(EventType t) {
  static constexpr std::string_view kNames[kEventTypes] = {"track",  "identify", "page",
                                                           "screen", "group",    "alias"};
  const auto i = static_cast<size_t>(t);
  return i < kEventTypes ? kNames[i] : std::string_view("unknown");
}

std::optional<EventType> EventTypeFromName(std::string_view name) {
  for (int t = 0; t < kEventTypes; ++t) {
    if (EventTypeName(static_cast<EventType>(t)) == name) return static_cast<EventType>(t);
  }
  return std::nullopt;
}

const PropertyColumn* Chunk::Find(std::string_view path) const {
  auto it = std::lower_bound(columns.begin(), columns.end(), path,
                             [](const auto& c, std::string_view p) { return c->path < p; });
  return it != columns.end() && (*it)->path == path ? it->get() : nullptr;
}

uint32_t EventDictionary::Intern(std::string_view name) {
  if (name.empty()) return 0;
  auto it = ids_.find(std::string(name));
  if (it != ids_.end()) return it->second;
  const auto id = static_cast<uint32_t>(names_.size());
  names_.emplace_back(name);
  ids_.emplace(names_.back(), id);
  return id;
}

std::optional<uint32_t> EventDictionary::Find(std::string_view name) const {
  if (name.empty()) return 0;
  auto it = ids_.find(std::string(name));
  if (it == ids_.end()) return std::nullopt;
  return it->second;
}

}  // namespace rapport::warehouse
