// The channel enumerator: lists a followed channel or feed (follows/follow_listing) and
// enqueues what is in the window as one enqueue_bulk through the scheduler, after asking its
// circuit breaker. Spawned detached: a listing blocks on yt-dlp for seconds to minutes.
#pragma once

#include "follows/follow_listing.hpp"
#include "messages/actors.hpp"

#include <caf/fwd.hpp>

namespace vfb {

struct channel_enumerator_state {
  static inline const char* name = "channel-enumerator";
  scheduler_actor scheduler;
  enumerator_options options;
};

/// The actor's behaviour.
/// @param self the actor.
/// @param scheduler where the jobs are enqueued.
/// @param options the backfill switch, yt-dlp settings, URL policy and rate limits.
channel_enumerator_actor::behavior_type
channel_enumerator(channel_enumerator_actor::stateful_pointer<channel_enumerator_state> self,
                   scheduler_actor scheduler, enumerator_options options);

} // namespace vfb
