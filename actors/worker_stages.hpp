// A worker's stages. Download, transcribe and analyze run on the worker, with its own tools,
// slots and artifact cache; memory and post are asked of the node, which runs them with its
// own stores and Discord settings. Around each of its own stages the worker takes in the
// node's checkpoints of the job first (they replace its own: the node's are the truth, so a job
// resumes after the last stage any machine finished) and hands the new checkpoint to the node
// after (refused once the worker's lease is gone).
#pragma once

#include "actors/stage_function.hpp"
#include "messages/actors.hpp"

#include <caf/fwd.hpp>
#include <memory>

namespace vfb {

struct stage_environment;

struct worker_stage_options {
  /// How long a checkpoint exchange may wait (it waits through a reconnection to the node).
  millis exchange_timeout = 120'000;
  /// How long the node's memory or post stage may take.
  millis node_stage_timeout = 600'000;
};

/// The factory of a worker's stage functions.
/// @param sys the worker's actor system (the stages ask the link from their own threads).
/// @param link the worker's node link.
/// @param env the worker's own environment (artifact cache, tools, download limits).
stage_function_factory worker_stages(caf::actor_system& sys, node_link_actor link,
                                     std::shared_ptr<const stage_environment> env,
                                     worker_stage_options options = {});

} // namespace vfb
