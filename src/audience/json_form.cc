#include "audience/json_form.h"

#include <simdjson.h>

#include <array>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "audience/parser.h"
#include "audience/printer.h"
#include "common/json_describe.h"
#include "common/json_writer.h"
#include "profile/computed/computed_def.h"

namespace rapport {

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;
using Kind = Node::Kind;

// The keys that name a node's kind, in the order of kKindOf.
constexpr std::array<std::string_view, 9> kKindKeys = {
    "and", "or", "not", "trait", "computed", "account", "performed", "in_audience", "consent"};
constexpr std::array<Kind, 9> kKindOf = {Kind::kAnd,       Kind::kOr,         Kind::kNot,
                                         Kind::kCompare,   Kind::kCompare,    Kind::kCompare,
                                         Kind::kPerformed, Kind::kInAudience, Kind::kConsent};
constexpr std::string_view kKindList =
    "and, or, not, trait, computed, account, performed, in_audience, consent";
constexpr std::array<std::string_view, 10> kOpNames = {
    "eq", "neq", "gt", "gte", "lt", "lte", "exists", "not_exists", "contains", "in"};
constexpr std::string_view kOpList = "eq, neq, gt, gte, lt, lte, exists, not_exists, contains, in";
constexpr std::array<std::string_view, 4> kTypeNames = {"track", "page", "screen", "any"};
constexpr std::array<EventType, 4> kTypes = {EventType::kTrack, EventType::kPage,
                                             EventType::kScreen, EventType::kAny};
constexpr std::array<std::string_view, 3> kCountOps = {"at_least", "at_most", "exactly"};
constexpr std::array<std::string_view, 4> kUnits = {"minutes", "hours", "days", "weeks"};

template <size_t N>
int IndexOf(const std::array<std::string_view, N>& names, std::string_view s) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == s) return static_cast<int>(i);
  }
  return -1;
}

std::string Q(std::string_view field) { return "\"" + std::string(field) + "\""; }
std::string Join(std::string_view loc, std::string_view key) {
  return loc.empty() ? std::string(key) : std::string(loc) + "." + std::string(key);
}
// The node at `loc` as the subject of a message.
std::string Subject(std::string_view loc) { return loc.empty() ? "the audience" : Q(loc); }

bool IsNumber(element_type t) {
  return t == element_type::INT64 || t == element_type::UINT64 || t == element_type::DOUBLE;
}

// An integer in [min, max] or nullopt.
std::optional<int64_t> IntIn(element v, int64_t min, int64_t max) {
  int64_t n = 0;
  if (v.type() != element_type::INT64 || v.get_int64().get(n) != simdjson::SUCCESS || n < min ||
      n > max) {
    return std::nullopt;
  }
  return n;
}

class Reader {
 public:
  // The node at `loc` ("" for the root, "and[1].not", ...) under `depth` and/or/not nodes.
  Result<Node> ReadNode(element e, const std::string& loc, int depth) {
    simdjson::dom::object obj;
    if (e.get_object().get(obj) != simdjson::SUCCESS) {
      return Fail(loc.empty()
                      ? "the audience must be a JSON object, got " + DescribeJson(e)
                      : Q(loc) + " must be a JSON object (a condition), got " + DescribeJson(e));
    }
    int kind = -1;
    for (simdjson::dom::key_value_pair kv : obj) {
      const int i = IndexOf(kKindKeys, kv.key);
      if (i < 0) continue;
      if (kind >= 0) {
        return Fail(Subject(loc) + " has both " + Q(kKindKeys[kind]) + " and " + Q(kv.key) +
                    "; a condition has exactly one of " + std::string(kKindList));
      }
      kind = i;
    }
    if (kind < 0) {
      return Fail(Subject(loc) + " needs one of the fields " + std::string(kKindList));
    }
    const std::string_view key = kKindKeys[kind];
    std::vector<std::string_view> fields = {key};
    if (kKindOf[kind] == Kind::kCompare) fields = {key, "op", "value"};
    if (kKindOf[kind] == Kind::kPerformed) fields = {key, "where", "count", "within"};
    RETURN_IF_ERROR(CheckFields(obj, loc, fields));

    Node n;
    n.kind = kKindOf[kind];
    const element value = obj.at_key(key).value_unsafe();
    const std::string field = Join(loc, key);
    switch (n.kind) {
      case Kind::kAnd:
      case Kind::kOr:
      case Kind::kNot:
        if (depth + 1 > kMaxAudienceDepth) {
          return Fail(Subject(loc) + " is nested too deeply: at most " +
                      std::to_string(kMaxAudienceDepth) + " levels of and, or and not");
        }
        if (n.kind == Kind::kNot) {
          ASSIGN_OR_RETURN(Node child, ReadNode(value, field, depth + 1));
          n.children.push_back(std::move(child));
        } else {
          RETURN_IF_ERROR(ReadGroup(value, field, depth + 1, &n));
        }
        return n;
      default:
        break;
    }
    if (++leaves_ > kMaxAudienceLeaves) {
      return Fail("too many conditions at " + Subject(loc) + ": an audience can have at most " +
                  std::to_string(kMaxAudienceLeaves));
    }
    switch (n.kind) {
      case Kind::kCompare:
        RETURN_IF_ERROR(ReadCompare(obj, loc, kind, &n.compare));
        break;
      case Kind::kPerformed:
        RETURN_IF_ERROR(ReadPerformed(obj, loc, &n.performed));
        break;
      case Kind::kInAudience: {
        std::string_view s;
        if (value.get_string().get(s) != simdjson::SUCCESS || !IsAudienceName(s)) {
          return Fail(Q(field) +
                      " must be an audience name: 1 to 64 characters of a-z, 0-9 and _, starting "
                      "with a letter, got " +
                      DescribeJson(value));
        }
        n.name = std::string(s);
        break;
      }
      default: {  // consent
        std::string_view s;
        if (value.get_string().get(s) != simdjson::SUCCESS || s.empty() ||
            s.size() > kMaxConsentCategoryBytes) {
          return Fail(Q(field) + " must be a consent category: a string of 1 to " +
                      std::to_string(kMaxConsentCategoryBytes) + " bytes, got " +
                      DescribeJson(value));
        }
        n.name = std::string(s);
      }
    }
    return n;
  }

 private:
  static Status Fail(std::string message) {
    return Status::InvalidArgument("audience: " + std::move(message));
  }

  // Unknown and repeated fields of the object at `loc`.
  static Status CheckFields(simdjson::dom::object obj, const std::string& loc,
                            const std::vector<std::string_view>& fields) {
    std::vector<bool> seen(fields.size());
    for (simdjson::dom::key_value_pair kv : obj) {
      size_t i = 0;
      while (i < fields.size() && fields[i] != kv.key) ++i;
      if (i == fields.size()) {
        std::string list;
        for (std::string_view f : fields) list += (list.empty() ? "" : ", ") + std::string(f);
        return Fail(Subject(loc) + " has an unknown field " + JsonString(TruncateUtf8(kv.key, 64)) +
                    " (fields: " + list + ")");
      }
      if (seen[i]) return Fail(Subject(loc) + " has the field " + Q(kv.key) + " twice");
      seen[i] = true;
    }
    return Status::OK();
  }

  Status ReadGroup(element value, const std::string& field, int depth, Node* n) {
    simdjson::dom::array items;
    if (value.get_array().get(items) != simdjson::SUCCESS || items.size() < 2) {
      return Fail(Q(field) + " must be an array of 2 or more conditions, got " +
                  (value.type() == element_type::ARRAY
                       ? "an array of " + std::to_string(items.size())
                       : DescribeJson(value)));
    }
    size_t i = 0;
    for (element item : items) {
      ASSIGN_OR_RETURN(Node child, ReadNode(item, field + "[" + std::to_string(i++) + "]", depth));
      n->children.push_back(std::move(child));
    }
    return Status::OK();
  }

  Status ReadCompare(simdjson::dom::object obj, const std::string& loc, int kind, Compare* c) {
    const std::string_view key = kKindKeys[kind];
    c->scope = key == "trait"      ? CompareScope::kTrait
               : key == "computed" ? CompareScope::kComputed
                                   : CompareScope::kAccount;
    const element path = obj.at_key(key).value_unsafe();
    std::string_view s;
    const bool is_string = path.get_string().get(s) == simdjson::SUCCESS;
    if (c->scope == CompareScope::kComputed) {
      if (!is_string || !IsSpellablePath(s) || !IsAudienceName(s.substr(0, s.find('.')))) {
        return Fail(Q(Join(loc, key)) +
                    " must be a computed trait's name such as \"orders_30d\" (1 to 64 characters "
                    "of a-z, 0-9 and _, starting with a letter), optionally followed by a dotted "
                    "path, got " +
                    DescribeJson(path));
      }
    } else if (!is_string || !IsSpellablePath(s)) {
      return Fail(Q(Join(loc, key)) +
                  " must be a dotted path such as \"address.city\" (names separated by single "
                  "dots, at most 256 bytes, without backquotes or line breaks), got " +
                  DescribeJson(path));
    }
    c->clause.path = std::string(s);

    element op;
    if (obj.at_key("op").get(op) != simdjson::SUCCESS) {
      return Fail(Q(Join(loc, "op")) + " is required (one of " + std::string(kOpList) + ")");
    }
    std::string_view op_name;
    const int i =
        op.get_string().get(op_name) == simdjson::SUCCESS ? IndexOf(kOpNames, op_name) : -1;
    if (i < 0) {
      return Fail(Q(Join(loc, "op")) + " must be one of " + std::string(kOpList) + ", got " +
                  DescribeJson(op));
    }
    c->clause.op = static_cast<WhereOp>(i);
    element value;
    const bool has_value = obj.at_key("value").get(value) == simdjson::SUCCESS;
    return ReadOperand(value, has_value, Join(loc, "value"), &c->clause);
  }

  // The "value" of a comparison, checked against its op as where clauses check theirs.
  static Status ReadOperand(element value, bool has_value, const std::string& field,
                            WhereClause* c) {
    const std::string op = JsonString(WhereOpName(c->op));
    if (c->op == WhereOp::kExists || c->op == WhereOp::kNotExists) {
      if (has_value) return Fail(Q(field) + " must be left out with \"op\": " + op);
      return Status::OK();
    }
    if (!has_value) return Fail(Q(field) + " is required with \"op\": " + op);
    const element_type t = value.type();
    switch (c->op) {
      case WhereOp::kEq:
      case WhereOp::kNeq:
        if (t == element_type::OBJECT || t == element_type::ARRAY) {
          return Fail(Q(field) + " must be a string, number, boolean or null with \"op\": " + op +
                      ", got " + DescribeJson(value));
        }
        break;
      case WhereOp::kContains:
        if (t != element_type::STRING) {
          return Fail(Q(field) + " must be a string with \"op\": " + op + ", got " +
                      DescribeJson(value));
        }
        break;
      case WhereOp::kIn: {
        simdjson::dom::array items;
        const std::string expected = " must be an array of 1 to " + std::to_string(kMaxInValues) +
                                     " strings, numbers, booleans or nulls with \"op\": " + op;
        if (value.get_array().get(items) != simdjson::SUCCESS || items.size() == 0 ||
            items.size() > kMaxInValues) {
          return Fail(Q(field) + expected + ", got " +
                      (t == element_type::ARRAY ? "an array of " + std::to_string(items.size())
                                                : DescribeJson(value)));
        }
        for (element item : items) {
          std::optional<ComputedValue> v = ScalarValue(item);
          if (!v) return Fail(Q(field) + expected + ", got an item that is " + DescribeJson(item));
          c->values.push_back(std::move(*v));
        }
        return Status::OK();
      }
      default:  // gt, gte, lt, lte
        if (t != element_type::STRING && !IsNumber(t)) {
          return Fail(Q(field) + " must be a number or a string with \"op\": " + op + ", got " +
                      DescribeJson(value));
        }
    }
    c->value = *ScalarValue(value);
    return Status::OK();
  }

  Status ReadPerformed(simdjson::dom::object obj, const std::string& loc, Performed* p) {
    const std::string field = Join(loc, "performed");
    const element what = obj.at_key("performed").value_unsafe();
    simdjson::dom::object event;
    if (what.get_object().get(event) != simdjson::SUCCESS) {
      return Fail(Q(field) + " must be an object with \"type\" and \"event\", got " +
                  DescribeJson(what));
    }
    RETURN_IF_ERROR(CheckFields(event, field, {"type", "event"}));
    element type;
    if (event.at_key("type").get(type) != simdjson::SUCCESS) {
      return Fail(Q(field + ".type") + " is required (track, page, screen or any)");
    }
    std::string_view type_name;
    const int t =
        type.get_string().get(type_name) == simdjson::SUCCESS ? IndexOf(kTypeNames, type_name) : -1;
    if (t < 0) {
      return Fail(Q(field + ".type") + " must be one of track, page, screen, any, got " +
                  DescribeJson(type));
    }
    p->type = kTypes[t];
    element name;
    if (event.at_key("event").get(name) == simdjson::SUCCESS) {
      if (p->type == EventType::kAny) {
        return Fail(Q(field + ".event") + " must be left out with \"type\": \"any\"");
      }
      std::string_view s;
      if (name.get_string().get(s) != simdjson::SUCCESS || s.empty() ||
          s.size() > kMaxComputedEventBytes) {
        return Fail(Q(field + ".event") + " must be a string of 1 to " +
                    std::to_string(kMaxComputedEventBytes) + " bytes, got " + DescribeJson(name));
      }
      p->event = std::string(s);
    } else if (p->type == EventType::kTrack) {
      return Fail(Q(field + ".event") + " is required with \"type\": \"track\"");
    }

    element v;
    if (obj.at_key("where").get(v) == simdjson::SUCCESS) RETURN_IF_ERROR(ReadWhere(v, loc, p));
    if (obj.at_key("count").get(v) == simdjson::SUCCESS) RETURN_IF_ERROR(ReadCount(v, loc, p));
    if (obj.at_key("within").get(v) == simdjson::SUCCESS) {
      RETURN_IF_ERROR(ReadWithin(v, loc, &p->within));
    }
    return Status::OK();
  }

  Status ReadWhere(element v, const std::string& loc, Performed* p) {
    const std::string field = Join(loc, "where");
    simdjson::dom::array clauses;
    if (v.get_array().get(clauses) != simdjson::SUCCESS || clauses.size() > kMaxWhereClauses) {
      return Fail(Q(field) + " must be an array of at most " + std::to_string(kMaxWhereClauses) +
                  " conditions, got " +
                  (v.type() == element_type::ARRAY ? "an array of " + std::to_string(clauses.size())
                                                   : DescribeJson(v)));
    }
    size_t i = 0;
    for (element c : clauses) {
      const std::string at = field + "[" + std::to_string(i++) + "]";
      auto clause = ParseWhereClause(c, at);
      if (!clause.ok()) return Fail(clause.status().message());
      const std::string_view path = clause->path;
      const std::string_view first = path.substr(0, path.find('.'));
      if (!IsSpellablePath(path) || (first != "properties" && first != "context")) {
        return Fail(Q(at + ".path") +
                    " must be a path into the event's \"properties\" or \"context\" (such as "
                    "\"properties.revenue\"), without backquotes or line breaks, got " +
                    JsonString(TruncateUtf8(path, 64)));
      }
      p->where.push_back(std::move(*clause));
    }
    return Status::OK();
  }

  Status ReadCount(element v, const std::string& loc, Performed* p) {
    const std::string field = Join(loc, "count");
    simdjson::dom::object obj;
    if (v.get_object().get(obj) != simdjson::SUCCESS) {
      return Fail(Q(field) + " must be an object with \"op\" and \"value\", got " +
                  DescribeJson(v));
    }
    RETURN_IF_ERROR(CheckFields(obj, field, {"op", "value"}));
    element op, value;
    if (obj.at_key("op").get(op) != simdjson::SUCCESS) {
      return Fail(Q(field + ".op") + " is required (at_least, at_most or exactly)");
    }
    std::string_view op_name;
    const int i =
        op.get_string().get(op_name) == simdjson::SUCCESS ? IndexOf(kCountOps, op_name) : -1;
    if (i < 0) {
      return Fail(Q(field + ".op") + " must be one of at_least, at_most, exactly, got " +
                  DescribeJson(op));
    }
    p->count_op = static_cast<CountOp>(i);
    const int64_t min = p->count_op == CountOp::kAtLeast ? 1 : 0;
    if (obj.at_key("value").get(value) != simdjson::SUCCESS) {
      return Fail(Q(field + ".value") + " is required");
    }
    const std::optional<int64_t> n = IntIn(value, min, kMaxPerformedCount);
    if (!n) {
      return Fail(Q(field + ".value") + " must be an integer from " + std::to_string(min) + " to " +
                  std::to_string(kMaxPerformedCount) + " with \"op\": " + JsonString(op_name) +
                  ", got " + DescribeJson(value));
    }
    p->count = static_cast<uint32_t>(*n);
    return Status::OK();
  }

  Status ReadWithin(element v, const std::string& loc, Window* w) {
    const std::string field = Join(loc, "within");
    simdjson::dom::object obj;
    if (v.get_object().get(obj) != simdjson::SUCCESS) {
      return Fail(Q(field) + " must be an object with \"value\" and \"unit\", got " +
                  DescribeJson(v));
    }
    RETURN_IF_ERROR(CheckFields(obj, field, {"value", "unit"}));
    element unit, value;
    if (obj.at_key("unit").get(unit) != simdjson::SUCCESS) {
      return Fail(Q(field + ".unit") + " is required (minutes, hours, days or weeks)");
    }
    std::string_view unit_name;
    const int i =
        unit.get_string().get(unit_name) == simdjson::SUCCESS ? IndexOf(kUnits, unit_name) : -1;
    if (i < 0) {
      return Fail(Q(field + ".unit") + " must be one of minutes, hours, days, weeks, got " +
                  DescribeJson(unit));
    }
    w->unit = static_cast<TimeUnit>(i);
    if (obj.at_key("value").get(value) != simdjson::SUCCESS) {
      return Fail(Q(field + ".value") + " is required");
    }
    const int32_t max = MaxWindowAmount(w->unit);
    const std::optional<int64_t> n = IntIn(value, 1, max);
    if (!n) {
      return Fail(Q(field + ".value") + " must be an integer from 1 to " + std::to_string(max) +
                  " with \"unit\": " + JsonString(unit_name) + " (at most " +
                  std::to_string(kMaxWindowDays) + " days), got " + DescribeJson(value));
    }
    w->amount = static_cast<int32_t>(*n);
    return Status::OK();
  }

  size_t leaves_ = 0;
};

void AppendNodeJson(const Node& n, std::string* out) {
  switch (n.kind) {
    case Kind::kAnd:
    case Kind::kOr:
      out->append(n.kind == Kind::kAnd ? "{\"and\":[" : "{\"or\":[");
      for (size_t i = 0; i < n.children.size(); ++i) {
        if (i > 0) out->push_back(',');
        AppendNodeJson(n.children[i], out);
      }
      out->append("]}");
      return;
    case Kind::kNot:
      out->append("{\"not\":");
      if (n.children.empty()) out->append("null");
      for (const Node& child : n.children) AppendNodeJson(child, out);
      out->push_back('}');
      return;
    case Kind::kCompare: {
      const WhereClause& c = n.compare.clause;
      out->append(n.compare.scope == CompareScope::kTrait      ? "{\"trait\":"
                  : n.compare.scope == CompareScope::kComputed ? "{\"computed\":"
                                                               : "{\"account\":");
      AppendJsonString(out, c.path);
      out->append(",\"op\":");
      AppendJsonString(out, WhereOpName(c.op));
      if (c.op == WhereOp::kIn) {
        out->append(",\"value\":[");
        for (size_t i = 0; i < c.values.size(); ++i) {
          if (i > 0) out->push_back(',');
          c.values[i].AppendJson(out);
        }
        out->push_back(']');
      } else if (c.op != WhereOp::kExists && c.op != WhereOp::kNotExists) {
        out->append(",\"value\":");
        c.value.AppendJson(out);
      }
      out->push_back('}');
      return;
    }
    case Kind::kPerformed: {
      const Performed& p = n.performed;
      const size_t t = p.type == EventType::kTrack    ? 0
                       : p.type == EventType::kPage   ? 1
                       : p.type == EventType::kScreen ? 2
                                                      : 3;
      out->append("{\"performed\":{\"type\":");
      AppendJsonString(out, kTypeNames[t]);
      if (!p.event.empty() && t != 3) {
        out->append(",\"event\":");
        AppendJsonString(out, p.event);
      }
      out->push_back('}');
      if (!p.where.empty()) {
        out->append(",\"where\":[");
        for (size_t i = 0; i < p.where.size(); ++i) {
          if (i > 0) out->push_back(',');
          AppendWhereClauseJson(p.where[i], out);
        }
        out->push_back(']');
      }
      if (p.count_op != CountOp::kAtLeast || p.count != 1) {
        out->append(",\"count\":{\"op\":");
        AppendJsonString(out, CountOpName(p.count_op));
        out->append(",\"value\":" + std::to_string(p.count) + "}");
      }
      if (p.within.amount > 0) {
        out->append(",\"within\":{\"value\":" + std::to_string(p.within.amount) + ",\"unit\":");
        AppendJsonString(out, TimeUnitName(p.within.unit));
        out->push_back('}');
      }
      out->push_back('}');
      return;
    }
    case Kind::kInAudience:
    case Kind::kConsent:
      out->append(n.kind == Kind::kInAudience ? "{\"in_audience\":" : "{\"consent\":");
      AppendJsonString(out, n.name);
      out->push_back('}');
      return;
  }
}

}  // namespace

Result<Node> AudienceFromJson(std::string_view json) {
  if (json.size() > kMaxAudienceJsonBytes) {
    return Status::TooLarge("audience: the JSON is " + std::to_string(json.size()) +
                            " bytes; the limit is " + std::to_string(kMaxAudienceJsonBytes));
  }
  simdjson::dom::parser parser;
  element root;
  if (auto err = parser.parse(json.data(), json.size()).get(root); err != simdjson::SUCCESS) {
    return Status::InvalidArgument(std::string("audience: not valid JSON: ") +
                                   simdjson::error_message(err));
  }
  ASSIGN_OR_RETURN(Node node, Reader().ReadNode(root, "", 0));
  const size_t text_bytes = FormatAudience(node).size();
  if (text_bytes > kMaxAudienceTextBytes) {
    return Status::InvalidArgument("audience: as text the audience is " +
                                   std::to_string(text_bytes) + " bytes; the limit is " +
                                   std::to_string(kMaxAudienceTextBytes));
  }
  return node;
}

std::string AudienceToJson(const Node& node) {
  std::string out;
  AppendNodeJson(node, &out);
  return out;
}

}  // namespace rapport
