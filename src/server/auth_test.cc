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

TEST(AuthTest, WriteKeysAndTokensAreSeparate) {
  testing::TempDir dir;
  {
    auto store = ControlStore::Open(dir.Sub("control.db"));
    ASSERT_TRUE(store.ok());
    ManualClock clock(1);
    Authenticator auth(store->get(), &clock);
    auto source = (*store)->CreateSource("web", 1);
    auto token = (*store)->CreateToken(Role::kAnalyst, "", 1);
    ASSERT_TRUE(source.ok() && token.ok());
    EXPECT_EQ((*auth.SourceForWriteKey(source->secret))->id, source->item.id);
    EXPECT_EQ(auth.TokenForSecret(token->secret)->role, Role::kAnalyst);
    // Crossing them fails.
    EXPECT_EQ(auth.TokenForSecret(source->secret).status().code(), StatusCode::kUnauthenticated);
    EXPECT_EQ(auth.SourceForWriteKey(token->secret).status().code(), StatusCode::kUnauthenticated);
    EXPECT_EQ(auth.SourceForWriteKey("").status().code(), StatusCode::kUnauthenticated);
    // Cached answers keep working (the cache is exercised on the second call).
    EXPECT_TRUE(auth.SourceForWriteKey(source->secret).ok());
  }
}

TEST(AuthTest, SourceForBasicHeader) {
  testing::TempDir dir;
  auto store = ControlStore::Open(dir.Sub("control.db"));
  ASSERT_TRUE(store.ok());
  ManualClock clock(1);
  Authenticator auth(store->get(), &clock);
  auto source = (*store)->CreateSource("web", 1);
  ASSERT_TRUE(source.ok());
  auto basic = [](std::string_view text) {
    std::string out(sodium_base64_ENCODED_LEN(text.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(text.data()),
                      text.size(), sodium_base64_VARIANT_ORIGINAL);
    out.resize(out.find('\0'));
    return "Basic " + out;
  };
  for (int round = 0; round < 2; ++round) {  // the second round is answered from the cache
    SCOPED_TRACE(round);
    for (const std::string& header : {basic(source->secret + ":"), basic(source->secret)}) {
      auto found = auth.SourceForBasic(header);
      ASSERT_TRUE(found.ok()) << found.status().ToString();
      ASSERT_TRUE(*found);
      EXPECT_EQ((*found)->id, source->item.id);
    }
    // No header, or an empty key: the key may be in the body.
    EXPECT_EQ(*auth.SourceForBasic(""), nullptr);
    EXPECT_EQ(*auth.SourceForBasic(basic(":")), nullptr);
    EXPECT_EQ(auth.SourceForBasic(basic("wk_unknown:")).status().code(),
              StatusCode::kUnauthenticated);
    EXPECT_EQ(auth.SourceForBasic("Basic !!!").status().code(), StatusCode::kUnauthenticated);
    EXPECT_EQ(auth.SourceForBasic("Bearer " + source->secret).status().code(),
              StatusCode::kUnauthenticated);
  }
}

}  // namespace
}  // namespace rapport
