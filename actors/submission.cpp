#include "actors/submission.hpp"

#include "messages/errors.hpp"

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

namespace vfb {

enqueue_result job_for(const submission& s, const url_policy& policy, ingest_job& out) {
  auto url = canonicalize_url(s.url, policy);
  if (!url.ok)
    return {0, enqueue_status::invalid, url.error};
  out = ingest_job{};
  out.key = {s.tenant, s.workspace, url.ref.source, url.ref.external_id};
  out.url = url.ref.canonical_url;
  out.tags = s.tags;
  out.visibility = s.visibility;
  out.priority = priority_class::interactive;
  out.origin = s.origin;
  return {0, enqueue_status::created, {}};
}

submission_actor::behavior_type
submission_handler(submission_actor::stateful_pointer<submission_state> self,
                   scheduler_actor scheduler, url_policy policy) {
  self->state.scheduler = std::move(scheduler);
  self->state.policy = std::move(policy);
  return {
      [=](submit_atom, const submission& s) -> caf::result<enqueue_result> {
        ingest_job job;
        auto checked = job_for(s, self->state.policy, job);
        if (checked.status == enqueue_status::invalid)
          return make_error(errc::invalid, checked.error);
        auto rp = self->make_response_promise<enqueue_result>();
        self->request(self->state.scheduler, caf::infinite, enqueue_atom::value, job, s.force)
            .then(
                [=](const enqueue_result& r) mutable {
                  if (r.status == enqueue_status::invalid)
                    rp.deliver(make_error(errc::invalid, r.error));
                  else
                    rp.deliver(r);
                },
                [=](const caf::error& e) mutable { rp.deliver(e); });
        return rp;
      },
  };
}

} // namespace vfb
