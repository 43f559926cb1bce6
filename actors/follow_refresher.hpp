// The follow refresher: on a timer, lists every follow that is due again (period from config,
// with jitter) and enqueues new uploads at refresh priority, stopping at the newest video the
// follow already knows. The plan and the bookkeeping are the follow service's
// (follows/follow_service.hpp); this actor keeps the timer and the follows being listed.
#pragma once

#include "follows/follow_service.hpp"
#include "messages/actors.hpp"
#include "storage/follow_registry.hpp"

#include <caf/fwd.hpp>
#include <memory>
#include <set>

namespace vfb {

struct follow_refresher_state {
  static inline const char* name = "follow-refresher";
  std::unique_ptr<follow_service> follows; // its options().refresh: period, jitter, timer
  channel_enumerator_actor enumerator;
  std::set<uint64_t> in_flight; // follows being listed now
};

/// The actor's behaviour (spawned detached: the registry writes fsync).
/// @param self the actor.
/// @param registry the follows.
/// @param enumerator lists and enqueues.
/// @param options period, jitter and timer.
follow_refresher_actor::behavior_type
follow_refresher(follow_refresher_actor::stateful_pointer<follow_refresher_state> self,
                 std::shared_ptr<follow_registry> registry, channel_enumerator_actor enumerator,
                 refresher_options options);

} // namespace vfb
