// Every typed actor interface of vfb, in one place (as in Tenzir's VAST). Each handler has a
// one-line comment saying what it does. Only actors, frontends and apps include this header.
#pragma once

#include "messages/cluster.hpp"
#include "messages/follow.hpp"
#include "messages/job.hpp"
#include "messages/pipeline.hpp"

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
using submit_atom = caf::atom_constant<caf::atom("submit")>;
using stage_atom = caf::atom_constant<caf::atom("stage")>;
using progress_atom = caf::atom_constant<caf::atom("progress")>;
using poll_atom = caf::atom_constant<caf::atom("poll")>;
using enumerate_atom = caf::atom_constant<caf::atom("enumerate")>;
using refresh_atom = caf::atom_constant<caf::atom("refresh")>;
using tick_atom = caf::atom_constant<caf::atom("tick")>;
using update_tools_atom = caf::atom_constant<caf::atom("updtools")>;
using trip_atom = caf::atom_constant<caf::atom("trip")>;
using breaker_atom = caf::atom_constant<caf::atom("breaker")>;
using release_atom = caf::atom_constant<caf::atom("release")>;
using drain_atom = caf::atom_constant<caf::atom("drain")>;
using checkpoint_atom = caf::atom_constant<caf::atom("checkpoint")>;
using cluster_atom = caf::atom_constant<caf::atom("cluster")>;
using connect_atom = caf::atom_constant<caf::atom("connect")>;
using disconnect_atom = caf::atom_constant<caf::atom("disconnect")>;
using report_atom = caf::atom_constant<caf::atom("report")>;
using corpus_atom = caf::atom_constant<caf::atom("corpus")>;

// -- shared protocols ------------------------------------------------------------------------

/// Receives job events (state changes), each sent after the change is durable.
using job_event_sink = caf::typed_actor<caf::reacts_to<job_event>>;

/// Receives the pipeline's progress reports (stage started, progress, finished; job ended).
using pipeline_event_sink = caf::typed_actor<caf::reacts_to<pipeline_event>>;

/// Receives every successful download (auto-follow listens here).
using download_sink = caf::typed_actor<caf::reacts_to<download_completed>>;

/// Receives what auto-follow did after each download (`vfb run` waits for the jobs it enqueued).
using follow_result_sink = caf::typed_actor<caf::reacts_to<follow_result>>;

// -- scheduler ---------------------------------------------------------------------------------

/// What a pipeline needs of a scheduler: leases, their ends, and job events. The scheduler
/// offers it among the rest; the cluster gateway offers a node's workers nothing more.
using lease_source_actor = caf::typed_actor<
    // Leases up to n jobs for a worker for ttl milliseconds, in priority and fairness order.
    caf::replies_to<lease_atom, std::string, uint32_t, millis>::with<std::vector<lease>>,
    // Extends a lease by ttl milliseconds; replies with the new deadline (stale epoch: error).
    caf::replies_to<heartbeat_atom, uint64_t, uint64_t, millis>::with<millis>,
    // Ends a leased job (id, epoch) with an outcome; replies with the job's new state.
    caf::replies_to<complete_atom, uint64_t, uint64_t, job_outcome>::with<job_state>,
    // Gives a leased job (id, epoch) back to the queue without counting an attempt.
    caf::replies_to<release_atom, uint64_t, uint64_t>::with<job_state>,
    // Sends every later job event to the sink (until the sink terminates).
    caf::reacts_to<subscribe_atom, job_event_sink>>;

/// Owns the persistent job queue. Requests that arrive together share one transaction (group
/// commit); every reply is sent only after that transaction is durable.
using scheduler_actor = lease_source_actor::extend<
    // Enqueues a job (force: re-run a done job); replies with its id and whether it is new.
    caf::replies_to<enqueue_atom, ingest_job, bool>::with<enqueue_result>,
    // Enqueues many jobs in one transaction; one result per job, in order.
    caf::replies_to<enqueue_atom, std::vector<ingest_job>, bool>::with<std::vector<enqueue_result>>,
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
    // Opens a source's circuit breaker for retry_after ms (a throttled channel listing);
    // replies with when it closes.
    caf::replies_to<trip_atom, std::string, millis>::with<millis>,
    // Replies with when a source's circuit breaker closes (0 or past: it is closed).
    caf::replies_to<breaker_atom, std::string>::with<millis>>;

// -- submission --------------------------------------------------------------------------------

/// The one entry point for new work from any front end.
using submission_actor = caf::typed_actor<
    // Validates and canonicalises the URL and enqueues it at interactive priority; replies with
    // the job id and whether it is new (a rejected URL: an `invalid` error saying why).
    caf::replies_to<submit_atom, submission>::with<enqueue_result>>;

// -- pipeline ------------------------------------------------------------------------------------

/// Runs one stage for one job at a time. Its work blocks (processes, speech recognition), so
/// every stage worker is spawned detached, on a thread of its own.
using stage_worker_actor = caf::typed_actor<
    // Runs a stage of a job; replies when the stage is over (failures are results, not errors).
    caf::replies_to<stage_atom, stage_request>::with<stage_result>>;

/// Leases jobs while it has free slots, moves each through the stages, keeps its lease alive
/// and reports the outcome to the scheduler.
using pipeline_actor = caf::typed_actor<
    // A stage worker reports how far it is with a job (job id, stage, fraction, note).
    caf::reacts_to<progress_atom, uint64_t, stage_kind, double, std::string>,
    // Sends every later pipeline event to the sink (until the sink terminates).
    caf::reacts_to<subscribe_atom, pipeline_event_sink>,
    // Sends every later successful download to the sink (until the sink terminates).
    caf::reacts_to<subscribe_atom, download_sink>,
    // Replies with (jobs in flight, jobs finished since start).
    caf::replies_to<status_atom>::with<uint64_t, uint64_t>,
    // Stops leasing, cancels the running stages, and gives every held job back to the queue;
    // replies with how many jobs it gave back once that is recorded.
    caf::replies_to<drain_atom>::with<uint64_t>>;

// -- following ---------------------------------------------------------------------------------

/// Lists a channel or feed with yt-dlp and enqueues its entries as jobs (one enqueue_bulk). Its
/// work blocks (yt-dlp), so it is spawned detached.
using channel_enumerator_actor = caf::typed_actor<
    // Lists the plan's URLs and enqueues what is in its window; replies with what it did (a
    // failed listing is a result with ok = false, not an error).
    caf::replies_to<enumerate_atom, backfill_plan>::with<enumeration_result>>;

/// Follows the uploader of every downloaded video when the workspace's switch is on.
using auto_follow_actor = caf::typed_actor<
    // A download finished: resolve the channel, record the follow, start its backfill.
    caf::reacts_to<download_completed>,
    // Sends every later follow result to the sink (until the sink terminates).
    caf::reacts_to<subscribe_atom, follow_result_sink>>;

/// Re-lists every follow on its period and enqueues new uploads at refresh priority.
using follow_refresher_actor = caf::typed_actor<
    // Lists the due follows now (the timer's tick).
    caf::reacts_to<tick_atom>,
    // Lists one follow now, whether due or not; replies with what the listing did.
    caf::replies_to<refresh_atom, uint64_t>::with<enumeration_result>>;

/// Keeps the managed yt-dlp current (actors/tool_updater.hpp).
using tool_updater_actor = caf::typed_actor<
    // Updates yt-dlp now, then waits for the next period.
    caf::reacts_to<tick_atom>,
    // Updates yt-dlp now; answers what happened, in one line.
    caf::replies_to<update_tools_atom>::with<std::string>>;

// -- cluster ---------------------------------------------------------------------------------

/// What a node does for its workers' jobs besides scheduling (actors/cluster_host.hpp), for the
/// cluster gateway, which has checked the worker's lease and passes the job as the node's queue
/// has it: keeps their checkpoints and runs the stages that write the node's own stores.
using cluster_host_actor = caf::typed_actor<
    // Stores a finished stage's checkpoint of the job; replies true once stored.
    caf::replies_to<checkpoint_atom, ingest_job, stage_checkpoint>::with<bool>,
    // Replies with every checkpoint the node holds for the job, in stage order.
    caf::replies_to<checkpoint_atom, ingest_job>::with<std::vector<stage_checkpoint>>,
    // Runs a node-side stage (memory, post) once the lease (job, epoch) is checked again.
    caf::replies_to<stage_atom, stage_request>::with<stage_result>,
    // Counts the terms in a workspace's memory (tenant, workspace, terms), for topic weighting.
    caf::replies_to<corpus_atom, std::string, std::string,
                    std::vector<std::string>>::with<corpus_counts>>;

/// What a worker asks of its node about a job it leases (job id and the lease's epoch first;
/// a lease that is not the sender's current one is refused: stale_lease).
using cluster_work_actor = caf::typed_actor<
    // Stores a finished stage's checkpoint; replies true.
    caf::replies_to<checkpoint_atom, uint64_t, uint64_t, stage_checkpoint>::with<bool>,
    // Replies with every checkpoint the node holds for the job, in stage order.
    caf::replies_to<checkpoint_atom, uint64_t, uint64_t>::with<std::vector<stage_checkpoint>>,
    // Runs a node-side stage (memory, post) of the job (the request names job and epoch).
    caf::replies_to<stage_atom, stage_request>::with<stage_result>,
    // Counts terms in the job's workspace's memory, for topic weighting.
    caf::replies_to<corpus_atom, uint64_t, uint64_t,
                    std::vector<std::string>>::with<corpus_counts>>;

/// The node's face to the cluster (actors/cluster_gateway.hpp): leases and what a worker asks
/// about its jobs, answered by forwarding to the scheduler and the cluster host, so that only
/// this (non-detached) actor ever holds handles of other nodes' actors. A worker's node link
/// (actors/node_link.hpp) offers the same interface to the worker's own actors.
using cluster_gateway_actor = lease_source_actor::extend_with<cluster_work_actor>::extend<
    // A job event from the node's scheduler, passed on to every (remote) subscriber.
    caf::reacts_to<job_event>,
    // A worker's report: it joined, or it is still there (its heartbeat). Binds the sender's
    // connection to the worker's name: its leases are recorded as worker:NAME.
    caf::reacts_to<heartbeat_atom, worker_report>,
    // Replies with every worker the node has heard from, connected or not.
    caf::replies_to<cluster_atom>::with<std::vector<worker_info>>>;

/// A worker's link to its node (actors/node_link.hpp): the gateway's interface to the worker's
/// actors, kept across reconnections (requests wait while the node is out of reach).
using node_link_actor = cluster_gateway_actor::extend<
    // A (new) connection to the node's gateway: pending requests go out on it.
    caf::reacts_to<connect_atom, cluster_gateway_actor>,
    // Reports this pipeline's jobs in flight and done to the node, on every heartbeat.
    caf::reacts_to<report_atom, pipeline_actor>,
    // Gives up waiting for a connection (the worker stops): every waiting request fails.
    caf::reacts_to<disconnect_atom>>;

/// Posts the follows' digests of backfill and refresh results (actors/digest_poster.hpp).
using digest_poster_actor = caf::typed_actor<
    // Posts the digests that are due, then waits for the next tick.
    caf::reacts_to<tick_atom>>;

} // namespace vfb
