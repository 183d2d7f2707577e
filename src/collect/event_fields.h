// Internal to collect: the known top-level fields of a Segment event, first-occurrence lookup,
// error locations ("batch[3].event: ...") and small readers shared by the parser and the
// writer. Holds views into a simdjson document: valid while that document lives.
#pragma once

#include <simdjson.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace rapport::collect_internal {

using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

inline constexpr std::string_view kTypeNames[] = {"track",  "identify", "page",
                                                  "screen", "group",    "alias"};

// The top-level event fields the parser reads or rewrites. Others pass through untouched.
enum Field : int {
  kOther = -1,
  kType = 0,
  kMessageId,
  kUserId,
  kAnonymousId,
  kEvent,
  kGroupId,
  kPreviousId,
  kProperties,
  kTraits,
  kContext,
  kIntegrations,
  kTimestamp,
  kOriginalTimestamp,
  kSentAt,
  kReceivedAt,
  kWriteKey,
  kNumFields,
};

// The Field named by an (unescaped) key; kOther for any other key.
Field FieldOf(std::string_view key);
std::string_view FieldName(Field f);

// Where an error is: "batch[3].event: " in a batch, "event: " for a single-event body.
class Where {
 public:
  explicit Where(int64_t index) : index_(index) {}  // index < 0: a single-event body
  std::string Item() const;
  std::string At(std::string_view field) const;
  Status Bad(std::string_view field, std::string_view msg) const;
  Status BadItem(std::string_view msg) const;

 private:
  int64_t index_;
};

// "512000 bytes (500 KB)", or "1000 bytes" when not a whole number of KB.
std::string SizeText(size_t bytes);

inline bool IsNull(element e) { return e.type() == element_type::NULL_VALUE; }

// The first occurrence of each known field of one event object.
struct ItemFields {
  std::array<element, kNumFields> value{};
  uint32_t present = 0;
  bool Has(Field f) const { return (present >> f) & 1; }
  bool HasValue(Field f) const { return Has(f) && !IsNull(value[f]); }  // present, not null
};

// Batch-level values applied to every item of a batch.
struct BatchDefaults {
  std::optional<object> context;
  std::optional<object> integrations;
  std::optional<int64_t> sent_at_us;
};

// The resolved times of one event.
struct Stamps {
  std::optional<int64_t> original_us;
  std::optional<int64_t> sent_at_us;
  int64_t received_us = 0;
  int64_t timestamp_us = 0;
};

enum class Id { kAbsent, kPresent, kBadType };
// An identifier: a non-empty string or a number (as its decimal text). null and "" are absent.
Id ReadId(element e, bool has, std::string* out);

// An ISO-8601 string field of the item; nullopt when absent or null.
Result<std::optional<int64_t>> ReadTime(element e, bool has, std::string_view field,
                                        const Where& where);
// An object field; nullopt when null.
Result<std::optional<object>> ReadObject(element e, std::string_view field, const Where& where);

}  // namespace rapport::collect_internal
