#include "actors/stage_slots.hpp"

#include <algorithm>
#include <stdexcept>

namespace vfb {

stage_slots::stage_slots(const std::array<size_t, stage_count>& workers) {
  for (size_t s = 0; s < stage_count; ++s) {
    if (workers[s] == 0)
      throw std::invalid_argument("every stage needs at least one worker");
    idle_[s].assign(workers[s], true);
  }
}

void stage_slots::enter(uint64_t job, stage_kind stage) {
  waiting_[index(stage)].push_back(job);
}

std::optional<stage_slots::assignment> stage_slots::next() {
  for (size_t s = stage_count; s-- > 0;) {
    if (waiting_[s].empty())
      continue;
    auto& idle = idle_[s];
    auto it = std::find(idle.begin(), idle.end(), true);
    if (it == idle.end())
      continue;
    *it = false;
    assignment a{waiting_[s].front(), static_cast<stage_kind>(s),
                 static_cast<size_t>(it - idle.begin())};
    waiting_[s].pop_front();
    return a;
  }
  return std::nullopt;
}

void stage_slots::release(stage_kind stage, size_t worker) {
  auto& idle = idle_.at(index(stage));
  if (worker >= idle.size() || idle[worker])
    throw std::logic_error("released a stage worker that was not busy");
  idle[worker] = true;
}

void stage_slots::drop(uint64_t job) {
  for (auto& q : waiting_)
    q.erase(std::remove(q.begin(), q.end(), job), q.end());
}

size_t stage_slots::busy(stage_kind stage) const {
  auto& idle = idle_[index(stage)];
  return static_cast<size_t>(std::count(idle.begin(), idle.end(), false));
}

} // namespace vfb
