#include "actors/stage_worker.hpp"

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <chrono>
#include <spdlog/spdlog.h>

namespace vfb {

stage_result run_stage(const stage_function& work, const stage_request& req,
                       const progress_fn& report) {
  auto started = std::chrono::steady_clock::now();
  stage_result result;
  try {
    result = work(req, report);
  } catch (const std::exception& e) {
    spdlog::warn("job {}: {} stage failed unexpectedly: {}", req.job.id, to_string(req.stage),
                 e.what());
    result.finished = true;
    result.outcome =
        job_outcome::transient(std::string{to_string(req.stage)} + " failed: " + e.what());
  }
  result.stage = req.stage;
  result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::steady_clock::now() - started)
                       .count();
  return result;
}

stage_worker_actor::behavior_type
stage_worker(stage_worker_actor::stateful_pointer<stage_worker_state> self, stage_function work,
             pipeline_actor coordinator) {
  self->state.work = std::move(work);
  self->state.coordinator = std::move(coordinator);
  return {
      [=](stage_atom, const stage_request& req) {
        auto report = [&](double fraction, const std::string& note) {
          caf::anon_send(self->state.coordinator, progress_atom::value, req.job.id, req.stage,
                         fraction, note);
        };
        return run_stage(self->state.work, req, report);
      },
  };
}

} // namespace vfb
