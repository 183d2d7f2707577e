#include "activate/template.h"

#include <simdjson.h>

#include <fmt/format.h>

namespace rapport {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool IsNameChar(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '$' || c == '@' || c == '-' || u >= 0x80;
}

bool AllDigits(std::string_view s) {
  if (s.empty() || s.size() > 18) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// A JSON scalar as shown by `{{ }}` (its JSON text) and by `raw` (strings unquoted, null empty).
struct Literal {
  std::string json, raw;
};

// A shown excerpt of the input at the error position.
std::string Shown(std::string_view rest) {
  if (rest.empty()) return "the end of the template";
  size_t n = 0;
  while (n < rest.size() && n < 12 && rest[n] != '\n') ++n;
  std::string out = "\"" + std::string(rest.substr(0, n)) + "\"";
  return out;
}

class Parser {
 public:
  explicit Parser(std::string_view in) : in_(in) {}

  Result<Template::Part> Tag(size_t open, bool triple) {
    Template::Part part;
    part.is_tag = true;
    part.raw = triple;
    SkipSpace();
    if (Peek() == '"') {
      auto lit = StringLiteral();
      if (!lit.ok()) return lit.status();
      part.has_literal = true;
      part.literal_json = std::move(lit->json);
      part.literal_raw = std::move(lit->raw);
    } else {
      RETURN_IF_ERROR(Path(&part.path));
    }
    SkipSpace();
    while (Peek() == '|') {
      ++pos_;
      SkipSpace();
      RETURN_IF_ERROR(Filter(&part));
      SkipSpace();
    }
    const std::string_view close = triple ? "}}}" : "}}";
    if (in_.substr(pos_, close.size()) != close) {
      if (pos_ >= in_.size()) {
        return ErrorAt(open, fmt::format("the tag opened here is not closed with \"{}\"", close));
      }
      return ErrorAt(
          pos_, fmt::format("expected \"|\" or \"{}\", got {}", close, Shown(in_.substr(pos_))));
    }
    pos_ += close.size();
    return part;
  }

  size_t pos() const { return pos_; }
  void set_pos(size_t p) { pos_ = p; }

  size_t Column(size_t at) const {
    const size_t nl = in_.rfind('\n', at == 0 ? 0 : at - 1);
    return nl == std::string_view::npos || at == 0 ? at + 1 : at - nl;
  }

  Status ErrorAt(size_t at, std::string message) const {
    size_t line = 1, column = 1;
    for (size_t i = 0; i < at && i < in_.size(); ++i) {
      if (in_[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    return Status::InvalidArgument(fmt::format("line {}, column {}: {}", line, column, message));
  }

 private:
  char Peek() const { return pos_ < in_.size() ? in_[pos_] : '\0'; }
  void SkipSpace() {
    while (pos_ < in_.size() && IsSpace(in_[pos_])) ++pos_;
  }

  Status Path(std::vector<Template::Segment>* path) {
    const size_t start = pos_;
    if (Peek() != '[' && !IsNameChar(Peek())) {
      return ErrorAt(pos_, fmt::format("expected a path such as event.properties.revenue or a "
                                       "\"string\", got {}",
                                       Shown(in_.substr(pos_))));
    }
    bool first = true;
    while (true) {
      Template::Segment seg;
      if (Peek() == '[') {
        RETURN_IF_ERROR(Bracket(&seg));
      } else if (first || Peek() == '.') {
        if (!first) ++pos_;
        const size_t name_start = pos_;
        while (pos_ < in_.size() && IsNameChar(in_[pos_])) ++pos_;
        if (pos_ == name_start) {
          return ErrorAt(
              pos_, fmt::format("expected a name after \".\", got {}", Shown(in_.substr(pos_))));
        }
        seg.key = std::string(in_.substr(name_start, pos_ - name_start));
        SetNumeric(&seg);
      } else {
        break;
      }
      first = false;
      if (path->size() == kMaxTemplatePathSegments) {
        return ErrorAt(start,
                       fmt::format("a path has at most {} segments", kMaxTemplatePathSegments));
      }
      path->push_back(std::move(seg));
    }
    return Status::OK();
  }

  static void SetNumeric(Template::Segment* seg) {
    seg->numeric = AllDigits(seg->key);
    seg->index = seg->numeric ? std::stoull(seg->key) : 0;
  }

  Status Bracket(Template::Segment* seg) {
    const size_t open = pos_++;
    SkipSpace();
    if (Peek() == '"') {
      auto lit = StringLiteral();
      if (!lit.ok()) return lit.status();
      seg->key = std::move(lit->raw);
    } else {
      const size_t start = pos_;
      while (pos_ < in_.size() && in_[pos_] >= '0' && in_[pos_] <= '9') ++pos_;
      seg->key = std::string(in_.substr(start, pos_ - start));
      if (!AllDigits(seg->key)) {
        return ErrorAt(start, fmt::format("expected an index (digits) or a \"key\" after \"[\", "
                                          "got {}",
                                          Shown(in_.substr(start))));
      }
      SetNumeric(seg);
    }
    SkipSpace();
    if (Peek() != ']') {
      return ErrorAt(pos_, fmt::format("expected \"]\" to close the \"[\" at column {}, got {}",
                                       Column(open), Shown(in_.substr(pos_))));
    }
    ++pos_;
    return Status::OK();
  }

  Status Filter(Template::Part* part) {
    const size_t start = pos_;
    while (pos_ < in_.size() && in_[pos_] >= 'a' && in_[pos_] <= 'z') ++pos_;
    const std::string_view name = in_.substr(start, pos_ - start);
    if (name == "raw") {
      part->raw = true;
    } else if (name == "json") {
      part->raw = false;
    } else if (name == "default") {
      SkipSpace();
      if (Peek() != ':') {
        return ErrorAt(
            pos_, fmt::format("expected \":\" after \"default\", got {}", Shown(in_.substr(pos_))));
      }
      ++pos_;
      SkipSpace();
      auto lit = ScalarLiteral();
      if (!lit.ok()) return lit.status();
      part->has_default = true;
      part->default_json = std::move(lit->json);
      part->default_raw = std::move(lit->raw);
    } else {
      return ErrorAt(start, fmt::format("unknown filter {} (filters: raw, json, default: VALUE)",
                                        Shown(in_.substr(start))));
    }
    return Status::OK();
  }

  // A JSON string, number, true, false or null.
  Result<Literal> ScalarLiteral() {
    if (Peek() == '"') return StringLiteral();
    const size_t start = pos_;
    while (pos_ < in_.size() && !IsSpace(in_[pos_]) && in_[pos_] != '|' && in_[pos_] != '}') {
      ++pos_;
    }
    const std::string text(in_.substr(start, pos_ - start));
    element e;
    if (text.empty() || parser_.parse(text).get(e) != simdjson::SUCCESS ||
        e.type() == element_type::OBJECT || e.type() == element_type::ARRAY) {
      return ErrorAt(start, fmt::format("expected a value (a \"string\", a number, true, false or "
                                        "null), got {}",
                                        Shown(in_.substr(start))));
    }
    if (e.type() == element_type::NULL_VALUE) return Literal{"null", ""};
    return Literal{text, text};
  }

  Result<Literal> StringLiteral() {
    const size_t start = pos_++;
    while (pos_ < in_.size() && in_[pos_] != '"') {
      if (static_cast<unsigned char>(in_[pos_]) < 0x20) {
        return ErrorAt(pos_,
                       "a control character (such as a line break) inside a string: write "
                       "it escaped (\\n)");
      }
      pos_ += in_[pos_] == '\\' ? 2 : 1;
    }
    if (pos_ >= in_.size()) return ErrorAt(start, "the string opened here is not closed with \"");
    ++pos_;
    const std::string text(in_.substr(start, pos_ - start));
    element e;
    std::string_view s;
    if (parser_.parse(text).get(e) != simdjson::SUCCESS || e.get_string().get(s)) {
      return ErrorAt(start, "not a valid JSON string (check its \\ escapes and UTF-8)");
    }
    return Literal{simdjson::minify(e), std::string(s)};
  }

  std::string_view in_;
  size_t pos_ = 0;
  simdjson::dom::parser parser_;
};

// The element at `path` under `root`; false when some segment is missing.
bool Lookup(element root, const std::vector<Template::Segment>& path, element* out) {
  element cur = root;
  for (const Template::Segment& seg : path) {
    element next;
    if (cur.type() == element_type::OBJECT) {
      if (cur.get_object().value_unsafe().at_key(seg.key).get(next) != simdjson::SUCCESS) {
        return false;
      }
    } else if (cur.type() == element_type::ARRAY && seg.numeric) {
      if (cur.get_array().value_unsafe().at(seg.index).get(next) != simdjson::SUCCESS) {
        return false;
      }
    } else {
      return false;
    }
    cur = next;
  }
  *out = cur;
  return true;
}

void AppendPart(const Template::Part& p, element root, std::string* out) {
  if (p.has_literal) {
    out->append(p.raw ? p.literal_raw : p.literal_json);
    return;
  }
  element e;
  if (!Lookup(root, p.path, &e) || e.type() == element_type::NULL_VALUE) {
    if (p.has_default) {
      out->append(p.raw ? p.default_raw : p.default_json);
    } else if (!p.raw) {
      out->append("null");
    }
    return;
  }
  if (p.raw && e.type() == element_type::STRING) {
    out->append(e.get_string().value_unsafe());
  } else {
    out->append(simdjson::minify(e));
  }
}

}  // namespace

Result<Template> Template::Parse(std::string_view text) {
  if (text.size() > kMaxTemplateBytes) {
    return Status::InvalidArgument(fmt::format("a template is at most {} bytes, this one has {}",
                                               kMaxTemplateBytes, text.size()));
  }
  Template t;
  t.source_ = std::string(text);
  Parser parser(text);
  size_t tags = 0;
  while (parser.pos() < text.size()) {
    const size_t pos = parser.pos();
    const size_t open = text.find("{{", pos);
    if (open != pos) {
      const size_t end = open == std::string_view::npos ? text.size() : open;
      Part part;
      part.begin = pos;
      part.end = end;
      part.text = std::string(text.substr(pos, end - pos));
      t.parts_.push_back(std::move(part));
      parser.set_pos(end);
      continue;
    }
    if (++tags > kMaxTemplateTags) {
      return parser.ErrorAt(open, fmt::format("a template has at most {} tags", kMaxTemplateTags));
    }
    const bool triple = text.substr(open, 3) == "{{{";
    parser.set_pos(open + (triple ? 3 : 2));
    auto part = parser.Tag(open, triple);
    if (!part.ok()) return part.status();
    part->begin = open;
    part->end = parser.pos();
    t.parts_.push_back(std::move(*part));
  }
  return t;
}

Result<std::string> Render(const Template& t, std::string_view context_json) {
  thread_local simdjson::dom::parser parser;
  element root;
  if (parser.parse(context_json.data(), context_json.size(), true).get(root) != simdjson::SUCCESS) {
    return Status::InvalidArgument("template context: not valid JSON");
  }
  std::string out;
  for (const Template::Part& p : t.parts()) {
    if (p.is_tag) {
      AppendPart(p, root, &out);
    } else {
      out.append(p.text);
    }
    if (out.size() > kMaxRenderedBytes) {
      return Status::TooLarge(
          fmt::format("the rendered payload passes {} bytes", kMaxRenderedBytes));
    }
  }
  return out;
}

Result<std::string> RenderBody(const Template* t, std::string_view context_json) {
  if (t != nullptr) return Render(*t, context_json);
  if (context_json.size() > kMaxRenderedBytes) {
    return Status::TooLarge(fmt::format("the payload passes {} bytes", kMaxRenderedBytes));
  }
  thread_local simdjson::dom::parser parser;
  element root;
  if (parser.parse(context_json.data(), context_json.size(), true).get(root) != simdjson::SUCCESS) {
    return Status::InvalidArgument("payload: not valid JSON");
  }
  return std::string(context_json);
}

}  // namespace rapport
