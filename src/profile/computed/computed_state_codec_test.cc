#include <gtest/gtest.h>
#include <simdjson.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "profile/computed/computed_state.h"

namespace rapport {
namespace {

constexpr int64_t kHour = 3'600'000'000;
constexpr int64_t kT0 = 1706702400000000;  // 2024-01-31T12:00:00Z

using V = ComputedValue;

ComputedDef MakeDef(Aggregate a, int window_days = 0) {
  ComputedDef d;
  d.name = "t";
  d.aggregate = a;
  d.property = "properties.x";
  d.window_days = window_days;
  return d;
}

std::string Bytes(std::initializer_list<int> bytes) {
  std::string s;
  for (int b : bytes) s.push_back(static_cast<char>(b));
  return s;
}

std::string CorruptionOf(const std::string& bytes) {
  auto r = ComputedState::Decode(bytes);
  if (r.ok()) return "accepted";
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  return r.status().message();
}

// One state of every aggregate, all-time and windowed, with a horizon on some.
std::vector<std::pair<ComputedDef, ComputedState>> Samples() {
  std::vector<std::pair<ComputedDef, ComputedState>> out;
  const std::vector<V> values = {V::Number(3),          V::Number(-1.25), V::String("a"),
                                 V::String("7"),        V::Bool(true),    V::Json(R"({"k":[1]})"),
                                 V::String("\xC3\xA9"), V::Number(1e300), V::Number(7)};
  for (int a = 0; a <= static_cast<int>(Aggregate::kMostFrequent); ++a) {
    for (int window : {0, 30}) {
      const ComputedDef def = MakeDef(static_cast<Aggregate>(a), window);
      ComputedState s;
      uint64_t seq = 0;
      for (size_t i = 0; i < values.size(); ++i) {
        s.Add(def, values[i], kT0 + static_cast<int64_t>(i % 4) * kHour - 5 * kHour, ++seq);
      }
      out.emplace_back(def, s);
      if (window > 0) {
        ComputedState pruned = s;
        pruned.Prune(def, kT0 + 30LL * 24 * kHour - 3 * kHour);
        out.emplace_back(def, pruned);
      }
    }
  }
  return out;
}

TEST(ComputedStateCodecTest, ExactBytesOfAWindowedCount) {
  const ComputedDef def = MakeDef(Aggregate::kCount, 30);
  ComputedState s;
  s.Add(def, V::Bool(true), kT0, 1);
  s.Add(def, V::Bool(true), kT0 + 59 * 60'000'000LL, 2);
  s.Add(def, V::Bool(true), kT0 + 2 * kHour, 3);
  s.Prune(def, kT0);
  const std::string want =
      Bytes({0x01,                                            // version 1
             0x01,                                            // aggregate: count
             0x03,                                            // windowed, horizon
             0x00, 0x10, 0x4A, 0x9E, 0x3C, 0x10, 0x06, 0x00,  // horizon 1706702400000000
             0x02,                                            // 2 buckets
             0xC8, 0xEF, 0x39, 0x02,                          // hour 474084 (zigzag), n = 2
             0x02, 0x01});                                    // hour +2, n = 1
  EXPECT_EQ(s.Encode(), want);
  auto back = ComputedState::Decode(want);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, s);
}

TEST(ComputedStateCodecTest, ExactBytesOfMostFrequentAndLast) {
  const ComputedDef mf = MakeDef(Aggregate::kMostFrequent);
  ComputedState s;
  s.Add(mf, V::String("Shoes"), kT0, 1);
  s.Add(mf, V::Number(5), kT0, 2);
  s.Add(mf, V::String("Shoes"), kT0, 3);
  EXPECT_EQ(s.Encode(), Bytes({0x01, 0x09, 0x00,       // version, most_frequent, all time
                               0x00, 0x02,             // not saturated, 2 values
                               0x01, '5', 0x01, 0x02,  // "5": count 1, seen as a number
                               0x05, 'S', 'h', 'o', 'e', 's', 0x02, 0x01}));  // count 2, string

  const ComputedDef last = MakeDef(Aggregate::kLast);
  ComputedState l;
  l.Add(last, V::String("x"), kT0, 7);
  EXPECT_EQ(l.Encode(), Bytes({0x01, 0x07, 0x00,                                // last
                               0x00, 0x10, 0x4A, 0x9E, 0x3C, 0x10, 0x06, 0x00,  // time
                               0x07,                                            // seq 7
                               0x04, 0x01, 'x'}));                              // string "x"
  EXPECT_EQ(ComputedState().Encode(), Bytes({0x01, 0x00}));
}

TEST(ComputedStateCodecTest, EveryAggregateRoundTrips) {
  for (const auto& [def, s] : Samples()) {
    const std::string bytes = s.Encode();
    auto back = ComputedState::Decode(bytes);
    ASSERT_TRUE(back.ok()) << ToJson(def) << ": " << back.status().ToString();
    EXPECT_TRUE(*back == s) << ToJson(def);
    EXPECT_EQ(back->Encode(), bytes);
    EXPECT_EQ(back->Evaluate(def, kT0), s.Evaluate(def, kT0)) << ToJson(def);
    // In place over older, longer bytes: exactly the same bytes, nothing of the old left.
    std::string reused(bytes.size() + 40, '\xff');
    s.EncodeTo(&reused);
    EXPECT_EQ(reused, bytes) << ToJson(def);
  }
}

TEST(ComputedStateCodecTest, SaturatedMapsRoundTrip) {
  for (Aggregate a : {Aggregate::kDistinctCount, Aggregate::kMostFrequent}) {
    const ComputedDef def = MakeDef(a);
    ComputedState s;
    for (int i = 0; i < 10'050; ++i) s.Add(def, V::Number(i), kT0, i + 1);
    ASSERT_TRUE(s.Saturated(def, kT0));
    auto back = ComputedState::Decode(s.Encode());
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_TRUE(*back == s);
  }
}

TEST(ComputedStateCodecTest, EveryTruncationIsCorruption) {
  for (const auto& [def, s] : Samples()) {
    const std::string bytes = s.Encode();
    for (size_t n = 0; n < bytes.size(); ++n) {
      auto r = ComputedState::Decode(std::string_view(bytes).substr(0, n));
      ASSERT_FALSE(r.ok()) << ToJson(def) << " cut at " << n;
      EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
    }
    EXPECT_EQ(CorruptionOf(bytes + '\0').rfind("computed state: bytes after ", 0), 0u);
  }
}

TEST(ComputedStateCodecTest, MutationsNeverCrashAndAcceptedBytesReEncodeToThemselves) {
  std::mt19937_64 rng(11);
  const auto samples = Samples();
  for (int iter = 0; iter < 20000; ++iter) {
    std::string bytes = samples[rng() % samples.size()].second.Encode();
    const int flips = 1 + static_cast<int>(rng() % 3);
    for (int f = 0; f < flips; ++f) {
      bytes[rng() % bytes.size()] ^= static_cast<char>(1 << (rng() % 8));
    }
    auto r = ComputedState::Decode(bytes);
    if (r.ok()) {
      EXPECT_EQ(r->Encode(), bytes);
    } else {
      EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
      EXPECT_EQ(r.status().message().rfind("computed state: ", 0), 0u);
    }
  }
}

TEST(ComputedStateCodecTest, CorruptionMessages) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "computed state: truncated at byte 0"},
      {Bytes({0x02, 0x00}), "computed state: version 2 is not 1 at byte 0"},
      {Bytes({0x01}), "computed state: truncated at byte 1"},
      {Bytes({0x01, 0x0B}), "computed state: unknown aggregate 11 at byte 1"},
      {Bytes({0x01, 0x0A, 0x00, 0x00}),
       "computed state: latest_times count out of range at byte 3"},
      {Bytes({0x01, 0x00, 0x00}), "computed state: bytes after an empty state at byte 2"},
      {Bytes({0x01, 0x0A, 0x01, 0x01, 0x00, 0x01}),
       "computed state: latest_times is never windowed at byte 2"},
      {Bytes({0x01, 0x01, 0x04, 0x01}), "computed state: bad flags 4 at byte 2"},
      {Bytes({0x01, 0x01, 0x02, 0x01}), "computed state: bad flags 2 at byte 2"},
      {Bytes({0x01, 0x01, 0x00, 0x00}), "computed state: empty partial (count 0) at byte 3"},
      {Bytes({0x01, 0x01, 0x00, 0x81, 0x00}), "computed state: varint not minimal at byte 3"},
      {Bytes({0x01, 0x01, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02}),
       "computed state: varint over 64 bits at byte 3"},
      {Bytes({0x01, 0x01, 0x00, 0x80}), "computed state: truncated varint at byte 4"},
      {Bytes({0x01, 0x01, 0x01, 0x00}),
       "computed state: windowed state with no buckets and no horizon at byte 3"},
      {Bytes({0x01, 0x01, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01}),
       "computed state: hours not ascending or out of range at byte 6"},
      {Bytes({0x01, 0x01, 0x01, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0x01}),
       "computed state: hour out of range at byte 4"},
      // min with -0 and with infinity.
      {Bytes({0x01, 0x04, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0x80}),
       "computed state: negative zero at byte 4"},
      {Bytes({0x01, 0x04, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0xF0, 0x7F}),
       "computed state: number out of range at byte 4"},
      // sum with a NaN other than the canonical one.
      {Bytes({0x01, 0x02, 0x00, 0x01, 1, 0, 0, 0, 0, 0, 0xF8, 0x7F, 0, 0, 0, 0, 0, 0, 0, 0}),
       "computed state: number out of range at byte 4"},
      {Bytes({0x01, 0x07, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x09}),
       "computed state: unknown value tag 9 at byte 12"},
      {Bytes({0x01, 0x07, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x05, 0x02, '{', ' '}),
       "computed state: value is not a minified JSON object or array at byte 12"},
      {Bytes({0x01, 0x07, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x04, 0x05, 'x'}),
       "computed state: length past the end at byte 13"},
      {Bytes({0x01, 0x07, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x04, 0x01, 0xC3}),
       "computed state: invalid UTF-8 at byte 13"},
      {Bytes({0x01, 0x08, 0x00, 0x02, 0x01, 0x01, 'a'}),
       "computed state: bad saturated flag at byte 3"},
      {Bytes({0x01, 0x08, 0x00, 0x01, 0x01, 0x01, 'a'}),
       "computed state: saturated value map not full at byte 3"},
      {Bytes({0x01, 0x08, 0x00, 0x00, 0x00}), "computed state: empty value map at byte 4"},
      {Bytes({0x01, 0x08, 0x00, 0x00, 0x02, 0x01, 'b', 0x01, 'a'}),
       "computed state: value map not in ascending order at byte 7"},
      {Bytes({0x01, 0x08, 0x00, 0x00, 0x02, 0x01, 'a', 0x01, 'a'}),
       "computed state: value map not in ascending order at byte 7"},
      {Bytes({0x01, 0x09, 0x00, 0x00, 0x01, 0x01, 'a', 0x00, 0x01}),
       "computed state: value count 0 at byte 7"},
      {Bytes({0x01, 0x09, 0x00, 0x00, 0x01, 0x01, 'a', 0x01, 0x02}),
       "computed state: value kinds do not fit the text at byte 8"},
      {Bytes({0x01, 0x09, 0x00, 0x00, 0x01, 0x02, '0', '1', 0x01, 0x02}),
       "computed state: value kinds do not fit the text at byte 9"},
      {Bytes({0x01, 0x09, 0x00, 0x00, 0x01, 0x01, 'a', 0x01, 0x04}),
       "computed state: value kinds do not fit the text at byte 8"},
      {Bytes({0x01, 0x09, 0x00, 0x00, 0x01, 0x01, 'a', 0x01, 0x08}),
       "computed state: value kinds do not fit the text at byte 8"},
  };
  for (const auto& [bytes, want] : cases) {
    EXPECT_EQ(CorruptionOf(bytes), want);
  }
  // Accepted neighbours of some of the above.
  EXPECT_EQ(CorruptionOf(Bytes({0x01, 0x09, 0x00, 0x00, 0x01, 0x01, '1', 0x01, 0x03})),
            "accepted");  // "1" seen as a string and as a number
  EXPECT_EQ(
      CorruptionOf(Bytes({0x01, 0x09, 0x00, 0x00, 0x01, 0x04, 't', 'r', 'u', 'e', 0x01, 0x04})),
      "accepted");
  EXPECT_EQ(CorruptionOf(Bytes({0x01, 0x01, 0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0x00})), "accepted");
}

// Fuzzer regression (fuzz_corpus/regress-decode-1): an all-time avg of four values totalling
// 2.9e20, which Add can build. The average, 7.26e19, is a whole number past 2^64 whose shortest
// form is all digits; printed that way it was a JSON integer simdjson refuses.
TEST(ComputedStateCodecTest, HugeWholeAverageEvaluatesToJson) {
  const std::string bytes = Bytes({0x01, 0x03, 0x00,                                // avg
                                   0x04,                                            // n = 4
                                   0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x2F, 0x44,  // sum
                                   0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00});
  auto s = ComputedState::Decode(bytes);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->Encode(), bytes);
  const ComputedDef def = MakeDef(Aggregate::kAvg);
  ComputedState built;
  for (uint64_t i = 1; i <= 4; ++i) built.Add(def, V::Number(72634054790231359488.0), kT0, i);
  EXPECT_EQ(built.Encode(), bytes);
  simdjson::dom::parser parser;
  for (int64_t now : {kT0, INT64_MIN, INT64_MAX, int64_t{0}}) {
    const std::string json = s->Evaluate(def, now);
    EXPECT_EQ(json, "7.263405479023136e+19");
    simdjson::dom::element e;
    EXPECT_EQ(parser.parse(json).get(e), simdjson::SUCCESS) << json;
  }
}

// A most_frequent text kept as a number must be the number's canonical form, which past 2^63 has
// an exponent: the bare digits are not what Encode writes.
TEST(ComputedStateCodecTest, HugeWholeNumberTextsNeedTheirExponent) {
  const ComputedDef def = MakeDef(Aggregate::kMostFrequent);
  ComputedState s;
  s.Add(def, V::Number(72634054790231359488.0), kT0, 1);
  const std::string text = "7.263405479023136e+19";
  std::string want = Bytes({0x01, 0x09, 0x00, 0x00, 0x01, static_cast<int>(text.size())});
  EXPECT_EQ(s.Encode(), want + text + Bytes({0x01, 0x02}));
  EXPECT_EQ(s.Evaluate(def, kT0), text);
  const std::string digits = "72634054790231359488";
  want = Bytes({0x01, 0x09, 0x00, 0x00, 0x01, static_cast<int>(digits.size())});
  EXPECT_EQ(CorruptionOf(want + digits + Bytes({0x01, 0x02})),
            "computed state: value kinds do not fit the text at byte 27");
  EXPECT_EQ(CorruptionOf(want + digits + Bytes({0x01, 0x01})), "accepted");  // as a string
}

// Fuzzer regression (fuzz_corpus/regress-decode-2): counts of 2^63 merged with themselves wrapped
// to 0, an empty partial (or a map entry counted 0) that Decode refuses. Counts saturate at
// 2^64 - 1 instead, in Add, Merge and Evaluate.
TEST(ComputedStateCodecTest, HugeCountsSaturateInsteadOfWrapping) {
  const std::string two_to_63 = Bytes({0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01});
  const std::string max = Bytes({0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01});
  const std::string zero8 = std::string(8, '\0');
  struct Case {
    Aggregate a;
    std::string head, tail;
    std::string json;
  };
  const std::vector<Case> cases = {
      {Aggregate::kCount, Bytes({0x01, 0x01, 0x00}), "", "18446744073709551615"},
      {Aggregate::kSum, Bytes({0x01, 0x02, 0x00}), zero8 + zero8, "0"},
      {Aggregate::kMin, Bytes({0x01, 0x04, 0x00}), zero8, "0"},
      {Aggregate::kMostFrequent, Bytes({0x01, 0x09, 0x00, 0x00, 0x01, 0x01, 'a'}), Bytes({0x01}),
       "\"a\""},
  };
  for (const auto& c : cases) {
    const ComputedDef def = MakeDef(c.a);
    auto s = ComputedState::Decode(c.head + two_to_63 + c.tail);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    ComputedState twice = *s;
    twice.Merge(def, *s);
    EXPECT_EQ(twice.Encode(), c.head + max + c.tail) << ToJson(def);
    EXPECT_EQ(twice.Evaluate(def, kT0), c.json) << ToJson(def);
    twice.Add(def, c.a == Aggregate::kMostFrequent ? V::String("a") : V::Number(0), kT0, 1);
    EXPECT_EQ(twice.Encode(), c.head + max + c.tail) << ToJson(def);
    auto back = ComputedState::Decode(twice.Encode());
    ASSERT_TRUE(back.ok()) << ToJson(def) << ": " << back.status().ToString();
    EXPECT_TRUE(*back == twice) << ToJson(def);
  }
  // Two windowed buckets of 2^63 each: the count saturates rather than reading 0.
  const ComputedDef def = MakeDef(Aggregate::kCount, 30);
  auto w = ComputedState::Decode(Bytes({0x01, 0x01, 0x01, 0x02, 0xC8, 0xEF, 0x39}) + two_to_63 +
                                 Bytes({0x01}) + two_to_63);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(w->Evaluate(def, kT0), "18446744073709551615");
}

TEST(ComputedStateCodecTest, LongStringsInAMapAreCorruption) {
  std::string bytes = Bytes({0x01, 0x08, 0x00, 0x00, 0x01, 0x81, 0x02});  // length 257
  bytes += std::string(257, 'a');
  EXPECT_EQ(CorruptionOf(bytes), "computed state: string too long at byte 5");
}

}  // namespace
}  // namespace rapport
