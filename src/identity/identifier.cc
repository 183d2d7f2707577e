#include "identity/identifier.h"

#include <algorithm>

#include <fmt/format.h>

namespace rapport {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string_view Trim(std::string_view s) {
  const char* ws = " \t\r\n\f\v";
  size_t b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

bool ValidTypeName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

std::optional<std::string> NormalizePhone(std::string_view raw, const std::string& country) {
  std::string digits;
  for (char c : raw) {
    if (c >= '0' && c <= '9') digits.push_back(c);
  }
  size_t plus = raw.find('+');
  bool international = plus != std::string_view::npos &&
                       raw.find_first_of("0123456789") > plus;  // "+" before the first digit
  if (!international && digits.starts_with("00")) {
    digits.erase(0, 2);  // 0049 ... : international access prefix
    international = true;
  }
  if (!international) {
    const bool trunk = digits.starts_with("0");  // national trunk prefix: 07700 → 7700
    if (trunk) digits.erase(0, 1);
    // A number written without a trunk prefix that already starts with the country code and is
    // long enough to hold one (11 digits for NANP "1 NXX NXX XXXX") keeps it.
    bool has_code = !trunk && (country == "1" ? digits.size() == 11 && digits.starts_with("1")
                                              : digits.starts_with(country) && digits.size() > 10);
    if (!has_code) digits = country + digits;
  }
  if (digits.size() < 6 || digits.size() > 15) return std::nullopt;
  return digits;
}

}  // namespace

IdentitySettings::IdentitySettings()
    : types_{{"user_id", 1, 1}, {"email", 2, 5}, {"phone", 3, 5}, {"anonymous_id", 1000, 1000}},
      blocked_{"null", "undefined", "0", "anonymous"} {}

Status IdentitySettings::SetType(IdentityType type) {
  if (!ValidTypeName(type.name)) {
    return Status::InvalidArgument(fmt::format(
        "identifier type \"{}\": names are 1-64 characters of a-z, 0-9 and _", type.name));
  }
  if (type.priority < 1) {
    return Status::InvalidArgument(
        fmt::format("identifier type \"{}\": priority must be 1 or more", type.name));
  }
  if (type.limit < 1) {
    return Status::InvalidArgument(
        fmt::format("identifier type \"{}\": limit must be 1 or more", type.name));
  }
  for (IdentityType& t : types_) {
    if (t.name == type.name) {
      t = std::move(type);
      return Status::OK();
    }
  }
  types_.push_back(std::move(type));
  return Status::OK();
}

void IdentitySettings::SetBlockedValues(std::vector<std::string> values) {
  blocked_.clear();
  for (const std::string& v : values) blocked_.push_back(Lower(Trim(v)));
}

Status IdentitySettings::SetPhoneCountryCode(std::string digits) {
  if (digits.empty() || digits.size() > 3 ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      digits[0] == '0') {
    return Status::InvalidArgument(fmt::format(
        "phone_country_code \"{}\": must be 1-3 digits not starting with 0, e.g. \"1\" or \"44\"",
        digits));
  }
  country_code_ = std::move(digits);
  return Status::OK();
}

const IdentityType* IdentitySettings::Find(std::string_view type) const {
  for (const IdentityType& t : types_) {
    if (t.name == type) return &t;
  }
  return nullptr;
}

bool IdentitySettings::Before(std::string_view a, std::string_view b) const {
  const IdentityType* ta = Find(a);
  const IdentityType* tb = Find(b);
  int pa = ta ? ta->priority : 1 << 30;
  int pb = tb ? tb->priority : 1 << 30;
  if (pa != pb) return pa < pb;
  return a < b;
}

std::optional<std::string> IdentitySettings::Normalize(std::string_view type,
                                                       std::string_view raw) const {
  std::string_view trimmed = Trim(raw);
  if (trimmed.empty()) return std::nullopt;
  std::string lower = Lower(trimmed);
  if (std::find(blocked_.begin(), blocked_.end(), lower) != blocked_.end()) return std::nullopt;
  if (type == "email") {
    size_t at = lower.rfind('@');
    if (at == std::string::npos || at == 0 || at + 1 == lower.size()) return std::nullopt;
    return lower;
  }
  if (type == "phone") return NormalizePhone(trimmed, country_code_);
  return std::string(trimmed);
}

Result<IdentitySettings> MakeIdentitySettings(const IdentityConfig& config) {
  IdentitySettings settings;
  int next_priority = 4;
  for (const std::string& name : config.custom_types) {
    if (settings.Find(name)) {
      return Status::InvalidArgument(
          fmt::format("[identity] custom_types: \"{}\" is already a type", name));
    }
    RETURN_IF_ERROR(
        settings.SetType({name, next_priority++, 5}).WithContext("[identity] custom_types"));
  }
  auto change = [&](const std::map<std::string, int64_t>& values, const char* what,
                    auto apply) -> Status {
    for (const auto& [name, v] : values) {
      const IdentityType* t = settings.Find(name);
      if (!t) {
        return Status::InvalidArgument(fmt::format(
            "[identity.{}] {}: not an identifier type (add it to custom_types)", what, name));
      }
      if (v < 1 || v > 1'000'000) {
        return Status::InvalidArgument(
            fmt::format("[identity.{}] {}: must be 1 to 1000000, got {}", what, name, v));
      }
      IdentityType changed = *t;
      apply(&changed, static_cast<int>(v));
      RETURN_IF_ERROR(settings.SetType(std::move(changed)));
    }
    return Status::OK();
  };
  RETURN_IF_ERROR(change(config.limits, "limits", [](IdentityType* t, int v) { t->limit = v; }));
  RETURN_IF_ERROR(
      change(config.priorities, "priorities", [](IdentityType* t, int v) { t->priority = v; }));
  if (config.blocked_values) settings.SetBlockedValues(*config.blocked_values);
  RETURN_IF_ERROR(
      settings.SetPhoneCountryCode(config.phone_country_code).WithContext("[identity]"));
  return settings;
}

}  // namespace rapport
