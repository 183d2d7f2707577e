// SerialWorker: one long-lived thread that runs the tasks given to it one at a time, in the
// order they were submitted. Submit returns a future of the task's Status. Use it instead of
// std::async for work handed off again and again (a state write per batch): no thread is created
// per task. The destructor runs every task already submitted, then joins. Submit is
// thread-safe; a task must not wait on a later task of the same worker.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <thread>

#include "common/status.h"

namespace rapport {

class SerialWorker {
 public:
  enum Priority { kNormal, kBackground };  // kBackground: EnterBackgroundPriority (threads.h)
  // `name` names the thread (at most 15 characters show in top -H and /proc).
  explicit SerialWorker(std::string name, Priority priority = kNormal);
  ~SerialWorker();
  SerialWorker(const SerialWorker&) = delete;
  SerialWorker& operator=(const SerialWorker&) = delete;

  std::future<Status> Submit(std::function<Status()> task);

 private:
  void Run();

  const std::string name_;
  const Priority priority_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::packaged_task<Status()>> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace rapport
