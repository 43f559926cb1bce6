// A scheduler for tests run by the deterministic coordinator (tests/support/actor_systems.hpp):
// its queue in a directory of the test's, and options that keep all its work inline (no
// detached log syncer, which the test coordinator would not run).
#pragma once

#include "actors/scheduler.hpp"
#include "storage/job_queue.hpp"

#include <filesystem>
#include <memory>

namespace vfb::test {

/// Options for a scheduler under the deterministic test coordinator: no helper thread.
inline scheduler_options inline_sync() {
  scheduler_options o;
  o.sync_in_background = false;
  return o;
}

/// A queue in `dir`; `max_map` (bytes, 0: no limit) caps its LMDB map from the start.
inline std::shared_ptr<job_queue> open_queue(const std::filesystem::path& dir, size_t max_map = 0) {
  queue_options o;
  o.dir = dir;
  o.max_map_size = max_map;
  if (max_map != 0)
    o.initial_map_size = max_map;
  return std::make_shared<job_queue>(o);
}

} // namespace vfb::test
