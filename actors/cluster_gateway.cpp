// The cluster gateway (actors/cluster_gateway.hpp): leases and the cluster host's work by
// forwarding, each request about a job checked against its lease first, and the list of
// workers.
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

/// The name the sender's connection is bound to by its reports (empty: none yet).
std::string bound_name(gateway_ptr self) {
  auto sender = self->current_sender();
  if (!sender)
    return {};
  auto it = self->state.worker_links.find(caf::actor_cast<caf::actor_addr>(sender));
  return it == self->state.worker_links.end() ? std::string{} : it->second;
}

struct to_scheduler {
  gateway_ptr self;
  /// A worker's leases are recorded under the name its connection is bound to (a worker that
  /// has not reported yet: the name it gives), as worker:NAME, which outlives a node restart.
  std::string lease_holder(const std::string& worker) const {
    auto name = bound_name(self);
    return std::string{remote_holder_prefix} + (name.empty() ? worker : name);
  }
  template <class T, class... Ts> caf::typed_response_promise<T> ask(Ts... xs) {
    return forward_to<T>(self, self->state.scheduler, xs...);
  }
  caf::result<millis> heartbeat(heartbeat_atom a, uint64_t id, uint64_t epoch, millis ttl) {
    return ask<millis>(a, id, epoch, ttl);
  }
};

caf::error no_host() {
  return make_error(errc::invalid, "this node keeps no checkpoints for workers");
}

/// The lease holder the current request's sender is: worker:NAME. Call it before making a
/// response promise (which takes the sender out of the current message).
std::string holder_of_sender(gateway_ptr self) {
  return std::string{remote_holder_prefix} + bound_name(self);
}

/// Runs `then(job)` with the job as the queue has it once the scheduler confirms that the job
/// is leased with `epoch` to `holder` (the sender); else answers `rp` with a stale_lease error.
template <class Promise, class Then>
void when_held(gateway_ptr self, const std::string& holder, uint64_t id, uint64_t epoch, Promise rp,
               Then then) {
  self->request(self->state.scheduler, caf::infinite, caf::get_atom::value, id)
      .then(
          [=](const job_view& v) mutable {
            if (v.state == job_state::leased && v.epoch == epoch && v.worker == holder)
              return then(v.job);
            spdlog::info("cluster: job {}: a request of {} for epoch {} is refused (the job is {}, "
                         "epoch {}, held by {})",
                         id, holder, epoch, to_string(v.state), v.epoch,
                         v.worker.empty() ? "nobody" : v.worker);
            rp.deliver(make_error(errc::stale_lease, "job " + std::to_string(id) +
                                                         ": the lease with epoch " +
                                                         std::to_string(epoch) + " is not " +
                                                         holder + "'s (any more)"));
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
                scheduler_actor scheduler, cluster_host_actor stages, cluster_host_actor files) {
  self->state.scheduler = std::move(scheduler);
  self->state.stages = std::move(stages);
  self->state.files = std::move(files);
  self->set_down_handler([=](const caf::down_msg& msg) {
    drop_sink(self->state.subscribers, msg.source);
    worker_gone(self, msg.source);
  });
  return behavior_with<cluster_gateway_actor>(
      lease_request_handlers(to_scheduler{self}),
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
      [=](checkpoint_atom a, uint64_t id, uint64_t epoch,
          const stage_checkpoint& cp) -> caf::result<bool> {
        if (!self->state.files)
          return no_host();
        auto holder = holder_of_sender(self);
        auto rp = self->make_response_promise<bool>();
        when_held(self, holder, id, epoch, rp,
                  [=](const ingest_job& job) { relay(self, rp, self->state.files, a, job, cp); });
        return rp;
      },
      [=](checkpoint_atom a, uint64_t id,
          uint64_t epoch) -> caf::result<std::vector<stage_checkpoint>> {
        if (!self->state.files)
          return no_host();
        auto holder = holder_of_sender(self);
        auto rp = self->make_response_promise<std::vector<stage_checkpoint>>();
        when_held(self, holder, id, epoch, rp,
                  [=](const ingest_job& job) { relay(self, rp, self->state.files, a, job); });
        return rp;
      },
      [=](stage_atom a, const stage_request& req) -> caf::result<stage_result> {
        if (!self->state.stages)
          return no_host();
        auto holder = holder_of_sender(self);
        auto rp = self->make_response_promise<stage_result>();
        when_held(self, holder, req.job.id, req.epoch, rp, [=](const ingest_job& job) {
          auto as_queued = req;
          as_queued.job = job; // tenant, workspace and video as the node has them
          relay(self, rp, self->state.stages, a, as_queued);
        });
        return rp;
      },
      [=](corpus_atom a, uint64_t id, uint64_t epoch,
          const std::vector<std::string>& terms) -> caf::result<corpus_counts> {
        if (!self->state.files)
          return no_host();
        auto holder = holder_of_sender(self);
        auto rp = self->make_response_promise<corpus_counts>();
        when_held(self, holder, id, epoch, rp, [=](const ingest_job& job) {
          relay(self, rp, self->state.files, a, job.key.tenant, job.key.workspace, terms);
        });
        return rp;
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
