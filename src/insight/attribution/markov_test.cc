#include "insight/attribution/markov.h"

#include <gtest/gtest.h>

#include <random>

#include "insight/attribution/test_util.h"

namespace rapport::insight {
namespace {

using testing::Seq;

MarkovResult RunMarkov(const std::vector<ConversionPath>& conv,
                       const std::vector<ConversionPath>& not_conv, const AttributionSettings& s) {
  auto p = PreparePaths(conv, not_conv, s);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  auto r = AttributeMarkov(*p, s);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return *r;
}

// The textbook example: C1 → C2 → C3 → conversion, C1 → null, C2 → C3 → null.
//   START → C1 2/3, → C2 1/3;  C1 → C2 1/2, → null 1/2;  C2 → C3 1;  C3 → conv 1/2, null 1/2.
//   p(C3) = 1/2, p(C2) = 1/2, p(C1) = 1/4, P = 2/3 · 1/4 + 1/3 · 1/2 = 1/3.
//   Without C1: P = 1/3 · 1/2 = 1/6 → RE = 1 − (1/6)/(1/3) = 1/2.
//   Without C2 or C3: P = 0 → RE = 1.  Σ RE = 5/2 → credits 0.2, 0.4, 0.4 of 1 conversion.
void Textbook(const AttributionSettings& s) {
  MarkovResult r = RunMarkov({Seq({"C1", "C2", "C3"}, 10)}, {Seq({"C1"}), Seq({"C2", "C3"})}, s);
  EXPECT_NEAR(r.conversion_probability, 1.0 / 3, 1e-12);
  ASSERT_EQ(r.attribution.channels, (std::vector<std::string>{"C1", "C2", "C3"}));
  EXPECT_NEAR(r.removal_effects[0], 0.5, 1e-9);
  EXPECT_NEAR(r.removal_effects[1], 1, 1e-9);
  EXPECT_NEAR(r.removal_effects[2], 1, 1e-9);
  EXPECT_NEAR(r.attribution.credits[0].conversions, 0.2, 1e-9);
  EXPECT_NEAR(r.attribution.credits[1].conversions, 0.4, 1e-9);
  EXPECT_NEAR(r.attribution.credits[2].conversions, 0.4, 1e-9);
  EXPECT_NEAR(r.attribution.credits[2].value, 4, 1e-9);
}

TEST(Markov, TextbookExact) {
  AttributionSettings s;
  Textbook(s);
}

TEST(Markov, TextbookGaussSeidel) {
  AttributionSettings s;
  s.markov_exact_max_states = 0;  // force the iterative solver
  Textbook(s);
}

TEST(Markov, RepeatsCollapsedOrSelfLoops) {
  // A A B → conv and A → null: collapsed, A → B 1/2 and A → null 1/2; as self-loops, A → A 1/3,
  // A → B 1/3, A → null 1/3: the same absorption probability 1/2 for order 1.
  for (bool collapse : {true, false}) {
    AttributionSettings s;
    s.markov_collapse_repeats = collapse;
    MarkovResult r = RunMarkov({Seq({"A", "A", "B"})}, {Seq({"A"})}, s);
    EXPECT_NEAR(r.conversion_probability, 0.5, 1e-12);
    EXPECT_EQ(r.states, 3u);  // START, A, B (with a self-loop on A when not collapsed)
  }
}

// Order 2 on A B → conv, D B → null, D A B → conv.
//   States START, (A), (D), (A,B), (D,B), (D,A).  START → (A) 1/3, → (D) 2/3;
//   (A) → (A,B) 1;  (D) → (D,B) 1/2, → (D,A) 1/2;  (D,A) → (A,B) 1;  (A,B) → conv 1;
//   (D,B) → null 1.  p(D) = 1/2, P = 1/3 + 2/3 · 1/2 = 2/3.
//   Without A ((A), (A,B), (D,A) absorb in null): P = 0 → RE 1.  Without B: P = 0 → RE 1.
//   Without D: P = 1/3 → RE 1/2.  Σ = 5/2; 2 conversions → A 0.8, B 0.8, D 0.4.
// Order 1 on the same: START → A 1/3, → D 2/3; A → B 1; D → B 1/2, → A 1/2; B → conv 2/3.
//   P = 2/3; without A: p(D) = 1/3, P = 2/9 → RE 2/3; without D: P = 2/9 → RE 2/3; B: 1.
//   Σ = 7/3 → A 4/7, B 6/7, D 4/7.
TEST(Markov, OrderTwo) {
  const std::vector<ConversionPath> conv = {Seq({"A", "B"}), Seq({"D", "A", "B"})};
  const std::vector<ConversionPath> not_conv = {Seq({"D", "B"})};
  AttributionSettings s;
  s.markov_order = 2;
  MarkovResult r2 = RunMarkov(conv, not_conv, s);
  EXPECT_EQ(r2.states, 6u);
  EXPECT_NEAR(r2.conversion_probability, 2.0 / 3, 1e-12);
  EXPECT_NEAR(r2.removal_effects[0], 1, 1e-9);    // A
  EXPECT_NEAR(r2.removal_effects[1], 1, 1e-9);    // B
  EXPECT_NEAR(r2.removal_effects[2], 0.5, 1e-9);  // D
  EXPECT_NEAR(r2.attribution.credits[0].conversions, 0.8, 1e-9);
  EXPECT_NEAR(r2.attribution.credits[1].conversions, 0.8, 1e-9);
  EXPECT_NEAR(r2.attribution.credits[2].conversions, 0.4, 1e-9);
  EXPECT_EQ(r2.attribution.model, "markov_2");
  s.markov_order = 1;
  MarkovResult r1 = RunMarkov(conv, not_conv, s);
  EXPECT_NEAR(r1.attribution.credits[0].conversions, 4.0 / 7, 1e-9);
  EXPECT_NEAR(r1.attribution.credits[1].conversions, 6.0 / 7, 1e-9);
  EXPECT_NEAR(r1.attribution.credits[2].conversions, 4.0 / 7, 1e-9);
}

TEST(Markov, IterativeAgreesWithExactOnManyStates) {
  std::mt19937_64 rng(7);
  std::vector<ConversionPath> conv, not_conv;
  for (int i = 0; i < 3000; ++i) {
    std::vector<std::string> seq;
    const int len = 1 + static_cast<int>(rng() % 6);
    for (int j = 0; j < len; ++j) seq.push_back(std::string(1, static_cast<char>('a' + rng() % 8)));
    (rng() % 3 == 0 ? conv : not_conv).push_back(Seq(seq, 1));
  }
  AttributionSettings exact, iterative;
  exact.markov_order = iterative.markov_order = 3;
  exact.markov_exact_max_states = 100000;
  iterative.markov_exact_max_states = 0;
  MarkovResult a = RunMarkov(conv, not_conv, exact), b = RunMarkov(conv, not_conv, iterative);
  EXPECT_TRUE(a.exact);
  EXPECT_FALSE(b.exact);
  EXPECT_GT(a.states, 400u);
  double sum = 0;
  for (size_t c = 0; c < a.removal_effects.size(); ++c) {
    EXPECT_NEAR(a.removal_effects[c], b.removal_effects[c], 1e-10);
    sum += b.attribution.credits[c].conversions;
  }
  EXPECT_NEAR(sum, static_cast<double>(conv.size()), 1e-9);
}

}  // namespace
}  // namespace rapport::insight
