#include "activate/retry_policy.h"

#include <gtest/gtest.h>

#include "activate/signature.h"

namespace rapport {
namespace {

TEST(RetryPolicyTest, Judge) {
  for (int s : {200, 201, 202, 204, 299}) EXPECT_EQ(Judge(s), Verdict::kDelivered) << s;
  for (int s : {0, 408, 429, 500, 502, 503, 504, 599}) EXPECT_EQ(Judge(s), Verdict::kRetry) << s;
  for (int s : {301, 302, 400, 401, 403, 404, 409, 410, 413, 422, 100}) {
    EXPECT_EQ(Judge(s), Verdict::kDeadLetter) << s;
  }
  for (int s : {0, 429, 502, 503, 504}) EXPECT_TRUE(DestinationLevelFailure(s)) << s;
  for (int s : {408, 500, 501, 400}) EXPECT_FALSE(DestinationLevelFailure(s)) << s;
}

TEST(RetryPolicyTest, ExponentialBackoffWithFullJitter) {
  DestinationDef def;
  def.backoff_initial_ms = 1000;
  def.backoff_max_ms = 600000;
  EXPECT_EQ(BackoffCapMs(def, 1), 1000);
  EXPECT_EQ(BackoffCapMs(def, 2), 2000);
  EXPECT_EQ(BackoffCapMs(def, 5), 16000);
  EXPECT_EQ(BackoffCapMs(def, 10), 512000);
  EXPECT_EQ(BackoffCapMs(def, 11), 600000);
  EXPECT_EQ(BackoffCapMs(def, 100), 600000);
  // Every value in [0, cap], spread over the range.
  int64_t lo = INT64_MAX, hi = 0;
  for (uint64_t r = 0; r < 100000; r += 7) {
    int64_t d = BackoffMs(def, 3, r * 2654435761u);
    ASSERT_GE(d, 0);
    ASSERT_LE(d, 4000);
    lo = std::min(lo, d);
    hi = std::max(hi, d);
  }
  EXPECT_LT(lo, 100);
  EXPECT_GT(hi, 3900);
}

TEST(RetryPolicyTest, RetryAfter) {
  const int64_t now = 784111777LL * 1'000'000;  // Sun, 06 Nov 1994 08:49:37 GMT
  EXPECT_EQ(ParseRetryAfterMs("120", now), 120000);
  EXPECT_EQ(ParseRetryAfterMs(" 0 ", now), 0);
  EXPECT_EQ(ParseRetryAfterMs("Sun, 06 Nov 1994 08:50:37 GMT", now), 60000);
  EXPECT_EQ(ParseRetryAfterMs("Sun, 06 Nov 1994 08:00:00 GMT", now), 0);  // past
  EXPECT_EQ(ParseRetryAfterMs("soon", now), std::nullopt);
  EXPECT_EQ(ParseRetryAfterMs("", now), std::nullopt);
  EXPECT_EQ(ParseRetryAfterMs("-5", now), std::nullopt);
}

TEST(RetryPolicyTest, TokenBucket) {
  TokenBucket b(10, 10);  // 10/s, burst 10
  EXPECT_EQ(b.Available(0), 10);
  b.Take(10);
  EXPECT_EQ(b.Available(0), 0);
  EXPECT_EQ(b.MicrosToNextToken(), 100000);
  EXPECT_NEAR(b.Available(50000), 0.5, 1e-9);
  EXPECT_NEAR(b.Available(1'000'000), 10, 1e-9);  // never above the burst
  EXPECT_NEAR(b.Available(5'000'000), 10, 1e-9);
  EXPECT_NEAR(b.Available(4'000'000), 10, 1e-9);  // time going back changes nothing
}

TEST(SignatureTest, SignAndVerify) {
  // HMAC-SHA256("secret", "1700000000.{}"), computed independently (openssl dgst -hmac).
  EXPECT_EQ(SignPayload("secret", 1700000000, "{}"),
            "v1=b8569b78799ff9e3cbff0fc2d63a33a2b57f3282abd07c37ae5e8e7d79a5f163");
  const std::string sig = SignPayload("whsec_abc", 1700000000, R"({"a":1})");
  ASSERT_EQ(sig.size(), 3u + 64u);
  EXPECT_TRUE(VerifySignature("whsec_abc", "1700000000", R"({"a":1})", sig));
  EXPECT_TRUE(VerifySignature("whsec_abc", "1700000000", R"({"a":1})", "v1=00, " + sig));
  EXPECT_FALSE(VerifySignature("whsec_abd", "1700000000", R"({"a":1})", sig));
  EXPECT_FALSE(VerifySignature("whsec_abc", "1700000001", R"({"a":1})", sig));
  EXPECT_FALSE(VerifySignature("whsec_abc", "1700000000", R"({"a":2})", sig));
  EXPECT_FALSE(VerifySignature("whsec_abc", "1700000000", R"({"a":1})", sig.substr(3)));
  EXPECT_FALSE(VerifySignature("whsec_abc", "1700000000", R"({"a":1})", ""));
}

}  // namespace
}  // namespace rapport
