// The cluster gateway (actors/cluster_gateway.hpp): the scheduler's and the cluster host's
// interfaces by forwarding, and the list of workers.
#include "actors/cluster_gateway.hpp"

#include "actors/scheduler_forwarding.hpp"
#include "actors/sinks.hpp"
#include "messages/errors.hpp"
#include "storage/job_queue.hpp" // remote_holder_prefix

#include <caf/typed_response_promise.hpp>
#include <spdlog/spdlog.h>

namespace vfb {

namespace {

using gateway_ptr = cluster_gateway_actor::stateful_pointer<cluster_gateway_state>;

/// Asks an actor of the node and answers `rp` with what it says (or its error). Never a
/// delegation: the node's actor would then answer the remote requester itself, and only the
/// gateway may hold other nodes' handles.
template <class T, class Dest, class... Ts>
void relay(gateway_ptr self, caf::typed_response_promise<T> rp, const Dest& dest, Ts... xs) {
  self->request(dest, caf::infinite, xs...)
      .then([=](T& answer) mutable { rp.deliver(std::move(answer)); },
            [=](caf::error& e) mutable { rp.deliver(std::move(e)); });
}

/// Asks an actor of the node and answers the original requester with what it says.
template <class T, class Dest, class... Ts>
caf::typed_response_promise<T> forward_to(gateway_ptr self, const Dest& dest, Ts... xs) {
  auto rp = self->template make_response_promise<T>();
  relay(self, rp, dest, xs...);
  return rp;
}

struct to_scheduler {
  gateway_ptr self;
  /// A worker's leases are recorded as the worker's (they outlive a restart of the node).
  static std::string lease_holder(const std::string& worker) {
    return std::string{remote_holder_prefix} + worker;
  }
  template <class T, class... Ts> caf::typed_response_promise<T> ask(Ts... xs) {
    return forward_to<T>(self, self->state.scheduler, xs...);
  }
};

caf::error no_host() {
  return make_error(errc::invalid, "this node keeps no checkpoints for workers");
}

/// Runs `then` once the scheduler confirms that the job is leased with `epoch`; else answers
/// `rp` with `stale` (a value or a stale_lease error).
template <class Promise, class Stale, class Then>
void when_leased(gateway_ptr self, uint64_t id, uint64_t epoch, Promise rp, Stale stale,
                 Then then) {
  self->request(self->state.scheduler, caf::infinite, caf::get_atom::value, id)
      .then(
          [=](const job_view& v) mutable {
            if (v.state == job_state::leased && v.epoch == epoch)
              return then();
            spdlog::info("cluster: job {}: a worker's result for epoch {} is refused (the job is "
                         "{}, epoch {})",
                         id, epoch, to_string(v.state), v.epoch);
            rp.deliver(stale);
          },
          [=](caf::error& e) mutable { rp.deliver(std::move(e)); });
}

void worker_reported(gateway_ptr self, const worker_report& r) {
  auto& st = self->state;
  auto link = caf::actor_cast<caf::actor>(self->current_sender());
  auto now = now_millis();
  auto& w = st.workers[r.name];
  if (link && st.worker_links.count(link.address()) == 0) {
    // A new connection (first report, or after the worker or the node restarted).
    self->monitor(link);
    st.worker_links[link.address()] = r.name;
    w.connected_since = now;
    spdlog::info("cluster: worker {} joined ({})", r.name, r.address);
  }
  w.last = r;
  w.last_heartbeat = now;
  w.connected = true;
}

void worker_gone(gateway_ptr self, const caf::actor_addr& link) {
  auto& st = self->state;
  auto it = st.worker_links.find(link);
  if (it == st.worker_links.end())
    return;
  auto name = it->second;
  st.worker_links.erase(it);
  for (const auto& [addr, other] : st.worker_links)
    if (other == name)
      return; // it is back on another connection already
  st.workers[name].connected = false;
  spdlog::warn("cluster: worker {} left (its leases expire unless it comes back)", name);
}

} // namespace

cluster_gateway_actor::behavior_type
cluster_gateway(cluster_gateway_actor::stateful_pointer<cluster_gateway_state> self,
                scheduler_actor scheduler, cluster_host_actor host) {
  self->state.scheduler = std::move(scheduler);
  self->state.host = std::move(host);
  self->set_down_handler([=](const caf::down_msg& msg) {
    drop_sink(self->state.subscribers, msg.source);
    worker_gone(self, msg.source);
  });
  return behavior_with<cluster_gateway_actor>(
      scheduler_request_handlers(to_scheduler{self}),
      [=](subscribe_atom, const job_event_sink& sink) {
        self->monitor(sink);
        self->state.subscribers.push_back(sink);
        if (!self->state.subscribed) {
          self->state.subscribed = true;
          self->send(self->state.scheduler, subscribe_atom::value,
                     caf::actor_cast<job_event_sink>(self));
        }
      },
      [=](const job_event& ev) {
        for (const auto& sink : self->state.subscribers)
          self->send(sink, ev);
      },
      [=](checkpoint_atom a, uint64_t epoch, const ingest_job& job,
          const stage_checkpoint& cp) -> caf::result<bool> {
        if (!self->state.host)
          return no_host();
        auto rp = self->make_response_promise<bool>();
        when_leased(self, job.id, epoch, rp, false,
                    [=] { relay(self, rp, self->state.host, a, epoch, job, cp); });
        return rp;
      },
      [=](checkpoint_atom a, const ingest_job& job) -> caf::result<std::vector<stage_checkpoint>> {
        if (!self->state.host)
          return no_host();
        return forward_to<std::vector<stage_checkpoint>>(self, self->state.host, a, job);
      },
      [=](stage_atom a, const stage_request& req) -> caf::result<stage_result> {
        if (!self->state.host)
          return no_host();
        auto rp = self->make_response_promise<stage_result>();
        auto stale = make_error(errc::stale_lease, "job " + std::to_string(req.job.id) +
                                                       ": the lease is gone; the node does not "
                                                       "run its " +
                                                       std::string{to_string(req.stage)} +
                                                       " stage for this worker");
        when_leased(self, req.job.id, req.epoch, rp, stale,
                    [=] { relay(self, rp, self->state.host, a, req); });
        return rp;
      },
      [=](corpus_atom a, const std::string& tenant, const std::string& workspace,
          const std::vector<std::string>& terms) -> caf::result<corpus_counts> {
        if (!self->state.host)
          return no_host();
        return forward_to<corpus_counts>(self, self->state.host, a, tenant, workspace, terms);
      },
      [=](heartbeat_atom, const worker_report& r) { worker_reported(self, r); },
      [=](cluster_atom) {
        std::vector<worker_info> out;
        for (const auto& [name, w] : self->state.workers)
          out.push_back(w);
        return out;
      });
}

} // namespace vfb
