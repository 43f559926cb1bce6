// Follows: the record of one followed channel or feed (kept by storage/follow_registry), and
// what the auto-follow, channel enumerator and follow refresher actors exchange and report
// (`vfb run` waits for the jobs a follow enqueued).
#pragma once

#include "messages/job.hpp"

#include <caf/meta/type_name.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace vfb {

/// One followed channel or feed of one workspace.
struct follow_record {
  uint64_t id = 0;
  std::string tenant;
  std::string workspace;
  std::string channel_url; // canonical: https://www.youtube.com/channel/UC... , /@handle, a feed
  std::string source;      // "youtube" or "generic"
  std::string uploader;    // display name when known (for `follow ls`)
  job_origin origin = job_origin::cli; // who created it: auto-follow (backfill), cli, api, discord
  uint64_t created_from_job = 0;       // the job whose download triggered it (0: explicit)
  millis created_at = 0;
  millis since = 0;            // the backfill window's start: older uploads are not enqueued
  uint32_t limit = 0;          // at most this many backfill videos (0: no limit)
  bool paused = false;         // a paused follow is not refreshed
  millis last_listed_at = 0;   // when the last listing finished (0: never listed)
  millis next_refresh_at = 0;  // when the refresher lists it next
  std::string newest_id;       // the newest video seen by the last listing (stop marker)
  millis newest_timestamp = 0; // its upload time, ms (0: unknown)
  uint64_t enqueued_total = 0; // jobs this follow has enqueued so far
  std::string last_error;      // the last listing's failure, for `follow ls`
  /// Per marker slot (`marker_slot`: a YouTube channel's tab at its index among videos,
  /// streams, shorts, whichever tabs are chosen; anything else at 0): the newest downloadable
  /// entry the listings saw there, where each refresh of that tab stops ("": none yet). Empty
  /// for follows stored before per-tab markers: they stop at `newest_id` until their next
  /// listing. Stored as a field added later: records written with it cannot be read by an older
  /// vfb.
  std::vector<std::string> newest_ids;
};

/// What to list and for whom (the original design's BackfillPlan).
struct backfill_plan {
  std::string source_type = "youtube"; // "youtube" (channel tabs) or "generic" (one feed URL)
  std::string channel_url;             // canonical channel URL, or the feed's URL
  std::string uploader_handle;         // for people and logs ("@handle" or a name)
  std::string tenant;
  std::string workspace;
  millis since = 0;     // uploads before this are not wanted (0: all)
  uint32_t limit = 200; // at most this many jobs (AUTO_FOLLOW_MAX_VIDEOS)
  priority_class priority = priority_class::backfill;
  job_origin origin = job_origin::backfill;
  std::string stop_at_id; // a refresh stops at the newest video it already knows
  /// Per URL of the plan (`plan_urls` order), that URL's own newest known entry, where a
  /// refresh of it stops instead of at `stop_at_id` ("" or missing: `stop_at_id`).
  std::vector<std::string> stop_at_ids;
  /// A refresh also passes over entries uploaded before that video (seconds; 0: none), so a
  /// listing that cannot stop at it (a feed) does not enqueue known videos again. YouTube's
  /// flat dates are approximate: there only entries dated a margin (a week) earlier are passed
  /// over, and the queue's dedupe knows the rest.
  int64_t known_until = 0;
  uint64_t follow_id = 0;
  /// The follow was made by auto-follow (not by a person): ENABLE_UPLOADER_BACKFILL decides
  /// whether it is listed at all.
  bool automatic = false;
};

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, backfill_plan& x) {
  return f(caf::meta::type_name("vfb.backfill_plan"), x.source_type, x.channel_url,
           x.uploader_handle, x.tenant, x.workspace, x.since, x.limit, x.priority, x.origin,
           x.stop_at_id, x.stop_at_ids, x.known_until, x.follow_id, x.automatic);
}

/// What one listing of a plan did.
struct enumeration_result {
  uint64_t follow_id = 0;
  uint64_t listed = 0;           // entries kept from the listing
  uint64_t enqueued = 0;         // new jobs
  uint64_t duplicates = 0;       // already queued, running or done for the workspace
  uint64_t malformed = 0;        // output lines that were not entries
  uint64_t skipped = 0;          // private/deleted, older than the window, refused URLs
  std::vector<uint64_t> job_ids; // the new jobs
  std::string newest_id;         // the first (newest) entry listed, for the next refresh
  int64_t newest_timestamp = 0;  // its upload time in seconds (0: unknown)
  /// Per URL of the plan: the first (newest) entry listed there, known or not ("": none listed,
  /// e.g. a refresh that found nothing new, or a tab not listed because the cap was reached).
  std::vector<std::string> newest_ids;
  bool ok = true;
  bool ran = false; // yt-dlp listed (a switch that is off, or no yt-dlp: nothing was listed)
  std::string note; // one line for people: what happened, or why nothing did
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, enumeration_result& x) {
  return f(caf::meta::type_name("vfb.enumeration_result"), x.follow_id, x.listed, x.enqueued,
           x.duplicates, x.malformed, x.skipped, x.job_ids, x.newest_id, x.newest_timestamp,
           x.newest_ids, x.ok, x.ran, x.note);
}

/// What auto-follow did after a download (the original design's trigger_auto_follow result).
struct follow_result {
  uint64_t job_id = 0; // the job whose download triggered it
  job_key key;
  bool enabled = false; // auto-follow was on for the workspace
  uint64_t follow_id = 0;
  std::string channel_url;
  uint64_t enqueued = 0;
  std::vector<uint64_t> job_ids;
  std::string note;
};

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, follow_result& x) {
  return f(caf::meta::type_name("vfb.follow_result"), x.job_id, x.key, x.enabled, x.follow_id,
           x.channel_url, x.enqueued, x.job_ids, x.note);
}

} // namespace vfb
