// The follow refresher: on a timer, lists every follow that is due again (period from config,
// with jitter) and enqueues new uploads at refresh priority, stopping at the newest video the
// follow already knows. Also the bookkeeping every listing of a follow shares.
#pragma once

#include "adapters/source_url.hpp"
#include "messages/actors.hpp"
#include "storage/follow_registry.hpp"

#include <caf/fwd.hpp>
#include <memory>
#include <random>
#include <set>

namespace vfb {

struct refresher_options {
  millis interval = 30 * 60'000; // how often each follow is listed
  int jitter_pct = 10;           // +- this much
  millis tick = 60'000;          // how often due follows are looked for
  uint32_t refresh_limit = 200;  // at most this many new uploads per refresh
};

/// When a follow listed `now` is due again: `interval` +- `jitter_pct` percent.
millis next_refresh(millis now, const refresher_options& o, std::mt19937_64& rng);

/// The follow a URL asks for (channel_url and source only): a YouTube channel or playlist in
/// canonical form (a channel's feed is the channel: youtube_follow_url), or any other http(s)
/// URL yt-dlp can list (a playlist, an RSS feed). Throws std::invalid_argument for a refused URL
/// (a video, a mix, a host the policy refuses), saying why and what can be followed.
follow_record follow_for_url(const std::string& url, const url_policy& policy);

/// The plan for listing a follow: its window, its cap, and (once listed) a stop at its newest
/// known video; refresh priority once the first listing is done, backfill before. A YouTube
/// playlist is in its own order, not by date: no stop marker can end its refresh, which lists
/// it again up to the follow's own cap (not `refresh_limit`), so that a refresh sees the same
/// entries the backfill did and the queue's dedupe enqueues only the ones added since; at
/// backfill priority, since the queue raises a queued duplicate to the priority it is enqueued
/// at, and the playlist's backfill must not jump ahead of other work.
backfill_plan plan_for(const follow_record& f, uint32_t refresh_limit);

/// Records what a listing did in the follow (newest video, counts, error, next refresh).
void record_listing(follow_record& f, const enumeration_result& r, millis now, millis next);

/// Records a listing in the stored follow (unless it was removed meanwhile), with its next
/// refresh time; a storage failure is logged, not thrown (the next listing records again).
void store_listing(follow_registry& registry, uint64_t follow_id, const enumeration_result& r,
                   const refresher_options& o, std::mt19937_64& rng);

struct follow_refresher_state {
  static inline const char* name = "follow-refresher";
  std::shared_ptr<follow_registry> registry;
  channel_enumerator_actor enumerator;
  refresher_options options;
  std::set<uint64_t> in_flight; // follows being listed now
  std::mt19937_64 rng{std::random_device{}()};
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
