// Every typed actor interface of vfb, in one place (as in Tenzir's VAST). Each handler has a
// one-line comment saying what it does. Only actors and apps include this header.
#pragma once

#include "messages/job.hpp"

#include <caf/atom.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace vfb {

// -- atoms (at most 10 characters) -------------------------------------------------------------

using enqueue_atom = caf::atom_constant<caf::atom("enqueue")>;
using lease_atom = caf::atom_constant<caf::atom("lease")>;
using heartbeat_atom = caf::atom_constant<caf::atom("heartbeat")>;
using complete_atom = caf::atom_constant<caf::atom("complete")>;
using list_atom = caf::atom_constant<caf::atom("list")>;
using stats_atom = caf::atom_constant<caf::atom("stats")>;
using retry_atom = caf::atom_constant<caf::atom("retry")>;
using cancel_atom = caf::atom_constant<caf::atom("cancel")>;
using subscribe_atom = caf::atom_constant<caf::atom("subscribe")>;
using flush_atom = caf::atom_constant<caf::atom("flush")>;
using rescue_atom = caf::atom_constant<caf::atom("rescue")>;
using sync_atom = caf::atom_constant<caf::atom("sync")>;
using status_atom = caf::atom_constant<caf::atom("status")>;

// -- shared protocols ------------------------------------------------------------------------

/// Receives job events (state changes), each sent after the change is durable.
using job_event_sink = caf::typed_actor<caf::reacts_to<job_event>>;

// -- scheduler ---------------------------------------------------------------------------------

/// Owns the persistent job queue. Requests that arrive together share one transaction (group
/// commit); every reply is sent only after that transaction is durable.
using scheduler_actor = caf::typed_actor<
  // Enqueues a job (force: re-run a done job); replies with its id and whether it is new.
  caf::replies_to<enqueue_atom, ingest_job, bool>::with<enqueue_result>,
  // Enqueues many jobs in one transaction; one result per job, in order.
  caf::replies_to<enqueue_atom, std::vector<ingest_job>, bool>::with<std::vector<enqueue_result>>,
  // Leases up to n jobs for a worker for ttl milliseconds, in priority and fairness order.
  caf::replies_to<lease_atom, std::string, uint32_t, millis>::with<std::vector<lease>>,
  // Extends a lease by ttl milliseconds; replies with the new deadline (stale epoch: error).
  caf::replies_to<heartbeat_atom, uint64_t, uint64_t, millis>::with<millis>,
  // Ends a leased job (id, epoch) with an outcome; replies with the job's new state.
  caf::replies_to<complete_atom, uint64_t, uint64_t, job_outcome>::with<job_state>,
  // Looks up one job.
  caf::replies_to<caf::get_atom, uint64_t>::with<job_view>,
  // Lists jobs matching a filter, oldest first.
  caf::replies_to<list_atom, job_filter>::with<std::vector<job_view>>,
  // Counts jobs per state and per tenant/workspace.
  caf::replies_to<stats_atom>::with<queue_stats>,
  // Puts a failed or dead job back into the queue.
  caf::replies_to<retry_atom, uint64_t>::with<job_view>,
  // Cancels a queued or retrying job.
  caf::replies_to<cancel_atom, uint64_t>::with<job_view>,
  // Sends every later job event to the sink (until the sink terminates).
  caf::reacts_to<subscribe_atom, job_event_sink>>;

} // namespace vfb
