#include "collect/event_fields.h"

#include <fmt/format.h>

#include <charconv>

#include "common/time_format.h"

namespace rapport::collect_internal {
namespace {

// Appends the decimal text of a JSON number.
void AppendNumber(element e, std::string* out) {
  char buf[32];
  std::to_chars_result r{};
  switch (e.type()) {
    case element_type::INT64:
      r = std::to_chars(buf, buf + sizeof buf, e.get_int64().value());
      break;
    case element_type::UINT64:
      r = std::to_chars(buf, buf + sizeof buf, e.get_uint64().value());
      break;
    default:
      r = std::to_chars(buf, buf + sizeof buf, e.get_double().value());
      break;
  }
  out->append(buf, r.ptr);
}

}  // namespace

Field FieldOf(std::string_view k) {
  switch (k.size()) {
    case 4:
      return k == "type" ? kType : kOther;
    case 5:
      return k == "event" ? kEvent : kOther;
    case 6:
      if (k == "userId") return kUserId;
      if (k == "traits") return kTraits;
      return k == "sentAt" ? kSentAt : kOther;
    case 7:
      if (k == "groupId") return kGroupId;
      return k == "context" ? kContext : kOther;
    case 8:
      return k == "writeKey" ? kWriteKey : kOther;
    case 9:
      if (k == "messageId") return kMessageId;
      return k == "timestamp" ? kTimestamp : kOther;
    case 10:
      if (k == "previousId") return kPreviousId;
      if (k == "properties") return kProperties;
      return k == "receivedAt" ? kReceivedAt : kOther;
    case 11:
      return k == "anonymousId" ? kAnonymousId : kOther;
    case 12:
      return k == "integrations" ? kIntegrations : kOther;
    case 17:
      return k == "originalTimestamp" ? kOriginalTimestamp : kOther;
    default:
      return kOther;
  }
}

std::string_view FieldName(Field f) {
  static constexpr std::string_view kNames[] = {"type",
                                                "messageId",
                                                "userId",
                                                "anonymousId",
                                                "event",
                                                "groupId",
                                                "previousId",
                                                "properties",
                                                "traits",
                                                "context",
                                                "integrations",
                                                "timestamp",
                                                "originalTimestamp",
                                                "sentAt",
                                                "receivedAt",
                                                "writeKey"};
  return kNames[f];
}

std::string Where::Item() const { return index_ < 0 ? "" : fmt::format("batch[{}]: ", index_); }

std::string Where::At(std::string_view field) const {
  return index_ < 0 ? fmt::format("{}: ", field) : fmt::format("batch[{}].{}: ", index_, field);
}

Status Where::Bad(std::string_view field, std::string_view msg) const {
  return Status::InvalidArgument(At(field) + std::string(msg));
}

Status Where::BadItem(std::string_view msg) const {
  return Status::InvalidArgument(Item() + std::string(msg));
}

std::string SizeText(size_t bytes) {
  return bytes % 1024 == 0 ? fmt::format("{} bytes ({} KB)", bytes, bytes / 1024)
                           : fmt::format("{} bytes", bytes);
}

Id ReadId(element e, bool has, std::string* out) {
  out->clear();
  if (!has) return Id::kAbsent;
  switch (e.type()) {
    case element_type::NULL_VALUE:
      return Id::kAbsent;
    case element_type::STRING: {
      std::string_view s = e.get_string().value();
      out->assign(s);
      return s.empty() ? Id::kAbsent : Id::kPresent;
    }
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
      AppendNumber(e, out);
      return Id::kPresent;
    default:
      return Id::kBadType;
  }
}

Result<std::optional<int64_t>> ReadTime(element e, bool has, std::string_view field,
                                        const Where& where) {
  if (!has || IsNull(e)) return std::optional<int64_t>();
  std::string_view text;
  if (e.get_string().get(text) != simdjson::SUCCESS) {
    return where.Bad(field, fmt::format("must be a string, an ISO-8601 date-time such as \"{}\"",
                                        kIso8601Example));
  }
  Result<int64_t> t = ParseIso8601(text);
  if (!t.ok()) return where.Bad(field, t.status().message());
  return std::optional<int64_t>(*t);
}

Result<std::optional<object>> ReadObject(element e, std::string_view field, const Where& where) {
  if (IsNull(e)) return std::optional<object>();
  object o;
  if (e.get_object().get(o) != simdjson::SUCCESS) return where.Bad(field, "must be a JSON object");
  return std::optional<object>(o);
}

}  // namespace rapport::collect_internal
