// Test helpers for the audience language: short builders for syntax trees and RandomAudience,
// a seeded generator of valid trees (every tree it makes is one ParseAudience and
// AudienceFromJson accept). Test-only; header-only.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "audience/ast.h"
#include "audience/printer.h"

namespace rapport::audience_test {

inline ComputedValue S(std::string s) { return ComputedValue::String(std::move(s)); }
inline ComputedValue N(double x) { return ComputedValue::Number(x); }
inline ComputedValue B(bool b) { return ComputedValue::Bool(b); }
inline ComputedValue Null() { return ComputedValue::Null(); }

inline WhereClause Clause(std::string path, WhereOp op, ComputedValue value = {}) {
  WhereClause c;
  c.path = std::move(path);
  c.op = op;
  c.value = std::move(value);
  return c;
}
inline WhereClause ClauseIn(std::string path, std::vector<ComputedValue> values) {
  WhereClause c;
  c.path = std::move(path);
  c.op = WhereOp::kIn;
  c.values = std::move(values);
  return c;
}

inline Node Cmp(CompareScope scope, WhereClause c) {
  Node n;
  n.kind = Node::Kind::kCompare;
  n.compare.scope = scope;
  n.compare.clause = std::move(c);
  return n;
}
inline Node Trait(std::string path, WhereOp op, ComputedValue v = {}) {
  return Cmp(CompareScope::kTrait, Clause(std::move(path), op, std::move(v)));
}
inline Node Computed(std::string path, WhereOp op, ComputedValue v = {}) {
  return Cmp(CompareScope::kComputed, Clause(std::move(path), op, std::move(v)));
}
inline Node Account(std::string path, WhereOp op, ComputedValue v = {}) {
  return Cmp(CompareScope::kAccount, Clause(std::move(path), op, std::move(v)));
}

inline Node Group(Node::Kind kind, std::vector<Node> children) {
  Node n;
  n.kind = kind;
  n.children = std::move(children);
  return n;
}
inline Node And(std::vector<Node> children) { return Group(Node::Kind::kAnd, std::move(children)); }
inline Node Or(std::vector<Node> children) { return Group(Node::Kind::kOr, std::move(children)); }
inline Node Not(Node child) {
  std::vector<Node> children;
  children.push_back(std::move(child));
  return Group(Node::Kind::kNot, std::move(children));
}

inline Node Did(EventType type, std::string event, std::vector<WhereClause> where = {},
                CountOp op = CountOp::kAtLeast, uint32_t count = 1, Window within = {}) {
  Node n;
  n.kind = Node::Kind::kPerformed;
  n.performed.type = type;
  n.performed.event = std::move(event);
  n.performed.where = std::move(where);
  n.performed.count_op = op;
  n.performed.count = count;
  n.performed.within = within;
  return n;
}
inline Node Track(std::string event, std::vector<WhereClause> where = {},
                  CountOp op = CountOp::kAtLeast, uint32_t count = 1, Window within = {}) {
  return Did(EventType::kTrack, std::move(event), std::move(where), op, count, within);
}
inline Window Days(int32_t n) { return Window{n, TimeUnit::kDays}; }

inline Node InAudience(std::string name) {
  Node n;
  n.kind = Node::Kind::kInAudience;
  n.name = std::move(name);
  return n;
}
inline Node Consent(std::string name) {
  Node n;
  n.kind = Node::Kind::kConsent;
  n.name = std::move(name);
  return n;
}

// Valid trees from a seed: every construct, awkward names (keywords, digits, spaces, quotes,
// control characters, multi-byte UTF-8), extreme numbers, and sizes up to the limits.
class RandomAudience {
 public:
  explicit RandomAudience(uint64_t seed) : rng_(seed) {}

  Node Make() {
    while (true) {
      leaves_ = 0;
      // One tree in 20 is wide (up to 256 leaves, up to 16 operands per and / or).
      const bool wide = Chance(20);
      max_operands_ = wide ? 16 : 4;
      group_percent_ = wide ? 75 : 40;
      const size_t budget = wide ? kMaxAudienceLeaves : 1 + Below(24);
      Node n = MakeNode(Chance(10) ? kMaxAudienceDepth : 1 + static_cast<int>(Below(5)), budget);
      if (FormatAudience(n).size() <= kMaxAudienceTextBytes) return n;
    }
  }

 private:
  uint64_t Below(uint64_t n) { return rng_() % n; }
  bool Chance(int one_in) { return Below(one_in) == 0; }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[Below(v.size())];
  }

  // A node of at most `budget` leaves and `depth_left` levels of and / or / not.
  Node MakeNode(int depth_left, size_t budget) {
    const uint64_t r = Below(100);
    if (depth_left > 0 && budget >= 2 && r < group_percent_) {
      const size_t k = std::min<size_t>(2 + Below(max_operands_ - 1), budget);
      std::vector<Node> children;
      size_t remaining = budget;
      for (size_t i = 0; i < k; ++i) {
        const size_t reserve = k - i - 1;  // one leaf for each child still to come
        const size_t give = i + 1 == k ? remaining : 1 + Below(remaining - reserve);
        const size_t before = leaves_;
        children.push_back(MakeNode(depth_left - 1, give));
        remaining -= leaves_ - before;
      }
      return r % 2 ? And(std::move(children)) : Or(std::move(children));
    }
    if (depth_left > 0 && r < group_percent_ + 12) return Not(MakeNode(depth_left - 1, budget));
    return MakeLeaf();
  }

  Node MakeLeaf() {
    ++leaves_;
    switch (Below(6)) {
      case 0:
      case 1: {
        static const std::vector<CompareScope> kScopes = {
            CompareScope::kTrait, CompareScope::kComputed, CompareScope::kAccount};
        const CompareScope scope = Pick(kScopes);
        std::string path = scope == CompareScope::kComputed ? Pick(ComputedNames()) : Path(3);
        if (scope == CompareScope::kComputed && Chance(5)) path += "." + Path(2);
        return Cmp(scope, MakeClause(std::move(path)));
      }
      case 2:
      case 3:
        return MakePerformed();
      case 4:
        return InAudience(Pick(ComputedNames()));
      default:
        return Consent(Text(1, kMaxConsentCategoryBytes));
    }
  }

  Node MakePerformed() {
    static const std::vector<EventType> kTypes = {EventType::kTrack, EventType::kTrack,
                                                  EventType::kPage, EventType::kScreen,
                                                  EventType::kAny};
    const EventType type = Pick(kTypes);
    std::string event;
    if (type == EventType::kTrack ||
        ((type == EventType::kPage || type == EventType::kScreen) && Chance(2))) {
      event = Text(1, kMaxComputedEventBytes);
    }
    std::vector<WhereClause> where;
    const size_t conditions = Chance(15) ? kMaxWhereClauses : Below(4);
    for (size_t i = 0; i < conditions; ++i) {
      std::string path = Chance(4) ? "context" : "properties";
      if (!Chance(12)) path += "." + Path(3);
      where.push_back(MakeClause(std::move(path)));
    }
    static const std::vector<CountOp> kOps = {CountOp::kAtLeast, CountOp::kAtMost,
                                              CountOp::kExactly};
    const CountOp op = Pick(kOps);
    const uint32_t min = op == CountOp::kAtLeast ? 1 : 0;
    const uint32_t count = Chance(3)
                               ? min + static_cast<uint32_t>(Below(kMaxPerformedCount - min + 1))
                               : min + static_cast<uint32_t>(Below(3));
    Window within;
    if (!Chance(3)) {
      within.unit = static_cast<TimeUnit>(Below(4));
      const int32_t max = within.unit == TimeUnit::kMinutes ? kMaxWindowDays * 1440
                          : within.unit == TimeUnit::kHours ? kMaxWindowDays * 24
                          : within.unit == TimeUnit::kDays  ? kMaxWindowDays
                                                            : kMaxWindowDays / 7;
      within.amount = Chance(5) ? max : 1 + static_cast<int32_t>(Below(Chance(2) ? 2 : max));
    }
    return Did(type, std::move(event), std::move(where), op, count, within);
  }

  WhereClause MakeClause(std::string path) {
    WhereClause c;
    c.path = std::move(path);
    c.op = static_cast<WhereOp>(Below(10));
    switch (c.op) {
      case WhereOp::kExists:
      case WhereOp::kNotExists:
        break;
      case WhereOp::kIn: {
        const size_t k = Chance(25) ? kMaxInValues : 1 + Below(4);
        for (size_t i = 0; i < k; ++i) c.values.push_back(Value(true, i > 8));
        break;
      }
      case WhereOp::kContains:
        c.value = S(Text(0, 12));
        break;
      case WhereOp::kEq:
      case WhereOp::kNeq:
        c.value = Value(true, false);
        break;
      default:
        c.value = Value(false, false);
    }
    return c;
  }

  ComputedValue Value(bool any_scalar, bool short_only) {
    switch (Below(any_scalar ? 5 : 2)) {
      case 0:
        return S(Text(0, short_only ? 4 : 40));
      case 1:
        return N(Number());
      case 2:
        return B(Chance(2));
      case 3:
        return Null();
      default:
        return N(static_cast<double>(Below(100)));
    }
  }

  double Number() {
    static const std::vector<double> kSpecial = {0,
                                                 -0.0,
                                                 1,
                                                 -1,
                                                 0.1,
                                                 -2.5,
                                                 1e21,
                                                 1e300,
                                                 -1e-300,
                                                 5e-324,
                                                 1e-7,
                                                 123.456,
                                                 9007199254740993.0,
                                                 9.223372036854776e18,
                                                 1.8446744073709552e19,
                                                 -7.263405479023136e19,
                                                 std::nextafter(1.0, 2.0)};
    if (Chance(3)) return Pick(kSpecial);
    if (Chance(2)) return static_cast<double>(static_cast<int64_t>(Below(2000000)) - 1000000);
    // Any finite double.
    double x;
    do {
      uint64_t bits = rng_();
      static_assert(sizeof bits == sizeof x);
      std::memcpy(&x, &bits, sizeof x);
    } while (!std::isfinite(x));
    return x;
  }

  // A dotted path of 1..max_segments segments.
  std::string Path(int max_segments) {
    std::string out;
    const int k = 1 + static_cast<int>(Below(max_segments));
    for (int i = 0; i < k; ++i) {
      if (i > 0) out += '.';
      out += Segment();
    }
    return out;
  }

  std::string Segment() {
    static const std::vector<std::string> kSegments = {
        "plan",   "revenue",    "first-name", "$ref",    "_x",   "A1", "and",        "where",
        "traits", "Properties", "context",    "not",     "in",   "at", "TIMES",      "0",
        "12",     "007",        "1st",        "my prop", "日本", "é",  "tab\tx",     "x#y",
        "\"q\"",  "a\\b",       "emoji😀",     "-",       "x-",   "$",  "properties", "null"};
    if (Chance(10)) {
      // A random segment of printable bytes and control characters, never "." "`" or newline.
      std::string s;
      const size_t k = 1 + Below(6);
      for (size_t i = 0; i < k; ++i) {
        char c = static_cast<char>(Below(127));
        if (c == '.' || c == '`' || c == '\n') c = '_';
        s += c;
      }
      return s;
    }
    return Pick(kSegments);
  }

  // A string of min..max bytes: usually short and plain, sometimes full of escapes and UTF-8.
  std::string Text(size_t min, size_t max) {
    static const std::vector<std::string> kPieces = {"Order Completed",
                                                     "a",
                                                     " ",
                                                     "\"",
                                                     "\\",
                                                     "/",
                                                     "\n",
                                                     "\t",
                                                     "\r",
                                                     "\b",
                                                     "\f",
                                                     "\x01",
                                                     "\x1f",
                                                     "\x7f",
                                                     "é",
                                                     "日本",
                                                     "😀",
                                                     "#",
                                                     "`",
                                                     "and",
                                                     "\\u0041",
                                                     "'"};
    std::string s;
    const size_t want = min + Below(std::min<size_t>(max - min, Chance(20) ? max : 24) + 1);
    while (s.size() < want) {
      const std::string& piece = Pick(kPieces);
      if (s.size() + piece.size() > max) break;
      s += piece;
    }
    while (s.size() < min) s += 'x';
    return s;
  }

  static const std::vector<std::string>& ComputedNames() {
    static const std::vector<std::string> kNames = {
        "orders_30d", "vip", "a", "ltv", "z9_", std::string(kMaxAudienceNameChars, 'q')};
    return kNames;
  }

  std::mt19937_64 rng_;
  size_t leaves_ = 0;
  uint64_t max_operands_ = 4;
  uint64_t group_percent_ = 40;
};

}  // namespace rapport::audience_test
