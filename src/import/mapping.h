// Mapping: how the rows of one silo export become Segment-spec events, read from a TOML file
// (the format is specified in docs/import.md). ParseMapping checks everything that can be checked
// without the data (unknown keys, types, formats, what each event type needs) and names the TOML
// line; RowMapper later checks the columns against the file. Plain data, thread-compatible.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/env.h"
#include "common/status.h"

namespace rapport {

enum class InputFormat { kCsv, kJsonl };
enum class ImportEventType { kIdentify, kTrack, kGroup };
// kDefault: a CSV cell is a string; a JSON Lines value is kept as the JSON it is.
enum class ValueType { kDefault, kString, kNumber, kInteger, kBoolean, kJson, kTimestamp };

std::string_view InputFormatName(InputFormat f);
std::string_view ImportEventTypeName(ImportEventType t);
std::string_view ValueTypeName(ValueType t);

// How a timestamp is written in the data.
struct TimeFormat {
  enum class Kind { kIso8601, kUnix, kUnixMs, kPattern };
  Kind kind = Kind::kIso8601;
  std::string pattern;        // kPattern: strftime-like, e.g. "%d/%m/%Y %H:%M"
  int64_t utc_offset_us = 0;  // for times that carry no offset of their own (utc_offset)
  std::string ToString() const;
};

// One mapped value: a column (a CSV header name, or a dotted path into a JSON Lines object), or a
// constant; converted to `type`.
struct FieldSpec {
  std::string column;                   // empty when `constant` is set
  std::optional<std::string> constant;  // JSON text of `value = ...`
  std::optional<std::string> fallback;  // JSON text of `default = ...`, used for an empty cell
  ValueType type = ValueType::kDefault;
  TimeFormat time;        // type == kTimestamp (also the event timestamp)
  bool required = false;  // an empty cell rejects the row
  int line = 0;           // its line in the mapping file (0: unknown)
};

// A key of [traits] or [properties]: a value, or a nested object of further keys.
struct FieldNode {
  std::string key;
  FieldSpec spec;
  std::vector<FieldNode> children;
  bool is_object = false;
};

// An identifier of the person: user_id, anonymous_id, email, phone, or any other type (an
// external id such as crm_id or twitter).
struct IdentifierSpec {
  std::string type;
  FieldSpec field;
};

struct Mapping {
  std::string origin;                              // where the mapping came from, for messages
  std::optional<InputFormat> format;               // nullopt: from the data file's extension
  std::optional<char> delimiter;                   // [csv] delimiter (default ',' or '\t' for .tsv)
  bool header = true;                              // [csv] header
  std::vector<std::string> columns;                // [csv] columns: names when header = false
  size_t max_record_bytes = 1 << 20;               // max_record_bytes
  ImportEventType type = ImportEventType::kTrack;  // [event] type
  std::string event_name;                          // [event] name (track)
  std::optional<FieldSpec> event_name_column;      // [event] name_column (track)
  std::optional<FieldSpec> timestamp;              // [event] timestamp
  std::optional<FieldSpec> message_id;             // [event] message_id
  std::string message_id_prefix;                   // [event] message_id.prefix
  std::optional<FieldSpec> group_id;               // [event] group_id (group)
  bool derive_anonymous_id = true;                 // [event] derive_anonymous_id
  std::vector<IdentifierSpec> identifiers;         // [identifiers], in the precedence order
  std::vector<FieldNode> traits;                   // [traits]
  std::vector<FieldNode> properties;               // [properties] (track)
};

// Parses and checks a mapping. `origin` names it in messages ("orders.toml:12: ...").
Result<Mapping> ParseMapping(std::string_view toml_text, std::string origin);
// Reads and parses the mapping file at `path`.
Result<Mapping> LoadMappingFile(const std::string& path, Env* env = nullptr);

// The input format for `file_name`: the mapping's, else from the extension (.csv, .tsv, .jsonl,
// .ndjson, .json). kInvalidArgument when neither tells.
Result<InputFormat> ResolveFormat(const Mapping& mapping, std::string_view file_name);
// The CSV delimiter for `file_name`: the mapping's, else '\t' for .tsv, else ','.
char ResolveDelimiter(const Mapping& mapping, std::string_view file_name);

}  // namespace rapport
