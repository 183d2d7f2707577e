#include "audience/lexer.h"

#include <string>
#include <utility>

#include "common/json_writer.h"
#include "profile/computed/computed_value.h"

namespace rapport {

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsWordStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$';
}
bool IsWordChar(char c) { return IsWordStart(c) || IsDigit(c) || c == '-'; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Length of the well-formed UTF-8 sequence at s[i] (no overlongs, surrogates or code points past
// U+10FFFF), or 0 when the bytes there are not one.
size_t Utf8Length(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  if (c < 0x80) return 1;
  size_t n = 0;
  uint32_t cp = 0;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2, cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3, cp = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4, cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = cp << 6 | (byte(i + k) & 0x3F);
  }
  if (n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) return 0;
  if (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) return 0;
  return n;
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | cp >> 6));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | cp >> 12));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | cp >> 18));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  std::vector<LexToken> Run() && {
    while (SkipSpaceAndComments()) {
      if (pos_ >= text_.size()) {
        Push(TokenKind::kEnd, pos_, pos_);
        break;
      }
      if (!Next()) break;
    }
    return std::move(out_);
  }

 private:
  // Skips whitespace and comments; false after pushing an error (invalid UTF-8 in a comment).
  bool SkipSpaceAndComments() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        ++pos_;
      } else if (c == '#') {
        while (pos_ < text_.size() && text_[pos_] != '\n') {
          const size_t n = Utf8Length(text_, pos_);
          if (n == 0) return Error(pos_, "invalid UTF-8");
          pos_ += n;
        }
      } else {
        break;
      }
    }
    return true;
  }

  // Lexes the token at pos_; false after pushing an error.
  bool Next() {
    const size_t start = pos_;
    const char c = text_[start];
    const bool after_dot = !out_.empty() && out_.back().kind == TokenKind::kDot;
    const bool next_is_digit = start + 1 < text_.size() && IsDigit(text_[start + 1]);
    if (c == '"') return LexString(start);
    if (c == '`') return LexQuotedName(start);
    if (IsDigit(c) && after_dot) {
      while (pos_ < text_.size() && IsDigit(text_[pos_])) ++pos_;
      if (pos_ < text_.size() && IsWordChar(text_[pos_])) {
        return Error(start,
                     "a path segment that starts with a digit must be all digits; write other "
                     "names in backquotes, e.g. `" +
                         std::string(WordAt(start)) + "`");
      }
      return Push(TokenKind::kDigits, start, pos_);
    }
    if (IsDigit(c) || (c == '-' && next_is_digit)) return LexNumber(start);
    if (IsWordStart(c)) {
      while (pos_ < text_.size() && IsWordChar(text_[pos_])) ++pos_;
      return Push(TokenKind::kWord, start, pos_);
    }
    const auto peek_is = [&](char want) {
      return start + 1 < text_.size() && text_[start + 1] == want;
    };
    switch (c) {
      case '.':
        return Push(TokenKind::kDot, start, start + 1);
      case ',':
        return Push(TokenKind::kComma, start, start + 1);
      case '(':
        return Push(TokenKind::kLParen, start, start + 1);
      case ')':
        return Push(TokenKind::kRParen, start, start + 1);
      case '[':
        return Push(TokenKind::kLBracket, start, start + 1);
      case ']':
        return Push(TokenKind::kRBracket, start, start + 1);
      case '=':
        return Push(TokenKind::kOp, start, start + (peek_is('=') ? 2 : 1));
      case '!':
        if (peek_is('=')) return Push(TokenKind::kOp, start, start + 2);
        return Error(start, "unexpected character \"!\" (write != for \"not equal\" or not)");
      case '<':
        return Push(TokenKind::kOp, start, start + (peek_is('=') || peek_is('>') ? 2 : 1));
      case '>':
        return Push(TokenKind::kOp, start, start + (peek_is('=') ? 2 : 1));
      case '\'':
        return Error(start, "unexpected character \"'\" (strings are written in double quotes)");
      case '&':
        return Error(start, "unexpected character \"&\" (write and)");
      case '|':
        return Error(start, "unexpected character \"|\" (write or)");
      default:
        break;
    }
    const size_t n = Utf8Length(text_, start);
    if (n == 0) return Error(start, "invalid UTF-8");
    return Error(start, "unexpected character " + JsonString(text_.substr(start, n)));
  }

  bool LexString(size_t start) {
    std::string value;
    size_t i = start + 1;
    while (true) {
      if (i >= text_.size() || text_[i] == '\n') return Error(start, "unterminated string");
      const char c = text_[i];
      if (c == '"') break;
      if (c != '\\') {
        const size_t n = Utf8Length(text_, i);
        if (n == 0) return Error(i, "invalid UTF-8 in a string");
        value.append(text_.substr(i, n));
        i += n;
        continue;
      }
      if (i + 1 >= text_.size() || text_[i + 1] == '\n') return Error(start, "unterminated string");
      const char e = text_[i + 1];
      const char* plain = nullptr;
      switch (e) {
        case '"':
          plain = "\"";
          break;
        case '\\':
          plain = "\\";
          break;
        case '/':
          plain = "/";
          break;
        case 'b':
          plain = "\b";
          break;
        case 'f':
          plain = "\f";
          break;
        case 'n':
          plain = "\n";
          break;
        case 'r':
          plain = "\r";
          break;
        case 't':
          plain = "\t";
          break;
        case 'u':
          break;
        default: {
          const size_t n = Utf8Length(text_, i + 1);
          const std::string shown =
              n == 0 ? std::string() : " \\" + std::string(text_.substr(i + 1, n));
          return Error(i, "invalid escape" + shown +
                              " in a string (escapes: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
        }
      }
      if (plain != nullptr) {
        value += plain;
        i += 2;
        continue;
      }
      int cp = Hex4(i + 2);
      if (cp < 0) return Error(i, "expected 4 hex digits after \\u");
      size_t used = 6;
      if (cp >= 0xDC00 && cp <= 0xDFFF) {
        return Error(i, "unpaired surrogate \\u" + std::string(text_.substr(i + 2, 4)) +
                            " (the second half of a pair comes after a \\uD800 to \\uDBFF)");
      }
      if (cp >= 0xD800 && cp <= 0xDBFF) {
        const int low =
            i + 7 < text_.size() && text_[i + 6] == '\\' && text_[i + 7] == 'u' ? Hex4(i + 8) : -1;
        if (low < 0xDC00 || low > 0xDFFF) {
          return Error(i, "unpaired surrogate \\u" + std::string(text_.substr(i + 2, 4)) +
                              " (it must be followed by a \\uDC00 to \\uDFFF)");
        }
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        used = 12;
      }
      AppendUtf8(static_cast<uint32_t>(cp), &value);
      i += used;
    }
    pos_ = i + 1;
    Push(TokenKind::kString, start, pos_);
    out_.back().value = std::move(value);
    return true;
  }

  bool LexQuotedName(size_t start) {
    size_t i = start + 1;
    while (i < text_.size() && text_[i] != '`' && text_[i] != '\n') {
      const size_t n = Utf8Length(text_, i);
      if (n == 0) return Error(i, "invalid UTF-8 in a name");
      i += n;
    }
    if (i >= text_.size() || text_[i] == '\n') return Error(start, "unterminated backquoted name");
    std::string_view name = text_.substr(start + 1, i - start - 1);
    if (name.empty()) return Error(start, "a path segment cannot be empty");
    if (name.find('.') != std::string_view::npos) {
      return Error(start, "a path segment cannot contain \".\"");
    }
    pos_ = i + 1;
    Push(TokenKind::kQuotedName, start, pos_);
    out_.back().value = std::string(name);
    return true;
  }

  bool LexNumber(size_t start) {
    size_t i = start;
    if (text_[i] == '-') ++i;
    while (i < text_.size() && IsDigit(text_[i])) ++i;
    if (i + 1 < text_.size() && text_[i] == '.' && IsDigit(text_[i + 1])) {
      i += 2;
      while (i < text_.size() && IsDigit(text_[i])) ++i;
    }
    if (i < text_.size() && (text_[i] == 'e' || text_[i] == 'E')) {
      size_t j = i + 1;
      if (j < text_.size() && (text_[j] == '+' || text_[j] == '-')) ++j;
      if (j < text_.size() && IsDigit(text_[j])) {
        while (j < text_.size() && IsDigit(text_[j])) ++j;
        i = j;
      }
    }
    const std::string_view written = text_.substr(start, i - start);
    const std::optional<double> value = ParseDecimal(written);
    if (!value) {
      if (written.size() > 64) return Error(start, "a number can have at most 64 characters");
      return Error(start, "the number " + std::string(written) + " is out of range");
    }
    pos_ = i;
    Push(TokenKind::kNumber, start, pos_);
    out_.back().number = *value;
    return true;
  }

  // The value of 4 hex digits at text_[i], or -1.
  int Hex4(size_t i) const {
    if (i + 4 > text_.size()) return -1;
    int v = 0;
    for (size_t k = i; k < i + 4; ++k) {
      const int h = HexValue(text_[k]);
      if (h < 0) return -1;
      v = v * 16 + h;
    }
    return v;
  }

  // The run of word characters at `start` (for messages), cut to 32 bytes.
  std::string_view WordAt(size_t start) const {
    size_t i = start;
    while (i < text_.size() && i - start < 32 && IsWordChar(text_[i])) ++i;
    return text_.substr(start, i - start);
  }

  bool Push(TokenKind kind, size_t start, size_t end) {
    LexToken t;
    t.kind = kind;
    t.text = text_.substr(start, end - start);
    Locate(start, &t.line, &t.column);
    out_.push_back(std::move(t));
    pos_ = end;
    return true;
  }

  bool Error(size_t at, std::string message) {
    LexToken t;
    t.kind = TokenKind::kError;
    t.text = text_.substr(at, 0);
    t.value = std::move(message);
    Locate(at, &t.line, &t.column);
    out_.push_back(std::move(t));
    return false;
  }

  // Positions are asked for in increasing order, so a cursor makes the whole pass linear.
  void Locate(size_t offset, int* line, int* column) {
    if (offset < cursor_) cursor_ = 0, line_ = 1, column_ = 1;
    for (; cursor_ < offset; ++cursor_) {
      const auto c = static_cast<unsigned char>(text_[cursor_]);
      if (c == '\n') {
        ++line_, column_ = 1;
      } else if ((c & 0xC0) != 0x80) {
        ++column_;
      }
    }
    *line = line_, *column = column_;
  }

  std::string_view text_;
  size_t pos_ = 0;
  size_t cursor_ = 0;
  int line_ = 1, column_ = 1;
  std::vector<LexToken> out_;
};

}  // namespace

std::vector<LexToken> Tokenize(std::string_view text) { return Lexer(text).Run(); }

void PositionOf(std::string_view text, size_t offset, int* line, int* column) {
  *line = 1, *column = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      ++*line, *column = 1;
    } else if ((c & 0xC0) != 0x80) {
      ++*column;
    }
  }
}

}  // namespace rapport
