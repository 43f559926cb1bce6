// The life of a follow as pure functions (no storage, no actors): the follow a URL asks for, the
// plan for its next listing, when it is listed again, and what a listing changes in it. The
// follow service (follows/follow_service.hpp) and the actors that follow build on these.
#pragma once

#include "adapters/source_url.hpp"
#include "messages/follow.hpp"
#include "messages/job.hpp"
#include "messages/time.hpp" // callers read a request's `since` with parse_iso_utc

#include <cstdint>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>

namespace vfb {

/// How often follows are listed again ([auto_follow] refresh_*).
struct refresher_options {
  millis interval = 30 * 60'000; // how often each follow is listed
  int jitter_pct = 10;           // +- this much
  millis tick = 60'000;          // how often due follows are looked for
  uint32_t refresh_limit = 200;  // at most this many new uploads per refresh
};

/// What every new follow takes from the node's config.
struct follow_options {
  /// A new follow's cap unless another is asked for (AUTO_FOLLOW_MAX_VIDEOS).
  uint32_t max_videos = 200;
  /// How far back a new follow's backfill goes unless asked otherwise ([auto_follow]
  /// window_days).
  millis window = millis{365} * 24 * 3600 * 1000;
  /// When follows are listed again.
  refresher_options refresh;
  /// Which URLs can be followed (the same rules as submissions).
  url_policy policy;
};

/// A URL that cannot be followed (a video, a mix, a host the policy refuses). Its message says
/// why and what can be followed; people see it as it is.
class follow_refused : public std::invalid_argument {
public:
  using std::invalid_argument::invalid_argument;
};

/// What a person asks to follow (`vfb follow add`, POST /v1/follows, Discord's /follow).
struct follow_request {
  std::string url;
  std::string tenant;
  std::string workspace;
  job_origin origin = job_origin::cli;
  std::optional<uint32_t> limit; // unset: follow_options::max_videos
  std::optional<millis> since;   // unset: follow_options::window before now
};

/// When a follow listed `now` is due again: `interval` +- `jitter_pct` percent.
millis next_refresh(millis now, const refresher_options& o, std::mt19937_64& rng);

/// The follow a URL asks for (channel_url and source only): a YouTube channel or playlist in
/// canonical form (a channel's feed is the channel: youtube_follow_url), or any other http(s)
/// URL yt-dlp can list (a playlist, an RSS feed). Throws follow_refused for a refused URL (a
/// video, a mix, a host the policy refuses), saying why and what can be followed.
follow_record follow_for_url(const std::string& url, const url_policy& policy);

/// The follow a request asks for, not yet stored (no id; next_refresh_at unset): the URL's
/// channel or feed for the workspace, with the request's cap and window or the configured ones.
/// Throws follow_refused as follow_for_url does.
follow_record new_follow(const follow_request& req, const follow_options& o, millis now);

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

} // namespace vfb
