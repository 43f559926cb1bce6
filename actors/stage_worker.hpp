// A stage worker: runs one stage of one job at a time with a plain C++ stage function. It is
// spawned detached (a thread of its own), because its work blocks: yt-dlp, ffmpeg, speech
// recognition, HTTP posts.
#pragma once

#include "actors/stage_function.hpp"
#include "messages/actors.hpp"

#include <caf/fwd.hpp>

namespace vfb {

struct stage_worker_state {
  static inline const char* name = "stage-worker";
  stage_function work;
  pipeline_actor coordinator; // receives progress reports
};

/// Runs `work` on a request: an exception escaping it becomes a transient failure, and the
/// result carries the stage and its wall time.
stage_result run_stage(const stage_function& work, const stage_request& req,
                       const progress_fn& report);

/// The worker's behaviour.
/// @param self the actor.
/// @param work the stage function this worker runs (one instance per worker, so it may keep
///        per-thread resources such as a speech decoder).
/// @param coordinator where progress reports go.
stage_worker_actor::behavior_type
stage_worker(stage_worker_actor::stateful_pointer<stage_worker_state> self, stage_function work,
             pipeline_actor coordinator);

} // namespace vfb
