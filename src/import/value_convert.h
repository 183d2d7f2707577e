// Converting one mapped cell — a CSV text or a JSON Lines value — to the JSON value its field
// declares (string, number, integer, boolean, json, timestamp), with errors that name the field,
// the column, the value and the type. Internal to import/. One ValueConverter per thread.
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>

#include "common/status.h"
#include "import/mapping.h"

namespace rapport {

struct Cell {
  enum class Kind { kAbsent, kText, kJson };
  Kind kind = Kind::kAbsent;
  std::string_view text;        // kText: a CSV field (never empty)
  simdjson::dom::element json;  // kJson: a JSON value (never null or "")
};

class ValueConverter {
 public:
  // Appends the JSON value of `cell` (not absent) as `spec.type` to `*out`. kInvalidArgument
  // "<where>: column "<column>" value "<value>" is not <a type>" when it does not convert.
  Status Append(const Cell& cell, const FieldSpec& spec, std::string_view where, std::string* out);
  // The text of a cell for identifiers, names and ids: a CSV field as is (spaces trimmed), a
  // JSON string, or a JSON number's digits. kInvalidArgument for other JSON values.
  Result<std::string_view> Text(const Cell& cell, std::string_view where, std::string_view column);

  // The JSON text of a value, shortened for error messages.
  static std::string Shown(std::string_view value);

 private:
  Status AppendText(std::string_view text, const FieldSpec& spec, std::string_view where,
                    std::string* out);
  Status AppendJson(simdjson::dom::element value, const FieldSpec& spec, std::string_view where,
                    std::string* out);

  simdjson::dom::parser parser_;  // for type = "json" on text
  std::string scratch_;
};

}  // namespace rapport
