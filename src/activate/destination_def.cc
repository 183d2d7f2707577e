#include "activate/destination_def.h"

#include <simdjson.h>

#include <array>
#include <cctype>

#include <fmt/format.h>

#include "activate/template.h"
#include "common/json_describe.h"
#include "common/json_writer.h"

namespace rapport {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

constexpr std::array<std::string_view, 14> kFields = {"name",
                                                      "type",
                                                      "url",
                                                      "method",
                                                      "headers",
                                                      "template",
                                                      "secret",
                                                      "purpose",
                                                      "rate_limit_per_second",
                                                      "concurrency",
                                                      "timeout_ms",
                                                      "max_attempts",
                                                      "backoff_initial_ms",
                                                      "backoff_max_ms"};
constexpr std::string_view kFieldList =
    "name, type, url, method, headers, template, secret, purpose, rate_limit_per_second, "
    "concurrency, timeout_ms, max_attempts, backoff_initial_ms, backoff_max_ms";

// Headers Rapport sets itself (compared lower-case); "x-rapport-" is reserved as a prefix.
constexpr std::array<std::string_view, 7> kReservedHeaders = {
    "host",       "content-type",    "content-length", "transfer-encoding",
    "connection", "idempotency-key", "upgrade"};

// `s` cut to at most `max` bytes without splitting a UTF-8 sequence.
std::string_view Cut(std::string_view s, size_t max) {
  if (s.size() <= max) return s;
  size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n);
}

bool IsTokenChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

class DefParser {
 public:
  Result<DestinationDef> Parse(element root) {
    simdjson::dom::object obj;
    if (root.get_object().get(obj) != simdjson::SUCCESS) {
      return Fail("the definition must be a JSON object, got " + DescribeJson(root));
    }
    element name;
    if (obj.at_key("name").get(name) != simdjson::SUCCESS) return Fail("\"name\" is required");
    std::string_view name_text;
    if (name.get_string().get(name_text) != simdjson::SUCCESS || !ValidDestinationName(name_text)) {
      return Fail(
          "\"name\" must be 1 to 64 characters of a-z, 0-9 and _, starting with a letter, got " +
          DescribeJson(name));
    }
    def_.name = std::string(name_text);
    prefix_ = "destination " + JsonString(def_.name) + ": ";

    std::array<bool, kFields.size()> seen{};
    for (simdjson::dom::key_value_pair kv : obj) {
      size_t field = 0;
      while (field < kFields.size() && kFields[field] != kv.key) ++field;
      if (field == kFields.size()) {
        return Fail("unknown field " + JsonString(Cut(kv.key, 64)) +
                    " (fields: " + std::string(kFieldList) + ")");
      }
      if (seen[field]) return Fail("field \"" + std::string(kv.key) + "\" appears twice");
      seen[field] = true;
      RETURN_IF_ERROR(Field(field, kv.value));
    }
    if (!seen[2]) return Fail("\"url\" is required (an http:// or https:// URL)");
    if (def_.backoff_max_ms < def_.backoff_initial_ms) {
      return Fail(
          fmt::format("\"backoff_max_ms\" ({}) must not be less than "
                      "\"backoff_initial_ms\" ({})",
                      def_.backoff_max_ms, def_.backoff_initial_ms));
    }
    return std::move(def_);
  }

  Status Fail(std::string message) const {
    return Status::InvalidArgument((prefix_.empty() ? "destination: " : prefix_) + message);
  }

 private:
  Status Field(size_t field, element v) {
    switch (field) {
      case 0:
        return Status::OK();  // read first
      case 1: {
        std::string_view s;
        if (v.get_string().get(s) != simdjson::SUCCESS || s != "webhook") {
          return Fail("\"type\" must be \"webhook\" (the only type so far), got " +
                      DescribeJson(v));
        }
        return Status::OK();
      }
      case 2:
        return Url(v);
      case 3: {
        std::string_view s;
        if (v.get_string().get(s) == simdjson::SUCCESS && (s == "POST" || s == "PUT")) {
          def_.method = s == "POST" ? WebhookMethod::kPost : WebhookMethod::kPut;
          return Status::OK();
        }
        return Fail("\"method\" must be \"POST\" or \"PUT\", got " + DescribeJson(v));
      }
      case 4:
        return Headers(v);
      case 5:
        return TemplateText(v);
      case 6:
        return Secret(v);
      case 7:
        return Purpose(v);
      case 8:
        return Int(v, "rate_limit_per_second", 1, 100000, &def_.rate_limit_per_second);
      case 9:
        return Int(v, "concurrency", 1, 256, &def_.concurrency);
      case 10:
        return Int(v, "timeout_ms", 100, 120000, &def_.timeout_ms);
      case 11:
        return Int(v, "max_attempts", 1, 100, &def_.max_attempts);
      case 12:
        return Int(v, "backoff_initial_ms", 1, 3600000, &def_.backoff_initial_ms);
      default:
        return Int(v, "backoff_max_ms", 1, 86400000, &def_.backoff_max_ms);
    }
  }

  template <typename T>
  Status Int(element v, std::string_view field, int64_t lo, int64_t hi, T* out) {
    int64_t n = 0;
    if (v.type() != element_type::INT64 || v.get_int64().get(n) != simdjson::SUCCESS || n < lo ||
        n > hi) {
      return Fail(fmt::format("\"{}\" must be an integer from {} to {}, got {}", field, lo, hi,
                              DescribeJson(v)));
    }
    *out = static_cast<T>(n);
    return Status::OK();
  }

  Status Url(element v) {
    std::string_view s;
    if (v.get_string().get(s) != simdjson::SUCCESS) {
      return Fail("\"url\" must be an http:// or https:// URL, got " + DescribeJson(v));
    }
    auto url = ParseWebhookUrl(s);
    if (!url.ok()) return Fail("\"url\": " + url.status().message());
    def_.url = std::string(s);
    return Status::OK();
  }

  Status Headers(element v) {
    simdjson::dom::object obj;
    if (v.get_object().get(obj) != simdjson::SUCCESS) {
      return Fail("\"headers\" must be an object of header names to string values, got " +
                  DescribeJson(v));
    }
    for (simdjson::dom::key_value_pair kv : obj) {
      const std::string field = "\"headers\": " + JsonString(Cut(kv.key, 64));
      if (def_.headers.size() == kMaxExtraHeaders) {
        return Fail(fmt::format("\"headers\" has more than {} headers", kMaxExtraHeaders));
      }
      bool token = !kv.key.empty() && kv.key.size() <= kMaxHeaderNameBytes;
      for (char c : kv.key) token = token && IsTokenChar(c);
      if (!token) {
        return Fail(field + fmt::format(" is not a header name (1 to {} letters, digits or "
                                        "!#$%&'*+-.^_`|~)",
                                        kMaxHeaderNameBytes));
      }
      const std::string lower = Lower(kv.key);
      for (std::string_view r : kReservedHeaders) {
        if (lower == r) return Fail(field + " is set by Rapport and cannot be given");
      }
      if (lower.starts_with("x-rapport-")) {
        return Fail(field + " is reserved (X-Rapport-* headers are set by Rapport)");
      }
      for (const auto& [name, value] : def_.headers) {
        if (Lower(name) == lower) return Fail(field + " appears twice");
      }
      std::string_view value;
      bool printable = kv.value.get_string().get(value) == simdjson::SUCCESS &&
                       value.size() <= kMaxHeaderValueBytes;
      for (char c : value) printable = printable && ((c >= 0x20 && c < 0x7f) || c == '\t');
      if (!printable) {
        return Fail(field + fmt::format(" must be a string of at most {} printable ASCII "
                                        "characters, got {}",
                                        kMaxHeaderValueBytes, DescribeJson(kv.value)));
      }
      def_.headers.emplace_back(std::string(kv.key), std::string(value));
    }
    return Status::OK();
  }

  Status TemplateText(element v) {
    std::string_view s;
    if (v.get_string().get(s) != simdjson::SUCCESS) {
      return Fail("\"template\" must be a string (the request body with {{path}} tags), got " +
                  DescribeJson(v));
    }
    if (s.empty()) {
      return Fail("\"template\" must not be empty (leave it out to send the context as the body)");
    }
    auto t = Template::Parse(s);
    if (!t.ok()) return Fail("\"template\": " + t.status().message());
    def_.template_text = std::string(s);
    return Status::OK();
  }

  Status Secret(element v) {
    std::string_view s;
    bool ok = v.get_string().get(s) == simdjson::SUCCESS && s.size() >= kMinSecretBytes &&
              s.size() <= kMaxSecretBytes;
    for (char c : s) ok = ok && c > 0x20 && c < 0x7f;
    if (!ok) {
      return Fail(fmt::format(
          "\"secret\" must be {} to {} printable ASCII characters without "
          "spaces (leave it out to have one generated), got {}",
          kMinSecretBytes, kMaxSecretBytes,
          v.type() == element_type::STRING ? "a string of " + std::to_string(s.size()) + " bytes"
                                           : DescribeJson(v)));
    }
    def_.secret = std::string(s);
    return Status::OK();
  }

  Status Purpose(element v) {
    std::string_view s;
    bool ok =
        v.get_string().get(s) == simdjson::SUCCESS && !s.empty() && s.size() <= kMaxPurposeBytes;
    for (char c : s) {
      ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == ' ' || c == '_' || c == '-');
    }
    if (!ok) {
      return Fail(
          fmt::format("\"purpose\" must be a consent category of 1 to {} letters, digits, "
                      "spaces, _ or - (such as \"Advertising\"), got {}",
                      kMaxPurposeBytes, DescribeJson(v)));
    }
    def_.purpose = std::string(s);
    return Status::OK();
  }

  DestinationDef def_;
  std::string prefix_;
};

bool ValidHostName(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  for (char c : host) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.' && c != '_') {
      return false;
    }
  }
  return true;
}

}  // namespace

bool ValidDestinationName(std::string_view name) {
  if (name.empty() || name.size() > kMaxDestinationNameChars) return false;
  if (name[0] < 'a' || name[0] > 'z') return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

std::string_view WebhookMethodName(WebhookMethod m) {
  return m == WebhookMethod::kPut ? "PUT" : "POST";
}

Result<WebhookUrl> ParseWebhookUrl(std::string_view url) {
  auto fail = [](std::string_view why) { return Status::InvalidArgument(std::string(why)); };
  if (url.size() > kMaxUrlBytes) {
    return fail(fmt::format("a URL is at most {} bytes", kMaxUrlBytes));
  }
  for (char c : url) {
    if (c <= 0x20 || c >= 0x7f) {
      return fail(
          "a URL has only printable ASCII characters and no spaces (percent-encode "
          "the rest)");
    }
  }
  WebhookUrl out;
  std::string lower = Lower(url.substr(0, 8));
  if (lower.starts_with("http://")) {
    url.remove_prefix(7);
  } else if (lower.starts_with("https://")) {
    out.tls = true;
    url.remove_prefix(8);
  } else {
    return fail("must start with http:// or https://");
  }
  const size_t end = url.find_first_of("/?#");
  std::string_view authority = url.substr(0, end);
  std::string_view rest = end == std::string_view::npos ? "" : url.substr(end);
  if (rest.find('#') != std::string_view::npos) {
    return fail("a webhook URL has no #fragment");
  }
  if (authority.find('@') != std::string_view::npos) {
    return fail("no user:password@ in the URL: send credentials in \"headers\"");
  }
  std::string_view port_text;
  if (authority.starts_with("[")) {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return fail("an IPv6 address needs a closing ]");
    out.host = std::string(authority.substr(1, close - 1));
    bool ok = !out.host.empty();
    for (char c : out.host)
      ok = ok && (std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.');
    if (!ok) return fail("not an IPv6 address in [ ]");
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return fail("expected :PORT after the IPv6 address");
      port_text = after.substr(1);
      if (port_text.empty()) return fail("the port after : is empty");
    }
  } else {
    const size_t colon = authority.rfind(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return fail("the port after : is empty");
    }
    if (!ValidHostName(out.host)) return fail("the host must be a name or an IP address");
  }
  out.port = out.tls ? 443 : 80;
  if (!port_text.empty()) {
    uint32_t port = 0;
    for (char c : port_text) {
      if (c < '0' || c > '9' || port > 65535) return fail("the port must be 1 to 65535");
      port = port * 10 + static_cast<uint32_t>(c - '0');
    }
    if (port == 0 || port > 65535) return fail("the port must be 1 to 65535");
    out.port = static_cast<uint16_t>(port);
  }
  out.target = rest.empty() ? "/" : (rest[0] == '?' ? "/" + std::string(rest) : std::string(rest));
  out.host_header = std::string(authority);
  return out;
}

Result<DestinationDef> ParseDestinationDef(std::string_view json) {
  if (json.size() > kMaxDestinationDefBytes) {
    return Status::TooLarge(
        fmt::format("destination: a definition is at most {} bytes", kMaxDestinationDefBytes));
  }
  thread_local simdjson::dom::parser parser;
  element root;
  if (auto err = parser.parse(json.data(), json.size(), true).get(root)) {
    return Status::InvalidArgument(
        fmt::format("destination: the body is not valid JSON ({})", simdjson::error_message(err)));
  }
  DefParser p;
  return p.Parse(root);
}

std::string ToJson(const DestinationDef& d, bool with_secret) {
  std::string out = "{\"name\":";
  AppendJsonString(&out, d.name);
  out += ",\"type\":\"webhook\",\"url\":";
  AppendJsonString(&out, d.url);
  out += ",\"method\":\"";
  out += WebhookMethodName(d.method);
  out += "\",\"headers\":{";
  for (size_t i = 0; i < d.headers.size(); ++i) {
    if (i) out += ',';
    AppendJsonString(&out, d.headers[i].first);
    out += ':';
    AppendJsonString(&out, d.headers[i].second);
  }
  out += '}';
  if (!d.template_text.empty()) {
    out += ",\"template\":";
    AppendJsonString(&out, d.template_text);
  }
  if (!d.purpose.empty()) {
    out += ",\"purpose\":";
    AppendJsonString(&out, d.purpose);
  }
  out += fmt::format(
      ",\"rate_limit_per_second\":{},\"concurrency\":{},\"timeout_ms\":{},\"max_attempts\":{},"
      "\"backoff_initial_ms\":{},\"backoff_max_ms\":{}",
      d.rate_limit_per_second, d.concurrency, d.timeout_ms, d.max_attempts, d.backoff_initial_ms,
      d.backoff_max_ms);
  if (with_secret && !d.secret.empty()) {
    out += ",\"secret\":";
    AppendJsonString(&out, d.secret);
  }
  out += '}';
  return out;
}

}  // namespace rapport
