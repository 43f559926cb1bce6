// The cluster host: what a node does for the jobs its workers run, besides scheduling them. It
// keeps their checkpoints in the node's artifact store (so a job resumes on any machine after
// the last stage anyone finished), tells auto-follow about their downloads, and runs the
// stages that write the node's own stores (memory, and the Discord post) with the node's own
// stage functions, exactly as the node's pipeline would.
//
// It is spawned detached (its stages and file writes block) and never holds another node's
// handles: the cluster gateway checks each request's lease (job, epoch and holder), passes the
// job as the node's queue has it (never as the worker tells it), asks the host and answers. A
// node runs two hosts: one for the stages, one for checkpoints and term counts, so that these
// never wait behind a Discord post.
#pragma once

#include "actors/stage_function.hpp"
#include "messages/actors.hpp"
#include "text/topics.hpp"

#include <caf/fwd.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <memory>

namespace vfb {

struct stage_environment;

struct cluster_host_state {
  static inline const char* name = "cluster-host";
  std::shared_ptr<const stage_environment> env; // the node's artifact and memory stores
  stage_function memory;                        // the node's own stage functions
  stage_function post;
  scheduler_actor scheduler; // where a lease is checked again before a stage runs
  download_sink downloads;   // auto-follow (none: nobody listens)
};

/// The host's behaviour.
/// @param self the actor (spawn it detached).
/// @param env the node's stage environment (its artifact and memory stores).
/// @param stages the node's stage factory; its memory and post functions are used.
/// @param scheduler the node's scheduler.
/// @param downloads who hears of every download a worker finished (auto-follow), or none.
cluster_host_actor::behavior_type
cluster_host(cluster_host_actor::stateful_pointer<cluster_host_state> self,
             std::shared_ptr<const stage_environment> env, const stage_function_factory& stages,
             scheduler_actor scheduler, download_sink downloads);

/// A workspace's counts of `terms` as they travel (only the terms it holds).
corpus_counts counts_of(const text::corpus_stats& stats, const std::vector<std::string>& terms);
/// The counts as topic weighting takes them.
text::corpus_stats stats_of(const corpus_counts& counts);

} // namespace vfb
