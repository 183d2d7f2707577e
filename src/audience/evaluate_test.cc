// Evaluate on hand-built profile records: every leaf kind, the count operators against the kept
// event times, and the next-change times a timer needs.
#include "audience/evaluate.h"

#include <gtest/gtest.h>

#include "audience/compile.h"
#include "audience/parser.h"
#include "profile/computed/computed_state.h"

namespace rapport {
namespace {

constexpr int64_t kDay = 86'400'000'000;
constexpr int64_t kNow = 1'700'000'000'000'000;

class EvaluateTest : public ::testing::Test {
 protected:
  // Compiles `text` as audience 1 (plus audience 2 "other" when referenced).
  void Compile(const std::string& text) {
    std::vector<AudienceDef> defs;
    auto root = ParseAudience(text);
    ASSERT_TRUE(root.ok()) << root.status().ToString();
    defs.push_back({1, "a", "", std::move(*root)});
    auto other = ParseAudience(R"(traits.vip = true)");
    defs.push_back({2, "other", "", std::move(*other)});
    std::vector<std::string> problems;
    ComputedDef orders;
    orders.name = "orders";
    set_ = AudienceSet::Compile(std::move(defs), {orders}, &problems);
    ASSERT_TRUE(problems.empty()) << problems[0];
  }

  // Records `times` (event times) for the audience's first performed leaf.
  void Performed(const std::vector<int64_t>& times) {
    const auto* a = set_->Find(1);
    ASSERT_FALSE(a->hidden.empty());
    const ComputedDef* def = nullptr;
    for (const ComputedDef& d : set_->hidden_defs()) {
      if (d.name == a->hidden[0]) def = &d;
    }
    ComputedState state;
    uint64_t seq = 0;
    for (int64_t t : times) state.Add(*def, ComputedValue::Bool(true), t, ++seq);
    profile_.computed[def->name] = state.Encode();
  }

  EvalResult Eval(int64_t now = kNow) {
    EvalContext ctx;
    ctx.profile = &profile_;
    for (const AccountRecord& a : accounts_) ctx.accounts.push_back(&a);
    ctx.bindings = &set_->Find(1)->bindings;
    ctx.in_audience = [this](uint64_t id) { return id == 2 && in_other_; };
    ctx.now_us = now;
    return Evaluate(set_->Find(1)->root, ctx);
  }

  void Trait(const std::string& name, const std::string& json) {
    profile_.traits[name] = StampedValue{json, 0, 0, "src"};
  }

  std::unique_ptr<AudienceSet> set_;
  ProfileRecord profile_;
  std::vector<AccountRecord> accounts_;
  bool in_other_ = false;
};

TEST_F(EvaluateTest, TraitComparisons) {
  Compile(
      R"(traits.plan = "pro" and traits.age >= 18 and traits.address.city in ["Paris", "Lyon"])");
  EXPECT_FALSE(Eval().value);
  Trait("plan", R"("pro")");
  Trait("age", "21");
  Trait("address", R"({"city":"Lyon"})");
  EXPECT_TRUE(Eval().value);
  EXPECT_EQ(Eval().next_us, 0);
  Trait("age", R"("17")");  // numeric text compares as its number
  EXPECT_FALSE(Eval().value);
}

TEST_F(EvaluateTest, IsSetAndTraitsNamedWithSpaces) {
  Compile(R"(traits.email is set and traits.`utm source` = "ads")");
  Trait("email", R"("a@b.c")");
  Trait("utm source", R"("ads")");
  EXPECT_TRUE(Eval().value);
  Trait("email", "null");
  EXPECT_FALSE(Eval().value);
}

TEST_F(EvaluateTest, AtLeastWithinAWindow) {
  Compile(R"(performed "Order Completed" at least 2 times within 7 days)");
  Performed({kNow - 1 * kDay});
  EXPECT_EQ(Eval().value, false);
  EXPECT_EQ(Eval().next_us, 0);  // only a new event can change it
  Performed({kNow - 1 * kDay, kNow - 3 * kDay, kNow - 9 * kDay});
  EvalResult r = Eval();
  EXPECT_TRUE(r.value);
  EXPECT_EQ(r.next_us, kNow - 3 * kDay + 7 * kDay);  // the 2nd latest leaves the window
  EXPECT_FALSE(Eval(r.next_us).value);
  EXPECT_TRUE(Eval(r.next_us - 1).value);
}

TEST_F(EvaluateTest, AtMostAndExactly) {
  Compile(R"(performed "Order Completed" at most 1 time within 7 days)");
  Performed({kNow - 1 * kDay, kNow - 2 * kDay});
  EvalResult r = Eval();
  EXPECT_FALSE(r.value);
  EXPECT_EQ(r.next_us, kNow + 5 * kDay);
  EXPECT_TRUE(Eval(r.next_us).value);

  Compile(R"(performed "Order Completed" exactly 2 times within 7 days)");
  Performed({kNow - 1 * kDay, kNow - 2 * kDay, kNow - 3 * kDay});
  r = Eval();
  EXPECT_FALSE(r.value);                  // three now
  EXPECT_EQ(r.next_us, kNow + 4 * kDay);  // two once the oldest leaves
  r = Eval(kNow + 4 * kDay);
  EXPECT_TRUE(r.value);
  EXPECT_EQ(r.next_us, kNow + 5 * kDay);  // one once the next leaves
}

TEST_F(EvaluateTest, NotPerformedTurnsTrueWhenTheLastEventLeaves) {
  Compile(R"(not performed "Order Completed" within 30 days)");
  EXPECT_TRUE(Eval().value);  // never ordered
  Performed({kNow - 10 * kDay});
  EvalResult r = Eval();
  EXPECT_FALSE(r.value);
  EXPECT_EQ(r.next_us, kNow + 20 * kDay);
  EXPECT_TRUE(Eval(r.next_us).value);
}

TEST_F(EvaluateTest, EverIgnoresTime) {
  Compile(R"(performed page "Pricing" at least 3 times)");
  Performed({1, 2, 3});
  EXPECT_TRUE(Eval().value);
  EXPECT_EQ(Eval().next_us, 0);
}

TEST_F(EvaluateTest, OrAndNotCombineNextChanges) {
  Compile(R"(performed "A" within 2 days or not performed "A" within 1 day)");
  Performed({kNow - 12 * 3'600'000'000LL});
  EvalResult r = Eval();
  EXPECT_TRUE(r.value);
  EXPECT_EQ(r.next_us, kNow + 12 * 3'600'000'000LL);  // the earliest leaf change
}

TEST_F(EvaluateTest, AccountsConsentAndOtherAudiences) {
  Compile(R"(account.tier = "gold" and consented to "Email" and in audience "other")");
  accounts_.push_back({"g1", {{"tier", StampedValue{R"("silver")", 0, 0, ""}}}, {}});
  accounts_.push_back({"g2", {{"tier", StampedValue{R"("gold")", 0, 0, ""}}}, {}});
  profile_.consent["Email"] = StampedValue{"true", 0, 0, ""};
  in_other_ = true;
  EXPECT_TRUE(Eval().value);
  in_other_ = false;
  EXPECT_FALSE(Eval().value);
  in_other_ = true;
  profile_.consent["Email"].json = "false";
  EXPECT_FALSE(Eval().value);
}

TEST_F(EvaluateTest, CompileRefusesUnknownReferencesAndCycles) {
  auto parse = [](const std::string& t) { return *ParseAudience(t); };
  std::vector<AudienceDef> saved = {{1, "a", "", parse(R"(in audience "b")")},
                                    {2, "b", "", parse(R"(traits.x = 1)")}};
  Status unknown =
      CheckAudience({3, "c", "", parse("traits.x = 1 and in audience \"nope\"")}, saved, {});
  EXPECT_EQ(unknown.message(), "line 1, column 18: there is no audience \"nope\"");
  Status cycle = CheckAudience({2, "b", "", parse(R"(in audience "a")")}, {saved[0]}, {});
  EXPECT_EQ(cycle.message(), "audiences may not depend on themselves: b → a → b");
  Status computed = CheckAudience({3, "c", "", parse("computed.ltv > 5")}, saved, {});
  EXPECT_EQ(computed.message(),
            "line 1, column 1: there is no computed trait \"ltv\" (define it under "
            "/api/v1/computed-traits)");
  EXPECT_TRUE(CheckAudience({3, "c", "", parse(R"(in audience "a")")}, saved, {}).ok());
}

}  // namespace
}  // namespace rapport
