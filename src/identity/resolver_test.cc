#include "identity/resolver.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace rapport {
namespace {

Identifier U(std::string v) { return {"user_id", std::move(v)}; }
Identifier A(std::string v) { return {"anonymous_id", std::move(v)}; }
Identifier E(std::string v) { return {"email", std::move(v)}; }
Identifier Ph(std::string v) { return {"phone", std::move(v)}; }

std::string Str(const Identifier& id) { return id.type + ":" + id.value; }

std::vector<std::string> Strs(const std::vector<Identifier>& ids) {
  std::vector<std::string> out;
  for (const Identifier& id : ids) out.push_back(Str(id));
  return out;
}

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

std::string Describe(const std::vector<Identifier>& ids) {
  std::string out = "{";
  for (const Identifier& id : ids) out += (out.size() > 1 ? ", " : "") + Str(id);
  return out + "}";
}

// An identity graph in memory, changed by a Resolution the way the pipeline changes its store:
// a new profile gets the next id (1, 2, ...), merged profiles move every identifier to the
// surviving one and disappear, new identifiers are bound to the event's profile.
class MemoryGraph final : public IdentityView {
 public:
  Result<std::optional<uint64_t>> Find(const Identifier& id) override {
    auto it = owner_.find(id);
    if (it == owner_.end()) return std::optional<uint64_t>();
    return std::optional<uint64_t>(it->second);
  }

  Result<std::vector<Identifier>> IdentifiersOf(uint64_t profile) override {
    auto it = profiles_.find(profile);
    if (it == profiles_.end()) return Status::NotFound("no profile " + std::to_string(profile));
    return std::vector<Identifier>(it->second.begin(), it->second.end());
  }

  // Applies `r`; returns the event's profile. Reports any step a caller could not carry out.
  uint64_t Apply(const Resolution& r) {
    uint64_t p = r.profile;
    if (r.create) {
      EXPECT_EQ(r.profile, 0u);
      EXPECT_TRUE(r.merges.empty());
      p = next_++;
      profiles_[p];
    } else if (!profiles_.count(p)) {
      ADD_FAILURE() << "the resolution names profile " << p << ", which does not exist";
      return 0;
    }
    uint64_t previous = 0;
    for (const Resolution::Merge& m : r.merges) {
      EXPECT_GT(m.from, p) << "the oldest profile survives";
      EXPECT_GT(m.from, previous) << "merges ascend by `from`";
      previous = m.from;
      EXPECT_FALSE(m.via.empty());
      for (const Identifier& id : m.via) {
        auto it = owner_.find(id);
        EXPECT_TRUE(it != owner_.end() && it->second == m.from)
            << Str(id) << " does not belong to merged profile " << m.from;
      }
      auto from = profiles_.find(m.from);
      if (from == profiles_.end()) {
        ADD_FAILURE() << "merged profile " << m.from << " does not exist";
        continue;
      }
      for (const Identifier& id : from->second) {
        owner_[id] = p;
        profiles_[p].insert(id);
      }
      profiles_.erase(from);
    }
    for (const Identifier& id : r.add) {
      EXPECT_FALSE(owner_.count(id)) << Str(id) << " is already in the graph";
      owner_[id] = p;
      profiles_[p].insert(id);
    }
    return p;
  }

  std::optional<uint64_t> OwnerOf(const Identifier& id) const {
    auto it = owner_.find(id);
    if (it == owner_.end()) return std::nullopt;
    return it->second;
  }
  const std::map<Identifier, uint64_t>& owners() const { return owner_; }
  const std::map<uint64_t, std::set<Identifier>>& profiles() const { return profiles_; }

 private:
  std::map<Identifier, uint64_t> owner_;
  std::map<uint64_t, std::set<Identifier>> profiles_;
  uint64_t next_ = 1;
};

class ResolverTest : public ::testing::Test {
 protected:
  // Resolves without applying.
  Resolution Peek(std::vector<Identifier> ids) {
    auto r = Resolve(settings_, std::move(ids), &graph_);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : Resolution{};
  }
  // Resolves and applies one event; returns its profile (`last_` holds the resolution).
  uint64_t Event(std::vector<Identifier> ids) {
    last_ = Peek(std::move(ids));
    return graph_.Apply(last_);
  }
  // The identifiers of `profile`, as "type:value", sorted.
  std::vector<std::string> Held(uint64_t profile) {
    auto it = graph_.profiles().find(profile);
    if (it == graph_.profiles().end()) return {};
    return Sorted(Strs(std::vector<Identifier>(it->second.begin(), it->second.end())));
  }
  void Configure(IdentityConfig config) {
    auto s = MakeIdentitySettings(config);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    settings_ = std::move(*s);
  }

  IdentitySettings settings_;
  MemoryGraph graph_;
  Resolution last_;
};

using Strings = std::vector<std::string>;

TEST_F(ResolverTest, NewProfile) {
  Resolution r = Peek({A("a1")});
  EXPECT_TRUE(r.create);
  EXPECT_EQ(r.profile, 0u);
  EXPECT_TRUE(r.merges.empty());
  EXPECT_EQ(Strs(r.add), Strings{"anonymous_id:a1"});
  EXPECT_TRUE(r.dropped.empty());
  EXPECT_EQ(r.conflict, "");

  EXPECT_EQ(Event({A("a1")}), 1u);
  EXPECT_EQ(Event({A("a2")}), 2u);
  EXPECT_EQ(Event({A("a1")}), 1u);
  EXPECT_FALSE(last_.create);
  EXPECT_EQ(last_.profile, 1u);
  EXPECT_TRUE(last_.add.empty());
  EXPECT_EQ(Held(1), Strings{"anonymous_id:a1"});
  EXPECT_EQ(Held(2), Strings{"anonymous_id:a2"});
}

TEST_F(ResolverTest, NoIdentifiersIsAnError) {
  auto r = Resolve(settings_, {}, &graph_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(ResolverTest, DuplicatesIgnoredAndPriorityOrder) {
  EXPECT_EQ(Event({A("a1"), E("e@x.com"), U("u1"), A("a1"), U("u1"), Ph("14155552671")}), 1u);
  EXPECT_TRUE(last_.create);
  EXPECT_EQ(Strs(last_.add),
            (Strings{"user_id:u1", "email:e@x.com", "phone:14155552671", "anonymous_id:a1"}));
  EXPECT_TRUE(last_.dropped.empty());
}

TEST_F(ResolverTest, AnonymousThenIdentifyMerges) {
  EXPECT_EQ(Event({A("laptop")}), 1u);
  EXPECT_EQ(Event({A("phone")}), 2u);
  // Signs in on the laptop: the user id joins the laptop's profile.
  EXPECT_EQ(Event({U("u1"), A("laptop")}), 1u);
  EXPECT_TRUE(last_.merges.empty());
  EXPECT_EQ(Strs(last_.add), Strings{"user_id:u1"});
  // Then on the phone: the phone's profile merges into the older one.
  EXPECT_EQ(Event({U("u1"), A("phone")}), 1u);
  ASSERT_EQ(last_.merges.size(), 1u);
  EXPECT_EQ(last_.merges[0].from, 2u);
  EXPECT_EQ(Strs(last_.merges[0].via), Strings{"anonymous_id:phone"});
  EXPECT_TRUE(last_.add.empty());
  EXPECT_TRUE(last_.dropped.empty());
  EXPECT_EQ(last_.conflict, "");
  EXPECT_EQ(Held(1), (Strings{"anonymous_id:laptop", "anonymous_id:phone", "user_id:u1"}));
  EXPECT_EQ(graph_.profiles().size(), 1u);
  EXPECT_EQ(Event({A("phone")}), 1u);
}

// Two people on one browser: the browser's anonymous id must not join their profiles.
TEST_F(ResolverTest, SharedComputer) {
  EXPECT_EQ(Event({U("alice"), A("kiosk")}), 1u);
  EXPECT_EQ(Event({U("bob")}), 2u);  // bob signed up on his own phone
  // Bob signs in on alice's browser: user_id is limited to one, so the union of both profiles
  // is refused and the event's lowest-priority identifier, the anonymous id, is left out.
  EXPECT_EQ(Event({U("bob"), A("kiosk")}), 2u);
  EXPECT_TRUE(last_.merges.empty());
  EXPECT_TRUE(last_.add.empty());
  EXPECT_EQ(Strs(last_.dropped), Strings{"anonymous_id:kiosk"});
  EXPECT_EQ(last_.conflict, "user_id");
  EXPECT_EQ(Held(1), (Strings{"anonymous_id:kiosk", "user_id:alice"}));
  EXPECT_EQ(Held(2), Strings{"user_id:bob"});
  // A third person, new to the platform, gets a profile of their own.
  EXPECT_EQ(Event({U("carol"), A("kiosk")}), 3u);
  EXPECT_TRUE(last_.create);
  EXPECT_EQ(Strs(last_.add), Strings{"user_id:carol"});
  EXPECT_EQ(Strs(last_.dropped), Strings{"anonymous_id:kiosk"});
  EXPECT_EQ(last_.conflict, "user_id");
  // Signed-out activity on the kiosk stays with its first user.
  EXPECT_EQ(Event({A("kiosk")}), 1u);
  EXPECT_EQ(graph_.profiles().size(), 3u);
}

TEST_F(ResolverTest, EmailLimit) {
  for (int i = 1; i <= 5; ++i) {
    EXPECT_EQ(Event({U("u1"), E("e" + std::to_string(i) + "@x.com")}), 1u);
    EXPECT_TRUE(last_.dropped.empty());
  }
  // A sixth email does not fit (limit 5): it is left out, the event still counts for u1.
  EXPECT_EQ(Event({U("u1"), E("e6@x.com")}), 1u);
  EXPECT_EQ(Strs(last_.dropped), Strings{"email:e6@x.com"});
  EXPECT_EQ(last_.conflict, "email");
  EXPECT_TRUE(last_.add.empty());
  EXPECT_EQ(Held(1).size(), 6u);
  // Alone, the sixth email starts a profile of its own, and the limit keeps the two apart.
  EXPECT_EQ(Event({E("e6@x.com")}), 2u);
  EXPECT_EQ(Event({U("u1"), E("e6@x.com")}), 1u);
  EXPECT_TRUE(last_.merges.empty());
  EXPECT_EQ(Strs(last_.dropped), Strings{"email:e6@x.com"});
  // Emails the profile already holds are fine.
  EXPECT_EQ(Event({U("u1"), E("e3@x.com"), A("a1")}), 1u);
  EXPECT_TRUE(last_.dropped.empty());
  EXPECT_EQ(Strs(last_.add), Strings{"anonymous_id:a1"});
  // A merge that would hold 6 emails is refused: the anonymous id (the lowest priority) gives
  // way although the conflict is about emails.
  EXPECT_EQ(Event({E("e7@x.com"), A("a2")}), 3u);
  EXPECT_EQ(Event({U("u1"), A("a2")}), 1u);
  EXPECT_TRUE(last_.merges.empty());
  EXPECT_EQ(Strs(last_.dropped), Strings{"anonymous_id:a2"});
  EXPECT_EQ(last_.conflict, "email");
}

TEST_F(ResolverTest, AnonymousIdLimit) {
  EXPECT_EQ(settings_.Find("anonymous_id")->limit, 1000);
  IdentityConfig c;
  c.limits = {{"anonymous_id", 3}};  // 1000 by default; 3 keeps the test short
  Configure(c);
  for (const char* a : {"a1", "a2", "a3"}) EXPECT_EQ(Event({U("u1"), A(a)}), 1u);
  EXPECT_EQ(Event({U("u1"), A("a4")}), 1u);
  EXPECT_EQ(Strs(last_.dropped), Strings{"anonymous_id:a4"});
  EXPECT_EQ(last_.conflict, "anonymous_id");
  EXPECT_EQ(Held(1),
            (Strings{"anonymous_id:a1", "anonymous_id:a2", "anonymous_id:a3", "user_id:u1"}));
  EXPECT_EQ(Event({A("a4")}), 2u);
  EXPECT_EQ(Event({U("u1"), A("a4")}), 1u);
  EXPECT_TRUE(last_.merges.empty());
  EXPECT_EQ(Strs(last_.dropped), Strings{"anonymous_id:a4"});
  // Only anonymous ids: one type left, so only the last one gives way each time.
  EXPECT_EQ(Event({A("a1"), A("a5"), A("a6")}), 1u);
  EXPECT_EQ(Strs(last_.dropped), (Strings{"anonymous_id:a6", "anonymous_id:a5"}));
  EXPECT_TRUE(last_.add.empty());
}

// An event can carry several values of a type (context.externalIds): no more than the limit
// are kept, the first ones.
TEST_F(ResolverTest, EventsOwnIdentifiersBeyondALimit) {
  EXPECT_EQ(Event({A("a1"), U("u1"), U("u2")}), 1u);
  EXPECT_TRUE(last_.create);
  EXPECT_EQ(Strs(last_.add), (Strings{"user_id:u1", "anonymous_id:a1"}));
  EXPECT_EQ(Strs(last_.dropped), Strings{"user_id:u2"});
  EXPECT_EQ(last_.conflict, "user_id");

  std::vector<Identifier> emails;
  for (int i = 1; i <= 7; ++i) emails.push_back(E("e" + std::to_string(i) + "@x.com"));
  EXPECT_EQ(Event(emails), 2u);
  EXPECT_EQ(Strs(last_.dropped), (Strings{"email:e6@x.com", "email:e7@x.com"}));
  EXPECT_EQ(last_.conflict, "email");
  EXPECT_EQ(Held(2).size(), 5u);
  // u2 was never bound: alone it is someone new.
  EXPECT_EQ(Event({U("u2")}), 3u);
}

TEST_F(ResolverTest, ThreeWayMergePicksTheOldest) {
  EXPECT_EQ(Event({A("a1")}), 1u);
  EXPECT_EQ(Event({Ph("14155552671")}), 2u);
  EXPECT_EQ(Event({E("x@y.com")}), 3u);
  // The oldest profile is reached through the event's last (lowest-priority) identifier.
  EXPECT_EQ(Event({A("a1"), E("x@y.com"), U("u1"), Ph("14155552671")}), 1u);
  EXPECT_FALSE(last_.create);
  ASSERT_EQ(last_.merges.size(), 2u);
  EXPECT_EQ(last_.merges[0].from, 2u);
  EXPECT_EQ(Strs(last_.merges[0].via), Strings{"phone:14155552671"});
  EXPECT_EQ(last_.merges[1].from, 3u);
  EXPECT_EQ(Strs(last_.merges[1].via), Strings{"email:x@y.com"});
  EXPECT_EQ(Strs(last_.add), Strings{"user_id:u1"});
  EXPECT_EQ(Held(1),
            (Strings{"anonymous_id:a1", "email:x@y.com", "phone:14155552671", "user_id:u1"}));
  EXPECT_EQ(graph_.profiles().size(), 1u);
  EXPECT_EQ(Event({Ph("14155552671")}), 1u);
}

TEST_F(ResolverTest, SameEventTwiceChangesNothing) {
  const std::vector<std::vector<Identifier>> events = {
      {A("a1")},
      {A("a2")},
      {U("u1"), A("a1")},
      {U("u1"), A("a2"), E("e@x.com")},
      {U("u2"), A("a2")},  // refused: dropped anonymous_id
      {U("u3"), U("u4"), A("a3")},
      {E("e@x.com"), A("a3")},  // u1's and u3's profiles: refused
  };
  for (const auto& ids : events) {
    SCOPED_TRACE(Describe(ids));
    uint64_t p = Event(ids);
    const Resolution first = last_;
    const auto before = graph_.owners();
    Resolution again = Peek(ids);
    EXPECT_FALSE(again.create);
    EXPECT_EQ(again.profile, p);
    EXPECT_TRUE(again.merges.empty());
    EXPECT_TRUE(again.add.empty());
    EXPECT_EQ(Strs(again.dropped), Strs(first.dropped));
    EXPECT_EQ(again.conflict, first.conflict);
    EXPECT_EQ(graph_.Apply(again), p);
    EXPECT_EQ(graph_.owners(), before);
  }
}

TEST_F(ResolverTest, ChainOfAliases) {
  // Three devices browse signed out.
  EXPECT_EQ(Event({A("web")}), 1u);
  EXPECT_EQ(Event({A("app")}), 2u);
  EXPECT_EQ(Event({A("tablet")}), 3u);
  // alias(previousId: <anonymous id>, userId: u1) from each device.
  EXPECT_EQ(Event({U("u1"), A("web")}), 1u);
  EXPECT_EQ(Event({U("u1"), A("app")}), 1u);
  ASSERT_EQ(last_.merges.size(), 1u);
  EXPECT_EQ(last_.merges[0].from, 2u);
  EXPECT_EQ(Event({U("u1"), A("tablet")}), 1u);
  ASSERT_EQ(last_.merges.size(), 1u);
  EXPECT_EQ(last_.merges[0].from, 3u);
  EXPECT_EQ(Held(1),
            (Strings{"anonymous_id:app", "anonymous_id:tablet", "anonymous_id:web", "user_id:u1"}));
  // alias(previousId: u1, userId: u2): with one user_id per profile the two cannot join; the
  // previous id, second in the event, gives way and u2 starts a profile.
  EXPECT_EQ(Event({U("u2"), U("u1")}), 4u);
  EXPECT_EQ(Strs(last_.dropped), Strings{"user_id:u1"});
  EXPECT_EQ(last_.conflict, "user_id");
}

TEST_F(ResolverTest, ChainOfAliasesWithTwoUserIds) {
  IdentityConfig c;
  c.limits = {{"user_id", 2}};
  Configure(c);
  EXPECT_EQ(Event({A("web")}), 1u);
  EXPECT_EQ(Event({U("u1"), A("web")}), 1u);
  EXPECT_EQ(Event({U("u2"), U("u1")}), 1u);  // alias u1 → u2
  EXPECT_EQ(Strs(last_.add), Strings{"user_id:u2"});
  EXPECT_EQ(Event({U("u3"), U("u2")}), 2u);  // a third would pass the limit
  EXPECT_TRUE(last_.create);
  EXPECT_EQ(Strs(last_.dropped), Strings{"user_id:u2"});
  EXPECT_EQ(Held(1), (Strings{"anonymous_id:web", "user_id:u1", "user_id:u2"}));
  EXPECT_EQ(Held(2), Strings{"user_id:u3"});
}

// A profile that holds more than a since lowered limit keeps its identifiers and still gets its
// events; it only may not grow.
TEST_F(ResolverTest, LoweredLimitKeepsWhatAProfileHolds) {
  EXPECT_EQ(Event({U("u1"), E("e1@x"), E("e2@x"), E("e3@x"), E("e4@x")}), 1u);
  ASSERT_TRUE(settings_.SetType({"email", 2, 2}).ok());
  EXPECT_EQ(Event({U("u1"), E("e2@x")}), 1u);
  EXPECT_TRUE(last_.dropped.empty());
  EXPECT_EQ(Event({E("e4@x"), A("a1")}), 1u);
  EXPECT_TRUE(last_.dropped.empty());
  EXPECT_EQ(Event({U("u1"), E("e5@x")}), 1u);
  EXPECT_EQ(Strs(last_.dropped), Strings{"email:e5@x"});
  EXPECT_EQ(last_.conflict, "email");
  EXPECT_EQ(Event({E("e9@x")}), 2u);
  EXPECT_EQ(Event({E("e1@x"), E("e9@x")}), 1u);  // 5 emails together: more than 4
  EXPECT_TRUE(last_.merges.empty());
  EXPECT_EQ(Strs(last_.dropped), Strings{"email:e9@x"});
}

TEST_F(ResolverTest, CustomTypePriority) {
  IdentityConfig c;
  c.custom_types = {"crm_id"};
  c.limits = {{"crm_id", 1}};
  Configure(c);
  const Identifier c1{"crm_id", "C-1"}, c2{"crm_id", "C-2"};
  EXPECT_EQ(Event({c1, E("e1@x")}), 1u);
  EXPECT_EQ(Event({c2, A("a1")}), 2u);
  // crm_id (4) outranks anonymous_id: the anonymous id gives way.
  EXPECT_EQ(Event({E("e1@x"), A("a1")}), 1u);
  EXPECT_EQ(Strs(last_.dropped), Strings{"anonymous_id:a1"});
  EXPECT_EQ(last_.conflict, "crm_id");
  // email (2) outranks crm_id (4): the crm id gives way.
  EXPECT_EQ(Event({E("e1@x"), c2}), 1u);
  EXPECT_EQ(Strs(last_.dropped), Strings{"crm_id:C-2"});
  EXPECT_EQ(last_.conflict, "crm_id");
}

// Find fails, or binds user ids to profile 7 and everything else to profile 8, whose identifiers
// cannot be read.
class FailingView final : public IdentityView {
 public:
  explicit FailingView(bool fail_find) : fail_find_(fail_find) {}
  Result<std::optional<uint64_t>> Find(const Identifier& id) override {
    if (fail_find_) return Status::IOError("read failed");
    return std::optional<uint64_t>(id.type == "user_id" ? 7 : 8);
  }
  Result<std::vector<Identifier>> IdentifiersOf(uint64_t) override {
    return Status::Corruption("bad record");
  }

 private:
  bool fail_find_;
};

TEST(ResolverErrorsTest, ViewErrorsArePassedOn) {
  IdentitySettings s;
  FailingView find(true), list(false);
  auto r = Resolve(s, {U("u1")}, &find);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kIOError);
  // Two profiles: their identifiers are needed to check the limits.
  r = Resolve(s, {U("u1"), A("a1")}, &list);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
}

// ---------------------------------------------------------------------------------------------
// Randomized: Resolve + Apply against a reference written independently, as plainly as possible.

struct RefType {
  std::string name;
  int priority;
  int limit;
};

// A union-find over identifiers. Each root carries its profile's number (creation order). Every
// candidate union is recomputed from scratch by walking all identifiers.
class Reference {
 public:
  explicit Reference(std::vector<RefType> types) : types_(std::move(types)) {}
  void SetTypes(std::vector<RefType> types) { types_ = std::move(types); }

  struct Outcome {
    int profile = 0;
    std::vector<Identifier> dropped;
    std::string conflict;
  };

  Outcome Event(const std::vector<Identifier>& event) {
    Outcome out;
    std::vector<Identifier> ids;
    for (const Identifier& id : event) {
      if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
    }
    std::stable_sort(ids.begin(), ids.end(), [&](const Identifier& a, const Identifier& b) {
      return std::make_pair(Type(a.type).priority, a.type) <
             std::make_pair(Type(b.type).priority, b.type);
    });
    // The event's own values beyond a type's limit.
    std::vector<Identifier> kept;
    std::map<std::string, int> seen;
    for (const Identifier& id : ids) {
      if (++seen[id.type] > Type(id.type).limit) {
        out.dropped.push_back(id);
        out.conflict = id.type;
      } else {
        kept.push_back(id);
      }
    }
    // Give way until the candidate union fits.
    for (std::string broken; !(broken = Breaks(kept)).empty();) {
      out.conflict = broken;
      const std::string lowest = kept.back().type;
      bool one_type = true;
      for (const Identifier& id : kept) one_type = one_type && id.type == lowest;
      if (one_type) {
        out.dropped.push_back(kept.back());
        kept.pop_back();
      } else {
        while (kept.back().type == lowest) {
          out.dropped.push_back(kept.back());
          kept.pop_back();
        }
      }
    }
    // Join everything into the oldest profile, or a new one.
    std::set<Identifier> roots;
    for (const Identifier& id : kept) {
      if (parent_.count(id)) roots.insert(Root(id));
    }
    Identifier root;
    if (roots.empty()) {
      root = kept.front();
      parent_[root] = root;
      number_[root] = ++profiles_;
    } else {
      root = *roots.begin();
      for (const Identifier& r : roots) {
        if (number_.at(r) < number_.at(root)) root = r;
      }
      for (const Identifier& r : roots) {
        if (r == root) continue;
        parent_[r] = root;
        number_.erase(r);
      }
    }
    for (const Identifier& id : kept) {
      if (!parent_.count(id)) parent_[id] = root;
    }
    out.profile = number_.at(root);
    return out;
  }

  // The profile number holding `id`, 0 if none.
  int ProfileOf(const Identifier& id) { return parent_.count(id) ? number_.at(Root(id)) : 0; }
  std::vector<Identifier> Known() const {
    std::vector<Identifier> out;
    for (const auto& [id, parent] : parent_) out.push_back(id);
    return out;
  }
  const RefType& Type(const std::string& name) const {
    for (const RefType& t : types_) {
      if (t.name == name) return t;
    }
    ADD_FAILURE() << "unknown type " << name;
    return types_.front();
  }

 private:
  Identifier Root(const Identifier& id) {
    Identifier root = id;
    while (parent_.at(root) != root) root = parent_.at(root);
    for (Identifier at = id; at != root;) at = std::exchange(parent_.at(at), root);
    return root;
  }

  // The highest-priority type of which the event's identifiers plus every identifier of every
  // profile holding one of them have more values than its limit and than one of those profiles
  // holds already (a limit may have been lowered); "" if none.
  std::string Breaks(const std::vector<Identifier>& ids) {
    std::set<Identifier> roots;
    for (const Identifier& id : ids) {
      if (parent_.count(id)) roots.insert(Root(id));
    }
    std::set<Identifier> candidate(ids.begin(), ids.end());
    std::map<std::pair<Identifier, std::string>, int> held;  // (root, type) → values
    for (const auto& [id, parent] : parent_) {
      if (!roots.count(Root(id))) continue;
      candidate.insert(id);
      ++held[{Root(id), id.type}];
    }
    std::map<std::string, int> count;
    for (const Identifier& id : candidate) ++count[id.type];
    std::string worst;
    for (const auto& [type, n] : count) {
      if (n <= Type(type).limit) continue;
      bool grows = true;
      for (const Identifier& root : roots) grows = grows && n > held[{root, type}];
      if (!grows) continue;
      if (worst.empty() ||
          std::make_pair(Type(type).priority, type) < std::make_pair(Type(worst).priority, worst)) {
        worst = type;
      }
    }
    return worst;
  }

  std::vector<RefType> types_;
  std::map<Identifier, Identifier> parent_;
  std::map<Identifier, int> number_;  // root → profile number
  int profiles_ = 0;
};

struct RandomSetup {
  std::string name;
  IdentityConfig config;
  std::vector<RefType> types;  // the same rules, written out by hand for the reference
  // Halfway through the stream, when set: new limits, lower than some profiles already hold.
  std::optional<IdentityConfig> lowered;
  std::vector<RefType> lowered_types;
};

std::vector<RandomSetup> RandomSetups() {
  RandomSetup small;
  small.name = "small limits";
  small.config.custom_types = {"crm_id"};
  small.config.limits = {
      {"user_id", 1}, {"email", 2}, {"phone", 2}, {"crm_id", 1}, {"anonymous_id", 3}};
  small.types = {{"user_id", 1, 1},
                 {"email", 2, 2},
                 {"phone", 3, 2},
                 {"crm_id", 4, 1},
                 {"anonymous_id", 1000, 3}};
  RandomSetup tie;
  tie.name = "crm_id ties with email";
  tie.config.custom_types = {"crm_id"};
  tie.config.limits = {{"user_id", 2}, {"email", 1}, {"crm_id", 2}, {"anonymous_id", 2}};
  tie.config.priorities = {{"crm_id", 2}};
  tie.types = {{"user_id", 1, 2},
               {"crm_id", 2, 2},
               {"email", 2, 1},
               {"phone", 3, 5},
               {"anonymous_id", 1000, 2}};
  RandomSetup lowered;
  lowered.name = "limits lowered halfway";
  lowered.config.custom_types = {"crm_id"};
  lowered.config.limits = {{"user_id", 2}, {"email", 3}, {"crm_id", 2}, {"anonymous_id", 5}};
  lowered.types = {{"user_id", 1, 2},
                   {"email", 2, 3},
                   {"phone", 3, 5},
                   {"crm_id", 4, 2},
                   {"anonymous_id", 1000, 5}};
  lowered.lowered = lowered.config;
  lowered.lowered->limits = {{"user_id", 1}, {"email", 1}, {"crm_id", 1}, {"anonymous_id", 2}};
  lowered.lowered_types = {{"user_id", 1, 1},
                           {"email", 2, 1},
                           {"phone", 3, 5},
                           {"crm_id", 4, 1},
                           {"anonymous_id", 1000, 2}};
  return {small, tie, lowered};
}

// The graph against the reference: the same identifiers; owners that correspond one to one and
// in the same creation order.
void ExpectSameGraph(const MemoryGraph& graph, Reference& ref, uint64_t event_profile,
                     int ref_event_profile) {
  std::vector<Identifier> known;
  for (const auto& [id, owner] : graph.owners()) known.push_back(id);
  if (known != ref.Known()) {
    FAIL() << "the graph knows " << Describe(known) << ", the reference " << Describe(ref.Known());
  }
  std::map<uint64_t, int> to_ref;
  std::map<int, uint64_t> to_graph;
  for (const auto& [id, owner] : graph.owners()) {
    int r = ref.ProfileOf(id);
    auto a = to_ref.emplace(owner, r).first;
    auto b = to_graph.emplace(r, owner).first;
    ASSERT_EQ(a->second, r) << Str(id) << ": profile " << owner << " is split in the reference";
    ASSERT_EQ(b->second, owner) << Str(id) << ": reference profile " << r
                                << " is split in the graph";
  }
  int previous = 0;
  for (const auto& [p, r] : to_ref) {
    ASSERT_GT(r, previous) << "profiles in another creation order";
    previous = r;
  }
  ASSERT_EQ(to_ref.size(), graph.profiles().size());
  EXPECT_EQ(to_ref[event_profile], ref_event_profile) << "the event went elsewhere";
}

// The most values of each type held by one of the profiles the event's profile is made of,
// taken before `r` is applied.
std::map<std::string, int> HeldBefore(const MemoryGraph& graph, const Resolution& r) {
  std::vector<uint64_t> parts;
  if (!r.create) parts.push_back(r.profile);
  for (const Resolution::Merge& m : r.merges) parts.push_back(m.from);
  std::map<std::string, int> held;
  for (uint64_t p : parts) {
    auto it = graph.profiles().find(p);
    if (it == graph.profiles().end()) continue;
    std::map<std::string, int> count;
    for (const Identifier& id : it->second) ++count[id.type];
    for (const auto& [type, n] : count) held[type] = std::max(held[type], n);
  }
  return held;
}

// The event's profile holds no more values of a type than its limit, unless one of the profiles
// it was made of held as many already (a limit lowered since). Other profiles did not change.
void ExpectWithinLimits(const MemoryGraph& graph, uint64_t profile,
                        const std::map<std::string, int>& held_before,
                        const IdentitySettings& settings) {
  std::map<std::string, int> count;
  for (const Identifier& id : graph.profiles().at(profile)) ++count[id.type];
  for (const auto& [type, n] : count) {
    const int limit = settings.Find(type)->limit;
    auto held = held_before.find(type);
    EXPECT_TRUE(n <= limit || (held != held_before.end() && n <= held->second))
        << "profile " << profile << " holds " << n << " values of " << type << " (limit " << limit
        << ")";
  }
}

// Random events. Odd seeds draw identifiers uniformly from small pools: the graph fills up and
// limits are hit all the time. Even seeds simulate a few people, each with identifiers of their
// own, some browsers shared between two of them and one event in ten mixing two people: parts of
// one person merge, different people collide.
class EventSource {
 public:
  explicit EventSource(uint64_t seed) : rng_(seed), people_model_(seed % 2 == 0) {
    if (!people_model_) {
      pools_ = {{"user_id", "u", 2 + Uniform(5), 25},
                {"email", "e", 2 + Uniform(6), 15},
                {"phone", "p", 1 + Uniform(3), 8},
                {"crm_id", "c", 1 + Uniform(4), 12},
                {"anonymous_id", "a", 3 + Uniform(10), 40}};
      return;
    }
    const int people = 3 + Uniform(16);
    for (int i = 0; i < people; ++i) {
      std::vector<Identifier> own;
      auto add = [&](const char* type, const char* prefix, int n) {
        for (int k = 0; k < n; ++k) {
          own.push_back({type, prefix + std::to_string(i) + "." + std::to_string(k)});
        }
      };
      add("user_id", "u", Uniform(6) == 0 ? 2 : 1);
      add("email", "e", 1 + Uniform(3));
      add("phone", "p", Uniform(2));
      add("crm_id", "c", Uniform(2) + (Uniform(6) == 0));
      add("anonymous_id", "a", 1 + Uniform(5));
      people_.push_back(std::move(own));
    }
    for (int shared = Uniform(3); shared > 0; --shared) {
      const Identifier browser{"anonymous_id", "shared" + std::to_string(shared)};
      people_[Uniform(people)].push_back(browser);
      people_[Uniform(people)].push_back(browser);
    }
  }

  // `progress` in [0, 1]: how far into the stream; people arrive over time.
  std::vector<Identifier> Next(double progress) {
    std::vector<Identifier> ids;
    int k = 1 + Uniform(4);
    if (people_model_) {
      const int arrived = 1 + static_cast<int>(progress * static_cast<double>(people_.size() - 1));
      // Mostly someone who arrived recently.
      const int who = std::max(0, arrived - 1 - Uniform(std::min(arrived, 1 + Uniform(6))));
      const int other = Uniform(10) == 0 ? Uniform(arrived) : who;
      if (Uniform(2) == 0) k = 1;  // one device, signed out: a fragment to merge later
      for (; k > 0; --k) {
        const std::vector<Identifier>& own = people_[k % 2 ? who : other];
        ids.push_back(own[Uniform(static_cast<int>(own.size()))]);
      }
      return ids;
    }
    int total = 0;
    for (const Pool& p : pools_) total += p.weight;
    for (; k > 0; --k) {
      int w = Uniform(total);
      size_t t = 0;
      while (w >= pools_[t].weight) w -= pools_[t++].weight;
      ids.push_back({pools_[t].type, pools_[t].prefix + std::to_string(Uniform(pools_[t].size))});
    }
    return ids;
  }

 private:
  struct Pool {
    const char* type;
    const char* prefix;
    int size;
    int weight;
  };
  int Uniform(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }

  std::mt19937_64 rng_;
  bool people_model_;
  std::vector<Pool> pools_;
  std::vector<std::vector<Identifier>> people_;
};

// One stream of `events` random events; false after the first difference.
bool RunStream(const RandomSetup& setup, uint64_t seed, int events) {
  auto settings = MakeIdentitySettings(setup.config);
  EXPECT_TRUE(settings.ok()) << settings.status().ToString();
  if (!settings.ok()) return false;
  MemoryGraph graph;
  Reference ref(setup.types);
  EventSource source(seed);
  for (int n = 0; n < events; ++n) {
    if (setup.lowered && n == events / 2) {
      settings = MakeIdentitySettings(*setup.lowered);
      EXPECT_TRUE(settings.ok()) << settings.status().ToString();
      if (!settings.ok()) return false;
      ref.SetTypes(setup.lowered_types);
    }
    const std::vector<Identifier> ids = source.Next(static_cast<double>(n) / events);
    SCOPED_TRACE(::testing::Message()
                 << setup.name << ", seed " << seed << " (rerun with "
                 << "RAPPORT_IDENTITY_SEED=" << seed << "), event " << n << " " << Describe(ids));
    auto r = Resolve(*settings, ids, &graph);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) return false;
    const std::map<std::string, int> held_before = HeldBefore(graph, *r);
    uint64_t p = graph.Apply(*r);
    if (::testing::Test::HasFailure()) return false;
    Reference::Outcome want = ref.Event(ids);
    EXPECT_EQ(Sorted(Strs(r->dropped)), Sorted(Strs(want.dropped)));
    EXPECT_EQ(r->conflict, want.conflict);
    ExpectSameGraph(graph, ref, p, want.profile);
    ExpectWithinLimits(graph, p, held_before, *settings);
    // The same event again changes nothing.
    auto again = Resolve(*settings, ids, &graph);
    EXPECT_TRUE(again.ok());
    if (again.ok()) {
      EXPECT_FALSE(again->create);
      EXPECT_EQ(again->profile, p);
      EXPECT_TRUE(again->merges.empty());
      EXPECT_TRUE(again->add.empty());
      EXPECT_EQ(Strs(again->dropped), Strs(r->dropped));
    }
    if (::testing::Test::HasFailure()) return false;
  }
  return true;
}

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
constexpr bool kSanitized = __has_feature(address_sanitizer);
#else
constexpr bool kSanitized = false;
#endif

// 200 seeds × 3 setups × 150 events: about 2 s in Release. The sanitizer build, ten times
// slower, runs 40 seeds. RAPPORT_IDENTITY_SEEDS=N runs N seeds (a soak); RAPPORT_IDENTITY_SEED=N
// only seed N (to reproduce a failure).
TEST(ResolverRandomTest, MatchesReferenceUnionFind) {
  std::vector<uint64_t> seeds;
  if (const char* one = std::getenv("RAPPORT_IDENTITY_SEED")) {
    seeds.push_back(std::strtoull(one, nullptr, 10));
  } else {
    uint64_t n = kSanitized ? 40 : 200;
    if (const char* many = std::getenv("RAPPORT_IDENTITY_SEEDS")) {
      n = std::strtoull(many, nullptr, 10);
    }
    for (uint64_t s = 1; s <= n; ++s) seeds.push_back(s);
  }
  for (const RandomSetup& setup : RandomSetups()) {
    for (uint64_t seed : seeds) {
      if (!RunStream(setup, seed, 150)) {
        FAIL() << setup.name << ": first difference with seed " << seed;
      }
    }
  }
}

}  // namespace
}  // namespace rapport
