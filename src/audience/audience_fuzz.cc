// libFuzzer target for the audience language. Every input goes to both parsers:
//   ParseAudience: an accepted text must format to a text that parses to the same tree,
//     formatting must be idempotent, and the tree must survive AudienceToJson → AudienceFromJson.
//     A refusal must be kInvalidArgument "line L, column C: <message>" matching *error, with L and
//     C inside the text.
//   AudienceFromJson: an accepted tree must survive AudienceToJson → AudienceFromJson and
//     FormatAudience → ParseAudience; a refusal must start with "audience: ".
// Accepted trees must respect the shape and limits of ast.h. Violations abort.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "audience/json_form.h"
#include "audience/parser.h"
#include "audience/printer.h"

namespace {

using rapport::Node;

void Check(bool ok) {
  if (!ok) std::abort();
}

// The shape ast.h promises; returns the depth of and / or / not.
int CheckShape(const Node& n, size_t* leaves) {
  switch (n.kind) {
    case Node::Kind::kAnd:
    case Node::Kind::kOr:
    case Node::Kind::kNot: {
      Check(n.kind == Node::Kind::kNot ? n.children.size() == 1 : n.children.size() >= 2);
      int depth = 0;
      for (const Node& c : n.children) depth = std::max(depth, CheckShape(c, leaves));
      Check(depth + 1 <= rapport::kMaxAudienceDepth);
      return depth + 1;
    }
    default:
      Check(n.children.empty());
      Check(++*leaves <= rapport::kMaxAudienceLeaves);
      if (n.kind == Node::Kind::kPerformed) {
        Check(n.performed.where.size() <= rapport::kMaxWhereClauses);
        Check(n.performed.count <= rapport::kMaxPerformedCount);
      }
      return 0;
  }
}

void CheckTree(const Node& n) {
  size_t leaves = 0;
  CheckShape(n, &leaves);
  const std::string text = rapport::FormatAudience(n);
  auto again = rapport::ParseAudience(text);
  Check(again.ok() && *again == n && rapport::FormatAudience(*again) == text);
  const std::string json = rapport::AudienceToJson(n);
  auto back = rapport::AudienceFromJson(json);
  Check(back.ok() && *back == n && rapport::AudienceToJson(*back) == json);
}

void FuzzText(std::string_view text) {
  rapport::ParseError error;
  auto n = rapport::ParseAudience(text, &error);
  if (n.ok()) {
    CheckTree(*n);
    return;
  }
  Check(n.status().code() == rapport::StatusCode::kInvalidArgument);
  Check(error.line >= 1 && error.column >= 1 && !error.message.empty());
  Check(n.status().message() == "line " + std::to_string(error.line) + ", column " +
                                    std::to_string(error.column) + ": " + error.message);
  size_t lines = 1;
  for (char c : text) lines += c == '\n';
  Check(static_cast<size_t>(error.line) <= lines);
  Check(static_cast<size_t>(error.column) <= text.size() + 1);
}

void FuzzJson(std::string_view json) {
  auto n = rapport::AudienceFromJson(json);
  if (n.ok()) {
    CheckTree(*n);
    return;
  }
  Check(n.status().message().rfind("audience: ", 0) == 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  FuzzText(input);
  FuzzJson(input);
  return 0;
}
