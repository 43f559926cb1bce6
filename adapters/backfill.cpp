#include "adapters/backfill.hpp"

#include "adapters/channel.hpp"
#include "adapters/follow_url.hpp"

#include <algorithm>
#include <chrono>
#include <set>

namespace vfb {

std::vector<std::string> plan_urls(const backfill_plan& plan,
                                   const std::vector<std::string>& tabs) {
  if (plan.source_type == "youtube" && !is_playlist_url(plan.channel_url))
    return channel_tabs(plan.channel_url, tabs);
  return {plan.channel_url};
}

size_t marker_slot(const std::string& plan_url) {
  return tab_index(plan_url).value_or(0);
}

namespace {

/// yt-dlp says the channel lacks this tab (no Live tab, or no uploads at all): an empty tab,
/// not a failed listing.
bool missing_tab(const ytdlp_error& e) {
  const auto& why = e.failure().reason;
  return (why.find("does not have a ") != std::string::npos &&
          why.find(" tab") != std::string::npos) ||
         why.find("has no uploads") != std::string::npos;
}

/// Scheduled or live right now: nothing to download yet. Once it has ended it is listed above
/// the tab's marker and enqueued then. yt-dlp before 2026.07.04 leaves `live_status` out of
/// YouTube's current tab entries; there an upcoming or live entry is the one without a duration
/// (its badge says UPCOMING or LIVE instead of a length), which no finished video lacks.
/// The Shorts tab is the exception: its entries never have a duration (nor a date or live
/// status), and a Short is never scheduled.
bool not_yet(const listing_entry& e, bool youtube_lockup, int64_t now_s) {
  if (e.live_status == "is_upcoming" || e.live_status == "is_live")
    return true;
  if (e.release_timestamp > now_s)
    return true;
  return youtube_lockup && e.live_status.empty() && !e.duration;
}

/// Whether `url` is a YouTube channel's uploads tab: every channel with videos has one.
bool is_uploads_tab(const std::string& url) {
  constexpr std::string_view tab = "/videos";
  return url.size() > tab.size() && url.compare(url.size() - tab.size(), tab.size(), tab) == 0;
}

/// Why a /videos tab that yt-dlp listed as empty, with success, is a failure, and what to do.
std::string empty_uploads_reason(const std::string& url, const listing_options& o) {
  std::string who =
      "yt-dlp" + (o.version ? " " + o.version->text : std::string{}) + " (" + o.program + ")";
  if (o.version && *o.version < ytdlp_release::youtube_channel_pages)
    return who + " listed no videos on " + url + " and reported success: it is too old for " +
           "YouTube's channel pages (" + ytdlp_release::youtube_channel_pages.text +
           " or newer reads them). Run `vfb tools update` (or install a newer yt-dlp and set " +
           "tools.ytdlp); `vfb doctor` checks the tools. The follow is listed again later.";
  return who + " listed no videos on " + url + " and reported success, but a channel's " +
         "uploads tab is never empty: YouTube may have changed its pages again. Update yt-dlp " +
         "(`vfb tools update`); `vfb doctor` checks the tools. The follow is listed again later.";
}

} // namespace

backfill_listing list_plan(const backfill_plan& plan, const std::vector<std::string>& tabs,
                           listing_options base, const std::atomic<bool>* cancel) {
  backfill_listing out;
  std::set<std::string> seen;
  base.since = plan.since;
  base.youtube = plan.source_type == "youtube";
  bool playlist = base.youtube && is_playlist_url(plan.channel_url);
  base.chronological = !playlist;
  auto urls = plan_urls(plan, tabs);
  size_t slots = 1;
  for (const auto& url : urls)
    slots = std::max(slots, marker_slot(url) + 1);
  out.newest_ids.assign(slots, {});
  auto known_before = plan.known_until;
  if (base.youtube && known_before > 0)
    known_before -= base.approximate_margin.count();
  auto now_s = std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
  for (size_t i = 0; i < urls.size(); ++i) {
    if (plan.limit > 0 && out.entries.size() >= plan.limit)
      break;
    base.limit = plan.limit > 0 ? plan.limit - out.entries.size() : 0;
    auto slot = marker_slot(urls[i]);
    bool own_marker = slot < plan.stop_at_ids.size() && !plan.stop_at_ids[slot].empty();
    base.stop_at_id = playlist     ? std::string{}
                      : own_marker ? plan.stop_at_ids[slot]
                                   : plan.stop_at_id;
    // A YouTube tab lists newest first and stops at its own marker: whatever is above it is new,
    // however old its approximate date. Without one (a feed, whose order is not guaranteed, or
    // a tab never listed before) entries dated before the newest known upload are passed over.
    // A playlist gains old videos as readily as new ones: its dates say nothing of what is known.
    bool by_date = !(base.youtube && own_marker) && !playlist;
    listing_result r;
    try {
      r = list_entries(base, urls[i], cancel);
    } catch (const ytdlp_error& e) {
      if (!base.youtube || !missing_tab(e))
        throw;
      // An old yt-dlp may not find the uploads tab in YouTube's current pages at all.
      if (is_uploads_tab(urls[i]) && base.version &&
          *base.version < ytdlp_release::youtube_channel_pages)
        throw ytdlp_error({ytdlp_failure::transient, empty_uploads_reason(urls[i], base),
                           std::chrono::milliseconds{0}});
      ++out.missing_tabs;
      continue;
    }
    // Nothing printed and no stop at a filter: yt-dlp could not read the page (an empty channel
    // has no videos tab at all, and yt-dlp says so). Counting it as done would end the backfill.
    if (base.youtube && is_uploads_tab(urls[i]) && r.lines == 0 && !r.stopped_at_filter)
      throw ytdlp_error({ytdlp_failure::transient, empty_uploads_reason(urls[i], base),
                         std::chrono::milliseconds{0}});
    // YouTube's tabs and playlists list lockups, whose upcoming entries lack a duration; the
    // Shorts tab lists Shorts, which lack one always.
    bool youtube_lockup = base.youtube && urls[i] != plan.channel_url + "/shorts";
    out.malformed_lines += r.malformed_lines;
    out.unavailable += r.unavailable;
    out.too_old += r.too_old;
    out.without_timestamp += r.without_timestamp;
    // The marker is the newest entry that can be downloaded: stopping at a scheduled stream
    // would hide every stream that ends below it.
    auto marker = std::find_if(r.entries.begin(), r.entries.end(), [&](const listing_entry& e) {
      return !not_yet(e, youtube_lockup, now_s);
    });
    if (marker != r.entries.end())
      out.newest_ids[slot] = marker->id;
    for (auto& e : r.entries) {
      if (e.id == base.stop_at_id || (by_date && e.timestamp > 0 && e.timestamp < known_before)) {
        ++out.known;
        continue;
      }
      if (not_yet(e, youtube_lockup, now_s)) {
        ++out.upcoming;
        continue;
      }
      if (!seen.insert(e.id).second) {
        ++out.duplicates;
        continue;
      }
      out.entries.push_back(std::move(e));
    }
  }
  return out;
}

std::vector<ingest_job> jobs_for_entries(const std::vector<listing_entry>& entries,
                                         const backfill_plan& plan, const url_policy& policy,
                                         size_t* refused) {
  std::vector<ingest_job> jobs;
  std::set<std::pair<std::string, std::string>> keys;
  for (const auto& e : entries) {
    if (plan.limit > 0 && jobs.size() >= plan.limit)
      break;
    auto c = canonicalize_url(e.url, policy);
    if (!c.ok) {
      if (refused != nullptr)
        ++*refused;
      continue;
    }
    if (!keys.insert({c.ref.source, c.ref.external_id}).second)
      continue;
    ingest_job j;
    j.key = {plan.tenant, plan.workspace, c.ref.source, c.ref.external_id};
    j.url = c.ref.canonical_url;
    j.priority = plan.priority;
    j.origin = plan.origin;
    j.upload_cutoff = plan.since;
    jobs.push_back(std::move(j));
  }
  return jobs;
}

} // namespace vfb
