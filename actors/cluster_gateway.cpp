// The cluster gateway (actors/cluster_gateway.hpp): the scheduler's interface by forwarding.
#include "actors/cluster_gateway.hpp"

#include "actors/sinks.hpp"

#include <caf/typed_response_promise.hpp>

namespace vfb {

namespace {

using gateway_ptr = cluster_gateway_actor::stateful_pointer<cluster_gateway_state>;

/// Asks the scheduler and answers the original requester with what it says (or its error).
template <class T, class... Ts> caf::typed_response_promise<T> forward(gateway_ptr self, Ts... xs) {
  auto rp = self->template make_response_promise<T>();
  self->request(self->state.scheduler, caf::infinite, xs...)
      .then([=](T& answer) mutable { rp.deliver(std::move(answer)); },
            [=](caf::error& e) mutable { rp.deliver(std::move(e)); });
  return rp;
}

} // namespace

cluster_gateway_actor::behavior_type
cluster_gateway(cluster_gateway_actor::stateful_pointer<cluster_gateway_state> self,
                scheduler_actor scheduler) {
  self->state.scheduler = std::move(scheduler);
  self->set_down_handler(
      [=](const caf::down_msg& msg) { drop_sink(self->state.subscribers, msg.source); });
  return {
      [=](enqueue_atom a, const ingest_job& job, bool force) {
        return forward<enqueue_result>(self, a, job, force);
      },
      [=](enqueue_atom a, const std::vector<ingest_job>& jobs, bool force) {
        return forward<std::vector<enqueue_result>>(self, a, jobs, force);
      },
      [=](lease_atom a, const std::string& worker, uint32_t n, millis ttl) {
        return forward<std::vector<lease>>(self, a, worker, n, ttl);
      },
      [=](heartbeat_atom a, uint64_t id, uint64_t epoch, millis ttl) {
        return forward<millis>(self, a, id, epoch, ttl);
      },
      [=](complete_atom a, uint64_t id, uint64_t epoch, const job_outcome& outcome) {
        return forward<job_state>(self, a, id, epoch, outcome);
      },
      [=](release_atom a, uint64_t id, uint64_t epoch) {
        return forward<job_state>(self, a, id, epoch);
      },
      [=](caf::get_atom a, uint64_t id) { return forward<job_view>(self, a, id); },
      [=](list_atom a, const job_filter& filter) {
        return forward<std::vector<job_view>>(self, a, filter);
      },
      [=](stats_atom a) { return forward<queue_stats>(self, a); },
      [=](retry_atom a, uint64_t id) { return forward<job_view>(self, a, id); },
      [=](cancel_atom a, uint64_t id) { return forward<job_view>(self, a, id); },
      [=](subscribe_atom, const job_event_sink& sink) {
        self->monitor(sink);
        self->state.subscribers.push_back(sink);
        if (!self->state.subscribed) {
          self->state.subscribed = true;
          self->send(self->state.scheduler, subscribe_atom::value,
                     caf::actor_cast<job_event_sink>(self));
        }
      },
      [=](trip_atom a, const std::string& source, millis retry_after) {
        return forward<millis>(self, a, source, retry_after);
      },
      [=](breaker_atom a, const std::string& source) { return forward<millis>(self, a, source); },
      [=](const job_event& ev) {
        for (const auto& sink : self->state.subscribers)
          self->send(sink, ev);
      },
  };
}

} // namespace vfb
