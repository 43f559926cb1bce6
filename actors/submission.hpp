// The submission actor: the one entry point for new work. It validates and canonicalises the
// URL (adapters/source_url) and enqueues the job at interactive priority.
#pragma once

#include "adapters/source_url.hpp"
#include "messages/actors.hpp"

#include <caf/fwd.hpp>

namespace vfb {

struct submission_state {
  static inline const char* name = "submission";
  scheduler_actor scheduler;
  url_policy policy;
};

/// Builds the job a submission asks for, or says why it is refused (empty job id).
/// Pure; the actor below is its only caller besides tests.
enqueue_result job_for(const submission& s, const url_policy& policy, ingest_job& out);

/// The actor's behaviour.
/// @param self the actor.
/// @param scheduler where accepted submissions are enqueued.
/// @param policy which hosts are accepted (config: sources.*).
submission_actor::behavior_type
submission_handler(submission_actor::stateful_pointer<submission_state> self,
                   scheduler_actor scheduler, url_policy policy);

} // namespace vfb
