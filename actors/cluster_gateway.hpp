// The cluster gateway: what a node publishes to its workers instead of its scheduler. It offers
// the scheduler's interface and answers each request by asking the scheduler, and it is the
// one subscriber of the scheduler's job events on behalf of every remote subscriber. It also
// offers the cluster host's interface (actors/cluster_host.hpp), checking first that the
// request's lease still holds (the fencing epoch), and keeps the list of workers from their
// reports.
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
  cluster_host_actor host;                    // none: the node keeps no checkpoints for workers
  std::vector<job_event_sink> subscribers;    // remote ones; dropped when they go down
  bool subscribed = false;                    // to the scheduler's events, once someone wants them
  std::map<std::string, worker_info> workers; // by name, connected or not
  std::map<caf::actor_addr, std::string> worker_links; // each connected worker's link actor
};

/// The gateway's behaviour (spawned non-detached: it only forwards).
/// @param self the actor.
/// @param scheduler the node's scheduler.
/// @param host the node's cluster host (none: checkpoint and stage requests are refused).
cluster_gateway_actor::behavior_type
cluster_gateway(cluster_gateway_actor::stateful_pointer<cluster_gateway_state> self,
                scheduler_actor scheduler, cluster_host_actor host);

} // namespace vfb
