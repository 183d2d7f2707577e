#include "common/env.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "common/fault_injection_env.h"

namespace rapport {
namespace {

class EnvTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/rapport-env-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  std::string dir_;
  Env* env_ = Env::Default();
};

TEST_F(EnvTest, AppendSyncReadBack) {
  auto f = env_->OpenAppendable(Path("a"));
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ((*f)->Size(), 0u);
  ASSERT_TRUE((*f)->Append("hello ").ok());
  ASSERT_TRUE((*f)->Append("world").ok());
  EXPECT_EQ((*f)->Size(), 11u);
  ASSERT_TRUE((*f)->Sync().ok());
  ASSERT_TRUE((*f)->Close().ok());

  auto r = env_->OpenReadable(Path("a"));
  ASSERT_TRUE(r.ok());
  std::string out;
  ASSERT_TRUE((*r)->Read(6, 100, &out).ok());
  EXPECT_EQ(out, "world");
  ASSERT_TRUE((*r)->Read(0, 5, &out).ok());
  EXPECT_EQ(out, "hello");
  ASSERT_TRUE((*r)->Read(50, 5, &out).ok());
  EXPECT_EQ(out, "");
  EXPECT_EQ(*env_->FileSize(Path("a")), 11u);
}

TEST_F(EnvTest, ReopenAppendsAtEndAndTruncateRepositions) {
  {
    auto f = env_->OpenAppendable(Path("a"));
    ASSERT_TRUE((*f)->Append("0123456789").ok());
  }
  auto f = env_->OpenAppendable(Path("a"));
  ASSERT_TRUE(f.ok());
  EXPECT_EQ((*f)->Size(), 10u);
  ASSERT_TRUE((*f)->Append("ab").ok());
  ASSERT_TRUE((*f)->Truncate(4).ok());
  EXPECT_EQ((*f)->Size(), 4u);
  ASSERT_TRUE((*f)->Append("XY").ok());
  std::string all;
  ASSERT_TRUE(ReadFileToString(env_, Path("a"), &all).ok());
  EXPECT_EQ(all, "0123XY");
}

TEST_F(EnvTest, ReservedZerosAreOverwrittenByAppendsAndCutByTruncate) {
  auto f = env_->OpenAppendable(Path("a"));
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE((*f)->Append("abc").ok());
  ASSERT_TRUE((*f)->Reserve(100).ok());
  EXPECT_EQ((*f)->Size(), 3u);  // appended data only
  EXPECT_EQ(*env_->FileSize(Path("a")), 100u);
  ASSERT_TRUE((*f)->Append("de").ok());  // over the zeros, not after them
  ASSERT_TRUE((*f)->Reserve(50).ok());   // already that long: nothing
  EXPECT_EQ(*env_->FileSize(Path("a")), 100u);
  std::string all;
  ASSERT_TRUE(ReadFileToString(env_, Path("a"), &all).ok());
  EXPECT_EQ(all, "abcde" + std::string(95, '\0'));
  ASSERT_TRUE((*f)->Append(std::string(200, 'x')).ok());  // past the reserved end
  EXPECT_EQ((*f)->Size(), 205u);
  EXPECT_EQ(*env_->FileSize(Path("a")), 205u);
  ASSERT_TRUE((*f)->Reserve(300).ok());
  ASSERT_TRUE((*f)->Truncate(205).ok());  // cuts the zeros
  EXPECT_EQ(*env_->FileSize(Path("a")), 205u);
  ASSERT_TRUE((*f)->Append("!").ok());
  EXPECT_EQ(*env_->FileSize(Path("a")), 206u);
}

TEST_F(EnvTest, DirectoryOperations) {
  ASSERT_TRUE(env_->CreateDirs(Path("x/y/z")).ok());
  ASSERT_TRUE(env_->CreateDirs(Path("x/y/z")).ok());  // idempotent
  EXPECT_TRUE(env_->Exists(Path("x/y/z")));
  ASSERT_TRUE(WriteFileAtomic(env_, Path("x/b"), "bee").ok());
  ASSERT_TRUE(WriteFileAtomic(env_, Path("x/a"), "first").ok());
  ASSERT_TRUE(WriteFileAtomic(env_, Path("x/a"), "second").ok());
  auto names = env_->ListDir(Path("x"));
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, (std::vector<std::string>{"a", "b", "y"}));  // sorted, no .tmp left
  std::string s;
  ASSERT_TRUE(ReadFileToString(env_, Path("x/a"), &s).ok());
  EXPECT_EQ(s, "second");
  ASSERT_TRUE(env_->RenameFile(Path("x/a"), Path("x/c")).ok());
  EXPECT_FALSE(env_->Exists(Path("x/a")));
  ASSERT_TRUE(env_->RemoveFile(Path("x/c")).ok());
  EXPECT_FALSE(env_->Exists(Path("x/c")));
  ASSERT_TRUE(env_->SyncDir(Path("x")).ok());
  EXPECT_EQ(DirName("/a/b/c"), "/a/b");
  EXPECT_EQ(DirName("c"), ".");
}

TEST_F(EnvTest, ErrorsNameThePathAndMapErrno) {
  Status s = env_->RemoveFile(Path("missing"));
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_NE(s.message().find(Path("missing")), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("No such file"), std::string::npos) << s.message();
  EXPECT_FALSE(env_->OpenReadable(Path("missing")).ok());
  EXPECT_FALSE(env_->ListDir(Path("missing")).ok());
  EXPECT_FALSE(env_->FileSize(Path("missing")).ok());
  auto f = env_->OpenAppendable(Path("nodir/file"));
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find("nodir/file"), std::string::npos);
}

TEST_F(EnvTest, LockFileIsExclusiveUntilReleased) {
  auto first = env_->LockFile(Path("LOCK"));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto second = env_->LockFile(Path("LOCK"));
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(second.status().message().find(Path("LOCK")), std::string::npos);
  first->reset();
  auto third = env_->LockFile(Path("LOCK"));
  EXPECT_TRUE(third.ok());
  FaultInjectionEnv fenv(env_);
  EXPECT_EQ(fenv.LockFile(Path("LOCK")).status().code(), StatusCode::kUnavailable);
}

TEST_F(EnvTest, RealDiskFullMapsToNoSpace) {
  if (!std::filesystem::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
  auto f = env_->OpenAppendable("/dev/full");
  if (!f.ok()) GTEST_SKIP() << f.status().ToString();
  Status s = (*f)->Append(std::string(8192, 'x'));
  EXPECT_EQ(s.code(), StatusCode::kNoSpace) << s.ToString();
  EXPECT_NE(s.message().find("/dev/full"), std::string::npos);
}

TEST_F(EnvTest, FaultEnvFailsSyncsAndCounts) {
  FaultInjectionEnv fenv(env_);
  auto f = fenv.OpenAppendable(Path("a"));
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE((*f)->Append("x").ok());
  ASSERT_TRUE((*f)->Sync().ok());
  EXPECT_EQ(fenv.sync_count(), 1u);
  fenv.FailSyncs(true);
  EXPECT_EQ((*f)->Sync().code(), StatusCode::kIOError);
  EXPECT_EQ(fenv.SyncDir(dir_).code(), StatusCode::kIOError);
  EXPECT_EQ(fenv.failed_sync_count(), 2u);
  EXPECT_FALSE(WriteFileAtomic(&fenv, Path("ckpt"), "data").ok());
  EXPECT_FALSE(fenv.Exists(Path("ckpt")));
  fenv.FailSyncs(false);
  EXPECT_TRUE((*f)->Sync().ok());
  EXPECT_EQ(fenv.sync_count(), 2u);
}

TEST_F(EnvTest, FaultEnvShortWriteOnce) {
  FaultInjectionEnv fenv(env_);
  auto f = fenv.OpenAppendable(Path("a"));
  ASSERT_TRUE(f.ok());
  fenv.SetShortWriteOnce();
  Status s = (*f)->Append("0123456789");
  EXPECT_EQ(s.code(), StatusCode::kIOError);
  EXPECT_EQ((*f)->Size(), 5u);            // half was written
  EXPECT_TRUE((*f)->Append("abc").ok());  // only once
  EXPECT_EQ(*fenv.FileSize(Path("a")), 8u);
}

TEST_F(EnvTest, FaultEnvSpaceLimitWritesWhatFitsThenRecovers) {
  FaultInjectionEnv fenv(env_);
  auto f = fenv.OpenAppendable(Path("a"));
  ASSERT_TRUE(f.ok());
  fenv.SetSpaceLimit(10);
  EXPECT_TRUE((*f)->Append("123456").ok());
  Status s = (*f)->Append("abcdef");
  EXPECT_EQ(s.code(), StatusCode::kNoSpace) << s.ToString();
  EXPECT_EQ((*f)->Size(), 10u);
  EXPECT_EQ((*f)->Append("z").code(), StatusCode::kNoSpace);
  ASSERT_TRUE((*f)->Truncate(6).ok());  // frees 4 bytes
  EXPECT_TRUE((*f)->Append("wxyz").ok());
  EXPECT_EQ((*f)->Append("!").code(), StatusCode::kNoSpace);
  fenv.SetSpaceLimit(std::nullopt);
  EXPECT_TRUE((*f)->Append(std::string(1000, 'q')).ok());
  EXPECT_EQ((*f)->Size(), 1010u);
}

TEST_F(EnvTest, FaultEnvFailTruncatesAndThreadSafeCounters) {
  FaultInjectionEnv fenv(env_);
  auto f = fenv.OpenAppendable(Path("a"));
  ASSERT_TRUE((*f)->Append("abc").ok());
  fenv.FailTruncates(true);
  EXPECT_EQ((*f)->Truncate(0).code(), StatusCode::kIOError);
  EXPECT_EQ((*f)->Size(), 3u);
  fenv.FailTruncates(false);
  EXPECT_TRUE((*f)->Truncate(0).ok());

  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&fenv, this, t] {
      auto g = fenv.OpenAppendable(Path("t" + std::to_string(t)));
      for (int i = 0; i < 100; ++i) {
        ASSERT_TRUE((*g)->Append("x").ok());
        ASSERT_TRUE((*g)->Sync().ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(fenv.sync_count(), 400u);
  EXPECT_EQ(fenv.append_count(), 401u);
}

}  // namespace
}  // namespace rapport
