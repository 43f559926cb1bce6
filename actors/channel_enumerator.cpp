#include "actors/channel_enumerator.hpp"

#include "actors/scheduler.hpp"
#include "adapters/backfill.hpp"
#include "adapters/process.hpp"
#include "messages/errors.hpp"

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
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

namespace {

using self_ptr = channel_enumerator_actor::stateful_pointer<channel_enumerator_state>;
using promise = caf::typed_response_promise<enumeration_result>;

/// Lists the plan and enqueues its jobs; a throttled listing opens the source's breaker.
void list_and_enqueue(self_ptr self, const backfill_plan& plan, promise rp) {
  std::vector<ingest_job> jobs;
  classified_failure failure;
  auto r = list_for_plan(self->state.options, plan, jobs, &failure);
  auto& scheduler = self->state.scheduler;
  if (!r.ok && failure.kind == ytdlp_failure::throttled) {
    // The same breaker as the pipeline's: downloads from the source wait too.
    self->request(scheduler, caf::infinite, trip_atom::value, source_of(plan),
                  static_cast<millis>(failure.retry_after.count()))
        .then([=](millis) mutable { rp.deliver(r); },
              [=](const caf::error&) mutable { rp.deliver(r); });
    return;
  }
  if (jobs.empty()) {
    if (r.ok && r.note.empty())
      count_enqueued(r, plan, {});
    rp.deliver(r);
    return;
  }
  self->request(scheduler, caf::infinite, enqueue_atom::value, jobs, false)
      .then(
          [=](const std::vector<enqueue_result>& answers) mutable {
            auto done = r;
            count_enqueued(done, plan, answers);
            spdlog::info("{}", done.note);
            rp.deliver(done);
          },
          [=](const caf::error& e) mutable {
            auto failed = r;
            failed.ok = false;
            failed.note = "enqueueing the listing failed: " + error_message(e);
            rp.deliver(failed);
          });
}

} // namespace

channel_enumerator_actor::behavior_type
channel_enumerator(channel_enumerator_actor::stateful_pointer<channel_enumerator_state> self,
                   scheduler_actor scheduler, enumerator_options options) {
  self->state.scheduler = std::move(scheduler);
  self->state.options = std::move(options);
  return {
      [=](enumerate_atom, const backfill_plan& plan) -> caf::result<enumeration_result> {
        auto rp = self->make_response_promise<enumeration_result>();
        // A source that throttled us (a listing or a download) is left alone until its
        // breaker closes.
        self->request(self->state.scheduler, caf::infinite, breaker_atom::value, source_of(plan))
            .then(
                [=](millis until) mutable {
                  if (until > now_millis()) {
                    enumeration_result r;
                    r.follow_id = plan.follow_id;
                    r.ok = false;
                    r.note = source_of(plan) + " is throttling us; listing " + plan.channel_url +
                             " waits until its circuit breaker closes";
                    rp.deliver(r);
                    return;
                  }
                  list_and_enqueue(self, plan, rp);
                },
                [=](const caf::error&) mutable { list_and_enqueue(self, plan, rp); });
        return rp;
      },
  };
}

} // namespace vfb
