// Integer streams, codecs, variant columns and rest groups: round trips and damage.
#include <gtest/gtest.h>

#include <limits>
#include <random>
#include <string>
#include <vector>

#include "warehouse/part/column_codec.h"
#include "warehouse/part/int_codec.h"
#include "warehouse/part/test_util.h"

namespace rapport::warehouse::part {
namespace {

constexpr IntTransform kTransforms[] = {IntTransform::kNone, IntTransform::kDelta,
                                        IntTransform::kZigZagDelta};

std::vector<uint64_t> Sequence(int shape, size_t n, std::mt19937_64& rng) {
  std::vector<uint64_t> v(n);
  uint64_t x = rng();
  for (size_t i = 0; i < n; ++i) {
    switch (shape) {
      case 0:  // constant
        v[i] = 42;
        break;
      case 1:  // small
        v[i] = rng() % 16;
        break;
      case 2:  // sorted with small steps
        x += rng() % 100;
        v[i] = x;
        break;
      case 3:  // any 64-bit value
        v[i] = rng();
        break;
      case 4:  // small with rare outliers (exceptions)
        v[i] = rng() % 50 == 0 ? rng() : rng() % 1000;
        break;
      case 5:  // sorted runs that restart (times sorted by profile)
        if (rng() % 30 == 0) x = rng() % 1'000'000'000;
        x += rng() % 5000;
        v[i] = x;
        break;
      default:  // the extremes
        v[i] = rng() % 2 ? std::numeric_limits<uint64_t>::max() : 0;
        break;
    }
  }
  return v;
}

TEST(IntCodec, RoundTripsEveryShapeLengthAndTransform) {
  std::mt19937_64 rng(1);
  for (int shape = 0; shape <= 6; ++shape) {
    for (size_t n : {0, 1, 2, 127, 128, 129, 255, 256, 1000, 4099}) {
      const std::vector<uint64_t> v = Sequence(shape, n, rng);
      for (IntTransform t : kTransforms) {
        std::string enc = "prefix";
        EncodeInts(v.data(), n, t, &enc);
        enc += "suffix";
        std::vector<uint64_t> got(n);
        size_t pos = 6;
        ASSERT_TRUE(DecodeInts(enc, &pos, n, got.data())) << shape << " " << n;
        EXPECT_EQ(pos, enc.size() - 6);
        EXPECT_EQ(got, v) << shape << " " << n << " " << static_cast<int>(t);
        std::vector<int64_t> signed_got(n);
        pos = 6;
        ASSERT_TRUE(DecodeInts(enc, &pos, n, signed_got.data()));
        for (size_t i = 0; i < n; ++i) ASSERT_EQ(static_cast<uint64_t>(signed_got[i]), v[i]);
      }
    }
  }
}

TEST(IntCodec, EveryPrefixOfAStreamFails) {
  std::mt19937_64 rng(2);
  const std::vector<uint64_t> v = Sequence(4, 300, rng);
  std::string enc;
  EncodeIntsBest(v.data(), v.size(), {IntTransform::kNone, IntTransform::kZigZagDelta}, &enc);
  std::vector<uint64_t> got(v.size());
  for (size_t len = 0; len < enc.size(); ++len) {
    size_t pos = 0;
    EXPECT_FALSE(DecodeInts(std::string_view(enc).substr(0, len), &pos, v.size(), got.data()))
        << len;
  }
}

TEST(IntCodec, NarrowTypesRefuseValuesThatDoNotFit) {
  std::vector<uint64_t> v = {1, 2, 255, 0};
  std::string enc;
  EncodeInts(v.data(), v.size(), IntTransform::kNone, &enc);
  std::vector<uint8_t> bytes(4);
  size_t pos = 0;
  ASSERT_TRUE(DecodeInts(enc, &pos, 4, bytes.data()));
  EXPECT_EQ(bytes, (std::vector<uint8_t>{1, 2, 255, 0}));
  v[2] = 256;
  enc.clear();
  EncodeInts(v.data(), v.size(), IntTransform::kNone, &enc);
  pos = 0;
  EXPECT_FALSE(DecodeInts(enc, &pos, 4, bytes.data()));
  std::vector<uint32_t> words(4);
  pos = 0;
  ASSERT_TRUE(DecodeInts(enc, &pos, 4, words.data()));
  v[2] = uint64_t{1} << 32;
  enc.clear();
  EncodeInts(v.data(), v.size(), IntTransform::kDelta, &enc);
  pos = 0;
  EXPECT_FALSE(DecodeInts(enc, &pos, 4, words.data()));
}

TEST(IntCodec, SmallValuesPackTightly) {
  std::vector<uint64_t> v(65536);
  for (size_t i = 0; i < v.size(); ++i) v[i] = 1'700'000'000'000'000 + i * 3;
  std::string enc;
  EncodeIntsBest(v.data(), v.size(), {IntTransform::kNone, IntTransform::kDelta}, &enc);
  EXPECT_LE(enc.size(), v.size() / 128 * 3 + 64);  // constant deltas: 3 bytes a miniblock
  std::string random;
  std::mt19937_64 rng(3);
  for (auto& x : v) x = rng() % 1000;
  EncodeInts(v.data(), v.size(), IntTransform::kNone, &random);
  EXPECT_LE(random.size(), v.size() * 10 / 8 + v.size() / 128 * 4);  // 10 bits a value
}

TEST(IntCodec, GarbageNeverCrashes) {
  std::mt19937_64 rng(4);
  std::vector<uint64_t> out(1000);
  for (int iter = 0; iter < 20000; ++iter) {
    std::string junk(rng() % 64, '\0');
    for (char& c : junk) c = static_cast<char>(rng());
    if (!junk.empty() && rng() % 2) junk[0] = static_cast<char>(rng() % 3);
    size_t pos = 0;
    (void)DecodeInts(junk, &pos, rng() % 1000, out.data());
    EXPECT_LE(pos, junk.size());
  }
}

TEST(Codecs, CompressRoundTripsAndKeepsSmallOrRandomDataRaw) {
  std::string text;
  for (int i = 0; i < 2000; ++i) text += "event number " + std::to_string(i % 17) + "; ";
  for (Codec c : {Codec::kLz4, Codec::kZstd}) {
    std::string stored;
    EXPECT_EQ(Compress(text, c, 1, &stored), c);
    EXPECT_LT(stored.size(), text.size() / 4);
    std::unique_ptr<char[]> buf;
    std::string_view out;
    ASSERT_TRUE(Decompress(c, stored, text.size(), &buf, &out).ok());
    EXPECT_EQ(out, text);
    EXPECT_EQ(Decompress(c, stored, text.size() + 1, &buf, &out).code(), StatusCode::kCorruption);
    std::string bad = stored;
    bad[bad.size() / 2] ^= 0x55;
    const Status s = Decompress(c, bad, text.size(), &buf, &out);
    if (s.ok()) {
      EXPECT_EQ(out.size(), text.size());
    } else {
      EXPECT_EQ(s.code(), StatusCode::kCorruption);
    }
    EXPECT_FALSE(
        Decompress(c, std::string_view(stored).substr(0, 5), text.size(), &buf, &out).ok());
  }
  std::string stored;
  EXPECT_EQ(Compress("short", Codec::kZstd, 1, &stored), Codec::kRaw);
  EXPECT_EQ(stored, "short");
  std::string random(4096, '\0');
  std::mt19937_64 rng(5);
  for (char& c : random) c = static_cast<char>(rng());
  EXPECT_EQ(Compress(random, Codec::kLz4, 1, &stored), Codec::kRaw);
  EXPECT_EQ(stored, random);
  std::unique_ptr<char[]> buf;
  std::string_view out;
  EXPECT_FALSE(Decompress(Codec::kRaw, random, 10, &buf, &out).ok());
  EXPECT_FALSE(Decompress(static_cast<Codec>(7), random, random.size(), &buf, &out).ok());
  EXPECT_FALSE(Decompress(Codec::kZstd, random, kMaxColumnBytes + 1, &buf, &out).ok());
}

PropertyColumn Expected(const std::vector<Value>& values) {
  PropertyColumn c;
  std::vector<std::string> dict;
  for (const Value& v : values) {
    c.kind.push_back(v.kind);
    c.number.push_back(v.kind == ValueKind::kNumber ? v.number : 0);
    uint32_t code = 0;
    if (v.kind == ValueKind::kString || v.kind == ValueKind::kJson) {
      auto it = std::find(c.strings.begin(), c.strings.end(), v.text);
      code = static_cast<uint32_t>(it - c.strings.begin());
      if (it == c.strings.end()) c.strings.push_back(v.text);
    }
    c.code.push_back(code);
  }
  return c;
}

TEST(VariantCodec, RoundTripsEveryKindAndNumberForm) {
  std::mt19937_64 rng(6);
  testing::RowGenOptions o;
  o.large_strings = true;
  for (int mode = 0; mode < 4; ++mode) {
    for (size_t n : {1, 5, 128, 129, 3000}) {
      std::vector<Value> values;
      for (size_t i = 0; i < n; ++i) {
        Value v = testing::RandomValue(rng, o);
        if (mode == 1 && rng() % 3) v = Value();                                  // mostly absent
        if (mode == 2) v = Value::Number(static_cast<double>(rng() % 100) - 50);  // integers
        if (mode == 3 && i % 7 == 0) v = Value::Number(-0.0);
        values.push_back(v);
      }
      if (std::all_of(values.begin(), values.end(),
                      [](const Value& v) { return v.kind == ValueKind::kAbsent; })) {
        values[0] = Value::Null();
      }
      VariantBuilder builder;
      builder.Reset(n);
      for (size_t i = 0; i < n; ++i) {
        if (values[i].kind != ValueKind::kAbsent) builder.Set(i, values[i]);
      }
      std::string enc;
      builder.Encode(&enc);
      PropertyColumn got;
      size_t pos = 0;
      ASSERT_TRUE(DecodeVariant(enc, &pos, n, true, &got).ok()) << mode << " " << n;
      EXPECT_EQ(pos, enc.size());
      const PropertyColumn want = Expected(values);
      EXPECT_TRUE(testing::SameColumn(got, want)) << mode << " " << n;
      // Damage: any prefix fails; no absent values allowed in rest groups.
      for (size_t len = 0; len < std::min<size_t>(enc.size(), 200); ++len) {
        pos = 0;
        EXPECT_FALSE(DecodeVariant(enc.substr(0, len), &pos, n, true, &got).ok());
      }
      if (std::any_of(values.begin(), values.end(),
                      [](const Value& v) { return v.kind == ValueKind::kAbsent; })) {
        pos = 0;
        EXPECT_FALSE(DecodeVariant(enc, &pos, n, false, &got).ok());
      }
    }
  }
}

TEST(VariantCodec, ColumnWithoutValuesIsCorrupt) {
  VariantBuilder builder;
  builder.Reset(10);
  std::string enc;
  builder.Encode(&enc);
  PropertyColumn got;
  size_t pos = 0;
  EXPECT_EQ(DecodeVariant(enc, &pos, 10, true, &got).code(), StatusCode::kCorruption);
}

TEST(RestCodec, GroupsRoundTripAndScatter) {
  std::mt19937_64 rng(7);
  testing::RowGenOptions o;
  const size_t n = 1000;
  std::vector<RestGroupBuilder> groups(3);
  std::vector<std::vector<Value>> dense(3, std::vector<Value>(n));
  const char* names[] = {"a", "b.c", "zz"};
  for (int g = 0; g < 3; ++g) {
    groups[g].path = names[g];
    for (size_t r = 0; r < n; ++r) {
      if (rng() % 20 != 0) continue;
      dense[g][r] = testing::RandomValue(rng, o);
      groups[g].rows.push_back(r);
      groups[g].values.Append(dense[g][r]);
    }
  }
  std::string enc;
  EncodeRest({&groups[0], &groups[1], &groups[2]}, &enc);
  int seen = 0;
  std::vector<uint32_t> rows;
  ASSERT_TRUE(ForEachRestGroup(enc, [&](std::string_view path, std::string_view bytes) {
                EXPECT_EQ(path, names[seen]);
                PropertyColumn values;
                RETURN_IF_ERROR(DecodeRestGroup(bytes, n, &rows, &values));
                auto col = Scatter(std::string(path), rows, std::move(values), n);
                PropertyColumn want = Expected(dense[seen]);
                want.path = path;
                EXPECT_TRUE(testing::SameColumn(*col, want)) << path;
                ++seen;
                return Status::OK();
              }).ok());
  EXPECT_EQ(seen, 3);
  // Fewer rows in the block than the group names: corrupt.
  ASSERT_FALSE(ForEachRestGroup(enc, [&](std::string_view, std::string_view bytes) {
                 PropertyColumn values;
                 return DecodeRestGroup(bytes, 10, &rows, &values);
               }).ok());
  // Out-of-order paths and trailing bytes.
  std::string swapped;
  EncodeRest({&groups[1], &groups[0]}, &swapped);
  EXPECT_FALSE(ForEachRestGroup(swapped, [](std::string_view, std::string_view) {
                 return Status::OK();
               }).ok());
  EXPECT_FALSE(ForEachRestGroup(enc + "x", [](std::string_view, std::string_view) {
                 return Status::OK();
               }).ok());
}

}  // namespace
}  // namespace rapport::warehouse::part
