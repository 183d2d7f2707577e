#include "server/console.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace rapport {
namespace {

namespace fs = std::filesystem;

std::string Header(const HttpResponse& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

class ConsoleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("console-test-" + std::to_string(::getpid()));
    fs::create_directories(dir_ / "assets");
    Write("index.html", "<!doctype html><div id=root></div>");
    Write("assets/index-1a2b3c.js", "console.log(1)");
    Write("assets/index-4d5e6f.css", "body{}");
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name, std::ios::binary) << text;
  }
  fs::path dir_;
};

TEST_F(ConsoleTest, ServesTheBuiltFilesWithTypesAndCaching) {
  auto console = ConsoleFiles::Load(dir_.string());
  ASSERT_TRUE(console.ok()) << console.status().ToString();
  EXPECT_TRUE((*console)->built());
  HttpResponse index = (*console)->Serve("/");
  EXPECT_EQ(index.status, 200u);
  EXPECT_EQ(index.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(index.body, "<!doctype html><div id=root></div>");
  EXPECT_EQ(Header(index, "Cache-Control"), "no-cache");
  EXPECT_NE(Header(index, "Content-Security-Policy").find("default-src 'self'"), std::string::npos);
  EXPECT_EQ(Header(index, "X-Content-Type-Options"), "nosniff");
  HttpResponse js = (*console)->Serve("/assets/index-1a2b3c.js");
  EXPECT_EQ(js.status, 200u);
  EXPECT_EQ(js.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(js.body, "console.log(1)");
  EXPECT_EQ(Header(js, "Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ((*console)->Serve("/assets/index-4d5e6f.css").content_type, "text/css; charset=utf-8");
}

TEST_F(ConsoleTest, OnlyFilesAndTheRootAnswer) {
  auto console = ConsoleFiles::Load(dir_.string());
  ASSERT_TRUE(console.ok());
  EXPECT_EQ((*console)->Serve("/index.html").status, 200u);
  HttpResponse missing = (*console)->Serve("/no/such/path");
  EXPECT_EQ(missing.status, 404u);
  EXPECT_EQ(missing.body,
            "{\"error\":\"not_found\",\"message\":\"no such endpoint: GET /no/such/path\"}");
  EXPECT_EQ((*console)->Serve("/assets/gone-123.js").status, 404u);
  EXPECT_EQ((*console)->Serve("/../../etc/passwd.txt").status, 404u);
}

TEST_F(ConsoleTest, ADirectoryWithoutTheAppIsRefused) {
  fs::remove(dir_ / "index.html");
  auto console = ConsoleFiles::Load(dir_.string());
  ASSERT_FALSE(console.ok());
  EXPECT_EQ(console.status().code(), StatusCode::kNotFound);
  EXPECT_NE(console.status().message().find("no index.html"), std::string::npos);
  EXPECT_EQ(ConsoleFiles::Locate(""), ConsoleFiles::Locate(""));  // deterministic
  EXPECT_EQ(ConsoleFiles::Locate("/somewhere"), "/somewhere");
}

TEST(ConsoleNotBuilt, SaysHowToBuildIt) {
  auto console = ConsoleFiles::NotBuilt("");
  EXPECT_FALSE(console->built());
  HttpResponse r = console->Serve("/");
  EXPECT_EQ(r.status, 503u);
  EXPECT_NE(r.body.find("npm ci &amp;&amp; npm run build"), std::string::npos);
}

}  // namespace
}  // namespace rapport
