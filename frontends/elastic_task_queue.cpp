#include "frontends/elastic_task_queue.hpp"

namespace vfb {

elastic_task_queue::elastic_task_queue(size_t max_threads)
    : max_threads_{max_threads == 0 ? 1 : max_threads} {}

elastic_task_queue::~elastic_task_queue() {
  shutdown();
}

void elastic_task_queue::enqueue(std::function<void()> task) {
  std::lock_guard guard{mu_};
  if (stopping_)
    return;
  tasks_.push_back(std::move(task));
  // Every waiting task needs a thread of its own: start one unless enough are idle.
  if (tasks_.size() > idle_ && threads_.size() < max_threads_)
    threads_.emplace_back([this] { work(); });
  ready_.notify_one();
}

void elastic_task_queue::shutdown() {
  std::vector<std::thread> threads;
  {
    std::lock_guard guard{mu_};
    stopping_ = true;
    threads.swap(threads_);
  }
  ready_.notify_all();
  for (auto& t : threads)
    if (t.joinable())
      t.join();
}

size_t elastic_task_queue::threads() {
  std::lock_guard guard{mu_};
  return threads_.size();
}

void elastic_task_queue::work() {
  std::unique_lock lock{mu_};
  for (;;) {
    ++idle_;
    ready_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
    --idle_;
    if (tasks_.empty()) // stopping, and nothing left to serve
      return;
    auto task = std::move(tasks_.front());
    tasks_.pop_front();
    lock.unlock();
    task();
    lock.lock();
  }
}

} // namespace vfb
