#include "actors/pipeline.hpp"

#include "messages/errors.hpp"
#include "messages/register.hpp"

#include <algorithm>
#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <numeric>
#include <spdlog/spdlog.h>

namespace vfb {

namespace {

using self_ptr = pipeline_impl::stateful_pointer<pipeline_state>;

void dispatch(self_ptr self);
void try_lease(self_ptr self);
void finish_drain(self_ptr self);

pipeline_event event_for(const job_in_flight& j, progress_kind kind) {
  pipeline_event ev;
  ev.job_id = j.held.job_id;
  ev.key = j.held.job.key;
  ev.kind = kind;
  ev.stage = j.stage;
  return ev;
}

void publish(self_ptr self, const pipeline_event& ev) {
  for (auto& sink : self->state.progress_subscribers)
    self->send(sink, ev);
}

template <class Sink> void forget_sink(std::vector<Sink>& sinks, const caf::actor_addr& gone) {
  sinks.erase(std::remove_if(sinks.begin(), sinks.end(),
                             [&](const Sink& s) { return s.address() == gone; }),
              sinks.end());
}

/// Tells the scheduler how the job ended, then frees its slot.
void finish_job(self_ptr self, uint64_t id, job_outcome outcome) {
  auto it = self->state.jobs.find(id);
  if (it == self->state.jobs.end())
    return;
  auto& j = it->second;
  auto ended = event_for(j, progress_kind::ended);
  ended.outcome = outcome;
  self->request(self->state.scheduler, caf::infinite, complete_atom::value, id, j.held.epoch,
                outcome)
      .then(
          [=](job_state state) {
            spdlog::info("job {}: {} ({})", id, to_string(state), to_string(outcome.kind));
            publish(self, ended);
            self->state.jobs.erase(id);
            ++self->state.finished;
            try_lease(self);
          },
          [=](const caf::error& e) {
            // A stale lease: the job went back to the queue meanwhile and someone else owns it.
            spdlog::warn("job {}: could not record its outcome: {}", id, error_message(e));
            auto lost = ended;
            lost.outcome = job_outcome::transient("lease lost: " + error_message(e));
            publish(self, lost);
            self->state.jobs.erase(id);
            try_lease(self);
          });
}

void on_stage_result(self_ptr self, const stage_slots::assignment& a, stage_result result) {
  auto& st = self->state;
  st.slots->release(a.stage, a.worker);
  if (st.draining) {
    // Whatever the stage returned (it was probably stopped): the job goes back to the queue
    // and resumes from its checkpoints on the next node.
    if (auto it = st.jobs.find(a.job); it != st.jobs.end())
      it->second.running = false;
    finish_drain(self);
    return;
  }
  auto it = st.jobs.find(a.job);
  if (it == st.jobs.end() || it->second.lost) {
    if (it != st.jobs.end())
      st.jobs.erase(it);
    dispatch(self);
    try_lease(self);
    return;
  }
  auto& j = it->second;
  j.running = false;
  if (result.finished) {
    finish_job(self, a.job, result.outcome);
  } else {
    auto done = event_for(j, progress_kind::finished);
    done.note = result.note;
    done.elapsed = result.elapsed;
    done.fraction = 1;
    publish(self, done);
    if (a.stage == stage_kind::download)
      for (auto& sink : st.download_subscribers)
        self->send(sink, download_completed{result.download, j.held.job});
    if (a.stage == stage_kind::post) {
      finish_job(self, a.job, job_outcome::done());
    } else {
      j.stage = static_cast<stage_kind>(static_cast<int>(a.stage) + 1);
      st.slots->enter(a.job, j.stage);
    }
  }
  dispatch(self);
}

/// Once no stage runs: gives every held job back to the queue, then answers the drain.
void finish_drain(self_ptr self) {
  auto& st = self->state;
  if (st.lease_pending)
    return; // the leases it brings are given back too
  for (const auto& [id, j] : st.jobs)
    if (j.running)
      return; // its stage returns soon: the cancel flag is set
  auto held = std::make_shared<std::vector<std::pair<uint64_t, uint64_t>>>();
  for (const auto& [id, j] : st.jobs)
    if (!j.lost)
      held->emplace_back(id, j.held.epoch);
  st.jobs.clear();
  auto answer = [=](uint64_t released) {
    for (auto& rp : self->state.drained)
      rp.deliver(released);
    self->state.drained.clear();
  };
  if (held->empty())
    return answer(0);
  auto pending = std::make_shared<size_t>(held->size());
  auto released = std::make_shared<uint64_t>(0);
  for (const auto& [id, epoch] : *held) {
    auto job = id;
    self->request(st.scheduler, caf::infinite, release_atom::value, id, epoch)
        .then(
            [=](job_state) {
              ++*released;
              if (--*pending == 0)
                answer(*released);
            },
            [=](const caf::error& e) {
              // A lease that was lost meanwhile: the queue rescues or already reassigned it.
              spdlog::warn("job {}: could not give it back: {}", job, error_message(e));
              if (--*pending == 0)
                answer(*released);
            });
  }
}

/// Starts every waiting job that has an idle worker.
void dispatch(self_ptr self) {
  auto& st = self->state;
  if (st.draining)
    return;
  while (auto a = st.slots->next()) {
    auto& j = st.jobs.at(a->job);
    j.running = true;
    spdlog::debug("job {}: {} started", a->job, to_string(a->stage));
    publish(self, event_for(j, progress_kind::started));
    auto assignment = *a;
    self->request(st.workers[static_cast<size_t>(a->stage)][a->worker], caf::infinite,
                  stage_atom::value, stage_request{a->stage, j.held.job, j.held.epoch})
        .then([=](stage_result& r) { on_stage_result(self, assignment, std::move(r)); },
              [=](const caf::error& e) {
                stage_result r;
                r.stage = assignment.stage;
                r.finished = true;
                r.outcome = job_outcome::transient("stage worker failed: " + error_message(e));
                on_stage_result(self, assignment, std::move(r));
              });
  }
}

/// Asks the scheduler for as many jobs as there are free slots.
void try_lease(self_ptr self) {
  auto& st = self->state;
  if (!st.options.leases || st.draining || st.lease_pending || st.jobs.size() >= st.max_in_flight)
    return;
  auto want = static_cast<uint32_t>(st.max_in_flight - st.jobs.size());
  st.lease_pending = true;
  self->request(st.scheduler, caf::infinite, lease_atom::value, st.options.worker_name, want,
                st.options.lease_ttl)
      .then(
          [=](std::vector<lease>& leases) {
            auto& st = self->state;
            st.lease_pending = false;
            for (auto& l : leases) {
              if (auto held = st.jobs.find(l.job_id); held != st.jobs.end()) {
                // Ours already: our lease ran out (e.g. while the node was out of reach) and
                // the queue gave the job to us again. The new epoch is the one that counts;
                // the job goes on where it is.
                spdlog::info("job {}: leased again (epoch {})", l.job_id, l.epoch);
                held->second.held = std::move(l);
                held->second.lost = false;
                continue;
              }
              spdlog::info("job {}: leased ({}, {})", l.job_id, l.job.url,
                           to_string(l.job.priority));
              job_in_flight j;
              j.held = std::move(l);
              auto id = j.held.job_id;
              st.jobs[id] = std::move(j);
              st.slots->enter(id, stage_kind::download);
            }
            if (st.draining)
              return finish_drain(self);
            dispatch(self);
            if (leases.size() == want)
              try_lease(self); // there may be more
          },
          [=](const caf::error& e) {
            self->state.lease_pending = false;
            spdlog::error("pipeline: leasing failed: {}", error_message(e));
            if (self->state.draining)
              finish_drain(self);
          });
}

/// Extends every held lease; a lease the scheduler refuses is lost.
void heartbeat_all(self_ptr self) {
  for (auto& [id, j] : self->state.jobs) {
    if (j.lost)
      continue;
    auto job_id = id;
    auto epoch = j.held.epoch;
    self->request(self->state.scheduler, caf::infinite, heartbeat_atom::value, id, epoch,
                  self->state.options.lease_ttl)
        .then([](millis) {},
              [=](const caf::error& e) {
                auto& st = self->state;
                auto it = st.jobs.find(job_id);
                if (it == st.jobs.end() || it->second.held.epoch != epoch)
                  return; // gone, or leased to us again meanwhile
                spdlog::warn("job {}: lease lost ({}); dropping it", job_id, error_message(e));
                it->second.lost = true;
                if (!it->second.running) {
                  st.slots->drop(job_id);
                  st.jobs.erase(it);
                  try_lease(self);
                }
              });
  }
}

} // namespace

pipeline_impl::behavior_type pipeline(self_ptr self, lease_source_actor scheduler,
                                      stage_function_factory make_stage, pipeline_options options) {
  auto& st = self->state;
  st.options = options;
  st.scheduler = std::move(scheduler);
  st.slots = std::make_unique<stage_slots>(options.slots);
  st.max_in_flight = std::accumulate(options.slots.begin(), options.slots.end(), size_t{0}) +
                     options.slots[static_cast<size_t>(stage_kind::transcribe)];
  auto me = caf::actor_cast<pipeline_actor>(self);
  for (size_t s = 0; s < stage_count; ++s)
    for (size_t w = 0; w < options.slots[s]; ++w) {
      auto worker = self->home_system().spawn<caf::detached>(
          stage_worker, make_stage(static_cast<stage_kind>(s)), me);
      self->link_to(worker); // workers live and die with the coordinator
      st.workers[s].push_back(worker);
    }
  self->set_down_handler([=](const caf::down_msg& msg) {
    forget_sink(self->state.progress_subscribers, msg.source);
    forget_sink(self->state.download_subscribers, msg.source);
  });
  auto impl = caf::actor_cast<pipeline_impl>(self);
  self->send(st.scheduler, subscribe_atom::value, caf::actor_cast<job_event_sink>(self));
  self->send(impl, poll_atom::value);
  self->delayed_send(impl, std::chrono::milliseconds{options.lease_ttl / 3}, heartbeat_atom::value);
  return {
      [=](progress_atom, uint64_t job, stage_kind stage, double fraction, const std::string& note) {
        auto it = self->state.jobs.find(job);
        if (it == self->state.jobs.end())
          return;
        auto ev = event_for(it->second, progress_kind::progress);
        ev.stage = stage;
        ev.fraction = fraction;
        ev.note = note;
        publish(self, ev);
      },
      [=](subscribe_atom, const pipeline_event_sink& sink) {
        self->monitor(sink);
        self->state.progress_subscribers.push_back(sink);
      },
      [=](subscribe_atom, const download_sink& sink) {
        self->monitor(sink);
        self->state.download_subscribers.push_back(sink);
      },
      [=](drain_atom) -> caf::result<uint64_t> {
        auto& st = self->state;
        if (!st.draining)
          spdlog::info("pipeline: stopping, {} jobs held", st.jobs.size());
        st.draining = true;
        st.options.cancel->store(true);
        auto rp = self->make_response_promise<uint64_t>();
        st.drained.push_back(rp);
        finish_drain(self);
        return rp;
      },
      [=](status_atom) {
        return caf::make_result(static_cast<uint64_t>(self->state.jobs.size()),
                                self->state.finished);
      },
      [=](poll_atom) {
        try_lease(self);
        self->delayed_send(caf::actor_cast<pipeline_impl>(self),
                           std::chrono::milliseconds{self->state.options.poll_interval},
                           poll_atom::value);
      },
      [=](const job_event& ev) {
        if (ev.state == job_state::queued)
          try_lease(self);
      },
      [=](heartbeat_atom) {
        heartbeat_all(self);
        self->delayed_send(caf::actor_cast<pipeline_impl>(self),
                           std::chrono::milliseconds{self->state.options.lease_ttl / 3},
                           heartbeat_atom::value);
      },
  };
}

} // namespace vfb
