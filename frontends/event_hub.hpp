// GET /v1/events: the pipeline's events of one workspace as Server-Sent Events, for the web page
// and API clients that watch jobs move without polling. The hub takes every pipeline event once
// (from the metrics sink) and queues its SSE text for each subscriber of the job's workspace; a
// subscriber that falls more than `max_queued` events behind loses the oldest and is told so.
#pragma once

#include "messages/pipeline.hpp"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace vfb {

class event_hub {
public:
  /// One open stream: the events of one workspace, oldest first.
  struct subscription {
    std::string tenant, workspace;
    std::deque<std::string> queued;
    bool lagged = false; // events were dropped since the last one taken
  };
  static constexpr size_t max_queued = 1000;

  std::shared_ptr<subscription> subscribe(const std::string& tenant, const std::string& workspace);
  void unsubscribe(const std::shared_ptr<subscription>& s);
  /// The next event of `s` as SSE text, waiting up to `wait`: "" when none came, nullopt once
  /// the hub is closed.
  std::optional<std::string> next(subscription& s, std::chrono::milliseconds wait);
  /// Queues `ev` for every subscriber of its job's workspace.
  void publish(const pipeline_event& ev);
  /// Ends every stream (the API stops: open streams must not hold it up).
  void close();

private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::shared_ptr<subscription>> subs_;
  bool closed_ = false;
};

/// A pipeline event as the stream's JSON: job, stage, kind, fraction, note, and when it ended
/// the outcome and its reason.
std::string event_json(const pipeline_event& ev);

} // namespace vfb
