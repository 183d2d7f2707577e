// The audience language's tokens: Tokenize() splits a whole text into words, numbers, strings,
// backquoted names and punctuation, each with its 1-based line and column (columns count UTF-8
// code points). Whitespace and `#` comments are skipped. The first lexical problem (invalid
// UTF-8, an unterminated string, a bad escape, an unexpected character) becomes a kError token
// that ends the list, so the parser reports it only if it gets that far. Pure, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rapport {

enum class TokenKind : uint8_t {
  kEnd,         // end of the input (always the last token unless kError is)
  kError,       // a lexical error: `value` is the message; line/column point at the problem
  kWord,        // [A-Za-z_$][A-Za-z0-9_$-]*: keywords (matched case-insensitively) and names
  kNumber,      // -?digits[.digits][(e|E)[+-]digits]; `number` holds its value
  kDigits,      // [0-9]+ right after a ".": a path segment such as the 0 in items.0.price
  kString,      // "..." with JSON escapes; `value` holds the decoded UTF-8 text
  kQuotedName,  // `...`: a path segment; `value` holds the text between the backquotes
  kDot,
  kComma,
  kLParen,
  kRParen,
  kLBracket,
  kRBracket,
  kOp,  // = == != <> > >= < <=
};

struct LexToken {
  TokenKind kind = TokenKind::kEnd;
  std::string_view text;  // the token as written (a view into the tokenized text)
  std::string value;      // kString / kQuotedName: the decoded text; kError: the message
  double number = 0;      // kNumber
  int line = 1, column = 1;
};

// The tokens of `text`, ending with exactly one kEnd or kError token. The views in the tokens
// point into `text`, which must outlive them.
std::vector<LexToken> Tokenize(std::string_view text);

// Line and column (1-based, columns in code points) of byte `offset` of `text`.
void PositionOf(std::string_view text, size_t offset, int* line, int* column);

}  // namespace rapport
