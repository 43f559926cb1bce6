// A lease source's request handlers (messages/actors.hpp) for an actor that answers them by
// asking another (the node's cluster gateway asks the scheduler; a worker's node link asks the
// gateway over the network). `Forward` is an object with `template <class T, class... Ts>
// caf::result<T> ask(Ts...)` (usually a response promise), `std::string lease_holder(const
// std::string&)` (the name a lease is recorded under) and `caf::result<millis>
// heartbeat(heartbeat_atom, uint64_t, uint64_t, millis)` (how a heartbeat goes on); only the
// subscription differs per actor.
#pragma once

#include "messages/actors.hpp"

#include <tuple>

namespace vfb {

/// The handlers of a lease source's requests (not `subscribe`), in the interface's order.
template <class Forward> auto lease_request_handlers(Forward f) {
  return std::make_tuple(
      [=](lease_atom a, const std::string& worker, uint32_t n, millis ttl) mutable {
        return f.template ask<std::vector<lease>>(a, f.lease_holder(worker), n, ttl);
      },
      [=](heartbeat_atom a, uint64_t id, uint64_t epoch, millis ttl) mutable {
        return f.heartbeat(a, id, epoch, ttl);
      },
      [=](complete_atom a, uint64_t id, uint64_t epoch, const job_outcome& outcome) mutable {
        return f.template ask<job_state>(a, id, epoch, outcome);
      },
      [=](release_atom a, uint64_t id, uint64_t epoch) mutable {
        return f.template ask<job_state>(a, id, epoch);
      });
}

/// A behavior of `Handle` made of `handlers` (a tuple, as above) and `more`.
template <class Handle, class Tuple, class... More>
typename Handle::behavior_type behavior_with(Tuple handlers, More... more) {
  return std::apply(
      [&](auto... hs) {
        return typename Handle::behavior_type{std::move(hs)..., more...};
      },
      std::move(handlers));
}

} // namespace vfb
