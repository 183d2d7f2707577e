// The event-log record payload for an accepted event (format v1, byte-exact spec in
// docs/formats/envelope.md): source id, messageId, type, ids, times, then the stored JSON.
// DecodeEnvelope never reads outside its input and returns views into it (valid while the
// input lives); kCorruption on anything malformed. Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "collect/request_parser.h"
#include "common/status.h"

namespace rapport {

inline constexpr uint8_t kEnvelopeVersion = 1;

struct EnvelopeView {
  uint8_t version = 0;
  std::string_view source_id;
  std::string_view message_id;
  std::string_view type;  // one of the six call types (static storage, not the input)
  std::string_view user_id;
  std::string_view anonymous_id;
  int64_t timestamp_us = 0;
  int64_t received_at_us = 0;
  std::string_view json;
};

// `event.type` must be one of track, identify, page, screen, group, alias (a programmer error
// otherwise: such a record is written with type code 0, which DecodeEnvelope rejects).
std::string EncodeEnvelope(std::string_view source_id, const NormalizedEvent& event);
// Appends the same bytes to `out`.
void AppendEnvelope(std::string_view source_id, const NormalizedEvent& event, std::string* out);
// Appends every byte of the envelope but the stored JSON (`event.json`), which follows: the
// envelope is this header + event.json (how ingest hands both to the log without copying the
// JSON, LogRecord::tail).
void AppendEnvelopeHeader(std::string_view source_id, const NormalizedEvent& event,
                          std::string* out);

Result<EnvelopeView> DecodeEnvelope(std::string_view record);

}  // namespace rapport
