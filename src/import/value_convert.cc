#include "import/value_convert.h"

#include <charconv>
#include <cmath>
#include <cstdint>

#include <fmt/format.h>

#include "common/json_writer.h"
#include "common/time_format.h"
#include "import/time_parse.h"

namespace rapport {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string_view Article(ValueType t) {
  switch (t) {
    case ValueType::kInteger:
      return "an integer";
    case ValueType::kBoolean:
      return "a boolean (true/false, yes/no, 1/0)";
    case ValueType::kJson:
      return "JSON";
    case ValueType::kTimestamp:
      return "a timestamp";
    default:
      return "a number";
  }
}

bool ParseBool(std::string_view text, bool* out) {
  std::string lower(Trim(text));
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "true" || lower == "yes" || lower == "y" || lower == "1" || lower == "t") {
    *out = true;
    return true;
  }
  if (lower == "false" || lower == "no" || lower == "n" || lower == "0" || lower == "f") {
    *out = false;
    return true;
  }
  return false;
}

// Appends a number in JSON form: integers as integers, others in shortest round-trip form.
bool AppendNumber(std::string_view text, std::string* out) {
  text = Trim(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty()) return false;
  int64_t i = 0;
  auto [ip, iec] = std::from_chars(text.data(), text.data() + text.size(), i);
  if (iec == std::errc() && ip == text.data() + text.size()) {
    out->append(std::to_string(i));
    return true;
  }
  double d = 0;
  auto [dp, dec] = std::from_chars(text.data(), text.data() + text.size(), d);
  if (dec != std::errc() || dp != text.data() + text.size() || !std::isfinite(d)) return false;
  char buf[32];
  // The shortest form of a whole number past 64 bits can be bare digits, which JSON parsers
  // (simdjson among them) refuse as an integer out of range: give those an exponent.
  auto fmt = std::fabs(d) >= 9.2e18 ? std::chars_format::scientific : std::chars_format{};
  auto [end, ec] = fmt == std::chars_format{} ? std::to_chars(buf, buf + sizeof(buf), d)
                                              : std::to_chars(buf, buf + sizeof(buf), d, fmt);
  out->append(buf, end);
  return true;
}

bool AppendInteger(std::string_view text, std::string* out) {
  text = Trim(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  int64_t i = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), i);
  if (text.empty() || ec != std::errc() || p != text.data() + text.size()) return false;
  out->append(std::to_string(i));
  return true;
}

}  // namespace

std::string ValueConverter::Shown(std::string_view value) {
  constexpr size_t kMax = 80;
  if (value.size() <= kMax) return JsonString(value);
  size_t cut = kMax;
  while (cut > 0 && (static_cast<unsigned char>(value[cut]) & 0xC0) == 0x80) --cut;
  return JsonString(value.substr(0, cut)) + "…";
}

Status ValueConverter::Append(const Cell& cell, const FieldSpec& spec, std::string_view where,
                              std::string* out) {
  if (cell.kind == Cell::Kind::kText) return AppendText(cell.text, spec, where, out);
  return AppendJson(cell.json, spec, where, out);
}

Status ValueConverter::AppendText(std::string_view text, const FieldSpec& spec,
                                  std::string_view where, std::string* out) {
  auto bad = [&](std::string_view detail = {}) {
    return Status::InvalidArgument(fmt::format("{}: column \"{}\" value {} is not {}{}", where,
                                               spec.column, Shown(text), Article(spec.type),
                                               detail));
  };
  switch (spec.type) {
    case ValueType::kDefault:
    case ValueType::kString:
      AppendJsonString(out, text);
      return Status::OK();
    case ValueType::kNumber:
      return AppendNumber(text, out) ? Status::OK() : bad();
    case ValueType::kInteger:
      return AppendInteger(text, out) ? Status::OK() : bad();
    case ValueType::kBoolean: {
      bool b = false;
      if (!ParseBool(text, &b)) return bad();
      out->append(b ? "true" : "false");
      return Status::OK();
    }
    case ValueType::kJson: {
      simdjson::dom::element value;
      if (auto err = parser_.parse(text.data(), text.size()).get(value); err) {
        return bad(fmt::format(" ({})", simdjson::error_message(err)));
      }
      out->append(simdjson::minify(value));
      return Status::OK();
    }
    case ValueType::kTimestamp: {
      auto micros = ParseTime(Trim(text), spec.time);
      if (!micros.ok()) {
        return Status::InvalidArgument(
            fmt::format("{}: column \"{}\": {}", where, spec.column, micros.status().message()));
      }
      out->push_back('"');
      AppendIso8601(*micros, out);
      out->push_back('"');
      return Status::OK();
    }
  }
  return Status::Internal("unknown value type");
}

Status ValueConverter::AppendJson(simdjson::dom::element value, const FieldSpec& spec,
                                  std::string_view where, std::string* out) {
  using Type = simdjson::dom::element_type;
  const Type type = value.type();
  const bool is_number = type == Type::INT64 || type == Type::UINT64 || type == Type::DOUBLE;
  std::string_view str;
  if (type == Type::STRING) str = value.get_string().value_unsafe();
  auto bad = [&] {
    return Status::InvalidArgument(fmt::format("{}: column \"{}\" value {} is not {}", where,
                                               spec.column, Shown(simdjson::minify(value)),
                                               Article(spec.type)));
  };
  switch (spec.type) {
    case ValueType::kDefault:
      out->append(simdjson::minify(value));
      return Status::OK();
    case ValueType::kString:
      if (type == Type::STRING) {
        AppendJsonString(out, str);
      } else {
        AppendJsonString(out, simdjson::minify(value));
      }
      return Status::OK();
    case ValueType::kNumber:
      if (is_number) {
        out->append(simdjson::minify(value));
        return Status::OK();
      }
      if (type == Type::STRING) return AppendText(str, spec, where, out);
      return bad();
    case ValueType::kInteger:
      if (type == Type::INT64 || type == Type::UINT64) {
        out->append(simdjson::minify(value));
        return Status::OK();
      }
      if (type == Type::DOUBLE) {
        const double d = value.get_double().value_unsafe();
        if (std::trunc(d) != d || std::fabs(d) >= 9.2e18) return bad();
        out->append(std::to_string(static_cast<int64_t>(d)));
        return Status::OK();
      }
      if (type == Type::STRING) return AppendText(str, spec, where, out);
      return bad();
    case ValueType::kBoolean:
      if (type == Type::BOOL) {
        out->append(value.get_bool().value_unsafe() ? "true" : "false");
        return Status::OK();
      }
      if (type == Type::STRING) return AppendText(str, spec, where, out);
      if (type == Type::INT64 || type == Type::UINT64) {
        const std::string digits = simdjson::minify(value);
        if (digits == "0" || digits == "1") {
          out->append(digits == "1" ? "true" : "false");
          return Status::OK();
        }
      }
      return bad();
    case ValueType::kJson:
      if (type == Type::STRING) return AppendText(str, spec, where, out);  // JSON held as text
      out->append(simdjson::minify(value));
      return Status::OK();
    case ValueType::kTimestamp:
      if (type == Type::STRING) return AppendText(str, spec, where, out);
      if (is_number && (spec.time.kind == TimeFormat::Kind::kUnix ||
                        spec.time.kind == TimeFormat::Kind::kUnixMs)) {
        return AppendText(simdjson::minify(value), spec, where, out);
      }
      return bad();
  }
  return Status::Internal("unknown value type");
}

Result<std::string_view> ValueConverter::Text(const Cell& cell, std::string_view where,
                                              std::string_view column) {
  if (cell.kind == Cell::Kind::kText) return Trim(cell.text);
  using Type = simdjson::dom::element_type;
  switch (cell.json.type()) {
    case Type::STRING:
      return Trim(cell.json.get_string().value_unsafe());
    case Type::INT64:
    case Type::UINT64:
    case Type::DOUBLE:
      scratch_ = simdjson::minify(cell.json);
      return std::string_view(scratch_);
    default:
      return Status::InvalidArgument(
          fmt::format("{}: column \"{}\" value {} is not a string or a number", where, column,
                      Shown(simdjson::minify(cell.json))));
  }
}

}  // namespace rapport
