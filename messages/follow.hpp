// What the auto-follow, channel enumerator and follow refresher actors exchange, and what they
// report (`vfb run` waits for the jobs a follow enqueued).
#pragma once

#include "messages/job.hpp"

#include <caf/meta/type_name.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace vfb {

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
