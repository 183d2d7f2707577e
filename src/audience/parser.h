// ParseAudience: the audience language's text form → its syntax tree (ast.h). Strict: the first
// problem ends the parse, reported with its line and column and what was expected there.
// Keywords are case-insensitive, names case-sensitive; `#` starts a comment. Limits: ast.h;
// the text and also its canonical form (printer.h) at most kMaxAudienceTextBytes. Pure,
// thread-safe. Grammar, the `where ... and` rule and examples: docs/audiences.md.
//
// Also the names and checks the printer and the JSON form share with the parser, so that the
// three accept exactly the same trees.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "audience/ast.h"
#include "common/status.h"

namespace rapport {

struct ParseError {
  int line = 0, column = 0;  // 1-based; columns count UTF-8 code points
  std::string message;       // without the position
};

// The tree of `text`, or kInvalidArgument "line L, column C: <message>" (and *error filled).
// Nodes carry the line and column where they start.
Result<Node> ParseAudience(std::string_view text, ParseError* error = nullptr);

// "minutes", "hours", "days", "weeks".
std::string_view TimeUnitName(TimeUnit unit);
// The longest window in `unit`: 3650 days as 5256000 minutes, 87600 hours, 3650 days, 521 weeks.
int32_t MaxWindowAmount(TimeUnit unit);
// "at_least", "at_most", "exactly".
std::string_view CountOpName(CountOp op);
// Audience names: [a-z][a-z0-9_]{0,63}. Computed-trait names follow the same rule.
bool IsAudienceName(std::string_view name);
// A stored path both forms can spell: 1..kMaxComputedPathBytes bytes of non-empty segments
// separated by single dots, none holding a backquote or a newline.
bool IsSpellablePath(std::string_view path);
// True when `word` is a keyword of the language (case-insensitive).
bool IsKeyword(std::string_view word);

}  // namespace rapport
