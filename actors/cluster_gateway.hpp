// The cluster gateway: what a node publishes to its workers instead of its scheduler. It offers
// a worker what a pipeline needs of a scheduler (lease, heartbeat, complete, release, job
// events; nothing else of the scheduler: no enqueue, no listing, no other tenant's jobs) and
// answers by asking the scheduler; it is the one subscriber of the scheduler's job events on
// behalf of every remote subscriber. A worker's requests about a job (checkpoints, the memory
// and post stages, term counts) go to the cluster host (actors/cluster_host.hpp) only once the
// scheduler confirms that the job is leased, with that epoch, to the worker whose connection
// asks (bound to its name by its reports), and with the job as the queue has it. It keeps the
// list of workers from their reports.
//
// Why not publish the scheduler itself: the scheduler is detached (its LMDB writes fsync), and
// in CAF 0.17 a detached actor that holds a handle of another node's actor (a remote event
// subscriber) could keep its own last reference alive after it exited, so the actor system's
// destructor waited forever (reproduced 4-5 times in 60 runs; never with a non-detached
// actor). The gateway runs on CAF's shared scheduler and is the only actor that holds remote
// handles; the scheduler only ever sees the gateway.
#pragma once

#include "messages/actors.hpp"

#include <caf/fwd.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <map>
#include <string>
#include <vector>

namespace vfb {

struct cluster_gateway_state {
  static inline const char* name = "cluster-gateway";
  scheduler_actor scheduler;
  cluster_host_actor stages;                  // runs memory and post (none: refused)
  cluster_host_actor files;                   // checkpoints, term counts (none: refused)
  std::vector<job_event_sink> subscribers;    // remote ones; dropped when they go down
  bool subscribed = false;                    // to the scheduler's events, once someone wants them
  std::map<std::string, worker_info> workers; // by name, connected or not
  std::map<caf::actor_addr, std::string> worker_links; // each connected worker's link actor
};

/// The gateway's behaviour (spawned non-detached: it only forwards).
/// @param self the actor.
/// @param scheduler the node's scheduler.
/// @param stages the cluster host that runs the memory and post stages.
/// @param files the cluster host that keeps checkpoints and counts terms (none, as for
///        `stages`: such requests are refused).
cluster_gateway_actor::behavior_type
cluster_gateway(cluster_gateway_actor::stateful_pointer<cluster_gateway_state> self,
                scheduler_actor scheduler, cluster_host_actor stages, cluster_host_actor files);

} // namespace vfb
