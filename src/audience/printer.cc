#include "audience/printer.h"

#include <string>
#include <string_view>

#include "audience/parser.h"
#include "common/json_writer.h"

namespace rapport {

namespace {

using Kind = Node::Kind;

bool IsIdent(std::string_view s) {
  const auto start = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$';
  };
  if (s.empty() || !start(s[0])) return false;
  for (char c : s) {
    if (!start(c) && !(c >= '0' && c <= '9') && c != '-') return false;
  }
  return true;
}

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

void AppendPath(std::string_view path, std::string* out) {
  size_t start = 0;
  while (true) {
    const size_t dot = path.find('.', start);
    const std::string_view segment = path.substr(start, dot - start);
    if (IsIdent(segment) || AllDigits(segment)) {
      out->append(segment);
    } else {
      out->push_back('`');
      out->append(segment);
      out->push_back('`');
    }
    if (dot == std::string_view::npos) return;
    out->push_back('.');
    start = dot + 1;
  }
}

// An event property: "revenue" for properties.revenue when that reads back the same (a plain
// name that is no keyword), else the full path ("properties.time", "context.campaign.source").
void AppendProperty(std::string_view path, std::string* out) {
  constexpr std::string_view kProperties = "properties.";
  if (path.substr(0, kProperties.size()) == kProperties) {
    const std::string_view rest = path.substr(kProperties.size());
    const std::string_view first = rest.substr(0, rest.find('.'));
    if (IsIdent(first) && !IsKeyword(first)) {
      AppendPath(rest, out);
      return;
    }
  }
  AppendPath(path, out);
}

void AppendComparison(const WhereClause& c, std::string* out) {
  switch (c.op) {
    case WhereOp::kExists:
      out->append(" is set");
      return;
    case WhereOp::kNotExists:
      out->append(" is not set");
      return;
    case WhereOp::kIn:
      out->append(" in [");
      for (size_t i = 0; i < c.values.size(); ++i) {
        if (i > 0) out->append(", ");
        c.values[i].AppendJson(out);
      }
      out->push_back(']');
      return;
    case WhereOp::kEq:
      out->append(" = ");
      break;
    case WhereOp::kNeq:
      out->append(" != ");
      break;
    case WhereOp::kGt:
      out->append(" > ");
      break;
    case WhereOp::kGte:
      out->append(" >= ");
      break;
    case WhereOp::kLt:
      out->append(" < ");
      break;
    case WhereOp::kLte:
      out->append(" <= ");
      break;
    case WhereOp::kContains:
      out->append(" contains ");
      break;
  }
  c.value.AppendJson(out);
}

// " 2 times", " 1 day": a number and a word, singular for 1.
void AppendQuantity(int64_t n, std::string_view plural, std::string* out) {
  *out += ' ' + std::to_string(n) + ' ';
  out->append(n == 1 ? plural.substr(0, plural.size() - 1) : plural);
}

void AppendPerformed(const Performed& p, std::string* out) {
  out->append("performed ");
  switch (p.type) {
    case EventType::kTrack:
      AppendJsonString(out, p.event);
      break;
    case EventType::kPage:
    case EventType::kScreen:
      out->append(p.type == EventType::kPage ? "page" : "screen");
      if (!p.event.empty()) {
        out->push_back(' ');
        AppendJsonString(out, p.event);
      }
      break;
    default:
      out->append("any event");
  }
  for (size_t i = 0; i < p.where.size(); ++i) {
    out->append(i == 0 ? " where " : " and ");
    AppendProperty(p.where[i].path, out);
    AppendComparison(p.where[i], out);
  }
  if (p.count_op != CountOp::kAtLeast || p.count != 1) {
    out->append(p.count_op == CountOp::kAtLeast  ? " at least"
                : p.count_op == CountOp::kAtMost ? " at most"
                                                 : " exactly");
    AppendQuantity(p.count, "times", out);
  }
  if (p.within.amount > 0) {
    out->append(" within");
    AppendQuantity(p.within.amount, TimeUnitName(p.within.unit), out);
  }
}

void AppendNode(const Node& n, std::string* out);

// A child of an and / or / not: in parentheses when the precedence would otherwise regroup it,
// and when it is a group of the same kind (so that the tree reads back as it is).
void AppendOperand(const Node& child, Kind parent, std::string* out) {
  const bool parens =
      (child.kind == Kind::kOr) || (child.kind == Kind::kAnd && parent != Kind::kOr);
  if (parens) out->push_back('(');
  AppendNode(child, out);
  if (parens) out->push_back(')');
}

void AppendNode(const Node& n, std::string* out) {
  switch (n.kind) {
    case Kind::kAnd:
    case Kind::kOr:
      for (size_t i = 0; i < n.children.size(); ++i) {
        if (i > 0) out->append(n.kind == Kind::kAnd ? " and " : " or ");
        AppendOperand(n.children[i], n.kind, out);
      }
      return;
    case Kind::kNot:
      out->append("not ");
      for (const Node& child : n.children) AppendOperand(child, Kind::kNot, out);
      return;
    case Kind::kCompare:
      out->append(n.compare.scope == CompareScope::kTrait      ? "traits."
                  : n.compare.scope == CompareScope::kComputed ? "computed."
                                                               : "account.");
      AppendPath(n.compare.clause.path, out);
      AppendComparison(n.compare.clause, out);
      return;
    case Kind::kPerformed:
      AppendPerformed(n.performed, out);
      return;
    case Kind::kInAudience:
      out->append("in audience ");
      AppendJsonString(out, n.name);
      return;
    case Kind::kConsent:
      out->append("consented to ");
      AppendJsonString(out, n.name);
      return;
  }
}

}  // namespace

std::string FormatAudience(const Node& node) {
  std::string out;
  AppendNode(node, &out);
  return out;
}

}  // namespace rapport
