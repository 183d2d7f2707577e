#include "common/config.h"

#include <charconv>
#include <map>
#include <set>
#include <type_traits>

#include <fmt/format.h>
#include <toml++/toml.h>

namespace rapport {
namespace {

Result<int64_t> ParseInt(std::string_view text, std::string_view what) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size()) {
    return Status::InvalidArgument(fmt::format("{}: \"{}\" is not an integer", what, text));
  }
  return v;
}

}  // namespace

Status Config::Validate() const {
  RETURN_IF_ERROR(ParseHostPort(http).status().WithContext("http"));
  if (data_dir.empty()) return Status::InvalidArgument("data: the data directory is empty");
  if (threads < 0 || threads > 256) return Status::InvalidArgument("threads: must be 0 to 256");
  if (background_nice < 0 || background_nice > 19) {
    return Status::InvalidArgument("background_nice: must be 0 to 19");
  }
  if (background_share < 5 || background_share > 100) {
    return Status::InvalidArgument("background_share: must be 5 to 100 (percent)");
  }
  if (partitions < 0 || partitions > 256) {
    return Status::InvalidArgument(
        "log partitions: must be 0 to 256 (0: as the log has, 1 if new)");
  }
  if (segment_mb < 1 || segment_mb > 4096) {
    return Status::InvalidArgument("log segment_mb: must be 1 to 4096");
  }
  if (retention_hours < 0) return Status::InvalidArgument("log retention_hours: must be >= 0");
  if (dedup_window_hours < 0) {
    return Status::InvalidArgument("collect dedup_window_hours: must be >= 0");
  }
  if (dedup_filter_mb < 16 || dedup_filter_mb > 65536) {
    return Status::InvalidArgument("collect dedup_filter_mb: must be 16 to 65536");
  }
  if (profiles_cache_mb < 0 || profiles_cache_mb > (int64_t{1} << 24)) {
    return Status::InvalidArgument("profiles cache_mb: must be 0 (automatic) to 16777216");
  }
  if (warehouse_cache_mb < 0 || warehouse_cache_mb > (int64_t{1} << 24)) {
    return Status::InvalidArgument("warehouse cache_mb: must be 0 (automatic) to 16777216");
  }
  static const std::set<std::string> kLevels = {"trace", "debug", "info", "warn", "error", "off"};
  if (!kLevels.count(log_level)) {
    return Status::InvalidArgument(fmt::format(
        "log_level: \"{}\" is not one of trace, debug, info, warn, error, off", log_level));
  }
  return Status::OK();
}

Result<HostPort> ParseHostPort(std::string_view text) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return Status::InvalidArgument(fmt::format("\"{}\" is not HOST:PORT", text));
  }
  std::string_view host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  auto port = ParseInt(text.substr(colon + 1), "port");
  if (!port.ok() || *port < 0 || *port > 65535) {
    return Status::InvalidArgument(fmt::format("\"{}\": the port must be 0 to 65535", text));
  }
  return HostPort{std::string(host), static_cast<uint16_t>(*port)};
}

Status ApplyConfigFile(const std::string& path, Config* config) {
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return Status::InvalidArgument(fmt::format("{}:{}:{}: {}", path, e.source().begin.line,
                                               e.source().begin.column, e.description()));
  }
  std::string error;
  // Reads [section] key into *out when it is there: a string, a bool or an integer type.
  auto setting = [&](std::string_view section, std::string_view key, auto* out) {
    using T = std::remove_pointer_t<decltype(out)>;
    auto node = root[section][key];
    if (!node) return;
    if constexpr (std::is_same_v<T, std::string>) {
      if (auto v = node.value<std::string>()) return void(*out = *v);
      error = fmt::format("{}: [{}] {} must be a string", path, section, key);
    } else if constexpr (std::is_same_v<T, bool>) {
      if (auto v = node.value_exact<bool>()) return void(*out = *v);
      error = fmt::format("{}: [{}] {} must be true or false", path, section, key);
    } else {
      if (auto v = node.value<int64_t>()) return void(*out = static_cast<T>(*v));
      error = fmt::format("{}: [{}] {} must be an integer", path, section, key);
    }
  };
  static const std::map<std::string, std::set<std::string>> kKnown = {
      {"server",
       {"http", "data", "threads", "background_nice", "background_share", "log_level", "console",
        "huge_pages"}},
      {"log", {"partitions", "segment_mb", "retention_hours"}},
      {"collect", {"dedup_window_hours", "dedup_filter_mb"}},
      {"profiles", {"cache_mb"}},
      {"warehouse", {"cache_mb"}},
      {"identity",
       {"custom_types", "blocked_values", "phone_country_code", "limits", "priorities"}}};
  for (const auto& [section, node] : root) {
    auto known = kKnown.find(std::string(section.str()));
    if (known == kKnown.end() || !node.is_table()) {
      return Status::InvalidArgument(fmt::format("{}: unknown section [{}]", path, section.str()));
    }
    for (const auto& [key, unused] : *node.as_table()) {
      if (!known->second.count(std::string(key.str()))) {
        return Status::InvalidArgument(
            fmt::format("{}: unknown setting \"{}\" in [{}]", path, key.str(), section.str()));
      }
    }
  }
  setting("server", "http", &config->http);
  setting("server", "data", &config->data_dir);
  setting("server", "log_level", &config->log_level);
  setting("server", "console", &config->console_dir);
  setting("server", "threads", &config->threads);
  setting("server", "background_nice", &config->background_nice);
  setting("server", "background_share", &config->background_share);
  setting("server", "huge_pages", &config->huge_pages);
  setting("log", "partitions", &config->partitions);
  setting("log", "segment_mb", &config->segment_mb);
  setting("log", "retention_hours", &config->retention_hours);
  setting("collect", "dedup_window_hours", &config->dedup_window_hours);
  setting("collect", "dedup_filter_mb", &config->dedup_filter_mb);
  setting("profiles", "cache_mb", &config->profiles_cache_mb);
  setting("warehouse", "cache_mb", &config->warehouse_cache_mb);
  setting("identity", "phone_country_code", &config->identity.phone_country_code);
  auto strings = [&](std::string_view key) -> std::optional<std::vector<std::string>> {
    auto node = root["identity"][key];
    if (!node) return std::nullopt;
    std::vector<std::string> out;
    const toml::array* array = node.as_array();
    for (size_t i = 0; array && i < array->size(); ++i) {
      if (auto v = (*array)[i].value<std::string>()) {
        out.push_back(*v);
      } else {
        array = nullptr;
      }
    }
    if (!array) error = fmt::format("{}: [identity] {} must be an array of strings", path, key);
    return out;
  };
  auto integers = [&](std::string_view key, std::map<std::string, int64_t>* out) {
    auto node = root["identity"][key];
    if (!node) return;
    if (!node.is_table()) {
      error = fmt::format("{}: [identity.{}] must be a table of TYPE = integer", path, key);
      return;
    }
    for (const auto& [type, value] : *node.as_table()) {
      if (auto v = value.value<int64_t>()) {
        (*out)[std::string(type.str())] = *v;
      } else {
        error = fmt::format("{}: [identity.{}] {} must be an integer", path, key, type.str());
      }
    }
  };
  if (auto types = strings("custom_types")) config->identity.custom_types = std::move(*types);
  if (auto blocked = strings("blocked_values"))
    config->identity.blocked_values = std::move(blocked);
  integers("limits", &config->identity.limits);
  integers("priorities", &config->identity.priorities);
  if (!error.empty()) return Status::InvalidArgument(error);
  return Status::OK();
}

Status ApplyEnvironment(const std::function<const char*(const char*)>& getenv, Config* config) {
  auto text = [&](const char* name, std::string* out) {
    if (const char* v = getenv(name)) *out = v;
  };
  Status status;
  auto integer = [&](const char* name, auto* out) {
    const char* v = getenv(name);
    if (!v || !status.ok()) return;
    auto parsed = ParseInt(v, name);
    if (!parsed.ok())
      status = parsed.status();
    else
      *out = static_cast<std::remove_pointer_t<decltype(out)>>(*parsed);
  };
  text("RAPPORT_HTTP", &config->http);
  text("RAPPORT_DATA", &config->data_dir);
  text("RAPPORT_LOG_LEVEL", &config->log_level);
  text("RAPPORT_CONSOLE", &config->console_dir);
  integer("RAPPORT_THREADS", &config->threads);
  integer("RAPPORT_BACKGROUND_NICE", &config->background_nice);
  integer("RAPPORT_BACKGROUND_SHARE", &config->background_share);
  integer("RAPPORT_LOG_PARTITIONS", &config->partitions);
  integer("RAPPORT_LOG_SEGMENT_MB", &config->segment_mb);
  integer("RAPPORT_LOG_RETENTION_HOURS", &config->retention_hours);
  integer("RAPPORT_DEDUP_WINDOW_HOURS", &config->dedup_window_hours);
  integer("RAPPORT_DEDUP_FILTER_MB", &config->dedup_filter_mb);
  integer("RAPPORT_PROFILES_CACHE_MB", &config->profiles_cache_mb);
  integer("RAPPORT_WAREHOUSE_CACHE_MB", &config->warehouse_cache_mb);
  if (const char* v = getenv("RAPPORT_HUGE_PAGES"); v && status.ok()) {
    const std::string_view text(v);
    if (text == "1" || text == "true" || text == "on") {
      config->huge_pages = true;
    } else if (text == "0" || text == "false" || text == "off") {
      config->huge_pages = false;
    } else {
      status = Status::InvalidArgument(
          fmt::format("RAPPORT_HUGE_PAGES: \"{}\" is not one of 1, 0, true, false, on, off", text));
    }
  }
  return status;
}

}  // namespace rapport
