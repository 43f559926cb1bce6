#include "actors/scheduler.hpp"

#include "actors/sinks.hpp"
#include "messages/errors.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <chrono>
#include <deque>
#include <spdlog/spdlog.h>

namespace vfb {

scheduler_state::~scheduler_state() {
  // Runs in the scheduler's own thread as it exits (CAF destroys the state in on_exit).
  // Whatever is still pending was never committed: tell the requesters.
  auto err = make_error(errc::storage_failure, "scheduler stopped before the commit");
  for (auto& req : pending)
    req->fail(err);
  // The queue's open transaction belongs to this thread: commit it here. That also makes the
  // batches still waiting for the log syncer durable.
  if (!queue)
    return;
  try {
    queue->checkpoint();
    for (auto& b : awaiting)
      for (auto& req : b.requests)
        req->deliver();
  } catch (const std::exception& e) {
    spdlog::error("scheduler: final checkpoint failed (the log keeps everything): {}", e.what());
    for (auto& b : awaiting)
      for (auto& req : b.requests)
        req->fail(make_error(errc::storage_failure, e.what()));
  }
}

namespace {

using self_ptr = scheduler_impl::stateful_pointer<scheduler_state>;

errc to_errc(queue_errc c) {
  switch (c) {
  case queue_errc::not_found:
    return errc::not_found;
  case queue_errc::stale_lease:
    return errc::stale_lease;
  default:
    return errc::wrong_state;
  }
}

// Turns what a batch operation returned into the reply.
template <class T> void deliver(caf::typed_response_promise<T>& rp, T& x) {
  rp.deliver(std::move(x));
}

template <class T> void deliver(caf::typed_response_promise<T>& rp, op_result<T>& x) {
  if (x.ok())
    rp.deliver(std::move(x.value));
  else
    rp.deliver(make_error(to_errc(x.code), x.message));
}

/// Makes sure a flush of the pending batch is on its way (one per batch).
void post_flush(self_ptr self) {
  if (!self->state.flush_posted) {
    self->state.flush_posted = true;
    self->send(caf::actor_cast<scheduler_impl>(self), flush_atom::value);
  }
}

/// A request of type `Op` (a callable on the batch) answered with a `T`.
template <class T, class Op> struct deferred final : pending_request {
  using result_type = std::invoke_result_t<Op&, job_queue::batch&>;
  deferred(caf::typed_response_promise<T> rp, Op op) : rp(std::move(rp)), op(std::move(op)) {}
  void apply(job_queue::batch& b) override { result = op(b); }
  void deliver() override { vfb::deliver(rp, result); }
  void fail(const caf::error& e) override { rp.deliver(e); }
  caf::typed_response_promise<T> rp;
  Op op;
  result_type result{};
};

/// The rescue timer's work: part of a batch like a request, but nobody awaits an answer.
struct rescue_request final : pending_request {
  void apply(job_queue::batch& b) override { b.rescue_expired(); }
  void deliver() override {}
  void fail(const caf::error& e) override {
    spdlog::error("scheduler: rescuing expired leases failed: {}", error_message(e));
  }
};

/// Adds `op` to the pending batch; the reply goes out after the batch commits.
template <class T, class Op> caf::typed_response_promise<T> defer(self_ptr self, Op op) {
  auto rp = self->template make_response_promise<T>();
  self->state.pending.push_back(std::make_unique<deferred<T, Op>>(rp, std::move(op)));
  post_flush(self);
  return rp;
}

/// Answers the requests of every batch that is durable up to `seq`, and publishes its events.
void deliver_up_to(self_ptr self, uint64_t seq) {
  auto& st = self->state;
  while (!st.awaiting.empty() && st.awaiting.front().seq <= seq) {
    auto done = std::move(st.awaiting.front());
    st.awaiting.pop_front();
    for (auto& req : done.requests)
      req->deliver();
    for (auto& sink : st.subscribers)
      for (auto& ev : done.events)
        self->send(sink, ev);
  }
}

/// Asks the log syncer to make the logged batches durable, unless it already works on it.
/// Batches committed meanwhile go into the syncer's next round: that is the group commit's
/// pipeline.
void request_sync(self_ptr self) {
  auto& st = self->state;
  if (st.sync_in_flight || st.awaiting.empty())
    return;
  st.sync_in_flight = true;
  self->request(st.syncer, caf::infinite, sync_atom::value)
      .then(
          [=](uint64_t covered) {
            self->state.sync_in_flight = false;
            deliver_up_to(self, covered);
            request_sync(self);
          },
          [=](const caf::error& e) {
            // Whether the logged batches reached the disk is unknown: report the failure.
            self->state.sync_in_flight = false;
            spdlog::error("scheduler: log sync failed: {}", error_message(e));
            for (auto& b : self->state.awaiting)
              for (auto& req : b.requests)
                req->fail(e);
            self->state.awaiting.clear();
          });
}

/// Runs every pending request in one batch, then answers them once the batch is durable.
void flush(self_ptr self) {
  auto& st = self->state;
  st.flush_posted = false;
  auto batch = std::move(st.pending);
  st.pending.clear();
  if (batch.empty())
    return;
  // The next batch will likely be about as large: spare its vector the regrowth.
  st.pending.reserve(batch.size());
  // Job events cost a copy of the job's key per state change: only build them when someone
  // listens.
  st.queue->record_events(!st.subscribers.empty());
  bool background = st.options.sync_in_background && st.queue->options().sync == sync_mode::always;
  try {
    auto apply = [&](job_queue::batch& b) {
      for (auto& req : batch)
        req->apply(b);
    };
    if (background)
      st.queue->write_unsynced(now_millis(), apply);
    else
      st.queue->write(now_millis(), apply);
  } catch (const std::exception& e) {
    spdlog::error("scheduler: commit of {} requests failed: {}", batch.size(), e.what());
    auto err = make_error(errc::storage_failure, e.what());
    for (auto& req : batch)
      req->fail(err);
    return;
  }
  ++st.commits;
  st.committed_requests += batch.size();
  st.awaiting.push_back({st.queue->logged_seq(), std::move(batch), st.queue->take_events()});
  if (!background) {
    deliver_up_to(self, st.queue->logged_seq());
    return;
  }
  deliver_up_to(self, st.queue->checkpointed_seq()); // a checkpoint made them durable
  request_sync(self);
}

template <class T, class F> caf::result<T> read(self_ptr self, F f) {
  try {
    return f(*self->state.queue);
  } catch (const std::exception& e) {
    return make_error(errc::storage_failure, e.what());
  }
}

log_syncer_actor::behavior_type log_syncer(log_syncer_actor::pointer self,
                                           std::shared_ptr<job_queue> queue) {
  return {
      [=](sync_atom) -> caf::result<uint64_t> {
        // While the scheduler keeps logging batches, the next fsync starts the moment the last
        // one returns: waiting for the scheduler to hear of it and ask again would leave the
        // disk idle while the scheduler finishes applying a batch. Each round is reported.
        auto requester = caf::actor_cast<caf::actor>(self->current_sender());
        try {
          for (;;) {
            auto covered = queue->sync_log();
            if (queue->appended_seq() == covered)
              return covered;
            caf::anon_send(requester, sync_atom::value, covered);
          }
        } catch (const std::exception& e) {
          return make_error(errc::storage_failure, e.what());
        }
      },
  };
}

} // namespace

scheduler_impl::behavior_type scheduler(self_ptr self, std::shared_ptr<job_queue> queue,
                                        scheduler_options options) {
  self->state.queue = std::move(queue);
  self->state.options = options;
  if (options.sync_in_background) {
    self->state.syncer = self->home_system().spawn<caf::detached>(log_syncer, self->state.queue);
    self->link_to(self->state.syncer);
  }
  auto me = caf::actor_cast<scheduler_impl>(self);
  self->delayed_send(me, std::chrono::milliseconds{options.rescue_interval}, rescue_atom::value);
  // Periodic mode fsyncs the log on this timer; both modes checkpoint on it (see job_queue).
  self->delayed_send(me, std::chrono::milliseconds{options.sync_interval}, sync_atom::value);
  self->set_down_handler(
      [=](const caf::down_msg& msg) { drop_sink(self->state.subscribers, msg.source); });
  return {
      // By mutable reference: the job moves into the pending request instead of being copied
      // (CAF copies first only if the message is shared).
      [=](enqueue_atom, ingest_job& job, bool force) {
        return defer<enqueue_result>(self, [job = std::move(job), force](job_queue::batch& b) {
          return b.enqueue(job, force);
        });
      },
      [=](enqueue_atom, std::vector<ingest_job>& jobs, bool force) {
        return defer<std::vector<enqueue_result>>(
            self, [jobs = std::move(jobs), force](job_queue::batch& b) {
              std::vector<enqueue_result> out;
              out.reserve(jobs.size());
              for (auto& j : jobs)
                out.push_back(b.enqueue(j, force));
              return out;
            });
      },
      [=](lease_atom, const std::string& worker, uint32_t n, millis ttl) {
        return defer<std::vector<lease>>(
            self, [=](job_queue::batch& b) { return b.lease_jobs(worker, n, ttl); });
      },
      [=](heartbeat_atom, uint64_t id, uint64_t epoch, millis ttl) {
        return defer<millis>(self,
                             [=](job_queue::batch& b) { return b.heartbeat(id, epoch, ttl); });
      },
      [=](complete_atom, uint64_t id, uint64_t epoch, const job_outcome& outcome) {
        return defer<job_state>(
            self, [=](job_queue::batch& b) { return b.complete(id, epoch, outcome); });
      },
      [=](caf::get_atom, uint64_t id) -> caf::result<job_view> {
        return read<job_view>(self, [&](job_queue& q) -> caf::result<job_view> {
          if (auto v = q.get(id))
            return std::move(*v);
          return make_error(errc::not_found, "no job " + std::to_string(id));
        });
      },
      [=](list_atom, const job_filter& filter) -> caf::result<std::vector<job_view>> {
        return read<std::vector<job_view>>(self, [&](job_queue& q) { return q.list(filter); });
      },
      [=](stats_atom) -> caf::result<queue_stats> {
        return read<queue_stats>(self, [](job_queue& q) { return q.stats(); });
      },
      [=](retry_atom, uint64_t id) {
        return defer<job_view>(self, [=](job_queue::batch& b) { return b.retry(id); });
      },
      [=](cancel_atom, uint64_t id) {
        return defer<job_view>(self, [=](job_queue::batch& b) { return b.cancel(id); });
      },
      [=](subscribe_atom, const job_event_sink& sink) {
        self->monitor(sink);
        self->state.subscribers.push_back(sink);
      },
      [=](release_atom, uint64_t id, uint64_t epoch) {
        return defer<job_state>(self, [=](job_queue::batch& b) { return b.release(id, epoch); });
      },
      [=](trip_atom, const std::string& source, millis retry_after) {
        return defer<millis>(
            self, [=](job_queue::batch& b) { return b.open_breaker(source, retry_after); });
      },
      [=](breaker_atom, const std::string& source) {
        return defer<millis>(self, [=](job_queue::batch& b) { return b.breaker(source); });
      },
      [=](flush_atom) { flush(self); },
      [=](status_atom) {
        return caf::make_result(self->state.commits, self->state.committed_requests);
      },
      [=](rescue_atom) {
        // The scheduler's own timer: nobody awaits a reply (one would come back to this actor
        // as an unexpected message), so the rescue joins the batch without a promise.
        self->state.pending.push_back(std::make_unique<rescue_request>());
        post_flush(self);
        self->delayed_send(caf::actor_cast<scheduler_impl>(self),
                           std::chrono::milliseconds{self->state.options.rescue_interval},
                           rescue_atom::value);
      },
      [=](sync_atom, uint64_t covered) { deliver_up_to(self, covered); },
      [=](sync_atom) {
        try {
          self->state.queue->sync();
          deliver_up_to(self, self->state.queue->checkpointed_seq());
        } catch (const std::exception& e) {
          spdlog::error("scheduler: periodic sync failed: {}", e.what());
        }
        self->delayed_send(caf::actor_cast<scheduler_impl>(self),
                           std::chrono::milliseconds{self->state.options.sync_interval},
                           sync_atom::value);
      },
  };
}

scheduler_impl spawn_scheduler(caf::actor_system& sys, std::shared_ptr<job_queue> queue,
                               scheduler_options options) {
  return sys.spawn<caf::detached>(scheduler, std::move(queue), options);
}

} // namespace vfb
