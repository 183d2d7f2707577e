#include "common/serial_worker.h"

#include "common/pacing.h"
#include "common/threads.h"

namespace rapport {

SerialWorker::SerialWorker(std::string name, Priority priority)
    : name_(std::move(name)), priority_(priority) {
  thread_ = std::thread([this] { Run(); });
}

SerialWorker::~SerialWorker() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  thread_.join();
}

std::future<Status> SerialWorker::Submit(std::function<Status()> task) {
  std::packaged_task<Status()> packaged(std::move(task));
  std::future<Status> result = packaged.get_future();
  {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(packaged));
  }
  cv_.notify_one();
  return result;
}

void SerialWorker::Run() {
  SetThreadName(name_);
  if (priority_ == kBackground) EnterBackgroundPriority();
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and everything submitted has run
    std::packaged_task<Status()> task = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    task();
    // After the task's result is out: only the next task waits.
    if (priority_ == kBackground) PaceBackground();
    lock.lock();
  }
}

}  // namespace rapport
