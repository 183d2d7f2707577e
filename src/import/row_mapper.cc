#include "import/row_mapper.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <utility>

#include <fmt/format.h>

#include "common/ids.h"
#include "common/json_writer.h"
#include "import/value_convert.h"

namespace rapport {
namespace {

constexpr size_t kMaxMessageIdBytes = 256;

// Where a mapped value comes from: a CSV column index, or a path into a JSON object.
struct Locator {
  int column = -1;
  std::vector<std::string> path;  // JSON: keys (array indexes as digits)
  std::string pointer;            // JSON: a JSON Pointer when the column starts with '/'
};

struct Field {
  FieldSpec spec;
  std::string where;  // "[properties] revenue"
  Locator at;
};

struct Node {
  std::string key;
  Field field;
  std::vector<Node> children;
  bool is_object = false;
};

struct Identifier {
  std::string type;
  Field field;
};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view TrimView(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

struct RowMapper::Impl {
  Mapping mapping;
  InputFormat format = InputFormat::kCsv;
  RowMapperOptions options;
  std::vector<std::string> columns;

  std::optional<Field> name, timestamp, message_id, group_id;
  std::vector<Identifier> identifiers;
  std::vector<Node> traits, properties;

  simdjson::dom::parser parser;
  ValueConverter convert;
  std::string identity_scratch;

  Status Resolve(Field* f);
  Status Compile(const FieldNode& in, const std::string& where, Node* out);
  Cell Get(const Field& f, const Record& r, const simdjson::dom::element& root) const;
  // Appends "key":value for each mapped node with a value; `*first` tracks the commas.
  Status AppendNodes(const std::vector<Node>& nodes, const Record& r,
                     const simdjson::dom::element& root, bool* first, std::string* out);
  Result<bool> AppendValue(const Field& f, const Record& r, const simdjson::dom::element& root,
                           std::string* out);
  Status Map(const Record& r, std::string* out);
};

Status RowMapper::Impl::Resolve(Field* f) {
  if (f->spec.constant) return Status::OK();
  const std::string& col = f->spec.column;
  auto err = [&](const std::string& msg) {
    const std::string at = f->spec.line > 0 ? fmt::format(":{}", f->spec.line) : "";
    return Status::InvalidArgument(fmt::format("{}{}: {}: {}", mapping.origin, at, f->where, msg));
  };
  if (format == InputFormat::kJsonl) {
    if (col.front() == '/') {
      f->at.pointer = col;
      return Status::OK();
    }
    size_t start = 0;
    while (true) {
      const size_t dot = col.find('.', start);
      f->at.path.push_back(col.substr(start, dot - start));
      if (f->at.path.back().empty()) {
        return err(
            fmt::format("\"{}\" is not a path like \"customer.email\" (or a JSON Pointer "
                        "like \"/customer/email\")",
                        col));
      }
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    return Status::OK();
  }
  int found = -1, count = 0;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i] == col) {
      if (found < 0) found = static_cast<int>(i);
      ++count;
    }
  }
  if (count > 1) {
    return err(fmt::format("column \"{}\" appears {} times in the header of {}; rename one", col,
                           count, options.file_name));
  }
  if (found < 0) {
    std::string names, hint;
    for (const auto& c : columns) {
      if (names.size() < 400) names += (names.empty() ? "" : ", ") + JsonString(c);
      if (hint.empty() && Lower(TrimView(c)) == Lower(TrimView(col))) {
        hint = fmt::format("; did you mean {}?", JsonString(c));
      }
    }
    return err(fmt::format("column \"{}\" is not in the header of {} (its columns: {}){}", col,
                           options.file_name, names, hint));
  }
  f->at.column = found;
  return Status::OK();
}

Status RowMapper::Impl::Compile(const FieldNode& in, const std::string& where, Node* out) {
  out->key = in.key;
  out->is_object = in.is_object;
  if (in.is_object) {
    for (const auto& child : in.children) {
      out->children.emplace_back();
      RETURN_IF_ERROR(Compile(child, where + "." + child.key, &out->children.back()));
    }
    return Status::OK();
  }
  out->field.spec = in.spec;
  out->field.where = where;
  return Resolve(&out->field);
}

Cell RowMapper::Impl::Get(const Field& f, const Record& r,
                          const simdjson::dom::element& root) const {
  Cell cell;
  if (format == InputFormat::kCsv) {
    const auto column = static_cast<size_t>(f.at.column);
    if (column >= r.fields.size()) return cell;  // a record not checked by CsvReader
    const std::string& text = r.fields[column];
    if (!text.empty()) {
      cell.kind = Cell::Kind::kText;
      cell.text = text;
    }
    return cell;
  }
  simdjson::dom::element v = root;
  if (!f.at.pointer.empty()) {
    if (v.at_pointer(f.at.pointer).get(v) != simdjson::SUCCESS) return cell;
  } else {
    for (const auto& key : f.at.path) {
      if (v.is_object()) {
        if (v.get_object().value_unsafe().at_key(key).get(v) != simdjson::SUCCESS) return cell;
      } else if (v.is_array()) {
        size_t index = 0;
        auto [p, ec] = std::from_chars(key.data(), key.data() + key.size(), index);
        if (ec != std::errc() || p != key.data() + key.size()) return cell;
        if (v.get_array().value_unsafe().at(index).get(v) != simdjson::SUCCESS) return cell;
      } else {
        return cell;
      }
    }
  }
  if (v.is_null()) return cell;
  if (v.is_string() && v.get_string().value_unsafe().empty()) return cell;
  cell.kind = Cell::Kind::kJson;
  cell.json = v;
  return cell;
}

Result<bool> RowMapper::Impl::AppendValue(const Field& f, const Record& r,
                                          const simdjson::dom::element& root, std::string* out) {
  if (f.spec.constant) {
    out->append(*f.spec.constant);
    return true;
  }
  Cell cell = Get(f, r, root);
  if (cell.kind == Cell::Kind::kAbsent) {
    if (f.spec.fallback) {
      out->append(*f.spec.fallback);
      return true;
    }
    if (f.spec.required) {
      return Status::InvalidArgument(
          fmt::format("{}: column \"{}\" is empty (required)", f.where, f.spec.column));
    }
    return false;
  }
  RETURN_IF_ERROR(convert.Append(cell, f.spec, f.where, out));
  return true;
}

Status RowMapper::Impl::AppendNodes(const std::vector<Node>& nodes, const Record& r,
                                    const simdjson::dom::element& root, bool* first,
                                    std::string* out) {
  for (const auto& node : nodes) {
    const size_t mark = out->size();
    if (!*first) out->push_back(',');
    AppendJsonString(out, node.key);
    out->push_back(':');
    bool wrote = false;
    if (node.is_object) {
      out->push_back('{');
      bool inner_first = true;
      RETURN_IF_ERROR(AppendNodes(node.children, r, root, &inner_first, out));
      out->push_back('}');
      wrote = !inner_first;
    } else {
      ASSIGN_OR_RETURN(wrote, AppendValue(node.field, r, root, out));
    }
    if (wrote) {
      *first = false;
    } else {
      out->resize(mark);  // an empty cell: leave the key out
    }
  }
  return Status::OK();
}

Status RowMapper::Impl::Map(const Record& r, std::string* out) {
  simdjson::dom::element root;
  if (format == InputFormat::kJsonl) {
    if (auto err = parser.parse(r.raw.data(), r.raw.size()).get(root); err) {
      return Status::InvalidArgument(
          fmt::format("not valid JSON: {}", simdjson::error_message(err)));
    }
    if (!root.is_object()) {
      return Status::InvalidArgument(
          fmt::format("the line is a JSON {}, not an object", root.is_array() ? "array" : "value"));
    }
  }

  // Identifiers first: a row that identifies nobody is rejected before anything else.
  std::string user_id, anonymous_id;
  std::vector<std::pair<const Identifier*, std::string>> found;
  for (const auto& id : identifiers) {
    Cell cell = Get(id.field, r, root);
    if (cell.kind == Cell::Kind::kAbsent) {
      if (id.field.spec.required) {
        return Status::InvalidArgument(fmt::format("{}: column \"{}\" is empty (required)",
                                                   id.field.where, id.field.spec.column));
      }
      continue;
    }
    ASSIGN_OR_RETURN(std::string_view text,
                     convert.Text(cell, id.field.where, id.field.spec.column));
    if (text.empty()) continue;
    if (id.type == "user_id") {
      user_id = text;
    } else if (id.type == "anonymous_id") {
      anonymous_id = text;
    }
    found.emplace_back(&id, std::string(text));
  }
  if (found.empty()) {
    std::string names;
    for (const auto& id : identifiers) names += (names.empty() ? "" : ", ") + id.type;
    return Status::InvalidArgument(fmt::format("no identifier: {} {} empty", names,
                                               identifiers.size() == 1 ? "is" : "are all"));
  }
  if (user_id.empty() && anonymous_id.empty()) {
    if (!mapping.derive_anonymous_id) {
      return Status::InvalidArgument(
          "no user_id or anonymous_id, which every Segment event needs (derive_anonymous_id = "
          "false)");
    }
    // Deterministic, so that every row of the same person gets the same anonymousId.
    const auto& [id, value] = found.front();
    identity_scratch = id->type + ":" + (id->type == "email" ? Lower(value) : value);
    anonymous_id = "imp-" + Sha256Hex(identity_scratch).substr(0, 32);
  }

  out->clear();
  out->append("{\"type\":");
  AppendJsonString(out, ImportEventTypeName(mapping.type));
  if (mapping.type == ImportEventType::kTrack) {
    out->append(",\"event\":");
    if (name) {
      Cell cell = Get(*name, r, root);
      std::string_view text;
      if (cell.kind != Cell::Kind::kAbsent) {
        ASSIGN_OR_RETURN(text, convert.Text(cell, name->where, name->spec.column));
      }
      if (text.empty() && name->spec.fallback) {
        out->append(*name->spec.fallback);
      } else if (text.empty()) {
        return Status::InvalidArgument(
            fmt::format("{}: column \"{}\" is empty; a track event needs a name", name->where,
                        name->spec.column));
      } else {
        AppendJsonString(out, text);
      }
    } else {
      AppendJsonString(out, mapping.event_name);
    }
  }
  if (!user_id.empty()) {
    out->append(",\"userId\":");
    AppendJsonString(out, user_id);
  }
  if (!anonymous_id.empty()) {
    out->append(",\"anonymousId\":");
    AppendJsonString(out, anonymous_id);
  }
  if (group_id) {
    out->append(",\"groupId\":");
    const size_t mark = out->size();
    ASSIGN_OR_RETURN(bool wrote, AppendValue(*group_id, r, root, out));
    if (!wrote || (*out)[mark] != '"') {
      // The Segment spec wants a string: numbers become their digits.
      std::string value = out->substr(mark);
      out->resize(mark);
      AppendJsonString(out, value);
    }
  }

  // email and phone are traits of the person: on an identify the event's traits, otherwise
  // context.traits.
  auto append_person_traits = [&](bool* first) {
    for (const auto& [id, value] : found) {
      if (id->type != "email" && id->type != "phone") continue;
      if (!*first) out->push_back(',');
      *first = false;
      AppendJsonString(out, id->type);
      out->push_back(':');
      AppendJsonString(out, value);
    }
  };
  if (mapping.type == ImportEventType::kIdentify || mapping.type == ImportEventType::kGroup) {
    out->append(",\"traits\":{");
    bool first = true;
    if (mapping.type == ImportEventType::kIdentify) append_person_traits(&first);
    RETURN_IF_ERROR(AppendNodes(traits, r, root, &first, out));
    out->push_back('}');
  } else {
    out->append(",\"properties\":{");
    bool first = true;
    RETURN_IF_ERROR(AppendNodes(properties, r, root, &first, out));
    out->push_back('}');
  }

  out->append(",\"context\":{\"library\":{\"name\":\"rapport-import\",\"version\":");
  AppendJsonString(out, options.library_version);
  out->append("},\"import\":{\"file\":");
  AppendJsonString(out, options.file_name);
  out->append(fmt::format(",\"line\":{}}}", r.line));
  if (mapping.type != ImportEventType::kIdentify) {
    const size_t mark = out->size();
    out->append(",\"traits\":{");
    bool first = true;
    append_person_traits(&first);
    if (mapping.type == ImportEventType::kTrack) {
      RETURN_IF_ERROR(AppendNodes(traits, r, root, &first, out));
    }
    out->push_back('}');
    if (first) out->resize(mark);
  }
  bool first_external = true;
  for (const auto& [id, value] : found) {
    if (id->type == "user_id" || id->type == "anonymous_id" || id->type == "email" ||
        id->type == "phone") {
      continue;
    }
    out->append(first_external ? ",\"externalIds\":[" : ",");
    first_external = false;
    out->append("{\"id\":");
    AppendJsonString(out, value);
    out->append(",\"type\":");
    AppendJsonString(out, id->type);
    out->append(",\"collection\":\"users\",\"encoding\":\"none\"}");
  }
  if (!first_external) out->push_back(']');
  out->push_back('}');

  if (timestamp) {
    const size_t mark = out->size();
    out->append(",\"timestamp\":");
    ASSIGN_OR_RETURN(bool wrote, AppendValue(*timestamp, r, root, out));
    if (!wrote) out->resize(mark);
  }

  out->append(",\"messageId\":");
  if (message_id) {
    Cell cell = Get(*message_id, r, root);
    std::string_view text;
    if (cell.kind != Cell::Kind::kAbsent) {
      ASSIGN_OR_RETURN(text, convert.Text(cell, message_id->where, message_id->spec.column));
    }
    if (text.empty()) {
      return Status::InvalidArgument(
          fmt::format("[event] message_id: column \"{}\" is empty", message_id->spec.column));
    }
    const size_t size = mapping.message_id_prefix.size() + text.size();
    if (size > kMaxMessageIdBytes) {
      return Status::InvalidArgument(
          fmt::format("[event] message_id is {} bytes; the limit is {}", size, kMaxMessageIdBytes));
    }
    AppendJsonString(out, mapping.message_id_prefix + std::string(text));
  } else {
    // Deterministic: the same row imported again is the same event, and de-duplicated.
    identity_scratch.clear();
    identity_scratch.append(ImportEventTypeName(mapping.type));
    identity_scratch.push_back('\n');
    identity_scratch.append(mapping.event_name);
    identity_scratch.push_back('\n');
    identity_scratch.append(r.raw);
    AppendJsonString(out, "imp-" + Sha256Hex(identity_scratch).substr(0, 32));
  }
  out->push_back('}');
  return Status::OK();
}

RowMapper::RowMapper(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RowMapper::~RowMapper() = default;

Result<std::unique_ptr<RowMapper>> RowMapper::Create(const Mapping& mapping, InputFormat format,
                                                     const std::vector<std::string>& columns,
                                                     RowMapperOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->mapping = mapping;
  impl->format = format;
  impl->options = std::move(options);
  impl->columns = columns;
  auto field = [&](const std::optional<FieldSpec>& spec, std::string where,
                   std::optional<Field>* out) -> Status {
    if (!spec) return Status::OK();
    *out = Field{*spec, std::move(where), {}};
    return impl->Resolve(&**out);
  };
  RETURN_IF_ERROR(field(mapping.event_name_column, "[event] name_column", &impl->name));
  RETURN_IF_ERROR(field(mapping.timestamp, "[event] timestamp", &impl->timestamp));
  RETURN_IF_ERROR(field(mapping.message_id, "[event] message_id", &impl->message_id));
  RETURN_IF_ERROR(field(mapping.group_id, "[event] group_id", &impl->group_id));
  for (const auto& id : mapping.identifiers) {
    impl->identifiers.push_back({id.type, Field{id.field, "[identifiers] " + id.type, {}}});
    RETURN_IF_ERROR(impl->Resolve(&impl->identifiers.back().field));
  }
  for (const auto& t : mapping.traits) {
    impl->traits.emplace_back();
    RETURN_IF_ERROR(impl->Compile(t, "[traits] " + t.key, &impl->traits.back()));
  }
  for (const auto& p : mapping.properties) {
    impl->properties.emplace_back();
    RETURN_IF_ERROR(impl->Compile(p, "[properties] " + p.key, &impl->properties.back()));
  }
  return std::unique_ptr<RowMapper>(new RowMapper(std::move(impl)));
}

Status RowMapper::Map(const Record& record, std::string* event) {
  return impl_->Map(record, event);
}

}  // namespace rapport
