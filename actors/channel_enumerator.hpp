// The channel enumerator: lists a followed channel or feed with yt-dlp (adapters/backfill) and
// enqueues what is in the window as one enqueue_bulk. Spawned detached: a listing blocks on
// yt-dlp for seconds to minutes.
#pragma once

#include "adapters/rate_limits.hpp"
#include "adapters/source_url.hpp"
#include "adapters/ytdlp_listing.hpp"
#include "adapters/ytdlp_tools.hpp"
#include "messages/actors.hpp"

#include <atomic>
#include <caf/fwd.hpp>
#include <memory>

namespace vfb {

struct enumerator_options {
  /// ENABLE_UPLOADER_BACKFILL: off, the follows auto-follow made are not listed (follows a
  /// person asked for are).
  bool enabled = false;
  /// Which yt-dlp runs and how (located again for every listing: an update is seen at once).
  ytdlp_tools ytdlp;
  /// Timeouts and margins for yt-dlp; the located program and the plan set the rest.
  listing_options listing;
  /// Which tabs of a followed YouTube channel are listed ([auto_follow] tabs).
  std::vector<std::string> tabs{"videos", "streams"};
  /// Which entry URLs become jobs (the same rules as submissions).
  url_policy policy;
  /// Listings per source and minute; shared by every enumerator of a node.
  std::shared_ptr<rate_limits> limits;
  /// Set when the node stops: a running listing is cut short, queued ones are not started.
  std::shared_ptr<std::atomic<bool>> stop;
};

struct channel_enumerator_state {
  static inline const char* name = "channel-enumerator";
  scheduler_actor scheduler;
  enumerator_options options;
};

/// Lists `plan` and builds its jobs; no queue involved (for the actor and `vfb follow add`).
/// The result's counts are filled in; `jobs` gets the jobs to enqueue.
/// When the listing failed, `failure` (if given) says how (a throttle opens the breaker).
enumeration_result list_for_plan(const enumerator_options& opts, const backfill_plan& plan,
                                 std::vector<ingest_job>& jobs,
                                 classified_failure* failure = nullptr);

/// The source whose rate limit and circuit breaker a plan's listing counts against.
std::string source_of(const backfill_plan& plan);

/// Adds the queue's answers for `jobs` to `r` (new ids, duplicates) and writes its note.
void count_enqueued(enumeration_result& r, const backfill_plan& plan,
                    const std::vector<enqueue_result>& answers);

/// The actor's behaviour.
/// @param self the actor.
/// @param scheduler where the jobs are enqueued.
/// @param options the backfill switch, yt-dlp settings, URL policy and rate limits.
channel_enumerator_actor::behavior_type
channel_enumerator(channel_enumerator_actor::stateful_pointer<channel_enumerator_state> self,
                   scheduler_actor scheduler, enumerator_options options);

} // namespace vfb
