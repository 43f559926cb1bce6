// A backfill: list a followed channel (or feed) and turn its entries into low-priority jobs
// for the workspace that follows it. Pure composition over the yt-dlp listing; the actors
// (channel_enumerator, follow_refresher) and `vfb follow add` enqueue what this returns.
#pragma once

#include "adapters/source_url.hpp"
#include "adapters/ytdlp_listing.hpp"
#include "messages/follow.hpp"
#include "messages/job.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vfb {

/// Everything one backfill listing found, over all of the plan's URLs.
struct backfill_listing {
  std::vector<listing_entry> entries; // unique by id, in listing order, at most plan.limit
  size_t malformed_lines = 0;
  size_t unavailable = 0;
  size_t too_old = 0;
  size_t without_timestamp = 0;
  size_t duplicates = 0;   // entries listed twice (e.g. on /videos and /streams)
  size_t known = 0;        // a refresh: the newest known video and older ones, passed over
  size_t upcoming = 0;     // scheduled or live streams and premieres: not downloadable yet
  size_t missing_tabs = 0; // channel tabs yt-dlp says the channel does not have
  /// Per marker slot (`marker_slot`): the newest downloadable entry listed there, known or not
  /// ("": none listed, or the tab was not chosen).
  std::vector<std::string> newest_ids;
};

/// The URLs a plan lists: the chosen `tabs` of a YouTube channel (names from upload_tabs, e.g.
/// [auto_follow] tabs), each on its own; a YouTube playlist or a feed itself.
std::vector<std::string> plan_urls(const backfill_plan& plan, const std::vector<std::string>& tabs);

/// Where a plan URL keeps its refresh marker in `stop_at_ids` and `newest_ids`: a channel tab at
/// its index in upload_tabs (so the chosen tabs may change), anything else at 0.
size_t marker_slot(const std::string& plan_url);

/// Lists every URL of the plan with `base` options (program, margins, timeouts; `since`,
/// `limit`, `youtube` and the stop markers come from the plan). A refresh stops each URL at its
/// own marker (`stop_at_ids`), else at `stop_at_id`. Entries dated before `known_until` are
/// passed over, except on a YouTube tab with its own marker (above it everything is new, and
/// YouTube's dates are approximate); elsewhere on YouTube only those dated a margin (a week)
/// earlier. A YouTube playlist is in its owner's order: it is listed whole (up to the limit),
/// entries older than the window are skipped, and no marker or date passes any over (the
/// queue's dedupe knows what was enqueued). Scheduled and live entries are not enqueued; Shorts
/// are never scheduled (their flat entries have no duration, date or live status). A channel
/// tab that does not exist is empty; any other failure throws ytdlp_error.
backfill_listing list_plan(const backfill_plan& plan, const std::vector<std::string>& tabs,
                           listing_options base, const std::atomic<bool>* cancel = nullptr);

/// The jobs for a listing: one per entry whose URL `policy` accepts, for the plan's tenant and
/// workspace, at the plan's priority and origin, carrying `since` as the upload cutoff (the
/// download skips videos that turn out older). `refused` counts entries whose URL was refused.
std::vector<ingest_job> jobs_for_entries(const std::vector<listing_entry>& entries,
                                         const backfill_plan& plan, const url_policy& policy,
                                         size_t* refused = nullptr);

} // namespace vfb
