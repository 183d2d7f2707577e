#include "common/serial_worker.h"

#include <atomic>
#include <vector>

#include <gtest/gtest.h>

namespace rapport {
namespace {

TEST(SerialWorkerTest, RunsTasksInOrderOnOneThread) {
  SerialWorker worker("test-worker");
  std::vector<int> order;  // only the worker touches it until the futures are ready
  std::thread::id first;
  std::vector<std::future<Status>> done;
  for (int i = 0; i < 100; ++i) {
    done.push_back(worker.Submit([&, i] {
      if (i == 0) first = std::this_thread::get_id();
      if (std::this_thread::get_id() != first) return Status::Internal("another thread");
      order.push_back(i);
      return Status::OK();
    }));
  }
  for (auto& f : done) EXPECT_TRUE(f.get().ok());
  ASSERT_EQ(order.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(order[i], i);
  EXPECT_NE(first, std::this_thread::get_id());
}

TEST(SerialWorkerTest, HandsBackTheTaskStatus) {
  SerialWorker worker("test-worker");
  Status s = worker.Submit([] { return Status::IOError("disk full"); }).get();
  EXPECT_EQ(s.code(), StatusCode::kIOError);
  EXPECT_EQ(s.message(), "disk full");
}

TEST(SerialWorkerTest, DestructorRunsWhatWasSubmitted) {
  std::atomic<int> ran{0};
  {
    SerialWorker worker("test-worker");
    for (int i = 0; i < 50; ++i) {
      (void)worker.Submit([&] {
        ++ran;
        return Status::OK();
      });
    }
  }
  EXPECT_EQ(ran.load(), 50);
}

}  // namespace
}  // namespace rapport
