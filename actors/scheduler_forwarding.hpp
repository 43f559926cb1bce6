// The scheduler's request handlers for an actor that answers them by asking another (the
// node's cluster gateway asks the scheduler; a worker's node link asks the gateway over the
// network). `Forward` is an object with `template <class T, class... Ts> caf::result<T>
// ask(Ts...)` (usually a response promise) and `std::string lease_holder(const std::string&)`
// (the name a lease is recorded under); only the subscription differs per actor.
#pragma once

#include "messages/actors.hpp"

#include <tuple>

namespace vfb {

/// The handlers of every scheduler request (not `subscribe`), in the interface's order.
template <class Forward> auto scheduler_request_handlers(Forward f) {
  return std::make_tuple(
      [=](enqueue_atom a, const ingest_job& job, bool force) mutable {
        return f.template ask<enqueue_result>(a, job, force);
      },
      [=](enqueue_atom a, const std::vector<ingest_job>& jobs, bool force) mutable {
        return f.template ask<std::vector<enqueue_result>>(a, jobs, force);
      },
      [=](lease_atom a, const std::string& worker, uint32_t n, millis ttl) mutable {
        return f.template ask<std::vector<lease>>(a, f.lease_holder(worker), n, ttl);
      },
      [=](heartbeat_atom a, uint64_t id, uint64_t epoch, millis ttl) mutable {
        return f.template ask<millis>(a, id, epoch, ttl);
      },
      [=](complete_atom a, uint64_t id, uint64_t epoch, const job_outcome& outcome) mutable {
        return f.template ask<job_state>(a, id, epoch, outcome);
      },
      [=](release_atom a, uint64_t id, uint64_t epoch) mutable {
        return f.template ask<job_state>(a, id, epoch);
      },
      [=](caf::get_atom a, uint64_t id) mutable { return f.template ask<job_view>(a, id); },
      [=](list_atom a, const job_filter& filter) mutable {
        return f.template ask<std::vector<job_view>>(a, filter);
      },
      [=](stats_atom a) mutable { return f.template ask<queue_stats>(a); },
      [=](retry_atom a, uint64_t id) mutable { return f.template ask<job_view>(a, id); },
      [=](cancel_atom a, uint64_t id) mutable { return f.template ask<job_view>(a, id); },
      [=](trip_atom a, const std::string& source, millis retry_after) mutable {
        return f.template ask<millis>(a, source, retry_after);
      },
      [=](breaker_atom a, const std::string& source) mutable {
        return f.template ask<millis>(a, source);
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
