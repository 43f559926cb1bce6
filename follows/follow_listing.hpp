// One listing of a follow's plan, without actors: list it with yt-dlp (adapters/backfill), build
// its jobs, and count what the queue made of them. The channel enumerator actor runs this and
// enqueues through the scheduler; `vfb follow add` runs it in process against the queue.
#pragma once

#include "adapters/rate_limits.hpp"
#include "adapters/source_url.hpp"
#include "adapters/ytdlp_listing.hpp"
#include "adapters/ytdlp_tools.hpp"
#include "messages/follow.hpp"
#include "messages/job.hpp"

#include <atomic>
#include <memory>
#include <string>
#include <vector>

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

/// When a listing made no jobs, finishes `r` without the queue (a listing that ran gets its
/// counting note; one that failed or did not run keeps the note saying why) and returns true;
/// false when there are jobs to enqueue.
bool finish_without_jobs(enumeration_result& r, const backfill_plan& plan,
                         const std::vector<ingest_job>& jobs);

} // namespace vfb
