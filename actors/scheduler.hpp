// The scheduler: owns the persistent job queue and serialises every write to it.
//
// Group commit: a request is not executed when it arrives. It joins the pending batch, and the
// first request of a batch posts a `flush` to the scheduler's own mailbox, behind everything
// that has already arrived. The flush runs the whole batch in one LMDB transaction and answers
// each requester only after the commit is durable. While one commit is being fsynced, the next
// batch gathers in the mailbox, so the batch size follows the load.
//
// The scheduler must be spawned detached (see spawn_scheduler): its LMDB writes and fsyncs
// block, and must never block CAF's shared worker threads.
#pragma once

#include "messages/actors.hpp"
#include "storage/job_queue.hpp"

#include <caf/fwd.hpp>
#include <deque>
#include <memory>
#include <vector>

namespace vfb {

struct scheduler_options {
  /// How often expired leases are looked for.
  millis rescue_interval = 5000;
  /// How often the queue's log is fsynced (periodic mode) and a checkpoint is considered.
  millis sync_interval = 1000;
  /// With `storage.sync = always`: fsync a batch's log on a helper thread while the next batch
  /// is already being applied. Off: fsync inline (deterministic tests need that).
  bool sync_in_background = true;
};

/// Makes the queue's logged batches durable (an fsync) on its own thread. While batches keep
/// being logged it fsyncs again at once, and reports each round as `(sync_atom, seq)` to the
/// requester; it replies with the sequence number of the last batch it covered when it has
/// caught up.
using log_syncer_actor = caf::typed_actor<caf::replies_to<sync_atom>::with<uint64_t>>;

/// A request waiting for the next commit. One allocation per request holds the operation, its
/// result and the response promise (the scheduler's thread is the bottleneck of group commit, so
/// per-request overhead counts; see docs/PERFORMANCE.md).
struct pending_request {
  virtual ~pending_request() = default;
  /// Runs the operation in the batch; may run more than once (map growth).
  virtual void apply(job_queue::batch& b) = 0;
  /// Answers with the result, after the commit is durable.
  virtual void deliver() = 0;
  /// The commit failed.
  virtual void fail(const caf::error& e) = 0;
};

struct scheduler_state {
  static inline const char* name = "scheduler";
  scheduler_state() = default;
  scheduler_state(const scheduler_state&) = delete;
  scheduler_state& operator=(const scheduler_state&) = delete;
  /// Fails what is pending and checkpoints the queue, in the scheduler's thread.
  ~scheduler_state();
  /// The queue; shared only so the spawner can open it (and see open errors) before spawning.
  std::shared_ptr<job_queue> queue;
  scheduler_options options;
  /// Requests of the batch being gathered.
  std::vector<std::unique_ptr<pending_request>> pending;
  /// Whether a flush message is already in the mailbox.
  bool flush_posted = false;
  std::vector<job_event_sink> subscribers;
  /// Batches committed and logged, waiting to become durable before their replies go out.
  struct awaiting_batch {
    uint64_t seq;
    std::vector<std::unique_ptr<pending_request>> requests;
    std::vector<job_event> events;
  };
  std::deque<awaiting_batch> awaiting;
  log_syncer_actor syncer;
  bool sync_in_flight = false;
  /// Commits so far and requests they carried (the batch size is their ratio).
  uint64_t commits = 0;
  uint64_t committed_requests = 0;
};

/// The scheduler's own messages (timers, the flush, and its commit counters for tests and
/// benchmarks) on top of its public interface.
using scheduler_impl =
    scheduler_actor::extend<caf::reacts_to<flush_atom>, caf::reacts_to<rescue_atom>,
                            caf::reacts_to<sync_atom>,
                            // The log syncer made the batches up to this one durable.
                            caf::reacts_to<sync_atom, uint64_t>,
                            // Replies with (commits, requests those commits carried).
                            caf::replies_to<status_atom>::with<uint64_t, uint64_t>>;

/// The scheduler's behaviour.
/// @param self the actor; its state holds the queue.
/// @param queue an open queue (the scheduler becomes its only writer).
/// @param options timer periods.
scheduler_impl::behavior_type scheduler(scheduler_impl::stateful_pointer<scheduler_state> self,
                                        std::shared_ptr<job_queue> queue,
                                        scheduler_options options);

/// Spawns a detached scheduler over `queue`.
scheduler_impl spawn_scheduler(caf::actor_system& sys, std::shared_ptr<job_queue> queue,
                               scheduler_options options = {});

} // namespace vfb
