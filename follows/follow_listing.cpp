// A listing of a plan: the switches, the URL policy, yt-dlp, and the counts people read.
#include "follows/follow_listing.hpp"

#include "adapters/backfill.hpp"
#include "adapters/process.hpp"

#include <spdlog/spdlog.h>

namespace vfb {

namespace {

std::string what_is_listed(const backfill_plan& plan) {
  return plan.uploader_handle.empty() ? plan.channel_url
                                      : plan.uploader_handle + " (" + plan.channel_url + ")";
}

} // namespace

std::string source_of(const backfill_plan& plan) {
  return plan.source_type == "youtube" ? "youtube" : "generic";
}

enumeration_result list_for_plan(const enumerator_options& opts, const backfill_plan& plan,
                                 std::vector<ingest_job>& jobs, classified_failure* failure) {
  enumeration_result r;
  r.follow_id = plan.follow_id;
  jobs.clear();
  if (plan.automatic && !opts.enabled) {
    r.note = "backfill is off (ENABLE_UPLOADER_BACKFILL / auto_follow.backfill): nothing listed";
    return r;
  }
  if (opts.stop && opts.stop->load()) {
    r.ok = false;
    r.note = "the node is stopping: " + plan.channel_url + " is listed later";
    return r;
  }
  // Follows are stored; the policy may have changed since (e.g. loopback no longer allowed).
  if (plan.source_type != "youtube") {
    auto checked = canonicalize_url(plan.channel_url, opts.policy);
    if (!checked.ok) {
      r.ok = false;
      r.note = "not listing " + plan.channel_url + ": " + checked.error;
      return r;
    }
  }
  auto tools = locate_ytdlp(opts.ytdlp);
  if (tools.origin == "not found") {
    r.note = "yt-dlp not found (tools.ytdlp = " + opts.ytdlp.program +
             "): backfill enqueues nothing; `vfb tools update` installs it";
    spdlog::warn("{}: {}", what_is_listed(plan), r.note);
    return r;
  }
  if (opts.limits)
    opts.limits->wait(source_of(plan));
  auto listing = opts.listing;
  listing.program = tools.program;
  listing.version = tools.version;
  listing.extra_args = tools.args;
  if (is_loopback_url(plan.channel_url))
    listing.extra_args.insert(listing.extra_args.end(), {"--proxy", ""});
  backfill_listing l;
  try {
    l = list_plan(plan, opts.tabs, listing, opts.stop.get());
  } catch (const ytdlp_error& e) {
    if (failure != nullptr)
      *failure = e.failure();
    r.ok = false;
    r.note = "listing " + what_is_listed(plan) + " failed: " + e.failure().reason;
    spdlog::warn("{}", r.note);
    return r;
  } catch (const std::exception& e) { // e.g. no process could be started
    r.ok = false;
    r.note = "listing " + what_is_listed(plan) + " failed: " + e.what();
    spdlog::warn("{}", r.note);
    return r;
  }
  r.ran = true;
  size_t refused = 0;
  jobs = jobs_for_entries(l.entries, plan, opts.policy, &refused);
  r.listed = l.entries.size();
  r.malformed = l.malformed_lines;
  r.skipped = l.unavailable + l.too_old + l.upcoming + refused;
  r.duplicates = l.known; // known to the follow already: as good as a queue duplicate
  if (!l.entries.empty()) {
    r.newest_id = l.entries.front().id;
    r.newest_timestamp = l.entries.front().timestamp;
  }
  r.newest_ids = l.newest_ids;
  if (l.missing_tabs > 0)
    spdlog::info("{}: {} of its tabs do not exist on the channel (listed as empty)",
                 what_is_listed(plan), l.missing_tabs);
  if (r.malformed > 0)
    spdlog::warn("{}: {} lines of yt-dlp's listing were not entries (skipped)",
                 what_is_listed(plan), r.malformed);
  return r;
}

void count_enqueued(enumeration_result& r, const backfill_plan& plan,
                    const std::vector<enqueue_result>& answers) {
  for (const auto& a : answers) {
    if (a.status == enqueue_status::duplicate) {
      ++r.duplicates;
    } else if (a.status == enqueue_status::invalid) {
      ++r.skipped;
    } else {
      ++r.enqueued;
      r.job_ids.push_back(a.job_id);
    }
  }
  r.note = "listed " + std::to_string(r.listed) + " videos of " + what_is_listed(plan) + ": " +
           std::to_string(r.enqueued) + " enqueued, " + std::to_string(r.duplicates) +
           " already known";
  if (r.skipped > 0)
    r.note += ", " + std::to_string(r.skipped) +
              " skipped (unavailable, too old, not yet streamed or premiered, or refused)";
  if (r.malformed > 0)
    r.note += ", " + std::to_string(r.malformed) + " malformed lines";
}

bool finish_without_jobs(enumeration_result& r, const backfill_plan& plan,
                         const std::vector<ingest_job>& jobs) {
  if (!jobs.empty())
    return false;
  if (r.ok && r.note.empty())
    count_enqueued(r, plan, {});
  return true;
}

} // namespace vfb
