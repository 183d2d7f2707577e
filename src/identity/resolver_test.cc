// Identity resolution, case by case: merges, limits and priority, errors.
#include "identity/resolver.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "identity/resolver_test_util.h"

namespace rapport {
namespace {

using namespace identity_test;  // NOLINT: test shorthands

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

}  // namespace
}  // namespace rapport
