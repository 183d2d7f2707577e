#include "import/mapping.h"

#include <charconv>
#include <cmath>
#include <initializer_list>
#include <utility>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "common/json_writer.h"
#include "import/time_parse.h"

namespace rapport {
namespace {

constexpr int kMaxDepth = 8;

// The standard identifier types, in the order they take precedence.
constexpr std::string_view kStandardIds[] = {"user_id", "anonymous_id", "email", "phone"};

std::string Join(std::initializer_list<std::string_view> items) {
  std::string out;
  for (auto s : items) {
    if (!out.empty()) out += ", ";
    out += s;
  }
  return out;
}

class MappingParser {
 public:
  explicit MappingParser(std::string origin) : origin_(std::move(origin)) {}

  Result<Mapping> Parse(const toml::table& root);

 private:
  enum class Use { kValue, kTimestamp, kIdentifier, kColumnOnly };

  Status Err(const toml::node* node, std::string_view msg) const {
    const int line = node ? static_cast<int>(node->source().begin.line) : 0;
    if (line > 0) return Status::InvalidArgument(fmt::format("{}:{}: {}", origin_, line, msg));
    return Status::InvalidArgument(fmt::format("{}: {}", origin_, msg));
  }
  Status CheckKeys(const toml::table& t, std::string_view where,
                   std::initializer_list<std::string_view> known) const {
    for (const auto& [key, node] : t) {
      bool ok = false;
      for (auto k : known) ok = ok || key.str() == k;
      if (!ok) {
        return Err(&node, fmt::format("unknown key \"{}\" in {} (known: {})", key.str(), where,
                                      Join(known)));
      }
    }
    return Status::OK();
  }
  Result<std::string> String(const toml::node& node, std::string_view where) const {
    if (const auto* s = node.as_string()) return s->get();
    return Err(&node, fmt::format("{} must be a string", where));
  }
  Result<std::string> ScalarJson(const toml::node& node, std::string_view where) const;
  Result<TimeFormat> ParseTimeFormat(const toml::table& t, std::string_view where) const;
  Result<FieldSpec> ParseField(const toml::node& node, std::string_view where, Use use) const;
  Status ParseFields(const toml::table& t, const std::string& where, int depth,
                     std::vector<FieldNode>* out) const;
  Status ParseEvent(const toml::table& t, Mapping* m) const;
  Status ParseCsv(const toml::table& t, Mapping* m) const;
  Status ParseIdentifiers(const toml::table& t, Mapping* m) const;
  Status CheckMapping(const toml::table& root, const Mapping& m) const;

  std::string origin_;
};

Result<std::string> MappingParser::ScalarJson(const toml::node& node,
                                              std::string_view where) const {
  if (const auto* s = node.as_string()) return JsonString(s->get());
  if (const auto* i = node.as_integer()) return std::to_string(i->get());
  if (const auto* b = node.as_boolean()) return std::string(b->get() ? "true" : "false");
  if (const auto* f = node.as_floating_point()) {
    const double v = f->get();
    if (!std::isfinite(v)) return Err(&node, fmt::format("{} must be a finite number", where));
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
    return std::string(buf, end);
  }
  return Err(&node, fmt::format("{} must be a string, a number or a boolean", where));
}

Result<TimeFormat> MappingParser::ParseTimeFormat(const toml::table& t,
                                                  std::string_view where) const {
  TimeFormat tf;
  if (const toml::node* f = t.get("format")) {
    ASSIGN_OR_RETURN(std::string text, String(*f, fmt::format("{} format", where)));
    if (text == "iso8601") {
      tf.kind = TimeFormat::Kind::kIso8601;
    } else if (text == "unix") {
      tf.kind = TimeFormat::Kind::kUnix;
    } else if (text == "unix_ms") {
      tf.kind = TimeFormat::Kind::kUnixMs;
    } else if (text.find('%') != std::string::npos) {
      if (Status s = ValidateTimePattern(text); !s.ok()) {
        return Err(f, fmt::format("{}: {}", where, s.message()));
      }
      tf.kind = TimeFormat::Kind::kPattern;
      tf.pattern = std::move(text);
    } else {
      return Err(f, fmt::format("{} format \"{}\" is not iso8601, unix, unix_ms or a "
                                "strftime-like pattern such as \"%d/%m/%Y %H:%M\"",
                                where, text));
    }
  }
  if (const toml::node* o = t.get("utc_offset")) {
    ASSIGN_OR_RETURN(std::string text, String(*o, fmt::format("{} utc_offset", where)));
    auto offset = ParseUtcOffset(text);
    if (!offset.ok()) return Err(o, fmt::format("{}: {}", where, offset.status().message()));
    tf.utc_offset_us = *offset;
  }
  return tf;
}

Result<FieldSpec> MappingParser::ParseField(const toml::node& node, std::string_view where,
                                            Use use) const {
  FieldSpec spec;
  spec.line = static_cast<int>(node.source().begin.line);
  if (use == Use::kTimestamp) {
    spec.type = ValueType::kTimestamp;
    spec.required = true;
  }
  if (const auto* s = node.as_string()) {
    spec.column = s->get();
    if (spec.column.empty()) return Err(&node, fmt::format("{}: the column name is empty", where));
    return spec;
  }
  const toml::table* t = node.as_table();
  if (t == nullptr) {
    return Err(&node, fmt::format("{} must be a column name (a string) or a table like "
                                  "{{ column = \"...\", type = \"number\" }}",
                                  where));
  }
  switch (use) {
    case Use::kValue:
      RETURN_IF_ERROR(CheckKeys(
          *t, where, {"column", "value", "type", "format", "utc_offset", "required", "default"}));
      break;
    case Use::kTimestamp:
      RETURN_IF_ERROR(CheckKeys(*t, where, {"column", "format", "utc_offset", "required"}));
      break;
    case Use::kIdentifier:
      RETURN_IF_ERROR(CheckKeys(*t, where, {"column", "required"}));
      break;
    case Use::kColumnOnly:
      RETURN_IF_ERROR(CheckKeys(*t, where, {"column", "required", "default"}));
      break;
  }
  const toml::node* column = t->get("column");
  const toml::node* value = t->get("value");
  if ((column == nullptr) == (value == nullptr)) {
    return Err(&node, fmt::format("{} needs either column = \"...\" or value = ...", where));
  }
  if (column) {
    ASSIGN_OR_RETURN(spec.column, String(*column, fmt::format("{} column", where)));
    if (spec.column.empty()) return Err(column, fmt::format("{}: the column name is empty", where));
  } else {
    if (t->get("type") || t->get("default") || t->get("required")) {
      return Err(&node, fmt::format("{}: a constant (value = ...) takes no type, default or "
                                    "required; its TOML type is its type",
                                    where));
    }
    ASSIGN_OR_RETURN(spec.constant, ScalarJson(*value, fmt::format("{} value", where)));
  }
  if (const toml::node* type = t->get("type")) {
    ASSIGN_OR_RETURN(std::string name, String(*type, fmt::format("{} type", where)));
    static constexpr ValueType kTypes[] = {ValueType::kString,  ValueType::kNumber,
                                           ValueType::kInteger, ValueType::kBoolean,
                                           ValueType::kJson,    ValueType::kTimestamp};
    bool found = false;
    for (ValueType vt : kTypes) {
      if (name == ValueTypeName(vt)) {
        spec.type = vt;
        found = true;
      }
    }
    if (!found) {
      return Err(type, fmt::format("{} type \"{}\" is not one of string, number, integer, "
                                   "boolean, json, timestamp",
                                   where, name));
    }
  }
  if ((t->get("format") || t->get("utc_offset")) && spec.type != ValueType::kTimestamp) {
    return Err(&node, fmt::format("{}: format and utc_offset go with type = \"timestamp\"", where));
  }
  if (spec.type == ValueType::kTimestamp) {
    ASSIGN_OR_RETURN(spec.time, ParseTimeFormat(*t, where));
  }
  if (const toml::node* r = t->get("required")) {
    const auto* b = r->as_boolean();
    if (b == nullptr) return Err(r, fmt::format("{} required must be true or false", where));
    spec.required = b->get();
  }
  if (const toml::node* d = t->get("default")) {
    ASSIGN_OR_RETURN(spec.fallback, ScalarJson(*d, fmt::format("{} default", where)));
  }
  return spec;
}

Status MappingParser::ParseFields(const toml::table& t, const std::string& where, int depth,
                                  std::vector<FieldNode>* out) const {
  if (depth > kMaxDepth) return Err(&t, fmt::format("{}: nested too deeply", where));
  for (const auto& [key, node] : t) {
    FieldNode field;
    field.key = std::string(key.str());
    const std::string name = where + " " + field.key;
    if (field.key.empty()) return Err(&node, fmt::format("{}: a key is empty", where));
    // An inline table ({ column = ..., type = ... }) or a table with column or value is one
    // field; any other table ([traits.address], address.city = ...) is a nested object.
    const toml::table* sub = node.as_table();
    if (sub && !sub->is_inline() && !sub->contains("column") && !sub->contains("value")) {
      if (sub->empty()) return Err(&node, fmt::format("{} is an empty table", name));
      field.is_object = true;
      RETURN_IF_ERROR(ParseFields(*sub, where + " " + field.key + ".", depth + 1, &field.children));
    } else {
      ASSIGN_OR_RETURN(field.spec, ParseField(node, name, Use::kValue));
    }
    out->push_back(std::move(field));
  }
  return Status::OK();
}

Status MappingParser::ParseCsv(const toml::table& t, Mapping* m) const {
  RETURN_IF_ERROR(CheckKeys(t, "[csv]", {"delimiter", "header", "columns"}));
  if (const toml::node* d = t.get("delimiter")) {
    ASSIGN_OR_RETURN(std::string text, String(*d, "[csv] delimiter"));
    if (text.size() != 1 || text == "\"" || text == "\n" || text == "\r") {
      return Err(d,
                 "[csv] delimiter must be one character (like \",\", \";\", \"\\t\" or "
                 "\"|\"), not a quote or a line break");
    }
    m->delimiter = text[0];
  }
  if (const toml::node* h = t.get("header")) {
    const auto* b = h->as_boolean();
    if (b == nullptr) return Err(h, "[csv] header must be true or false");
    m->header = b->get();
  }
  if (const toml::node* c = t.get("columns")) {
    const auto* a = c->as_array();
    if (a == nullptr) return Err(c, "[csv] columns must be an array of column names");
    for (const auto& item : *a) {
      ASSIGN_OR_RETURN(std::string name, String(item, "[csv] columns items"));
      m->columns.push_back(std::move(name));
    }
  }
  if (!m->header && m->columns.empty()) {
    return Err(&t, "[csv] header = false needs columns = [\"...\", ...]: the column names");
  }
  if (m->header && !m->columns.empty()) {
    return Err(&t,
               "[csv] columns names the columns of a file without a header row; "
               "set header = false too");
  }
  return Status::OK();
}

Status MappingParser::ParseEvent(const toml::table& t, Mapping* m) const {
  RETURN_IF_ERROR(CheckKeys(t, "[event]",
                            {"type", "name", "name_column", "timestamp", "message_id", "group_id",
                             "derive_anonymous_id"}));
  const toml::node* type = t.get("type");
  if (type == nullptr) return Err(&t, "[event] needs type = \"identify\", \"track\" or \"group\"");
  Result<std::string> type_text = String(*type, "[event] type");
  if (!type_text.ok()) return type_text.status();
  const std::string& type_name = *type_text;
  if (type_name == "identify") {
    m->type = ImportEventType::kIdentify;
  } else if (type_name == "track") {
    m->type = ImportEventType::kTrack;
  } else if (type_name == "group") {
    m->type = ImportEventType::kGroup;
  } else {
    return Err(type, fmt::format("[event] type \"{}\" is not identify, track or group", type_name));
  }
  const toml::node* name = t.get("name");
  const toml::node* name_column = t.get("name_column");
  if (m->type == ImportEventType::kTrack) {
    if ((name == nullptr) == (name_column == nullptr)) {
      return Err(&t,
                 "a track event needs its name: either name = \"Order Completed\" or "
                 "name_column = \"...\" in [event]");
    }
    if (name) {
      ASSIGN_OR_RETURN(m->event_name, String(*name, "[event] name"));
      if (m->event_name.empty()) return Err(name, "[event] name is empty");
    } else {
      ASSIGN_OR_RETURN(m->event_name_column,
                       ParseField(*name_column, "[event] name_column", Use::kColumnOnly));
    }
  } else if (name || name_column) {
    return Err(name ? name : name_column,
               fmt::format("an {} event has no name; name and name_column are for track events",
                           type_name));
  }
  if (const toml::node* ts = t.get("timestamp")) {
    ASSIGN_OR_RETURN(m->timestamp, ParseField(*ts, "[event] timestamp", Use::kTimestamp));
  }
  if (const toml::node* id = t.get("message_id")) {
    if (const toml::table* mt = id->as_table()) {
      RETURN_IF_ERROR(CheckKeys(*mt, "[event] message_id", {"column", "prefix"}));
      const toml::node* column = mt->get("column");
      if (column == nullptr) return Err(id, "[event] message_id needs column = \"...\"");
      ASSIGN_OR_RETURN(m->message_id, ParseField(*column, "[event] message_id", Use::kColumnOnly));
      if (const toml::node* prefix = mt->get("prefix")) {
        ASSIGN_OR_RETURN(m->message_id_prefix, String(*prefix, "[event] message_id prefix"));
      }
    } else {
      ASSIGN_OR_RETURN(m->message_id, ParseField(*id, "[event] message_id", Use::kColumnOnly));
    }
    m->message_id->required = true;
  }
  const toml::node* group = t.get("group_id");
  if (m->type == ImportEventType::kGroup) {
    if (group == nullptr) return Err(&t, "a group event needs group_id = \"...\" in [event]");
    ASSIGN_OR_RETURN(m->group_id, ParseField(*group, "[event] group_id", Use::kValue));
    m->group_id->required = true;
  } else if (group) {
    return Err(group, "group_id is for group events");
  }
  if (const toml::node* d = t.get("derive_anonymous_id")) {
    const auto* b = d->as_boolean();
    if (b == nullptr) return Err(d, "[event] derive_anonymous_id must be true or false");
    m->derive_anonymous_id = b->get();
  }
  return Status::OK();
}

Status MappingParser::ParseIdentifiers(const toml::table& t, Mapping* m) const {
  std::vector<IdentifierSpec> standard, others;
  for (const auto& [key, node] : t) {
    IdentifierSpec id;
    id.type = std::string(key.str());
    const bool valid_name =
        !id.type.empty() && id.type.size() <= 64 &&
        id.type.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") == std::string::npos;
    if (!valid_name) {
      return Err(&node, fmt::format("[identifiers] \"{}\": an identifier type is 1-64 "
                                    "characters of a-z, 0-9 and _",
                                    id.type));
    }
    ASSIGN_OR_RETURN(id.field, ParseField(node, "[identifiers] " + id.type, Use::kIdentifier));
    bool is_standard = false;
    for (auto s : kStandardIds) is_standard = is_standard || id.type == s;
    (is_standard ? standard : others).push_back(std::move(id));
  }
  for (auto s : kStandardIds) {
    for (auto& id : standard) {
      if (id.type == s) m->identifiers.push_back(std::move(id));
    }
  }
  for (auto& id : others) m->identifiers.push_back(std::move(id));
  return Status::OK();
}

Status MappingParser::CheckMapping(const toml::table& root, const Mapping& m) const {
  if (m.identifiers.empty()) {
    return Err(&root,
               "[identifiers] is missing or empty: map at least one column that "
               "identifies the person (user_id, email, phone, or an id like crm_id)");
  }
  if (m.type != ImportEventType::kTrack && !m.properties.empty()) {
    return Err(root.get("properties"),
               fmt::format("[properties] is for track events; an {} event carries [traits]",
                           ImportEventTypeName(m.type)));
  }
  if (m.format == InputFormat::kJsonl && (m.delimiter || !m.header || !m.columns.empty())) {
    return Err(root.get("csv"), "[csv] settings given but format = \"jsonl\"");
  }
  // email and phone from [identifiers] are traits too: the same key twice would be ambiguous.
  for (const auto& id : m.identifiers) {
    if (id.type != "email" && id.type != "phone") continue;
    for (const auto& trait : m.traits) {
      if (trait.key == id.type) {
        return Err(root.get("traits"),
                   fmt::format("[traits] {} is already set by [identifiers] {}; map it once",
                               id.type, id.type));
      }
    }
  }
  return Status::OK();
}

Result<Mapping> MappingParser::Parse(const toml::table& root) {
  Mapping m;
  m.origin = origin_;
  RETURN_IF_ERROR(CheckKeys(
      root, "the mapping",
      {"format", "max_record_bytes", "csv", "event", "identifiers", "traits", "properties"}));
  if (const toml::node* f = root.get("format")) {
    ASSIGN_OR_RETURN(std::string name, String(*f, "format"));
    if (name == "csv") {
      m.format = InputFormat::kCsv;
    } else if (name == "jsonl") {
      m.format = InputFormat::kJsonl;
    } else {
      return Err(f, fmt::format("format \"{}\" is not csv or jsonl", name));
    }
  }
  if (const toml::node* n = root.get("max_record_bytes")) {
    const auto* i = n->as_integer();
    if (i == nullptr || i->get() < 1024 || i->get() > (64 << 20)) {
      return Err(n, "max_record_bytes must be an integer from 1024 to 67108864 (64 MiB)");
    }
    m.max_record_bytes = static_cast<size_t>(i->get());
  }
  auto section = [&](std::string_view name) -> Result<const toml::table*> {
    const toml::node* node = root.get(name);
    if (node == nullptr) return static_cast<const toml::table*>(nullptr);
    if (!node->is_table()) return Err(node, fmt::format("{} must be a table: [{}]", name, name));
    return node->as_table();
  };
  ASSIGN_OR_RETURN(const toml::table* csv, section("csv"));
  if (csv) RETURN_IF_ERROR(ParseCsv(*csv, &m));
  ASSIGN_OR_RETURN(const toml::table* event, section("event"));
  if (event == nullptr) {
    return Err(&root,
               "[event] is missing: it says which event each row becomes (type = "
               "\"identify\", \"track\" or \"group\")");
  }
  RETURN_IF_ERROR(ParseEvent(*event, &m));
  ASSIGN_OR_RETURN(const toml::table* ids, section("identifiers"));
  if (ids) RETURN_IF_ERROR(ParseIdentifiers(*ids, &m));
  ASSIGN_OR_RETURN(const toml::table* traits, section("traits"));
  if (traits) RETURN_IF_ERROR(ParseFields(*traits, "[traits]", 0, &m.traits));
  ASSIGN_OR_RETURN(const toml::table* props, section("properties"));
  if (props) RETURN_IF_ERROR(ParseFields(*props, "[properties]", 0, &m.properties));
  RETURN_IF_ERROR(CheckMapping(root, m));
  return m;
}

std::string_view Extension(std::string_view file_name) {
  const size_t slash = file_name.find_last_of('/');
  if (slash != std::string_view::npos) file_name.remove_prefix(slash + 1);
  const size_t dot = file_name.find_last_of('.');
  return dot == std::string_view::npos ? std::string_view() : file_name.substr(dot);
}

}  // namespace

std::string_view InputFormatName(InputFormat f) { return f == InputFormat::kCsv ? "csv" : "jsonl"; }

std::string_view ImportEventTypeName(ImportEventType t) {
  switch (t) {
    case ImportEventType::kIdentify:
      return "identify";
    case ImportEventType::kTrack:
      return "track";
    case ImportEventType::kGroup:
      return "group";
  }
  return "?";
}

std::string_view ValueTypeName(ValueType t) {
  switch (t) {
    case ValueType::kDefault:
      return "default";
    case ValueType::kString:
      return "string";
    case ValueType::kNumber:
      return "number";
    case ValueType::kInteger:
      return "integer";
    case ValueType::kBoolean:
      return "boolean";
    case ValueType::kJson:
      return "json";
    case ValueType::kTimestamp:
      return "timestamp";
  }
  return "?";
}

std::string TimeFormat::ToString() const {
  switch (kind) {
    case Kind::kIso8601:
      return "iso8601";
    case Kind::kUnix:
      return "unix";
    case Kind::kUnixMs:
      return "unix_ms";
    case Kind::kPattern:
      return pattern;
  }
  return "?";
}

Result<Mapping> ParseMapping(std::string_view toml_text, std::string origin) {
  toml::table root;
  try {
    root = toml::parse(toml_text, std::string_view(origin));
  } catch (const toml::parse_error& e) {
    return Status::InvalidArgument(fmt::format("{}:{}:{}: {}", origin, e.source().begin.line,
                                               e.source().begin.column, e.description()));
  } catch (const std::exception& e) {
    return Status::InvalidArgument(fmt::format("{}: {}", origin, e.what()));
  }
  try {
    return MappingParser(std::move(origin)).Parse(root);
  } catch (const std::exception& e) {  // toml++ and the standard library may throw
    return Status::Internal(fmt::format("reading the mapping: {}", e.what()));
  }
}

Result<Mapping> LoadMappingFile(const std::string& path, Env* env) {
  std::string text;
  Status s = ReadFileToString(env ? env : Env::Default(), path, &text);
  if (!s.ok()) return s.WithContext("cannot read the mapping");
  return ParseMapping(text, path);
}

Result<InputFormat> ResolveFormat(const Mapping& mapping, std::string_view file_name) {
  if (mapping.format) return *mapping.format;
  std::string ext(Extension(file_name));
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ext == ".csv" || ext == ".tsv" || ext == ".txt") return InputFormat::kCsv;
  if (ext == ".jsonl" || ext == ".ndjson" || ext == ".json") return InputFormat::kJsonl;
  return Status::InvalidArgument(
      fmt::format("cannot tell the format of \"{}\" from its extension; set format = \"csv\" or "
                  "format = \"jsonl\" in the mapping",
                  file_name));
}

char ResolveDelimiter(const Mapping& mapping, std::string_view file_name) {
  if (mapping.delimiter) return *mapping.delimiter;
  std::string ext(Extension(file_name));
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext == ".tsv" ? '\t' : ',';
}

}  // namespace rapport
