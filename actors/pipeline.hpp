// The pipeline coordinator: leases as many jobs as it has free slots, moves each job through
// the stages (download → transcribe → analyze → memory → post) on stage workers, keeps the
// leases alive while the work runs, and reports each outcome to the scheduler.
//
// The coordinator itself never blocks: stage work runs on detached stage workers, and the
// coordinator only keeps books (stage_slots) and talks to the scheduler.
#pragma once

#include "actors/stage_slots.hpp"
#include "actors/stage_worker.hpp"
#include "messages/actors.hpp"

#include <array>
#include <atomic>
#include <caf/fwd.hpp>
#include <caf/typed_response_promise.hpp>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace vfb {

struct pipeline_options {
  /// Who holds the leases (shown by `queue ls`); unique per node.
  std::string worker_name = "pipeline";
  /// Workers per stage, in stage order.
  std::array<size_t, stage_count> slots{2, 1, 2, 1, 1};
  /// How long a lease lasts without a heartbeat; heartbeats go out every third of it.
  millis lease_ttl = 120'000;
  /// How often the queue is asked for work when the coordinator has free slots but nothing
  /// arrived (delayed jobs fall due, circuit breakers close).
  millis poll_interval = 1000;
  /// Whether it leases jobs at all (false: a pure cluster coordinator, whose workers do the
  /// work; [pipeline] enabled = false).
  bool leases = true;
  /// Set by a drain: the stage functions watch it and stop their tools.
  std::shared_ptr<std::atomic<bool>> cancel = std::make_shared<std::atomic<bool>>(false);
};

/// A job the coordinator holds a lease for.
struct job_in_flight {
  lease held;
  stage_kind stage = stage_kind::download;
  bool running = false; // a worker is on it (else it waits for one)
  bool lost = false;    // the lease is gone: drop whatever the running stage returns
};

struct pipeline_state {
  static inline const char* name = "pipeline";
  pipeline_options options;
  lease_source_actor scheduler;
  std::array<std::vector<stage_worker_actor>, stage_count> workers;
  std::unique_ptr<stage_slots> slots;
  std::map<uint64_t, job_in_flight> jobs;
  /// Jobs the coordinator may hold at once: enough to keep every stage busy plus one waiting
  /// transcription per transcriber, so downloads run ahead of the slowest stage.
  size_t max_in_flight = 0;
  bool lease_pending = false;
  /// A drain is under way: no leases, no new stages; `drained` answers once every held job
  /// is given back.
  bool draining = false;
  std::vector<caf::typed_response_promise<uint64_t>> drained;
  uint64_t finished = 0;
  std::vector<pipeline_event_sink> progress_subscribers;
  std::vector<download_sink> download_subscribers;
};

/// The coordinator's own timers and the scheduler's job events (a newly queued job wakes it up
/// at once instead of at the next poll) on top of its public interface.
using pipeline_impl =
    pipeline_actor::extend<caf::reacts_to<poll_atom>, caf::reacts_to<heartbeat_atom>,
                           caf::reacts_to<job_event>>;

/// The coordinator's behaviour.
/// @param self the actor.
/// @param scheduler where jobs come from and outcomes go.
/// @param make_stage creates the stage function of each worker.
/// @param options slots, lease timing, poll interval.
pipeline_impl::behavior_type pipeline(pipeline_impl::stateful_pointer<pipeline_state> self,
                                      lease_source_actor scheduler,
                                      stage_function_factory make_stage, pipeline_options options);

} // namespace vfb
