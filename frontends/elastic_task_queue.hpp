// The HTTP API's task queue (httplib runs each connection as one task). httplib's own pool has a
// fixed 8 threads, so 8 idle or slow clients (a keep-alive connection that sends nothing, a
// body that never ends) held every thread and the whole API, the Discord endpoint included,
// stopped answering. This queue starts a new thread whenever a connection arrives and no thread
// is free, up to a bound; threads that finish a connection wait for the next one. A slow client
// then costs one thread for as long as httplib's read timeout lets it stay, not the API.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <httplib.h>
#include <mutex>
#include <thread>
#include <vector>

namespace vfb {

class elastic_task_queue final : public httplib::TaskQueue {
public:
  /// At most `max_threads` connections are served at once; more wait for a free thread.
  explicit elastic_task_queue(size_t max_threads);
  ~elastic_task_queue() override;

  void enqueue(std::function<void()> task) override;
  void shutdown() override;

  /// Threads started so far (for tests).
  size_t threads();

private:
  void work();

  const size_t max_threads_;
  std::mutex mu_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> tasks_;
  std::vector<std::thread> threads_;
  size_t idle_ = 0;
  bool stopping_ = false;
};

} // namespace vfb
