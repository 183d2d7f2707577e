#include "activate/outbox_format.h"

#include "common/coding.h"

namespace rapport {
namespace {

// Version 2 added the flow at the end; version 1 records decode with an empty flow.
constexpr uint8_t kItemVersion = 2;
constexpr uint8_t kCountersVersion = 1;

}  // namespace

std::string OutboxKey(OutboxSpace space, std::string_view destination, uint64_t id) {
  std::string k = OutboxPrefixBegin(space, destination);
  PutBigEndian64(&k, id);
  return k;
}

std::string OutboxPrefixBegin(OutboxSpace space, std::string_view destination) {
  std::string k(1, static_cast<char>(space));
  k.append(destination).push_back('\0');
  return k;
}

std::string OutboxPrefixEnd(OutboxSpace space, std::string_view destination) {
  std::string k(1, static_cast<char>(space));
  k.append(destination).push_back('\1');
  return k;
}

uint64_t OutboxKeyId(std::string_view key) {
  return key.size() < 8 ? 0 : ReadBigEndian64(key.substr(key.size() - 8));
}

std::string OutboxCountersKey(std::string_view destination) {
  std::string k = "s";
  k.append(destination);
  return k;
}

std::string EncodeOutboxItem(const OutboxItem& item) {
  std::string out(1, static_cast<char>(kItemVersion));
  PutLengthPrefixed(&out, item.idempotency_key);
  PutLengthPrefixed(&out, item.profile_key);
  PutLengthPrefixed(&out, item.body);
  PutSignedVarint64(&out, item.created_us);
  PutVarint64(&out, static_cast<uint64_t>(item.attempts));
  PutSignedVarint64(&out, item.next_attempt_us);
  PutLengthPrefixed(&out, item.last_error);
  PutVarint64(&out, static_cast<uint64_t>(item.last_status));
  PutSignedVarint64(&out, item.dead_at_us);
  PutLengthPrefixed(&out, item.flow);
  return out;
}

Result<OutboxItem> DecodeOutboxItem(std::string_view bytes, uint64_t id) {
  Decoder d(bytes);
  OutboxItem item;
  item.id = id;
  uint8_t version = 0;
  uint64_t attempts = 0, status = 0;
  if (!d.Byte(&version) || version < 1 || version > kItemVersion ||
      !d.LengthPrefixed(&item.idempotency_key) || !d.LengthPrefixed(&item.profile_key) ||
      !d.LengthPrefixed(&item.body) || !d.SignedVarint64(&item.created_us) ||
      !d.Varint64(&attempts) || attempts > INT32_MAX || !d.SignedVarint64(&item.next_attempt_us) ||
      !d.LengthPrefixed(&item.last_error) || !d.Varint64(&status) || status > 999 ||
      !d.SignedVarint64(&item.dead_at_us) || (version >= 2 && !d.LengthPrefixed(&item.flow)) ||
      !d.done()) {
    return Status::Corruption("outbox: an item record does not decode");
  }
  item.attempts = static_cast<int32_t>(attempts);
  item.last_status = static_cast<int32_t>(status);
  return item;
}

std::string EncodeOutboxCounters(const OutboxCounters& c) {
  std::string out(1, static_cast<char>(kCountersVersion));
  for (uint64_t v :
       {c.next_id, c.queued, c.dead, c.delivered, c.failed_attempts, c.dead_lettered}) {
    PutVarint64(&out, v);
  }
  return out;
}

Result<OutboxCounters> DecodeOutboxCounters(std::string_view bytes) {
  Decoder d(bytes);
  OutboxCounters c;
  uint8_t version = 0;
  if (!d.Byte(&version) || version != kCountersVersion || !d.Varint64(&c.next_id) ||
      !d.Varint64(&c.queued) || !d.Varint64(&c.dead) || !d.Varint64(&c.delivered) ||
      !d.Varint64(&c.failed_attempts) || !d.Varint64(&c.dead_lettered) || !d.done()) {
    return Status::Corruption("outbox: a counters record does not decode");
  }
  return c;
}

}  // namespace rapport
