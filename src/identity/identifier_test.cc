#include "identity/identifier.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace rapport {
namespace {

using ::testing::HasSubstr;

std::optional<std::string> Phone(const IdentitySettings& s, std::string_view raw) {
  return s.Normalize("phone", raw);
}

IdentitySettings WithCountry(std::string code) {
  IdentitySettings s;
  EXPECT_TRUE(s.SetPhoneCountryCode(std::move(code)).ok());
  return s;
}

TEST(IdentifierTest, DefaultTypes) {
  IdentitySettings s;
  ASSERT_EQ(s.types().size(), 4u);
  struct Want {
    const char* name;
    int priority;
    int limit;
  };
  for (const Want& w : {Want{"user_id", 1, 1}, Want{"email", 2, 5}, Want{"phone", 3, 5},
                        Want{"anonymous_id", 1000, 1000}}) {
    const IdentityType* t = s.Find(w.name);
    ASSERT_NE(t, nullptr) << w.name;
    EXPECT_EQ(t->priority, w.priority) << w.name;
    EXPECT_EQ(t->limit, w.limit) << w.name;
  }
  EXPECT_EQ(s.Find("crm_id"), nullptr);
  EXPECT_EQ(s.Find(""), nullptr);
  EXPECT_EQ(s.blocked_values(), (std::vector<std::string>{"null", "undefined", "0", "anonymous"}));
  EXPECT_EQ(s.phone_country_code(), "1");
}

TEST(IdentifierTest, EmailsAreTrimmedAndLowerCased) {
  IdentitySettings s;
  EXPECT_EQ(s.Normalize("email", " Jane.Doe@Example.COM\t"), "jane.doe@example.com");
  EXPECT_EQ(s.Normalize("email", "a@b"), "a@b");
  EXPECT_EQ(s.Normalize("email", "first+tag@mail.example.org"), "first+tag@mail.example.org");
  // A local part and a domain are both needed.
  EXPECT_EQ(s.Normalize("email", "jane"), std::nullopt);
  EXPECT_EQ(s.Normalize("email", "@example.com"), std::nullopt);
  EXPECT_EQ(s.Normalize("email", "jane@"), std::nullopt);
  EXPECT_EQ(s.Normalize("email", " @ "), std::nullopt);
  EXPECT_EQ(s.Normalize("email", ""), std::nullopt);
  EXPECT_EQ(s.Normalize("email", "   "), std::nullopt);
}

TEST(IdentifierTest, OtherTypesAreTrimmedButKeepTheirCase) {
  IdentitySettings s;
  ASSERT_TRUE(s.SetType({"crm_id", 4, 5}).ok());
  EXPECT_EQ(s.Normalize("user_id", "  User 1 \n"), "User 1");
  EXPECT_NE(s.Normalize("user_id", "User1"), s.Normalize("user_id", "user1"));
  EXPECT_EQ(s.Normalize("anonymous_id", "7f0c-AB"), "7f0c-AB");
  EXPECT_EQ(s.Normalize("crm_id", " C-0042 "), "C-0042");
  EXPECT_EQ(s.Normalize("user_id", "\t \r\n"), std::nullopt);
}

TEST(IdentifierTest, PhonesNorthAmerica) {
  IdentitySettings s;  // country code "1"
  for (const char* raw : {"(415) 555-2671", "415.555.2671", "415 555 2671", "4155552671",
                          "1-415-555-2671", "1 (415) 555-2671", "+1 415 555 2671",
                          "+1-415-555-2671", "001 415 555 2671", " 415-555-2671 "}) {
    EXPECT_EQ(Phone(s, raw), "14155552671") << raw;
  }
  // International numbers keep their own country code.
  EXPECT_EQ(Phone(s, "+44 20 7946 0958"), "442079460958");
  EXPECT_EQ(Phone(s, "0044 20 7946 0958"), "442079460958");
  EXPECT_EQ(Phone(s, "+49 (30) 1234-567"), "49301234567");
}

TEST(IdentifierTest, PhonesUnitedKingdom) {
  IdentitySettings s = WithCountry("44");
  EXPECT_EQ(s.phone_country_code(), "44");
  // The national trunk prefix 0 is dropped before the country code is added.
  EXPECT_EQ(Phone(s, "020 7946 0958"), "442079460958");
  EXPECT_EQ(Phone(s, "(020) 7946-0958"), "442079460958");
  EXPECT_EQ(Phone(s, "07700 900123"), "447700900123");
  EXPECT_EQ(Phone(s, "+44 7700 900123"), "447700900123");
  EXPECT_EQ(Phone(s, "0044 7700 900123"), "447700900123");
  // Already carrying the country code (long enough to hold one), without "+".
  EXPECT_EQ(Phone(s, "44 7700 900123"), "447700900123");
  EXPECT_EQ(Phone(s, "+1 (415) 555-2671"), "14155552671");
  EXPECT_EQ(Phone(s, "00 1 415 555 2671"), "14155552671");
}

TEST(IdentifierTest, PhonesGermany) {
  IdentitySettings s = WithCountry("49");
  EXPECT_EQ(Phone(s, "030 1234567"), "49301234567");
  EXPECT_EQ(Phone(s, "0171 2345678"), "491712345678");
  EXPECT_EQ(Phone(s, "+49 30 1234567"), "49301234567");
  EXPECT_EQ(Phone(s, "0049 30 1234567"), "49301234567");
  EXPECT_EQ(Phone(s, "0049-171-2345678"), "491712345678");
  EXPECT_EQ(Phone(s, "+44 20 7946 0958"), "442079460958");
}

// A leading national "0" marks a number written without its country code, so the country code
// must always be added, even when the digits after the 0 happen to begin with it: 04921 is the
// area code of Emden, 0491 that of Leer (docs/identity.md, "Phones").
TEST(IdentifierTest, PhonesNationalNumberBeginningWithTheCountryCode) {
  IdentitySettings s = WithCountry("49");
  EXPECT_EQ(Phone(s, "04921 1234567"), "4949211234567");
  EXPECT_EQ(Phone(s, "+49 4921 1234567"), "4949211234567");
  EXPECT_EQ(Phone(s, "0491 12345678"), "4949112345678");
}

TEST(IdentifierTest, PhoneLength) {
  IdentitySettings s;
  // 6 to 15 digits, the country code included (E.164).
  EXPECT_EQ(Phone(s, "+123456"), "123456");
  EXPECT_EQ(Phone(s, "+12345"), std::nullopt);
  EXPECT_EQ(Phone(s, "12345"), "112345");  // "1" + 5 digits
  EXPECT_EQ(Phone(s, "1234"), std::nullopt);
  EXPECT_EQ(Phone(s, "+123 456 789 012 345"), "123456789012345");
  EXPECT_EQ(Phone(s, "+123 456 789 012 3456"), std::nullopt);
  EXPECT_EQ(Phone(s, "23456789012345"), "123456789012345");
  EXPECT_EQ(Phone(s, "234567890123456"), std::nullopt);  // 16 with the country code
  EXPECT_EQ(Phone(s, "call me"), std::nullopt);
  EXPECT_EQ(Phone(s, "+"), std::nullopt);
  EXPECT_EQ(Phone(s, "00"), std::nullopt);
  EXPECT_EQ(Phone(s, ""), std::nullopt);
}

TEST(IdentifierTest, DefaultBlockedValues) {
  IdentitySettings s;
  for (const char* type : {"user_id", "anonymous_id", "email", "phone"}) {
    for (const char* raw : {"null", "NULL", " Null ", "undefined", "Undefined\t", "0", " 0 ",
                            "anonymous", "ANONYMOUS", "", "   "}) {
      EXPECT_EQ(s.Normalize(type, raw), std::nullopt) << type << " \"" << raw << "\"";
    }
  }
  // Only whole values are blocked.
  EXPECT_EQ(s.Normalize("user_id", "nil"), "nil");
  EXPECT_EQ(s.Normalize("user_id", "00"), "00");
  EXPECT_EQ(s.Normalize("user_id", "null-user"), "null-user");
  EXPECT_EQ(s.Normalize("anonymous_id", "anonymous-1"), "anonymous-1");
  EXPECT_EQ(s.Normalize("email", "null@example.com"), "null@example.com");
}

TEST(IdentifierTest, ConfiguredBlockedValuesReplaceTheDefaults) {
  IdentitySettings s;
  s.SetBlockedValues({" N/A ", "none", "Test@Example.com"});
  EXPECT_EQ(s.blocked_values(), (std::vector<std::string>{"n/a", "none", "test@example.com"}));
  EXPECT_EQ(s.Normalize("user_id", "n/a"), std::nullopt);
  EXPECT_EQ(s.Normalize("user_id", " N/a"), std::nullopt);
  EXPECT_EQ(s.Normalize("anonymous_id", "NONE"), std::nullopt);
  EXPECT_EQ(s.Normalize("email", " test@example.COM "), std::nullopt);
  // The defaults are gone.
  EXPECT_EQ(s.Normalize("user_id", "null"), "null");
  EXPECT_EQ(s.Normalize("anonymous_id", "anonymous"), "anonymous");
  // Blanks never identify anyone, whatever the list.
  s.SetBlockedValues({});
  EXPECT_EQ(s.Normalize("user_id", " "), std::nullopt);
  EXPECT_EQ(s.Normalize("user_id", "0"), "0");
}

TEST(IdentifierTest, SetTypeChecksItsArguments) {
  IdentitySettings s;
  Status st = s.SetType({"CRM-ID", 4, 5});
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("\"CRM-ID\""));
  EXPECT_THAT(st.message(), HasSubstr("a-z, 0-9 and _"));
  EXPECT_FALSE(s.SetType({"", 4, 5}).ok());
  EXPECT_FALSE(s.SetType({std::string(65, 'a'), 4, 5}).ok());
  EXPECT_TRUE(s.SetType({std::string(64, 'a'), 4, 5}).ok());
  st = s.SetType({"crm_id", 0, 5});
  EXPECT_THAT(st.message(), HasSubstr("priority must be 1 or more"));
  st = s.SetType({"crm_id", 4, 0});
  EXPECT_THAT(st.message(), HasSubstr("limit must be 1 or more"));
  EXPECT_EQ(s.Find("crm_id"), nullptr);
  // Changing an existing type keeps one entry.
  ASSERT_TRUE(s.SetType({"email", 2, 3}).ok());
  EXPECT_EQ(s.Find("email")->limit, 3);
  EXPECT_EQ(s.types().size(), 5u);
}

TEST(IdentifierTest, SetPhoneCountryCode) {
  IdentitySettings s;
  for (const char* bad : {"", "0", "044", "+44", "1234", "4a"}) {
    Status st = s.SetPhoneCountryCode(bad);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(st.message(), HasSubstr("phone_country_code")) << bad;
  }
  EXPECT_EQ(s.phone_country_code(), "1");
  EXPECT_TRUE(s.SetPhoneCountryCode("353").ok());
  EXPECT_EQ(Phone(s, "087 123 4567"), "353871234567");
}

TEST(IdentifierTest, MakeIdentitySettingsDefaults) {
  auto s = MakeIdentitySettings(IdentityConfig{});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  IdentitySettings d;
  ASSERT_EQ(s->types().size(), d.types().size());
  for (size_t i = 0; i < d.types().size(); ++i) {
    EXPECT_EQ(s->types()[i].name, d.types()[i].name);
    EXPECT_EQ(s->types()[i].priority, d.types()[i].priority);
    EXPECT_EQ(s->types()[i].limit, d.types()[i].limit);
  }
  EXPECT_EQ(s->blocked_values(), d.blocked_values());
  EXPECT_EQ(s->phone_country_code(), "1");
}

// The example of docs/identity.md.
TEST(IdentifierTest, MakeIdentitySettingsFromConfig) {
  IdentityConfig c;
  c.custom_types = {"crm_id", "twitter"};
  c.blocked_values = std::vector<std::string>{"null", "undefined", "0", "anonymous", "n/a"};
  c.phone_country_code = "44";
  c.limits = {{"email", 3}, {"twitter", 2}};
  c.priorities = {{"crm_id", 2}};
  auto s = MakeIdentitySettings(c);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_NE(s->Find("crm_id"), nullptr);
  EXPECT_EQ(s->Find("crm_id")->priority, 2);
  EXPECT_EQ(s->Find("crm_id")->limit, 5);
  ASSERT_NE(s->Find("twitter"), nullptr);
  EXPECT_EQ(s->Find("twitter")->priority, 5);  // custom types count on from 4
  EXPECT_EQ(s->Find("twitter")->limit, 2);
  EXPECT_EQ(s->Find("email")->limit, 3);
  EXPECT_EQ(s->Find("email")->priority, 2);
  EXPECT_EQ(s->Find("user_id")->limit, 1);
  EXPECT_EQ(s->Find("anonymous_id")->priority, 1000);
  EXPECT_EQ(s->phone_country_code(), "44");
  EXPECT_EQ(s->Normalize("user_id", "N/A"), std::nullopt);
  EXPECT_EQ(s->Normalize("phone", "07700 900123"), "447700900123");
  EXPECT_EQ(s->Normalize("twitter", " @rapport "), "@rapport");

  // An empty list blocks nothing but blanks.
  c.blocked_values = std::vector<std::string>{};
  s = MakeIdentitySettings(c);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->Normalize("user_id", "null"), "null");
}

TEST(IdentifierTest, CustomTypesCountOnFromFour) {
  IdentityConfig c;
  c.custom_types = {"crm_id", "twitter", "ga_client_id"};
  auto s = MakeIdentitySettings(c);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->Find("crm_id")->priority, 4);
  EXPECT_EQ(s->Find("twitter")->priority, 5);
  EXPECT_EQ(s->Find("ga_client_id")->priority, 6);
  for (const char* t : {"crm_id", "twitter", "ga_client_id"}) EXPECT_EQ(s->Find(t)->limit, 5);
}

TEST(IdentifierTest, MakeIdentitySettingsErrors) {
  struct Case {
    const char* what;
    IdentityConfig config;
    std::vector<std::string> message;  // substrings
  };
  auto with = [](auto f) {
    IdentityConfig c;
    f(c);
    return c;
  };
  const Case cases[] = {
      {"built-in as custom",
       with([](IdentityConfig& c) { c.custom_types = {"email"}; }),
       {"[identity] custom_types", "\"email\"", "already a type"}},
      {"custom twice",
       with([](IdentityConfig& c) {
         c.custom_types = {"crm_id", "crm_id"};
       }),
       {"\"crm_id\"", "already a type"}},
      {"bad name",
       with([](IdentityConfig& c) { c.custom_types = {"CRM ID"}; }),
       {"\"CRM ID\"", "a-z, 0-9 and _"}},
      {"empty name", with([](IdentityConfig& c) { c.custom_types = {""}; }), {"1-64 characters"}},
      {"limit of unknown type",
       with([](IdentityConfig& c) {
         c.limits = {{"fax", 2}};
       }),
       {"[identity.limits] fax", "not an identifier type", "custom_types"}},
      {"priority of unknown type",
       with([](IdentityConfig& c) {
         c.priorities = {{"fax", 2}};
       }),
       {"[identity.priorities] fax", "not an identifier type"}},
      {"zero limit",
       with([](IdentityConfig& c) {
         c.limits = {{"email", 0}};
       }),
       {"[identity.limits] email", "must be 1 to 1000000, got 0"}},
      {"huge limit",
       with([](IdentityConfig& c) {
         c.limits = {{"email", 1'000'001}};
       }),
       {"[identity.limits] email", "got 1000001"}},
      {"negative priority",
       with([](IdentityConfig& c) {
         c.priorities = {{"email", -1}};
       }),
       {"[identity.priorities] email", "got -1"}},
      {"country code",
       with([](IdentityConfig& c) { c.phone_country_code = "+44"; }),
       {"phone_country_code", "\"+44\"", "1-3 digits"}},
  };
  for (const Case& c : cases) {
    auto s = MakeIdentitySettings(c.config);
    ASSERT_FALSE(s.ok()) << c.what;
    EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument) << c.what;
    for (const std::string& m : c.message) {
      EXPECT_THAT(s.status().message(), HasSubstr(m)) << c.what;
    }
  }
  // Limits and priorities reach custom types.
  IdentityConfig ok;
  ok.custom_types = {"crm_id"};
  ok.limits = {{"crm_id", 1'000'000}};
  ok.priorities = {{"crm_id", 1}};
  auto s = MakeIdentitySettings(ok);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->Find("crm_id")->limit, 1'000'000);
  EXPECT_EQ(s->Find("crm_id")->priority, 1);
}

TEST(IdentifierTest, BeforeIsPriorityThenName) {
  IdentityConfig c;
  c.custom_types = {"twitter", "crm_id"};
  c.priorities = {{"crm_id", 2}};  // ties with email: the name decides
  auto s = MakeIdentitySettings(c);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  const std::vector<std::string> order = {"user_id", "crm_id",       "email",       "phone",
                                          "twitter", "anonymous_id", "aaa_unknown", "zzz_unknown"};
  for (size_t i = 0; i < order.size(); ++i) {
    EXPECT_FALSE(s->Before(order[i], order[i])) << order[i];
    for (size_t j = i + 1; j < order.size(); ++j) {
      EXPECT_TRUE(s->Before(order[i], order[j])) << order[i] << " before " << order[j];
      EXPECT_FALSE(s->Before(order[j], order[i])) << order[j] << " not before " << order[i];
    }
  }
}

}  // namespace
}  // namespace rapport
