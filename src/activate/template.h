// Payload templates: a small, safe template language that fills a request body from a JSON
// context object (e.g. {"event": {...}, "profile": {...}, "audience": {...}}). `{{path}}` inserts
// the value as JSON (strings quoted and escaped, so a JSON template stays JSON), `{{{path}}}` or
// `{{path | raw}}` inserts a string unquoted, a missing value is `null` (raw: empty) unless
// `| default: LITERAL` says otherwise. No loops, no code: rendering is linear in the output.
// Parse errors give the line and column. Templates are immutable and thread-safe to share.
// Reference: docs/destinations.md ("Payload templates").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace rapport {

inline constexpr size_t kMaxTemplateBytes = 65536;
inline constexpr size_t kMaxTemplateTags = 1024;
inline constexpr size_t kMaxTemplatePathSegments = 32;
inline constexpr size_t kMaxRenderedBytes = 1 << 20;  // also the largest outbox item body

class Template {
 public:
  // One segment of a path: `a`, `.0` (an array index, or a key "0" of an object), `["a b"]`.
  struct Segment {
    std::string key;
    bool numeric = false;  // key is decimal digits: indexes arrays too
    uint64_t index = 0;
    bool operator==(const Segment&) const = default;
  };
  struct Part {
    bool is_tag = false;
    size_t begin = 0, end = 0;  // the part's bytes in source()
    std::string text;           // text parts: the literal text
    // Tags: a path, or a literal (has_literal) given as its JSON and raw forms.
    std::vector<Segment> path;
    bool has_literal = false;
    std::string literal_json, literal_raw;
    bool raw = false;
    bool has_default = false;
    std::string default_json, default_raw;
  };

  // Parses `text` (at most kMaxTemplateBytes, kMaxTemplateTags tags). kInvalidArgument messages
  // read "line L, column C: what was expected" (columns count bytes, from 1).
  static Result<Template> Parse(std::string_view text);

  const std::string& source() const { return source_; }
  const std::vector<Part>& parts() const { return parts_; }

 private:
  std::string source_;
  std::vector<Part> parts_;
};

// Fills `t` from `context_json` (a JSON document, usually an object). kInvalidArgument when the
// context is not JSON; kTooLarge when the output passes kMaxRenderedBytes.
Result<std::string> Render(const Template& t, std::string_view context_json);

// The body for a destination: `t` rendered, or with no template (nullptr) the context itself
// (checked to be JSON, at most kMaxRenderedBytes).
Result<std::string> RenderBody(const Template* t, std::string_view context_json);

}  // namespace rapport
