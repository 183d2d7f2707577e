#include "common/config.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

#include <gtest/gtest.h>

namespace rapport {
namespace {

std::string WriteTemp(const std::string& text) {
  auto path = std::filesystem::temp_directory_path() /
              ("rapport_config_test_" + std::to_string(::getpid()) + ".toml");
  std::ofstream(path) << text;
  return path.string();
}

TEST(ConfigTest, DefaultsAreValid) {
  Config c;
  EXPECT_TRUE(c.Validate().ok());
  EXPECT_EQ(c.http, "127.0.0.1:8080");
  EXPECT_EQ(c.data_dir, "./data");
}

TEST(ConfigTest, FileThenEnvironmentOverride) {
  Config c;
  std::string path = WriteTemp(
      "[server]\nhttp = \"0.0.0.0:9000\"\ndata = \"/tmp/x\"\nbackground_nice = 5\n"
      "background_share = 50\nhuge_pages = false\n"
      "[log]\npartitions = 8\n[profiles]\ncache_mb = 300\n[warehouse]\ncache_mb = 512\n"
      "[collect]\ndedup_filter_mb = 64\n");
  EXPECT_EQ(c.background_nice, 10);
  EXPECT_EQ(c.background_share, 10);
  EXPECT_TRUE(c.huge_pages);
  ASSERT_TRUE(ApplyConfigFile(path, &c).ok());
  EXPECT_FALSE(c.huge_pages);
  EXPECT_EQ(c.background_nice, 5);
  EXPECT_EQ(c.background_share, 50);
  EXPECT_EQ(c.http, "0.0.0.0:9000");
  EXPECT_EQ(c.partitions, 8);
  EXPECT_EQ(c.warehouse_cache_mb, 512);
  EXPECT_EQ(c.profiles_cache_mb, 300);
  EXPECT_EQ(c.dedup_filter_mb, 64);
  std::map<std::string, std::string> env = {
      {"RAPPORT_HTTP", "127.0.0.1:7000"},     {"RAPPORT_DEDUP_WINDOW_HOURS", "2"},
      {"RAPPORT_WAREHOUSE_CACHE_MB", "2048"}, {"RAPPORT_BACKGROUND_NICE", "0"},
      {"RAPPORT_BACKGROUND_SHARE", "100"},    {"RAPPORT_PROFILES_CACHE_MB", "64"},
      {"RAPPORT_DEDUP_FILTER_MB", "2048"},    {"RAPPORT_HUGE_PAGES", "on"}};
  auto getenv = [&](const char* n) -> const char* {
    auto it = env.find(n);
    return it == env.end() ? nullptr : it->second.c_str();
  };
  ASSERT_TRUE(ApplyEnvironment(getenv, &c).ok());
  EXPECT_EQ(c.http, "127.0.0.1:7000");
  EXPECT_EQ(c.data_dir, "/tmp/x");
  EXPECT_EQ(c.dedup_window_hours, 2);
  EXPECT_EQ(c.warehouse_cache_mb, 2048);
  EXPECT_EQ(c.background_nice, 0);
  EXPECT_EQ(c.background_share, 100);
  EXPECT_EQ(c.profiles_cache_mb, 64);
  EXPECT_EQ(c.dedup_filter_mb, 2048);
  EXPECT_TRUE(c.huge_pages);
  ASSERT_TRUE(c.Validate().ok());
  c.dedup_filter_mb = 8;
  EXPECT_EQ(c.Validate().message(), "collect dedup_filter_mb: must be 16 to 65536");
  c.dedup_filter_mb = 1024;
  c.background_nice = 20;
  EXPECT_EQ(c.Validate().message(), "background_nice: must be 0 to 19");
  c.background_nice = 0;
  c.background_share = 4;
  EXPECT_EQ(c.Validate().message(), "background_share: must be 5 to 100 (percent)");
  c.background_share = 20;
  c.warehouse_cache_mb = -1;
  EXPECT_EQ(c.Validate().message(), "warehouse cache_mb: must be 0 (automatic) to 16777216");
  std::remove(path.c_str());
}

TEST(ConfigTest, ErrorsNameTheSetting) {
  Config c;
  std::string path = WriteTemp("[server]\nhttp_port = 1\n");
  Status s = ApplyConfigFile(path, &c);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("unknown setting \"http_port\" in [server]"), std::string::npos);
  path = WriteTemp("[log]\npartitions = \"four\"\n");
  s = ApplyConfigFile(path, &c);
  EXPECT_NE(s.message().find("[log] partitions must be an integer"), std::string::npos)
      << s.message();
  path = WriteTemp("[server]\nhuge_pages = 1\n");
  EXPECT_NE(ApplyConfigFile(path, &c).message().find("[server] huge_pages must be true or false"),
            std::string::npos);
  path = WriteTemp("[server\n");
  EXPECT_EQ(ApplyConfigFile(path, &c).code(), StatusCode::kInvalidArgument);
  std::remove(path.c_str());

  auto getenv = [](const char* n) -> const char* {
    return std::string(n) == "RAPPORT_THREADS" ? "two" : nullptr;
  };
  s = ApplyEnvironment(getenv, &c);
  EXPECT_EQ(s.message(), "RAPPORT_THREADS: \"two\" is not an integer");
  auto yes = [](const char* n) -> const char* {
    return std::string(n) == "RAPPORT_HUGE_PAGES" ? "yes" : nullptr;
  };
  EXPECT_EQ(ApplyEnvironment(yes, &c).message(),
            "RAPPORT_HUGE_PAGES: \"yes\" is not one of 1, 0, true, false, on, off");

  Config bad;
  bad.http = "localhost";
  EXPECT_NE(bad.Validate().message().find("http"), std::string::npos);
  bad = Config();
  bad.partitions = -1;
  EXPECT_EQ(bad.Validate().message(),
            "log partitions: must be 0 to 256 (0: as the log has, 1 if new)");
  bad = Config();
  EXPECT_EQ(bad.partitions, 0);  // automatic
  EXPECT_TRUE(bad.Validate().ok());
}

TEST(ConfigTest, IdentitySection) {
  Config c;
  std::string path = WriteTemp(
      "[identity]\ncustom_types = [\"crm_id\", \"twitter\"]\nblocked_values = [\"n/a\"]\n"
      "phone_country_code = \"44\"\n[identity.limits]\nemail = 3\n"
      "[identity.priorities]\ncrm_id = 2\n");
  ASSERT_TRUE(ApplyConfigFile(path, &c).ok());
  EXPECT_EQ(c.identity.custom_types, (std::vector<std::string>{"crm_id", "twitter"}));
  EXPECT_EQ(c.identity.blocked_values, (std::vector<std::string>{"n/a"}));
  EXPECT_EQ(c.identity.phone_country_code, "44");
  EXPECT_EQ(c.identity.limits, (std::map<std::string, int64_t>{{"email", 3}}));
  EXPECT_EQ(c.identity.priorities, (std::map<std::string, int64_t>{{"crm_id", 2}}));

  path = WriteTemp("[identity]\ncustom_types = [\"a\", 1]\n");
  EXPECT_NE(ApplyConfigFile(path, &c).message().find("custom_types must be an array of strings"),
            std::string::npos);
  path = WriteTemp("[identity.limits]\nemail = \"five\"\n");
  EXPECT_NE(ApplyConfigFile(path, &c).message().find("[identity.limits] email must be an integer"),
            std::string::npos);
  std::remove(path.c_str());
}

TEST(ConfigTest, HostPort) {
  auto hp = ParseHostPort("[::1]:8080");
  ASSERT_TRUE(hp.ok());
  EXPECT_EQ(hp->host, "::1");
  EXPECT_EQ(hp->port, 8080);
  EXPECT_FALSE(ParseHostPort("host:99999").ok());
  EXPECT_FALSE(ParseHostPort(":80").ok());
}

}  // namespace
}  // namespace rapport
