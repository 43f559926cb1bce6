// Auto-follow: after every successful download, follow the uploader's channel in the job's
// workspace and start its 12-month backfill (the original design's trigger_auto_follow). The
// decision is follows/auto_follow_decision, the follow is recorded by the follow service; this
// actor orders the steps and tells subscribers. Spawned detached: recording a follow writes (and
// fsyncs) the follow registry.
#pragma once

#include "follows/auto_follow_decision.hpp"
#include "follows/follow_service.hpp"
#include "messages/actors.hpp"
#include "storage/follow_registry.hpp"

#include <caf/fwd.hpp>
#include <memory>
#include <vector>

namespace vfb {

struct auto_follow_state {
  static inline const char* name = "auto-follow";
  std::unique_ptr<follow_service> follows;
  channel_enumerator_actor enumerator;
  auto_follow_options options;
  std::vector<follow_result_sink> subscribers;
};

/// The actor's behaviour.
/// @param self the actor.
/// @param registry where follows and per-workspace settings live.
/// @param enumerator lists the channel and enqueues the backfill.
/// @param options the node-wide switch, cap, window and refresh period.
auto_follow_actor::behavior_type
auto_follow(auto_follow_actor::stateful_pointer<auto_follow_state> self,
            std::shared_ptr<follow_registry> registry, channel_enumerator_actor enumerator,
            auto_follow_options options);

} // namespace vfb
