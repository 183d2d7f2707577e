// ComputedValue: one value read from an event for a computed trait — missing, null, a boolean, a
// number (a finite double: integers up to 2^53 exact), a string, or an object/array kept as its
// minified JSON. Also the number and text forms every aggregate shares. Plain value type,
// thread-compatible; the free functions are pure and thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rapport {

class ComputedValue {
 public:
  enum class Kind : uint8_t { kMissing, kNull, kBool, kNumber, kString, kJson };

  ComputedValue() = default;  // missing
  static ComputedValue Missing() { return {}; }
  static ComputedValue Null();
  static ComputedValue Bool(bool b);
  // -0 becomes 0; NaN and infinities (which JSON cannot hold) become null.
  static ComputedValue Number(double x);
  static ComputedValue String(std::string s);
  // An object or array as minified JSON text (the caller guarantees it is valid JSON).
  static ComputedValue Json(std::string minified);

  Kind kind() const { return kind_; }
  // True unless missing or null: the values aggregates look at.
  bool present() const { return kind_ != Kind::kMissing && kind_ != Kind::kNull; }
  bool boolean() const { return bool_; }
  double number() const { return number_; }
  // The string, or the JSON text of an object/array; empty for other kinds.
  const std::string& text() const { return text_; }

  // A number, or a string that is exactly a decimal number ("42", "-3.5", "1e3"); else nullopt.
  std::optional<double> AsNumber() const;
  // Appends the value as JSON ("null" for missing).
  void AppendJson(std::string* out) const;
  std::string ToJson() const;

  friend bool operator==(const ComputedValue&, const ComputedValue&) = default;

 private:
  Kind kind_ = Kind::kMissing;
  bool bool_ = false;
  double number_ = 0;
  std::string text_;
};

// The longest string (in bytes) kept in distinct_count / most_frequent value maps.
inline constexpr size_t kMaxTrackedValueBytes = 256;

// A number as JSON: integral with |x| < 2^53 → "42"; |x| ≥ 2^63 → the shortest text with an
// exponent that reads back as the same double ("7.263405479023136e+19", never bare digits past
// 64 bits, which JSON readers refuse); otherwise the shortest text that reads back as the same
// double ("0.1", "1e+300", "9007199254740994"); -0 → "0"; NaN and infinities → "null".
void AppendJsonNumber(double x, std::string* out);
std::string FormatJsonNumber(double x);

// `text` read as a number when it is exactly `-?(digits[.digits*]|.digits)([eE][+-]?digits)?`,
// at most 64 bytes, and finite as a double; else nullopt. No spaces, no leading '+'.
std::optional<double> ParseDecimal(std::string_view text);

// The text distinct_count / most_frequent compare values by: strings as they are (cut to at most
// kMaxTrackedValueBytes bytes at a UTF-8 character boundary), numbers as FormatJsonNumber, and
// booleans as "true" / "false". nullopt for missing, null, objects and arrays (not tracked).
std::optional<std::string> CanonicalText(const ComputedValue& value);

// `s` cut to at most `max_bytes` bytes without splitting a UTF-8 character.
std::string_view TruncateUtf8(std::string_view s, size_t max_bytes);

}  // namespace rapport
