#include "audience/evaluate.h"

#include <simdjson.h>

#include <algorithm>

#include "profile/computed/computed_match.h"
#include "profile/computed/computed_state.h"

namespace rapport {
namespace {

simdjson::dom::parser& Parser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

// The earlier of two "next change" times, 0 meaning never.
int64_t Earliest(int64_t a, int64_t b) {
  if (a == 0) return b;
  if (b == 0) return a;
  return std::min(a, b);
}

ComputedValue ValueInJson(std::string_view json, std::string_view path) {
  simdjson::dom::element root;
  if (Parser().parse(json.data(), json.size()).get(root) != simdjson::SUCCESS) {
    return ComputedValue::Missing();
  }
  return path.empty() ? ValueOf(root) : ValueAt(root, path);
}

std::optional<ComputedState> StateOf(const ProfileRecord& p, const ComputedDef& def) {
  auto it = p.computed.find(def.name);
  if (it == p.computed.end()) return ComputedState();
  auto state = ComputedState::Decode(it->second);
  if (!state.ok()) return std::nullopt;
  return std::move(*state);
}

EvalResult EvaluateCompare(const Node& node, const EvalContext& ctx) {
  const Compare& c = node.compare;
  switch (c.scope) {
    case CompareScope::kTrait:
      return {Holds(c.clause, TraitValue(ctx.profile->traits, c.clause.path)), 0};
    case CompareScope::kAccount:
      for (const AccountRecord* a : ctx.accounts) {
        if (Holds(c.clause, TraitValue(a->traits, c.clause.path))) return {true, 0};
      }
      return {false, 0};
    case CompareScope::kComputed: {
      auto def = ctx.bindings->defs.find(&node);
      if (def == ctx.bindings->defs.end()) return {};
      std::optional<ComputedState> state = StateOf(*ctx.profile, *def->second);
      if (!state) return {};
      const ComputedValue v = ValueOfJson(state->Evaluate(*def->second, ctx.now_us));
      return {Holds(c.clause, v), state->NextChange(*def->second, ctx.now_us).value_or(0)};
    }
  }
  return {};
}

// A windowed count only falls as time passes: the i-th latest event (0-based) stops counting at
// times[i] + window. Keeping `keep` = N (at least N) or N + 1 (at most / exactly N) latest
// times answers every comparison exactly.
EvalResult EvaluatePerformed(const Node& node, const EvalContext& ctx) {
  const Performed& pf = node.performed;
  auto def = ctx.bindings->defs.find(&node);
  if (def == ctx.bindings->defs.end()) return {};
  std::optional<ComputedState> state = StateOf(*ctx.profile, *def->second);
  if (!state) return {};
  const std::vector<int64_t>& times = state->LatestTimes(*def->second);
  const int64_t window = pf.within.micros();
  auto counted = [&](size_t i) {
    return i < times.size() && (window == 0 || times[i] > ctx.now_us - window);
  };
  auto expiry = [&](size_t i) { return window == 0 ? 0 : times[i] + window; };
  const size_t n = pf.count;
  switch (pf.count_op) {
    case CountOp::kAtLeast: {
      const bool v = n == 0 || counted(n - 1);
      return {v, v && n > 0 ? expiry(n - 1) : 0};
    }
    case CountOp::kAtMost: {
      const bool over = counted(n);
      return {!over, over ? expiry(n) : 0};
    }
    case CountOp::kExactly: {
      if (counted(n)) return {false, expiry(n)};  // more than n now; exactly n once one expires
      const bool v = n == 0 || counted(n - 1);
      return {v, v && n > 0 ? expiry(n - 1) : 0};
    }
  }
  return {};
}

}  // namespace

ComputedValue ValueOfJson(std::string_view json) { return ValueInJson(json, ""); }

ComputedValue TraitValue(const TraitMap& traits, std::string_view path) {
  auto it = traits.find(path);
  if (it != traits.end()) return ValueOfJson(it->second.json);
  const size_t dot = path.find('.');
  if (dot == std::string_view::npos) return ComputedValue::Missing();
  it = traits.find(path.substr(0, dot));
  if (it == traits.end()) return ComputedValue::Missing();
  return ValueInJson(it->second.json, path.substr(dot + 1));
}

EvalResult Evaluate(const Node& node, const EvalContext& ctx) {
  switch (node.kind) {
    case Node::Kind::kAnd:
    case Node::Kind::kOr: {
      // Every child counts for the next change: a false child of an `and` can turn true (and
      // the `and` with it) while another child decides the value now.
      const bool is_and = node.kind == Node::Kind::kAnd;
      EvalResult out{is_and, 0};
      for (const Node& child : node.children) {
        EvalResult r = Evaluate(child, ctx);
        out.value = is_and ? out.value && r.value : out.value || r.value;
        out.next_us = Earliest(out.next_us, r.next_us);
      }
      return out;
    }
    case Node::Kind::kNot: {
      EvalResult r = Evaluate(node.children.at(0), ctx);
      return {!r.value, r.next_us};
    }
    case Node::Kind::kCompare:
      return EvaluateCompare(node, ctx);
    case Node::Kind::kPerformed:
      return EvaluatePerformed(node, ctx);
    case Node::Kind::kInAudience: {
      auto it = ctx.bindings->audiences.find(&node);
      return {it != ctx.bindings->audiences.end() && ctx.in_audience && ctx.in_audience(it->second),
              0};
    }
    case Node::Kind::kConsent: {
      auto it = ctx.profile->consent.find(node.name);
      return {it != ctx.profile->consent.end() && it->second.json == "true", 0};
    }
  }
  return {};
}

}  // namespace rapport
