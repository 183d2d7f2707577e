#include "common/serial_worker.h"

#include <pthread.h>

namespace rapport {

SerialWorker::SerialWorker(std::string name) : name_(std::move(name)) {
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
  pthread_setname_np(pthread_self(), name_.substr(0, 15).c_str());
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and everything submitted has run
    std::packaged_task<Status()> task = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    task();
    lock.lock();
  }
}

}  // namespace rapport
