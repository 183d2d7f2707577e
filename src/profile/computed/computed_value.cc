#include "profile/computed/computed_value.h"

#include <charconv>
#include <cmath>
#include <system_error>

#include "common/json_writer.h"

namespace rapport {

namespace {

constexpr double kTwoTo53 = 9007199254740992.0;
constexpr double kTwoTo63 = 9223372036854775808.0;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

ComputedValue ComputedValue::Null() {
  ComputedValue v;
  v.kind_ = Kind::kNull;
  return v;
}

ComputedValue ComputedValue::Bool(bool b) {
  ComputedValue v;
  v.kind_ = Kind::kBool;
  v.bool_ = b;
  return v;
}

ComputedValue ComputedValue::Number(double x) {
  if (!std::isfinite(x)) return Null();
  ComputedValue v;
  v.kind_ = Kind::kNumber;
  v.number_ = x == 0 ? 0.0 : x;  // -0 and 0 are one value
  return v;
}

ComputedValue ComputedValue::String(std::string s) {
  ComputedValue v;
  v.kind_ = Kind::kString;
  v.text_ = std::move(s);
  return v;
}

ComputedValue ComputedValue::Json(std::string minified) {
  ComputedValue v;
  v.kind_ = Kind::kJson;
  v.text_ = std::move(minified);
  return v;
}

std::optional<double> ComputedValue::AsNumber() const {
  if (kind_ == Kind::kNumber) return number_;
  if (kind_ == Kind::kString) return ParseDecimal(text_);
  return std::nullopt;
}

void ComputedValue::AppendJson(std::string* out) const {
  switch (kind_) {
    case Kind::kMissing:
    case Kind::kNull:
      out->append("null");
      return;
    case Kind::kBool:
      out->append(bool_ ? "true" : "false");
      return;
    case Kind::kNumber:
      AppendJsonNumber(number_, out);
      return;
    case Kind::kString:
      AppendJsonString(out, text_);
      return;
    case Kind::kJson:
      out->append(text_);
      return;
  }
}

std::string ComputedValue::ToJson() const {
  std::string out;
  AppendJson(&out);
  return out;
}

void AppendJsonNumber(double x, std::string* out) {
  if (!std::isfinite(x)) {
    out->append("null");
    return;
  }
  char buf[64];
  std::to_chars_result r;
  if (x == std::trunc(x) && std::fabs(x) < kTwoTo53) {
    r = std::to_chars(buf, buf + sizeof(buf), static_cast<int64_t>(x));  // also turns -0 into 0
  } else if (std::fabs(x) >= kTwoTo63) {
    // Whole numbers (every double this large is one). The shortest form can be bare digits
    // ("72634054790231359488"), an integer past 64 bits that JSON readers such as simdjson refuse;
    // the shortest form with an exponent reads back as the same double everywhere.
    r = std::to_chars(buf, buf + sizeof(buf), x, std::chars_format::scientific);
  } else {
    r = std::to_chars(buf, buf + sizeof(buf), x);  // shortest round-trip form
  }
  out->append(buf, r.ptr);
}

std::string FormatJsonNumber(double x) {
  std::string out;
  AppendJsonNumber(x, &out);
  return out;
}

std::optional<double> ParseDecimal(std::string_view text) {
  if (text.empty() || text.size() > 64) return std::nullopt;
  size_t i = 0;
  if (text[i] == '-') ++i;
  size_t int_digits = 0;
  while (i < text.size() && IsDigit(text[i])) ++i, ++int_digits;
  size_t frac_digits = 0;
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && IsDigit(text[i])) ++i, ++frac_digits;
  }
  if (int_digits == 0 && frac_digits == 0) return std::nullopt;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
    size_t exp_digits = 0;
    while (i < text.size() && IsDigit(text[i])) ++i, ++exp_digits;
    if (exp_digits == 0) return std::nullopt;
  }
  if (i != text.size()) return std::nullopt;
  double x = 0;
  auto r = std::from_chars(text.data(), text.data() + text.size(), x);
  // The grammar above is a subset of what from_chars reads, so it consumes everything; a value
  // beyond double range reports result_out_of_range.
  if (r.ec != std::errc() || r.ptr != text.data() + text.size() || !std::isfinite(x)) {
    return std::nullopt;
  }
  return x == 0 ? 0.0 : x;
}

std::string_view TruncateUtf8(std::string_view s, size_t max_bytes) {
  if (s.size() <= max_bytes) return s;
  size_t cut = max_bytes;
  // Step back over continuation bytes (10xxxxxx) so the cut falls before a character's first
  // byte; at most 3 steps for valid UTF-8, bounded anyway for bytes that are not.
  for (int steps = 0; cut > 0 && steps < 3; ++steps) {
    if ((static_cast<unsigned char>(s[cut]) & 0xC0) != 0x80) break;
    --cut;
  }
  return s.substr(0, cut);
}

std::optional<std::string> CanonicalText(const ComputedValue& value) {
  switch (value.kind()) {
    case ComputedValue::Kind::kBool:
      return std::string(value.boolean() ? "true" : "false");
    case ComputedValue::Kind::kNumber:
      return FormatJsonNumber(value.number());
    case ComputedValue::Kind::kString:
      return std::string(TruncateUtf8(value.text(), kMaxTrackedValueBytes));
    default:
      return std::nullopt;
  }
}

}  // namespace rapport
