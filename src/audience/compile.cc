#include "audience/compile.h"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <unordered_map>

#include "common/json_writer.h"

namespace rapport {
namespace {

uint64_t Fnv1a64(std::string_view s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::string Position(const Node& n) {
  if (n.line == 0) return "";
  return "line " + std::to_string(n.line) + ", column " + std::to_string(n.column) + ": ";
}

void Visit(const Node& n, const std::function<void(const Node&)>& f) {
  f(n);
  for (const Node& c : n.children) Visit(c, f);
}

// Audience names referenced by `root`, and the first unknown one (or computed trait).
Status CheckLeaves(const Node& root, const std::map<std::string, uint64_t>& audiences,
                   const std::set<std::string, std::less<>>& computed, ParseError* at = nullptr) {
  Status st;
  Visit(root, [&](const Node& n) {
    if (!st.ok()) return;
    if (at) *at = {n.line, n.column, ""};
    if (n.kind == Node::Kind::kInAudience && !audiences.count(n.name)) {
      st = Status::InvalidArgument(Position(n) + "there is no audience " + JsonString(n.name));
    } else if (n.kind == Node::Kind::kCompare && n.compare.scope == CompareScope::kComputed) {
      const std::string& path = n.compare.clause.path;
      if (!computed.count(path)) {
        st =
            Status::InvalidArgument(Position(n) + "there is no computed trait " + JsonString(path) +
                                    " (define it under /api/v1/computed-traits)");
      }
    }
  });
  if (at && st.ok()) *at = {};
  if (at) at->message = st.message();
  return st;
}

std::vector<std::string> RefNames(const Node& root) {
  std::vector<std::string> out;
  Visit(root, [&](const Node& n) {
    if (n.kind == Node::Kind::kInAudience) out.push_back(n.name);
  });
  return out;
}

}  // namespace

ComputedDef HiddenDefFor(const Performed& p) {
  ComputedDef def;
  def.type = p.type;
  def.aggregate = Aggregate::kLatestTimes;
  def.where = p.where;
  if (p.type == EventType::kTrack) {
    def.event = p.event;
  } else if (!p.event.empty()) {  // a page or screen by name
    WhereClause name;
    name.path = "name";
    name.op = WhereOp::kEq;
    name.value = ComputedValue::String(p.event);
    def.where.insert(def.where.begin(), std::move(name));
  }
  def.keep = static_cast<int32_t>(p.count_op == CountOp::kAtLeast ? std::max<uint32_t>(p.count, 1)
                                                                  : p.count + 1);
  char hex[17];
  std::snprintf(hex, sizeof(hex), "%016llx", static_cast<unsigned long long>(Fnv1a64(ToJson(def))));
  def.name = std::string("_a") + hex;
  return def;
}

Status CheckAudience(const AudienceDef& def, const std::vector<AudienceDef>& others,
                     const std::vector<ComputedDef>& computed, ParseError* at) {
  std::map<std::string, uint64_t> ids;
  std::map<std::string, const Node*> roots;
  for (const AudienceDef& o : others) {
    ids[o.name] = o.id;
    roots[o.name] = &o.root;
  }
  std::set<std::string, std::less<>> computed_names;
  for (const ComputedDef& c : computed) computed_names.insert(c.name);
  ids[def.name] = def.id;
  RETURN_IF_ERROR(CheckLeaves(def.root, ids, computed_names, at));
  // A cycle through `def`: some audience it reads (transitively) reads it back.
  std::set<std::string> seen;
  std::vector<std::pair<std::string, std::string>> stack;  // (audience, path shown)
  for (const std::string& r : RefNames(def.root)) stack.push_back({r, def.name + " → " + r});
  while (!stack.empty()) {
    auto [name, path] = stack.back();
    stack.pop_back();
    if (name == def.name) {
      return Status::InvalidArgument("audiences may not depend on themselves: " + path);
    }
    if (!seen.insert(name).second) continue;
    auto it = roots.find(name);
    if (it == roots.end()) continue;
    for (const std::string& r : RefNames(*it->second)) stack.push_back({r, path + " → " + r});
  }
  return Status::OK();
}

std::unique_ptr<AudienceSet> AudienceSet::Compile(std::vector<AudienceDef> defs,
                                                  std::vector<ComputedDef> computed,
                                                  std::vector<std::string>* problems) {
  auto set = std::make_unique<AudienceSet>();
  set->computed_ = std::move(computed);
  std::map<std::string, const ComputedDef*> computed_by_name;
  std::set<std::string, std::less<>> computed_names;
  for (const ComputedDef& c : set->computed_) {
    computed_by_name[c.name] = &c;
    computed_names.insert(c.name);
  }
  std::sort(defs.begin(), defs.end(),
            [](const AudienceDef& a, const AudienceDef& b) { return a.id < b.id; });

  // Dependency order (Kahn), leaving out audiences with unknown references or in cycles.
  std::map<std::string, uint64_t> ids;
  for (const AudienceDef& d : defs) ids[d.name] = d.id;
  std::vector<bool> ok(defs.size(), true);
  for (size_t i = 0; i < defs.size(); ++i) {
    Status st = CheckLeaves(defs[i].root, ids, computed_names);
    if (!st.ok()) {
      ok[i] = false;
      problems->push_back("audience " + JsonString(defs[i].name) + ": " + st.message());
    }
  }
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < defs.size(); ++i) index[defs[i].name] = i;
  std::vector<bool> placed(defs.size(), false);
  std::vector<size_t> order;
  for (bool progress = true; progress;) {
    progress = false;
    for (size_t i = 0; i < defs.size(); ++i) {
      if (placed[i] || !ok[i]) continue;
      bool ready = true;
      for (const std::string& r : RefNames(defs[i].root)) {
        auto it = index.find(r);
        ready = ready && it != index.end() && placed[it->second];
      }
      if (ready) {
        placed[i] = true;
        order.push_back(i);
        progress = true;
      }
    }
  }
  for (size_t i = 0; i < defs.size(); ++i) {
    if (ok[i] && !placed[i]) {
      problems->push_back("audience " + JsonString(defs[i].name) +
                          " is left out: it depends on an audience that cannot be evaluated");
    }
  }

  // Hidden definitions first, so that the bindings can point into the final vector.
  std::map<std::string, ComputedDef> hidden;
  for (size_t i : order) {
    Visit(defs[i].root, [&](const Node& n) {
      if (n.kind != Node::Kind::kPerformed) return;
      ComputedDef d = HiddenDefFor(n.performed);
      hidden.emplace(d.name, std::move(d));
    });
  }
  for (auto& [name, d] : hidden) set->hidden_.push_back(std::move(d));
  std::map<std::string, const ComputedDef*> hidden_by_name;
  for (const ComputedDef& d : set->hidden_) hidden_by_name[d.name] = &d;

  std::map<std::string, size_t> position;  // audience name → index in audiences_
  for (size_t i : order) {
    auto a = std::make_unique<CompiledAudience>();
    a->id = defs[i].id;
    a->name = defs[i].name;
    a->root = std::move(defs[i].root);
    const size_t at = set->audiences_.size();
    position[a->name] = at;
    CompiledAudience* raw = a.get();
    Visit(raw->root, [&](const Node& n) {
      switch (n.kind) {
        case Node::Kind::kPerformed: {
          const ComputedDef* d = hidden_by_name.at(HiddenDefFor(n.performed).name);
          raw->bindings.defs[&n] = d;
          raw->hidden.push_back(d->name);
          break;
        }
        case Node::Kind::kCompare:
          if (n.compare.scope == CompareScope::kComputed) {
            const ComputedDef* d = computed_by_name.at(n.compare.clause.path);
            raw->bindings.defs[&n] = d;
            raw->computed.push_back(d->name);
          } else if (n.compare.scope == CompareScope::kAccount) {
            raw->accounts = true;
          } else {
            const std::string& path = n.compare.clause.path;
            raw->traits.insert(path.substr(0, path.find('.')));
            raw->traits.insert(path);  // a trait whose name has dots
          }
          break;
        case Node::Kind::kInAudience: {
          const size_t ref = position.at(n.name);
          raw->bindings.audiences[&n] = set->audiences_[ref]->id;
          raw->refs.push_back(set->audiences_[ref]->id);
          set->audiences_[ref]->dependents.push_back(at);
          break;
        }
        case Node::Kind::kConsent:
          raw->consent = true;
          break;
        default:
          break;
      }
    });
    for (const std::string& d : raw->hidden) set->by_def_[d].push_back(at);
    for (const std::string& d : raw->computed) set->by_def_[d].push_back(at);
    for (const std::string& t : raw->traits) set->by_trait_[t].push_back(at);
    if (raw->accounts) set->with_accounts_.push_back(at);
    if (raw->consent) set->with_consent_.push_back(at);
    set->index_[raw->id] = at;
    set->audiences_.push_back(std::move(a));
  }
  for (auto* m : {&set->by_def_, &set->by_trait_}) {
    for (auto& [k, v] : *m) {
      std::sort(v.begin(), v.end());
      v.erase(std::unique(v.begin(), v.end()), v.end());
    }
  }
  for (auto& a : set->audiences_) {
    std::sort(a->dependents.begin(), a->dependents.end());
    a->dependents.erase(std::unique(a->dependents.begin(), a->dependents.end()),
                        a->dependents.end());
  }
  return set;
}

const CompiledAudience* AudienceSet::Find(uint64_t id) const {
  const int i = IndexOf(id);
  return i < 0 ? nullptr : audiences_[i].get();
}

int AudienceSet::IndexOf(uint64_t id) const {
  auto it = index_.find(id);
  return it == index_.end() ? -1 : static_cast<int>(it->second);
}

const std::vector<size_t>* AudienceSet::ByDefinition(const std::string& def_name) const {
  auto it = by_def_.find(def_name);
  return it == by_def_.end() ? nullptr : &it->second;
}

const std::vector<size_t>* AudienceSet::ByTrait(std::string_view trait) const {
  auto it = by_trait_.find(trait);
  return it == by_trait_.end() ? nullptr : &it->second;
}

}  // namespace rapport
