// A worker's link to its node: the one actor of a worker that holds the node's (remote) gateway
// handle. It offers the gateway's interface to the worker's own actors (the pipeline leases
// through it as through a scheduler; the worker's stages send checkpoints and ask for the
// node's stages through it), and keeps their requests across a lost connection: a request that
// is not answered when the connection goes is sent again on the next one (every request the
// worker makes can be repeated safely: heartbeats and checkpoints are idempotent, a repeated
// completion meets the fencing epoch, the node's stages resume from their checkpoints).
//
// It does not connect by itself: whoever runs the worker connects (with backoff) and hands it
// each new gateway; it tells the watcher when the connection is lost.
#pragma once

#include "messages/actors.hpp"

#include <atomic>
#include <caf/actor.hpp>
#include <caf/error.hpp>
#include <caf/fwd.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <vector>

namespace vfb {

/// Messages between the worker and its node, counted by the link (requests sent again after a
/// reconnection count again): for the worker's log at exit and bench/cluster_bench.
struct link_counters {
  std::atomic<uint64_t> sent{0};
  std::atomic<uint64_t> received{0};
};

struct node_link_options {
  /// Who the worker is, for its reports (in_flight and done are filled in).
  worker_report identity;
  /// How often the worker reports to the node (its heartbeat in `vfb cluster ls`).
  millis report_interval = 5000;
  /// Where the link counts its messages (none: not counted).
  std::shared_ptr<link_counters> counters = std::make_shared<link_counters>();
};

/// A request that waits for the node's answer.
struct waiting_request {
  std::function<void()> send;           // sends it (again) on the current connection
  std::function<void(caf::error)> fail; // answers it with an error
};

struct node_link_state {
  static inline const char* name = "node-link";
  node_link_options options;
  caf::actor watcher;                             // hears disconnect_atom
  cluster_gateway_actor gateway;                  // none while disconnected
  uint64_t connection = 0;                        // connections so far
  uint64_t next_call = 0;                         // ids of requests
  std::map<uint64_t, waiting_request> unanswered; // by id
  std::vector<job_event_sink> subscribers;        // the worker's own
  pipeline_actor pipeline;                        // whose status goes in the reports
  bool closing = false; // the worker stops: without a connection, requests fail at once
};

/// The link's own timer on top of its interface.
using node_link_impl = node_link_actor::extend<caf::reacts_to<tick_atom>>;

/// The link's behaviour (spawn it non-detached: it only forwards).
/// @param self the actor.
/// @param options the worker's identity and report interval.
/// @param watcher receives `disconnect_atom` each time the connection to the node is lost.
node_link_impl::behavior_type node_link(node_link_impl::stateful_pointer<node_link_state> self,
                                        node_link_options options, caf::actor watcher);

} // namespace vfb
