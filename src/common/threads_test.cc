#include "common/threads.h"

#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <thread>

#include <gtest/gtest.h>

namespace rapport {
namespace {

int OwnNice() { return ::getpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid))); }

TEST(ThreadsTest, BackgroundPriorityLowersOnlyTheCallingThread) {
  const int before = OwnNice();
  SetBackgroundNice(25);  // clamped
  EXPECT_EQ(BackgroundNice(), 19);
  SetBackgroundNice(7);
  int inside = -100;
  std::string name;
  std::thread t([&] {
    SetThreadName("a-rather-long-thread-name");
    EnterBackgroundPriority();
    inside = OwnNice();
    char buf[32] = {};
    pthread_getname_np(pthread_self(), buf, sizeof buf);
    name = buf;
  });
  t.join();
  EXPECT_EQ(inside, std::max(7, before));
  EXPECT_EQ(OwnNice(), before);        // this thread is untouched
  EXPECT_EQ(name, "a-rather-long-t");  // Linux keeps 15 bytes
  SetBackgroundNice(0);
  std::thread off([&] {
    EnterBackgroundPriority();  // 0: no change
    inside = OwnNice();
  });
  off.join();
  EXPECT_EQ(inside, before);
}

}  // namespace
}  // namespace rapport
