// A worker's link to its node (actors/node_link.hpp).
#include "actors/node_link.hpp"

#include "actors/scheduler_forwarding.hpp"
#include "actors/sinks.hpp"
#include "messages/errors.hpp"

#include <caf/sec.hpp>
#include <caf/typed_response_promise.hpp>
#include <spdlog/spdlog.h>

namespace vfb {

namespace {

using link_ptr = node_link_impl::stateful_pointer<node_link_state>;

/// Errors that mean the connection went, not that the node said no: the request waits for the
/// next connection.
bool connection_lost(const caf::error& e) {
  return e == caf::sec::request_receiver_down || e == caf::sec::remote_linking_failed;
}

/// Asks the node's gateway (now, or once connected) and answers with what it says.
struct to_gateway {
  link_ptr self;
  /// The gateway marks the name as a worker's.
  static std::string lease_holder(const std::string& worker) { return worker; }
  /// While there is no connection a heartbeat cannot reach the node: it is answered here (as
  /// extended) rather than piled up; the first one after the reconnection finds out whether
  /// the lease is still ours.
  caf::result<millis> heartbeat(heartbeat_atom a, uint64_t id, uint64_t epoch, millis ttl) {
    if (!self->state.gateway)
      return now_millis() + ttl;
    return ask<millis>(a, id, epoch, ttl);
  }
  template <class T, class... Ts> caf::typed_response_promise<T> ask(Ts... xs) {
    auto rp = self->template make_response_promise<T>();
    auto id = ++self->state.next_call;
    auto s = self;
    auto send = [s, id, rp, xs...]() mutable {
      auto connection = s->state.connection;
      ++s->state.options.counters->sent;
      s->request(s->state.gateway, caf::infinite, xs...)
          .then(
              [=](T& answer) mutable {
                ++s->state.options.counters->received;
                if (s->state.unanswered.erase(id) > 0)
                  rp.deliver(std::move(answer));
              },
              [=](caf::error& e) mutable {
                if (connection != s->state.connection || connection_lost(e))
                  return; // sent again on the next connection
                if (s->state.unanswered.erase(id) > 0)
                  rp.deliver(std::move(e));
              });
    };
    auto fail = [rp](caf::error e) mutable { rp.deliver(std::move(e)); };
    if (!self->state.gateway && self->state.closing) {
      fail(make_error(errc::invalid, "not connected to the node"));
      return rp;
    }
    self->state.unanswered.emplace(id, waiting_request{send, fail});
    if (self->state.gateway)
      send();
    return rp;
  }
};

/// Sends a message to the node that wants no answer (counted).
template <class... Ts> void tell_node(link_ptr self, Ts&&... xs) {
  if (!self->state.gateway)
    return;
  ++self->state.options.counters->sent;
  self->send(self->state.gateway, std::forward<Ts>(xs)...);
}

void subscribe_remote(link_ptr self) {
  if (!self->state.subscribers.empty())
    tell_node(self, subscribe_atom::value, caf::actor_cast<job_event_sink>(self));
}

/// Sends the worker's report (its identity, and its jobs as of the previous report), then asks
/// the pipeline for fresh counts for the next one.
void report(link_ptr self) {
  auto& st = self->state;
  if (!st.gateway)
    return;
  tell_node(self, heartbeat_atom::value, st.options.identity);
  if (!st.pipeline)
    return;
  self->request(st.pipeline, caf::infinite, status_atom::value)
      .then([=](uint64_t in_flight, uint64_t done) {
        self->state.options.identity.in_flight = in_flight;
        self->state.options.identity.done = done;
      });
}

} // namespace

node_link_impl::behavior_type node_link(link_ptr self, node_link_options options,
                                        caf::actor watcher) {
  self->state.options = std::move(options);
  self->state.watcher = std::move(watcher);
  self->set_down_handler([=](const caf::down_msg& msg) {
    auto& st = self->state;
    if (st.gateway && msg.source == st.gateway.address()) {
      st.gateway = nullptr;
      ++st.connection; // answers to the old connection's requests are ignored from now on
      spdlog::warn("worker: lost the connection to the node ({}); {} requests wait for the next",
                   caf::to_string(msg.reason), st.unanswered.size());
      caf::anon_send(st.watcher, disconnect_atom::value);
      return;
    }
    drop_sink(st.subscribers, msg.source);
  });
  self->send(self, tick_atom::value);
  return behavior_with<node_link_impl>(
      lease_request_handlers(to_gateway{self}),
      [=](subscribe_atom, const job_event_sink& sink) {
        self->monitor(sink);
        self->state.subscribers.push_back(sink);
        if (self->state.subscribers.size() == 1)
          subscribe_remote(self);
      },
      [=](const job_event& ev) {
        ++self->state.options.counters->received;
        for (const auto& sink : self->state.subscribers)
          self->send(sink, ev);
      },
      [=](checkpoint_atom a, uint64_t id, uint64_t epoch, const stage_checkpoint& cp) {
        return to_gateway{self}.ask<bool>(a, id, epoch, cp);
      },
      [=](checkpoint_atom a, uint64_t id, uint64_t epoch) {
        return to_gateway{self}.ask<std::vector<stage_checkpoint>>(a, id, epoch);
      },
      [=](stage_atom a, const stage_request& req) {
        return to_gateway{self}.ask<stage_result>(a, req);
      },
      [=](heartbeat_atom a, const worker_report& r) { tell_node(self, a, r); },
      [=](cluster_atom a) { return to_gateway{self}.ask<std::vector<worker_info>>(a); },
      [=](corpus_atom a, uint64_t id, uint64_t epoch, const std::vector<std::string>& terms) {
        return to_gateway{self}.ask<corpus_counts>(a, id, epoch, terms);
      },
      [=](connect_atom, const cluster_gateway_actor& gateway) {
        auto& st = self->state;
        st.gateway = gateway;
        ++st.connection;
        self->monitor(gateway);
        st.closing = false;
        spdlog::info("worker: connected to the node; {} waiting requests go out",
                     st.unanswered.size());
        // The report first: it binds this connection to the worker's name, which the node
        // checks every later request against.
        report(self);
        subscribe_remote(self);
        // Copies: a request answered meanwhile must not be sent again.
        auto waiting = st.unanswered;
        for (auto& [id, request] : waiting)
          request.send();
      },
      [=](report_atom, const pipeline_actor& pipeline) { self->state.pipeline = pipeline; },
      [=](disconnect_atom) {
        auto& st = self->state;
        if (st.gateway)
          return; // connected: the requests are answered as usual
        spdlog::info("worker: giving up {} requests that wait for the node", st.unanswered.size());
        st.closing = true; // and the ones that come now fail at once
        auto waiting = std::move(st.unanswered);
        st.unanswered.clear();
        for (auto& [id, request] : waiting)
          request.fail(make_error(errc::invalid, "not connected to the node"));
      },
      [=](tick_atom) {
        report(self);
        self->delayed_send(self, std::chrono::milliseconds{self->state.options.report_interval},
                           tick_atom::value);
      });
}

} // namespace vfb
