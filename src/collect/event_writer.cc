#include "collect/event_writer.h"

#include <algorithm>

#include "common/json_writer.h"
#include "common/time_format.h"

namespace rapport::collect_internal {

namespace {

void AppendKey(std::string_view key, std::string* out) {
  AppendJsonString(out, key);
  out->push_back(':');
}

void AppendTime(std::string_view key, int64_t micros, std::string* out) {
  AppendKey(key, out);
  out->push_back('"');
  AppendIso8601(micros, out);
  out->push_back('"');
}

}  // namespace

void EventWriter::AppendMerged(object item, object batch, std::string* out) {
  out->push_back('{');
  keys_.clear();
  for (simdjson::dom::key_value_pair kv : item) {
    if (!keys_.empty()) out->push_back(',');
    keys_.push_back(kv.key);
    AppendKey(kv.key, out);
    AppendMinified(kv.value, out);
  }
  const size_t own = keys_.size();
  for (simdjson::dom::key_value_pair kv : batch) {
    bool found = false;
    for (size_t i = 0; i < own && !found; ++i) found = keys_[i] == kv.key;
    if (found) continue;
    if (!keys_.empty()) out->push_back(',');
    keys_.push_back(kv.key);
    AppendKey(kv.key, out);
    AppendMinified(kv.value, out);
  }
  out->push_back('}');
}

// Writes the stored JSON: the client's fields in order (writeKey dropped, later duplicates of
// known fields dropped), the fields this parser sets replaced in place or appended, batch
// context/integrations merged. `sent_bytes` gets the size of the item as sent, minified.
void EventWriter::Write(object item, const ItemFields& f, const BatchDefaults& batch,
                        const Stamps& t, NormalizedEvent* ev, size_t* sent_bytes) {
  std::string& out = ev->json;
  out.clear();
  // Events of a batch tend to be alike: room for one like the last, so it is written without
  // growing (each growth copied the event so far).
  out.reserve(std::max<size_t>(512, last_size_ + last_size_ / 8));
  out.push_back('{');
  size_t sent = 1;  // '{'
  size_t fields = 0;
  uint32_t written = 0;
  auto sep = [&] {
    if (out.size() > 1) out.push_back(',');
  };
  // Writes one field this parser owns; false when it has no value to write.
  auto write_own = [&](Field id) {
    switch (id) {
      case kType:
        sep();
        AppendKey("type", &out);
        AppendJsonString(&out, ev->type);
        return true;
      case kMessageId:
        sep();
        AppendKey("messageId", &out);
        AppendJsonString(&out, ev->message_id);
        return true;
      case kOriginalTimestamp:
        if (!t.original_us) return false;
        sep();
        AppendTime("originalTimestamp", *t.original_us, &out);
        return true;
      case kSentAt:
        if (!t.sent_at_us) return false;
        sep();
        AppendTime("sentAt", *t.sent_at_us, &out);
        return true;
      case kReceivedAt:
        sep();
        AppendTime("receivedAt", t.received_us, &out);
        return true;
      case kTimestamp:
        sep();
        AppendTime("timestamp", t.timestamp_us, &out);
        return true;
      default:
        return false;
    }
  };
  auto batch_object = [&](Field id) -> const std::optional<object>& {
    return id == kContext ? batch.context : batch.integrations;
  };

  for (simdjson::dom::key_value_pair kv : item) {
    const Field id = FieldOf(kv.key);
    ++fields;
    const bool first = id == kOther || !((written >> id) & 1);
    if (id != kOther) written |= 1u << id;
    const bool owned = id == kType || id == kMessageId || id == kWriteKey ||
                       (id >= kTimestamp && id <= kReceivedAt);
    if (first && !owned) {
      // A client field, kept as sent (context/integrations merged with the batch's).
      sep();
      const size_t key_start = out.size();
      AppendKey(kv.key, &out);
      sent += out.size() - key_start;
      const size_t value_start = out.size();
      if ((id == kContext || id == kIntegrations) && batch_object(id)) {
        sent += ValueSize(kv.value);
        if (IsNull(kv.value)) {
          AppendMinified(*batch_object(id), &out);
        } else {
          AppendMerged(kv.value.get_object().value(), *batch_object(id), &out);
        }
      } else {
        AppendMinified(kv.value, &out);
        sent += out.size() - value_start;
      }
      continue;
    }
    // Rewritten in place (first occurrence), or dropped: count the client's bytes.
    if (first) write_own(id);
    scratch_.clear();
    AppendKey(kv.key, &scratch_);
    sent += scratch_.size();
    sent += ValueSize(kv.value);
  }
  sent += fields > 0 ? fields - 1 : 0;  // commas
  sent += 1;                            // '}'
  *sent_bytes = sent;

  for (Field id : {kContext, kIntegrations}) {
    if (!((written >> id) & 1) && batch_object(id)) {
      sep();
      AppendKey(FieldName(id), &out);
      AppendMinified(*batch_object(id), &out);
    }
  }
  for (Field id : {kType, kMessageId, kOriginalTimestamp, kSentAt, kReceivedAt, kTimestamp}) {
    if (!((written >> id) & 1)) write_own(id);
  }
  out.push_back('}');
  last_size_ = out.size();
}

}  // namespace rapport::collect_internal
