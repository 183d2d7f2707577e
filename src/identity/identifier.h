// Identifiers and the rules for them: the identifier types of a workspace (priority and
// per-profile limit), normalisation (emails lower-cased, phones to digits with a country code),
// and blocked values that never identify anyone. Plain values; thread-compatible.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/config.h"
#include "common/status.h"

namespace rapport {

struct Identifier {
  std::string type;   // "user_id", "anonymous_id", "email", "phone" or a custom type
  std::string value;  // normalised
  bool operator==(const Identifier&) const = default;
  auto operator<=>(const Identifier&) const = default;
};

struct IdentityType {
  std::string name;
  int priority = 0;  // 1 is the highest; lower-priority identifiers give way in a conflict
  int limit = 1;     // most values of this type one profile may hold
};

class IdentitySettings {
 public:
  // user_id (priority 1, limit 1), email (2, 5), phone (3, 5), then custom types (from 4, limit
  // 5 unless set), anonymous_id last (limit 1000); blocked: null, undefined, 0, anonymous.
  IdentitySettings();

  // Adds or changes a type. Names are 1-64 characters of [a-z0-9_]; priority >= 1; limit >= 1.
  Status SetType(IdentityType type);
  void SetBlockedValues(std::vector<std::string> values);  // compared case-insensitively
  Status SetPhoneCountryCode(std::string digits);          // 1-3 digits, e.g. "1", "44", "49"

  const IdentityType* Find(std::string_view type) const;  // nullptr for an unknown type
  // Priority order: ascending priority number, then name (a total order).
  bool Before(std::string_view a, std::string_view b) const;
  const std::vector<IdentityType>& types() const { return types_; }
  const std::vector<std::string>& blocked_values() const { return blocked_; }
  const std::string& phone_country_code() const { return country_code_; }

  // The normalised value, or nullopt when `raw` identifies no one: blank, blocked, an email
  // without a local part and a domain, a phone number with fewer than 6 or more than 15 digits.
  std::optional<std::string> Normalize(std::string_view type, std::string_view raw) const;

 private:
  std::vector<IdentityType> types_;
  std::vector<std::string> blocked_;  // lower-cased
  std::string country_code_ = "1";
};

// Settings from the [identity] section of the configuration (docs/configuration.md).
Result<IdentitySettings> MakeIdentitySettings(const IdentityConfig& config);

}  // namespace rapport
