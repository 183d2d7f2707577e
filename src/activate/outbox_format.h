// The outbox's keys and records in RocksDB (docs/destinations.md, "On disk"): per destination a
// queue ("q"), dead letters ("d") and one counters record ("s"), every item keyed by its id
// big-endian so a destination's items iterate in id (= enqueue) order. Pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace rapport {

struct OutboxItem {
  uint64_t id = 0;              // assigned by Enqueue, unique within the destination
  std::string idempotency_key;  // sent as Idempotency-Key; receivers de-duplicate on it
  std::string profile_key;      // items of one profile are delivered in order; "" → unordered
  std::string flow;             // what enqueued it ("audience:NAME", "journey:ID"); flows take
                                // turns at the destination. "" in records of version 1
  std::string body;             // the rendered request body
  int64_t created_us = 0;       // set by Enqueue when 0
  int32_t attempts = 0;         // failed attempts counted against max_attempts
  int64_t next_attempt_us = 0;  // not sent before this time
  std::string last_error;       // of the last failed attempt
  int32_t last_status = 0;      // HTTP status of the last failed attempt; 0: none or no response
  int64_t dead_at_us = 0;       // dead letters: when the item was given up

  friend bool operator==(const OutboxItem&, const OutboxItem&) = default;
};

// Counters kept per destination, written in the same batch as every change they count.
struct OutboxCounters {
  uint64_t next_id = 1;
  uint64_t queued = 0;           // items in the queue (waiting or in flight)
  uint64_t dead = 0;             // items in the dead letters now
  uint64_t delivered = 0;        // ever
  uint64_t failed_attempts = 0;  // ever
  uint64_t dead_lettered = 0;    // ever moved to the dead letters

  friend bool operator==(const OutboxCounters&, const OutboxCounters&) = default;
};

enum class OutboxSpace : char { kQueue = 'q', kDead = 'd' };

// `space` + name + 0x00 + id (big-endian).
std::string OutboxKey(OutboxSpace space, std::string_view destination, uint64_t id);
// The keys of one destination in `space` lie in [begin, end).
std::string OutboxPrefixBegin(OutboxSpace space, std::string_view destination);
std::string OutboxPrefixEnd(OutboxSpace space, std::string_view destination);
// The id at the end of an item key.
uint64_t OutboxKeyId(std::string_view key);
// "s" + name.
std::string OutboxCountersKey(std::string_view destination);

std::string EncodeOutboxItem(const OutboxItem& item);  // everything but the id (in the key)
Result<OutboxItem> DecodeOutboxItem(std::string_view bytes, uint64_t id);  // kCorruption
std::string EncodeOutboxCounters(const OutboxCounters& c);
Result<OutboxCounters> DecodeOutboxCounters(std::string_view bytes);  // kCorruption

}  // namespace rapport
