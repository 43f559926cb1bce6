#include "actors/channel_enumerator.hpp"

#include "actors/scheduler.hpp"
#include "messages/errors.hpp"

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

namespace vfb {

namespace {

using self_ptr = channel_enumerator_actor::stateful_pointer<channel_enumerator_state>;
using promise = caf::typed_response_promise<enumeration_result>;

/// Lists the plan and enqueues its jobs; a throttled listing opens the source's breaker.
void list_and_enqueue(self_ptr self, const backfill_plan& plan, promise rp) {
  std::vector<ingest_job> jobs;
  classified_failure failure;
  auto r = list_for_plan(self->state.options, plan, jobs, &failure);
  auto& scheduler = self->state.scheduler;
  if (!r.ok && failure.kind == ytdlp_failure::throttled) {
    // The same breaker as the pipeline's: downloads from the source wait too.
    self->request(scheduler, caf::infinite, trip_atom::value, source_of(plan),
                  static_cast<millis>(failure.retry_after.count()))
        .then([=](millis) mutable { rp.deliver(r); },
              [=](const caf::error&) mutable { rp.deliver(r); });
    return;
  }
  if (finish_without_jobs(r, plan, jobs)) {
    rp.deliver(r);
    return;
  }
  self->request(scheduler, caf::infinite, enqueue_atom::value, jobs, false)
      .then(
          [=](const std::vector<enqueue_result>& answers) mutable {
            auto done = r;
            count_enqueued(done, plan, answers);
            spdlog::info("{}", done.note);
            rp.deliver(done);
          },
          [=](const caf::error& e) mutable {
            auto failed = r;
            failed.ok = false;
            failed.note = "enqueueing the listing failed: " + error_message(e);
            rp.deliver(failed);
          });
}

} // namespace

channel_enumerator_actor::behavior_type
channel_enumerator(channel_enumerator_actor::stateful_pointer<channel_enumerator_state> self,
                   scheduler_actor scheduler, enumerator_options options) {
  self->state.scheduler = std::move(scheduler);
  self->state.options = std::move(options);
  return {
      [=](enumerate_atom, const backfill_plan& plan) -> caf::result<enumeration_result> {
        auto rp = self->make_response_promise<enumeration_result>();
        // A source that throttled us (a listing or a download) is left alone until its
        // breaker closes.
        self->request(self->state.scheduler, caf::infinite, breaker_atom::value, source_of(plan))
            .then(
                [=](millis until) mutable {
                  if (until > now_millis()) {
                    enumeration_result r;
                    r.follow_id = plan.follow_id;
                    r.ok = false;
                    r.note = source_of(plan) + " is throttling us; listing " + plan.channel_url +
                             " waits until its circuit breaker closes";
                    rp.deliver(r);
                    return;
                  }
                  list_and_enqueue(self, plan, rp);
                },
                [=](const caf::error&) mutable { list_and_enqueue(self, plan, rp); });
        return rp;
      },
  };
}

} // namespace vfb
