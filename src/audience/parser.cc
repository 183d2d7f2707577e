#include "audience/parser.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "audience/lexer.h"
#include "audience/printer.h"
#include "common/json_writer.h"

namespace rapport {

namespace {

using Kind = Node::Kind;

constexpr std::string_view kConditionList =
    "traits.<name>, computed.<name>, account.<name>, performed, in audience, consented to, not "
    "or \"(\"";
constexpr std::string_view kComparisonList =
    "=, !=, >, >=, <, <=, in [...], contains, is set or is not set";
constexpr std::string_view kValueKinds = "a value (a string, number, true, false or null)";
constexpr std::string_view kDeepMessage =
    "too deeply nested: at most 32 levels of and, or, not and parentheses";

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (x != b[i]) return false;
  }
  return true;
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A string as shown after "got" in a message: quoted when short, else its length.
std::string Got(std::string_view s) {
  if (s.size() <= 64) return JsonString(s);
  return "a string of " + std::to_string(s.size()) + " bytes";
}

// A token as shown after "found" in a message.
std::string Describe(const LexToken& t) {
  constexpr size_t kShown = 48;
  switch (t.kind) {
    case TokenKind::kEnd:
      return "the end of the input";
    case TokenKind::kString: {
      std::string_view shown = TruncateUtf8(t.value, kShown);
      return "the string " + JsonString(shown) + (shown.size() < t.value.size() ? "..." : "");
    }
    case TokenKind::kNumber:
    case TokenKind::kDigits:
      return "the number " + std::string(t.text);
    case TokenKind::kQuotedName:
      return "the name `" + std::string(TruncateUtf8(t.value, kShown)) + "`";
    default:
      return JsonString(TruncateUtf8(t.text, kShown));
  }
}

int Depth(const Node& n) {
  if (n.kind != Kind::kAnd && n.kind != Kind::kOr && n.kind != Kind::kNot) return 0;
  int d = 0;
  for (const Node& c : n.children) d = std::max(d, Depth(c));
  return d + 1;
}

// A dotted path as parsed: its segments and the tokens it spans.
struct Path {
  std::vector<std::string> segments;
  const LexToken* first = nullptr;
  const LexToken* last = nullptr;

  std::string Joined(std::string_view prefix = {}) const {
    std::string out(prefix);
    for (size_t i = 0; i < segments.size(); ++i) {
      if (i > 0) out += '.';
      out += segments[i];
    }
    return out;
  }
  // The path as written, for messages.
  std::string Written() const {
    const char* begin = first->text.data();
    const char* end = last->text.data() + last->text.size();
    return std::string(TruncateUtf8(std::string_view(begin, end - begin), 64));
  }
};

class Parser {
 public:
  Parser(std::vector<LexToken> tokens, ParseError* error)
      : tokens_(std::move(tokens)), error_(error) {}

  Result<Node> Parse() {
    ASSIGN_OR_RETURN(Node root, ParseOr());
    const LexToken& t = Peek();
    if (t.kind == TokenKind::kEnd) return root;
    if (t.kind == TokenKind::kRParen) return Fail(t, "unexpected \")\" without a matching \"(\"");
    return Fail(t, "expected \"and\", \"or\" or the end of the input, found " + Describe(t));
  }

 private:
  const LexToken& Peek(size_t ahead = 0) const {
    return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
  }
  const LexToken& Take() {
    const LexToken& t = tokens_[pos_];
    if (pos_ + 1 < tokens_.size()) ++pos_;
    return t;
  }
  static bool IsWord(const LexToken& t, std::string_view lower_word) {
    return t.kind == TokenKind::kWord && EqualsIgnoreCase(t.text, lower_word);
  }
  // Tokens that begin a condition on their own: they end a `where` list after "and".
  static bool StartsCondition(const LexToken& t) {
    if (t.kind == TokenKind::kLParen) return true;
    for (std::string_view w :
         {"not", "performed", "in", "consented", "traits", "computed", "account"}) {
      if (IsWord(t, w)) return true;
    }
    return false;
  }

  Status Fail(int line, int column, std::string message) {
    error_->line = line;
    error_->column = column;
    error_->message = std::move(message);
    return Status::InvalidArgument("line " + std::to_string(line) + ", column " +
                                   std::to_string(column) + ": " + error_->message);
  }
  // At a kError token the lexer's message wins: that token is the first problem.
  Status Fail(const LexToken& at, std::string message) {
    return Fail(at.line, at.column, at.kind == TokenKind::kError ? at.value : std::move(message));
  }
  Status Expected(const LexToken& at, std::string_view what) {
    return Fail(at, std::string(what) + ", found " + Describe(at));
  }

  Status Enter(const LexToken& at) {
    if (++nesting_ > kMaxAudienceDepth) return Fail(at, std::string(kDeepMessage));
    return Status::OK();
  }
  Status CheckDepth(const Node& n) {
    if (Depth(n) > kMaxAudienceDepth) return Fail(n.line, n.column, std::string(kDeepMessage));
    return Status::OK();
  }
  Status CountLeaf(const LexToken& at) {
    if (++leaves_ > kMaxAudienceLeaves) {
      return Fail(at, "too many conditions: an audience can have at most " +
                          std::to_string(kMaxAudienceLeaves));
    }
    return Status::OK();
  }
  static Node Start(Kind kind, int line, int column) {
    Node n;
    n.kind = kind;
    n.line = line;
    n.column = column;
    return n;
  }

  Result<Node> ParseOr() { return ParseChain(Kind::kOr, "or"); }
  Result<Node> ParseAnd() { return ParseChain(Kind::kAnd, "and"); }

  // or_expr / and_expr: operands joined by `word`, flattened into one node.
  Result<Node> ParseChain(Kind kind, std::string_view word) {
    auto operand = [&]() { return kind == Kind::kOr ? ParseAnd() : ParseUnary(); };
    ASSIGN_OR_RETURN(Node first, operand());
    if (!IsWord(Peek(), word)) return first;
    Node n = Start(kind, first.line, first.column);
    n.children.push_back(std::move(first));
    while (IsWord(Peek(), word)) {
      Take();
      ASSIGN_OR_RETURN(Node next, operand());
      n.children.push_back(std::move(next));
    }
    RETURN_IF_ERROR(CheckDepth(n));
    return n;
  }

  Result<Node> ParseUnary() {
    const LexToken& t = Peek();
    if (!IsWord(t, "not")) return ParsePrimary();
    Take();
    RETURN_IF_ERROR(Enter(t));
    ASSIGN_OR_RETURN(Node child, ParseUnary());
    --nesting_;
    Node n = Start(Kind::kNot, t.line, t.column);
    n.children.push_back(std::move(child));
    RETURN_IF_ERROR(CheckDepth(n));
    return n;
  }

  Result<Node> ParsePrimary() {
    const LexToken& t = Peek();
    if (t.kind == TokenKind::kLParen) {
      Take();
      RETURN_IF_ERROR(Enter(t));
      ASSIGN_OR_RETURN(Node inner, ParseOr());
      const LexToken& close = Peek();
      if (close.kind != TokenKind::kRParen) {
        return Expected(close, "expected \"and\", \"or\" or \")\" to close the \"(\" at line " +
                                   std::to_string(t.line) + ", column " + std::to_string(t.column));
      }
      Take();
      --nesting_;
      return inner;
    }
    if (IsWord(t, "traits")) return ParseCompare(CompareScope::kTrait);
    if (IsWord(t, "computed")) return ParseCompare(CompareScope::kComputed);
    if (IsWord(t, "account")) return ParseCompare(CompareScope::kAccount);
    if (IsWord(t, "performed")) return ParsePerformed();
    if (IsWord(t, "in")) return ParseInAudience();
    if (IsWord(t, "consented")) return ParseConsent();
    std::string message =
        "expected a condition (" + std::string(kConditionList) + "), found " + Describe(t);
    if (t.kind == TokenKind::kWord && !IsKeyword(t.text) &&
        (Peek(1).kind == TokenKind::kOp || Peek(1).kind == TokenKind::kDot)) {
      const std::string name(TruncateUtf8(t.text, 48));
      message += pos_ > 0 && pos_ - 1 == after_performed_
                     ? " (a condition on the event goes in its \"where\" list, before the count "
                       "and \"within\"; a profile trait is written traits." +
                           name + ")"
                     : " (did you mean traits." + name + "?)";
    }
    return Fail(t, std::move(message));
  }

  Result<Node> ParseInAudience() {
    const LexToken& kw = Take();
    RETURN_IF_ERROR(CountLeaf(kw));
    if (!IsWord(Peek(), "audience")) return Expected(Peek(), "expected \"audience\" after \"in\"");
    Take();
    const LexToken& name = Peek();
    if (name.kind != TokenKind::kString) {
      return Expected(name, "expected the audience's name in quotes after \"in audience\"");
    }
    if (!IsAudienceName(name.value)) {
      return Fail(name,
                  "an audience name must be 1 to 64 characters of a-z, 0-9 and _, starting with a "
                  "letter, got " +
                      Got(name.value));
    }
    Take();
    Node n = Start(Kind::kInAudience, kw.line, kw.column);
    n.name = name.value;
    return n;
  }

  Result<Node> ParseConsent() {
    const LexToken& kw = Take();
    RETURN_IF_ERROR(CountLeaf(kw));
    if (!IsWord(Peek(), "to")) return Expected(Peek(), "expected \"to\" after \"consented\"");
    Take();
    const LexToken& name = Peek();
    if (name.kind != TokenKind::kString) {
      return Expected(name, "expected a consent category in quotes after \"consented to\"");
    }
    if (name.value.empty() || name.value.size() > kMaxConsentCategoryBytes) {
      return Fail(name, "a consent category must be 1 to 128 bytes, got " + Got(name.value));
    }
    Take();
    Node n = Start(Kind::kConsent, kw.line, kw.column);
    n.name = name.value;
    return n;
  }

  Result<Node> ParseCompare(CompareScope scope) {
    const LexToken& kw = Take();
    RETURN_IF_ERROR(CountLeaf(kw));
    std::string scope_word = scope == CompareScope::kTrait      ? "traits"
                             : scope == CompareScope::kComputed ? "computed"
                                                                : "account";
    if (Peek().kind != TokenKind::kDot) {
      return Expected(Peek(), "expected \".\" and a name after \"" + scope_word + "\" (as in " +
                                  scope_word + ".plan)");
    }
    Take();
    ASSIGN_OR_RETURN(Path path, ParsePath("expected a name after \"" + scope_word + ".\""));
    if (scope == CompareScope::kComputed && !IsAudienceName(path.segments[0])) {
      return Fail(*path.first,
                  "a computed trait name must be 1 to 64 characters of a-z, 0-9 and _, starting "
                  "with a letter, got " +
                      Got(path.segments[0]));
    }
    Node n = Start(Kind::kCompare, kw.line, kw.column);
    n.compare.scope = scope;
    n.compare.clause.path = path.Joined();
    RETURN_IF_ERROR(CheckPathSize(path, n.compare.clause.path));
    RETURN_IF_ERROR(ParseComparison(&n.compare.clause, scope_word + "." + path.Written()));
    return n;
  }

  static bool IsSegment(const LexToken& t) {
    return t.kind == TokenKind::kWord || t.kind == TokenKind::kDigits ||
           t.kind == TokenKind::kQuotedName || (t.kind == TokenKind::kNumber && AllDigits(t.text));
  }

  // segment ("." segment)*, the first one described by `expected` when missing.
  Result<Path> ParsePath(std::string_view expected) {
    Path path;
    const LexToken* t = &Peek();
    if (!IsSegment(*t)) return Expected(*t, expected);
    path.first = t;
    while (true) {
      path.segments.push_back(t->kind == TokenKind::kQuotedName ? t->value : std::string(t->text));
      path.last = t;
      Take();
      if (Peek().kind != TokenKind::kDot) return path;
      Take();
      t = &Peek();
      if (!IsSegment(*t)) return Expected(*t, "expected a name after \".\"");
    }
  }

  Status CheckPathSize(const Path& path, const std::string& stored) {
    if (stored.size() <= kMaxComputedPathBytes) return Status::OK();
    return Fail(*path.first, "a path can be at most " + std::to_string(kMaxComputedPathBytes) +
                                 " bytes, got " + std::to_string(stored.size()));
  }

  // cmp := op value | "in" list | "is" ["not"] "set" | "contains" STRING
  Status ParseComparison(WhereClause* c, const std::string& subject) {
    const LexToken& t = Peek();
    if (t.kind == TokenKind::kOp) {
      Take();
      const std::string_view op = t.text;
      c->op = op == "=" || op == "=="    ? WhereOp::kEq
              : op == "!=" || op == "<>" ? WhereOp::kNeq
              : op == ">"                ? WhereOp::kGt
              : op == ">="               ? WhereOp::kGte
              : op == "<"                ? WhereOp::kLt
                                         : WhereOp::kLte;
      const bool ordered = c->op != WhereOp::kEq && c->op != WhereOp::kNeq;
      ASSIGN_OR_RETURN(c->value, ParseValue(ordered, "after \"" + std::string(op) + "\""));
      return Status::OK();
    }
    if (IsWord(t, "in")) {
      Take();
      c->op = WhereOp::kIn;
      return ParseList(&c->values);
    }
    if (IsWord(t, "is")) {
      Take();
      c->op = WhereOp::kExists;
      if (IsWord(Peek(), "not")) {
        Take();
        c->op = WhereOp::kNotExists;
        if (!IsWord(Peek(), "set")) return Expected(Peek(), "expected \"set\" after \"is not\"");
      } else if (!IsWord(Peek(), "set")) {
        return Expected(Peek(), "expected \"set\" or \"not set\" after \"is\"");
      }
      Take();
      return Status::OK();
    }
    if (IsWord(t, "contains")) {
      Take();
      const LexToken& v = Peek();
      if (v.kind != TokenKind::kString) return Expected(v, "expected a string after \"contains\"");
      Take();
      c->op = WhereOp::kContains;
      c->value = ComputedValue::String(v.value);
      return Status::OK();
    }
    return Expected(
        t, "expected a comparison after " + subject + " (" + std::string(kComparisonList) + ")");
  }

  // value := STRING | NUMBER | true | false | null; `ordered` (> >= < <=): numbers and strings.
  Result<ComputedValue> ParseValue(bool ordered, const std::string& where) {
    const LexToken& v = Peek();
    if (v.kind == TokenKind::kString) {
      Take();
      return ComputedValue::String(v.value);
    }
    if (v.kind == TokenKind::kNumber) {
      Take();
      return ComputedValue::Number(v.number);
    }
    if (!ordered) {
      const bool is_true = IsWord(v, "true");
      if (is_true || IsWord(v, "false")) {
        Take();
        return ComputedValue::Bool(is_true);
      }
      if (IsWord(v, "null")) {
        Take();
        return ComputedValue::Null();
      }
    }
    return Expected(
        v, "expected " + std::string(ordered ? "a number or a string" : kValueKinds) + " " + where);
  }

  Status ParseList(std::vector<ComputedValue>* values) {
    const LexToken& open = Peek();
    if (open.kind != TokenKind::kLBracket) {
      return Expected(open, "expected a list in brackets after \"in\", such as [\"a\", \"b\"]");
    }
    Take();
    if (Peek().kind == TokenKind::kRBracket) {
      return Fail(Peek(), "a list needs at least one value");
    }
    while (true) {
      if (values->size() == kMaxInValues) {
        return Fail(Peek(), "a list can hold at most " + std::to_string(kMaxInValues) + " values");
      }
      ASSIGN_OR_RETURN(ComputedValue v, ParseValue(false, "in the list"));
      values->push_back(std::move(v));
      const LexToken& sep = Peek();
      if (sep.kind == TokenKind::kComma) {
        Take();
      } else if (sep.kind == TokenKind::kRBracket) {
        Take();
        return Status::OK();
      } else {
        return Expected(sep, "expected \",\" or \"]\" in the list");
      }
    }
  }

  Result<Node> ParsePerformed() {
    const LexToken& kw = Take();
    RETURN_IF_ERROR(CountLeaf(kw));
    Node n = Start(Kind::kPerformed, kw.line, kw.column);
    Performed& p = n.performed;
    const LexToken& e = Peek();
    if (e.kind == TokenKind::kString) {
      Take();
      RETURN_IF_ERROR(CheckEventName(e, "an event name"));
      p.type = EventType::kTrack;
      p.event = e.value;
    } else if (IsWord(e, "page") || IsWord(e, "screen")) {
      Take();
      const bool page = IsWord(e, "page");
      p.type = page ? EventType::kPage : EventType::kScreen;
      if (Peek().kind == TokenKind::kString) {
        const LexToken& name = Take();
        RETURN_IF_ERROR(CheckEventName(name, page ? "a page name" : "a screen name"));
        p.event = name.value;
      }
    } else if (IsWord(e, "any")) {
      Take();
      if (!IsWord(Peek(), "event")) return Expected(Peek(), "expected \"event\" after \"any\"");
      Take();
      p.type = EventType::kAny;
    } else {
      return Expected(e,
                      "expected what was performed after \"performed\": an event name in quotes, "
                      "page, screen or any event");
    }
    const bool has_where = IsWord(Peek(), "where");
    if (has_where) {
      Take();
      RETURN_IF_ERROR(ParseWhereList(&p.where));
    }
    RETURN_IF_ERROR(ParseCount(&p));
    ASSIGN_OR_RETURN(const bool windowed, ParseWithin(&p.within));
    const LexToken& next = Peek();
    if (IsWord(next, "where")) {
      return Fail(next, has_where ? "a performed condition has one \"where\"; join its "
                                    "conditions with and"
                                  : "\"where\" comes right after the event, before the count and "
                                    "\"within\"");
    }
    if (windowed && (IsWord(next, "at") || IsWord(next, "exactly") || IsWord(next, "once"))) {
      return Fail(next, "the count (at least, at most, exactly, once) comes before \"within\"");
    }
    if (IsWord(next, "and")) after_performed_ = pos_;
    return n;
  }

  Status CheckEventName(const LexToken& t, std::string_view what) {
    if (!t.value.empty() && t.value.size() <= kMaxComputedEventBytes) return Status::OK();
    return Fail(t, std::string(what) + " must be 1 to " + std::to_string(kMaxComputedEventBytes) +
                       " bytes, got " + Got(t.value));
  }

  // cond ("and" cond)*: an "and" followed by a token that starts a condition of its own ends the
  // list and belongs to the enclosing and_expr.
  Status ParseWhereList(std::vector<WhereClause>* where) {
    std::string_view after = "where";
    while (true) {
      const LexToken& start = Peek();
      if (where->size() == kMaxWhereClauses) {
        return Fail(start, "at most " + std::to_string(kMaxWhereClauses) +
                               " \"where\" conditions per performed condition");
      }
      if (start.kind == TokenKind::kWord && StartsCondition(start)) {  // only right after where
        const std::string word(TruncateUtf8(start.text, 48));
        return Fail(start, "expected an event property after \"where\", found \"" + word +
                               "\" (for an event property with that name, write properties." +
                               word + ")");
      }
      ASSIGN_OR_RETURN(
          Path path, ParsePath("expected an event property after \"" + std::string(after) + "\""));
      WhereClause c;
      const bool rooted = path.segments[0] == "properties" || path.segments[0] == "context";
      c.path = path.Joined(rooted ? "" : "properties.");
      RETURN_IF_ERROR(CheckPathSize(path, c.path));
      RETURN_IF_ERROR(ParseComparison(&c, path.Written()));
      where->push_back(std::move(c));
      if (!IsWord(Peek(), "and") || StartsCondition(Peek(1))) return Status::OK();
      Take();
      after = "and";
    }
  }

  // count := "at" ("least" | "most") INT times | "exactly" INT times | "once"
  Status ParseCount(Performed* p) {
    const LexToken& t = Peek();
    if (IsWord(t, "once")) {
      Take();
      p->count_op = CountOp::kAtLeast;
      p->count = 1;
      return Status::OK();
    }
    CountOp op;
    std::string label;
    if (IsWord(t, "at")) {
      Take();
      const LexToken& w = Peek();
      if (IsWord(w, "least")) {
        op = CountOp::kAtLeast, label = "at least";
      } else if (IsWord(w, "most")) {
        op = CountOp::kAtMost, label = "at most";
      } else {
        return Expected(w, "expected \"least\" or \"most\" after \"at\"");
      }
      Take();
    } else if (IsWord(t, "exactly")) {
      Take();
      op = CountOp::kExactly, label = "exactly";
    } else {
      return Status::OK();
    }
    const LexToken& c = Peek();
    if (c.kind != TokenKind::kNumber)
      return Expected(c, "expected a count after \"" + label + "\"");
    const uint32_t min = op == CountOp::kAtLeast ? 1 : 0;
    if (!AllDigits(c.text) || c.number < min || c.number > kMaxPerformedCount) {
      return Fail(c, "\"" + label + "\" needs a count of " + std::to_string(min) + " to " +
                         std::to_string(kMaxPerformedCount) + ", got " + std::string(c.text));
    }
    Take();
    const LexToken& times = Peek();
    if (!IsWord(times, "times") && !IsWord(times, "time")) {
      return Expected(times, "expected \"times\" after the count " + std::string(c.text));
    }
    Take();
    p->count_op = op;
    p->count = static_cast<uint32_t>(c.number);
    return Status::OK();
  }

  // window := "within" INT unit
  Result<bool> ParseWithin(Window* w) {
    if (!IsWord(Peek(), "within")) return false;
    Take();
    const LexToken& a = Peek();
    if (a.kind != TokenKind::kNumber) {
      return Expected(a, "expected a duration after \"within\", such as 7 days");
    }
    if (!AllDigits(a.text)) {
      return Fail(a, "\"within\" needs a whole number of minutes, hours, days or weeks, got " +
                         std::string(a.text));
    }
    Take();
    const LexToken& u = Peek();
    if (u.kind != TokenKind::kWord) {
      return Expected(
          u, "expected a time unit (minutes, hours, days, weeks) after " + std::string(a.text));
    }
    static constexpr std::array<std::pair<std::string_view, TimeUnit>, 8> kUnits = {{
        {"minute", TimeUnit::kMinutes},
        {"minutes", TimeUnit::kMinutes},
        {"hour", TimeUnit::kHours},
        {"hours", TimeUnit::kHours},
        {"day", TimeUnit::kDays},
        {"days", TimeUnit::kDays},
        {"week", TimeUnit::kWeeks},
        {"weeks", TimeUnit::kWeeks},
    }};
    const auto* unit = std::find_if(kUnits.begin(), kUnits.end(),
                                    [&](const auto& entry) { return IsWord(u, entry.first); });
    if (unit == kUnits.end()) {
      return Fail(u, "unknown time unit \"" + std::string(TruncateUtf8(u.text, 48)) +
                         "\" (minutes, hours, days, weeks)");
    }
    Take();
    if (a.number < 1 || a.number > MaxWindowAmount(unit->second)) {
      return Fail(a, "\"within\" needs a duration from 1 minute to " +
                         std::to_string(kMaxWindowDays) + " days, got " + std::string(a.text) +
                         " " + std::string(TimeUnitName(unit->second)));
    }
    w->amount = static_cast<int32_t>(a.number);
    w->unit = unit->second;
    return true;
  }

  std::vector<LexToken> tokens_;
  size_t pos_ = 0;
  ParseError* error_;
  int nesting_ = 0;                    // open "(" and "not"
  size_t leaves_ = 0;                  // leaves so far
  size_t after_performed_ = SIZE_MAX;  // index of an "and" right after a performed condition
};

}  // namespace

Result<Node> ParseAudience(std::string_view text, ParseError* error) {
  ParseError local;
  ParseError* e = error != nullptr ? error : &local;
  *e = ParseError{};
  if (text.size() > kMaxAudienceTextBytes) {
    PositionOf(text, kMaxAudienceTextBytes, &e->line, &e->column);
    e->message = "the audience is " + std::to_string(text.size()) + " bytes; the limit is " +
                 std::to_string(kMaxAudienceTextBytes);
    return Status::InvalidArgument("line " + std::to_string(e->line) + ", column " +
                                   std::to_string(e->column) + ": " + e->message);
  }
  ASSIGN_OR_RETURN(Node root, Parser(Tokenize(text), e).Parse());
  // The canonical text can be longer than the input (escapes for raw control characters,
  // spaces, numbers written out); it must fit too, or it could not be read back.
  const size_t canonical = FormatAudience(root).size();
  if (canonical > kMaxAudienceTextBytes) {
    *e = ParseError{1, 1,
                    "written in canonical form (with escapes and spaces) the audience is " +
                        std::to_string(canonical) + " bytes; the limit is " +
                        std::to_string(kMaxAudienceTextBytes)};
    return Status::InvalidArgument("line 1, column 1: " + e->message);
  }
  return root;
}

std::string_view TimeUnitName(TimeUnit unit) {
  static constexpr std::array<std::string_view, 4> kNames = {"minutes", "hours", "days", "weeks"};
  return kNames[static_cast<size_t>(unit)];
}

int32_t MaxWindowAmount(TimeUnit unit) {
  switch (unit) {
    case TimeUnit::kMinutes:
      return kMaxWindowDays * 1440;
    case TimeUnit::kHours:
      return kMaxWindowDays * 24;
    case TimeUnit::kDays:
      return kMaxWindowDays;
    case TimeUnit::kWeeks:
      return kMaxWindowDays / 7;
  }
  return 0;
}

std::string_view CountOpName(CountOp op) {
  static constexpr std::array<std::string_view, 3> kNames = {"at_least", "at_most", "exactly"};
  return kNames[static_cast<size_t>(op)];
}

bool IsAudienceName(std::string_view name) {
  if (name.empty() || name.size() > kMaxAudienceNameChars) return false;
  if (name[0] < 'a' || name[0] > 'z') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

bool IsSpellablePath(std::string_view path) {
  if (path.empty() || path.size() > kMaxComputedPathBytes) return false;
  if (path.front() == '.' || path.back() == '.') return false;
  if (path.find("..") != std::string_view::npos) return false;
  return path.find_first_of("`\n") == std::string_view::npos;
}

bool IsKeyword(std::string_view word) {
  static constexpr std::array<std::string_view, 43> kKeywords = {
      "and",    "or",       "not",       "in",     "audience", "consented", "to",         "is",
      "set",    "contains", "performed", "where",  "at",       "least",     "most",       "exactly",
      "once",   "time",     "times",     "within", "page",     "screen",    "any",        "event",
      "true",   "false",    "null",      "traits", "computed", "account",   "properties", "context",
      "minute", "minutes",  "hour",      "hours",  "day",      "days",      "week",       "weeks",
      "trait",  "consent",  "audiences"};
  return std::any_of(kKeywords.begin(), kKeywords.end(),
                     [&](std::string_view k) { return EqualsIgnoreCase(word, k); });
}

}  // namespace rapport
