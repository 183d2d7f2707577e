#include "server/auth.h"

#include "common/temp_dir.h"

#include <filesystem>

#include <sodium.h>

#include <gtest/gtest.h>

namespace rapport {
namespace {

TEST(AuthTest, WriteKeyFromBasicAcceptsBothForms) {
  // base64("wk_abc:") and the legacy base64("wk_abc").
  EXPECT_EQ(*Authenticator::WriteKeyFromBasic("Basic d2tfYWJjOg=="), "wk_abc");
  EXPECT_EQ(*Authenticator::WriteKeyFromBasic("basic d2tfYWJj"), "wk_abc");
  EXPECT_EQ(*Authenticator::WriteKeyFromBasic(""), "");
  EXPECT_EQ(Authenticator::WriteKeyFromBasic("Basic !!!").status().code(),
            StatusCode::kUnauthenticated);
  EXPECT_EQ(Authenticator::WriteKeyFromBasic("Bearer x").status().code(),
            StatusCode::kUnauthenticated);
}

TEST(AuthTest, BearerParsing) {
  EXPECT_EQ(*Authenticator::TokenFromBearer("Bearer rpt_x"), "rpt_x");
  EXPECT_EQ(*Authenticator::TokenFromBearer("bearer   rpt_x "), "rpt_x");
  EXPECT_FALSE(Authenticator::TokenFromBearer("").ok());
  EXPECT_FALSE(Authenticator::TokenFromBearer("Basic abc").ok());
  EXPECT_FALSE(Authenticator::TokenFromBearer("Bearer ").ok());
}

// "Basic base64(text)".
std::string Basic(std::string_view text) {
  std::string out(sodium_base64_ENCODED_LEN(text.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(text.data()),
                    text.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.find('\0'));
  return "Basic " + out;
}

// A control store with one source, and an Authenticator over it.
class AuthStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = ControlStore::Open(dir_.Sub("control.db"));
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
    auth_ = std::make_unique<Authenticator>(store_.get(), &clock_);
    auto source = store_->CreateSource("web", 1);
    ASSERT_TRUE(source.ok());
    source_ = std::move(*source);
  }

  testing::TempDir dir_;
  std::unique_ptr<ControlStore> store_;
  ManualClock clock_{1};
  std::unique_ptr<Authenticator> auth_;
  WithSecret<Source> source_;
};

TEST_F(AuthStoreTest, WriteKeysAndTokensAreSeparate) {
  Authenticator& auth = *auth_;
  auto token = store_->CreateToken(Role::kAnalyst, "", 1);
  ASSERT_TRUE(token.ok());
  EXPECT_EQ((*auth.SourceForWriteKey(source_.secret))->id, source_.item.id);
  EXPECT_EQ(auth.TokenForSecret(token->secret)->role, Role::kAnalyst);
  // Crossing them fails.
  EXPECT_EQ(auth.TokenForSecret(source_.secret).status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(auth.SourceForWriteKey(token->secret).status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(auth.SourceForWriteKey("").status().code(), StatusCode::kUnauthenticated);
  // Cached answers keep working (the cache is exercised on the second call).
  EXPECT_TRUE(auth.SourceForWriteKey(source_.secret).ok());
}

TEST_F(AuthStoreTest, SourceForBasicHeader) {
  Authenticator& auth = *auth_;
  for (int round = 0; round < 2; ++round) {  // the second round is answered from the cache
    SCOPED_TRACE(round);
    for (const std::string& header : {Basic(source_.secret + ":"), Basic(source_.secret)}) {
      auto found = auth.SourceForBasic(header);
      ASSERT_TRUE(found.ok()) << found.status().ToString();
      ASSERT_TRUE(*found);
      EXPECT_EQ((*found)->id, source_.item.id);
    }
    // No header, or an empty key: the key may be in the body.
    EXPECT_EQ(*auth.SourceForBasic(""), nullptr);
    EXPECT_EQ(*auth.SourceForBasic(Basic(":")), nullptr);
    EXPECT_EQ(auth.SourceForBasic(Basic("wk_unknown:")).status().code(),
              StatusCode::kUnauthenticated);
    EXPECT_EQ(auth.SourceForBasic("Basic !!!").status().code(), StatusCode::kUnauthenticated);
    EXPECT_EQ(auth.SourceForBasic("Bearer " + source_.secret).status().code(),
              StatusCode::kUnauthenticated);
  }
  // Only the two headers that name the source are kept.
  EXPECT_EQ(auth.cached_headers(), 2u);
}

TEST_F(AuthStoreTest, HeadersThatAnyoneMayVaryDoNotFillTheCache) {
  // A public write key with any password, and headers without a key, from one client: the
  // cache keeps none of them beyond 256 bytes, and none without a key.
  for (int i = 0; i < 50; ++i) {
    const std::string junk(300 + i, 'x');
    auto with_password = auth_->SourceForBasic(Basic(source_.secret + ":" + junk));
    ASSERT_TRUE(with_password.ok() && *with_password);
    EXPECT_EQ((*with_password)->id, source_.item.id);
    auto no_key = auth_->SourceForBasic(Basic(":" + std::to_string(i)));
    ASSERT_TRUE(no_key.ok());
    EXPECT_EQ(*no_key, nullptr);
  }
  EXPECT_EQ(auth_->cached_headers(), 0u);
}

}  // namespace
}  // namespace rapport
