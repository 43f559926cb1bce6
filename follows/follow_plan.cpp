// The follow's pure rules: URL to follow, plan, next refresh, a listing's bookkeeping.
#include "follows/follow_plan.hpp"

#include "adapters/channel.hpp"
#include "adapters/follow_url.hpp"

namespace vfb {

millis next_refresh(millis now, const refresher_options& o, std::mt19937_64& rng) {
  auto spread = o.interval * o.jitter_pct / 100;
  if (spread <= 0)
    return now + o.interval;
  std::uniform_int_distribution<millis> jitter{-spread, spread};
  return now + o.interval + jitter(rng);
}

namespace {

/// A refusal that says why, then what can be followed.
follow_refused not_followable(const std::string& url, const std::string& why) {
  return follow_refused("cannot follow '" + url + "': " + why + ". Follow " + followable_urls +
                        ".");
}

} // namespace

follow_record follow_for_url(const std::string& url, const url_policy& policy) {
  follow_record f;
  std::optional<std::string> youtube;
  try {
    youtube = youtube_follow_url(url);
  } catch (const std::invalid_argument& e) {
    throw not_followable(url, e.what());
  }
  if (youtube) {
    f.channel_url = *youtube;
    f.source = "youtube";
    return f;
  }
  auto c = canonicalize_url(url, policy);
  if (c.ok && c.ref.source == "youtube")
    throw not_followable(url, "it is a video, not a channel or playlist");
  if (!c.ok) // a YouTube page that is neither (the home page, a search) says so plainly
    throw not_followable(url, split_youtube_url(url) ? "it names no YouTube channel or playlist"
                                                     : c.error);
  f.channel_url = c.ref.canonical_url;
  f.source = "generic";
  return f;
}

follow_record new_follow(const follow_request& req, const follow_options& o, millis now) {
  auto f = follow_for_url(req.url, o.policy);
  f.tenant = req.tenant;
  f.workspace = req.workspace;
  f.origin = req.origin;
  f.limit = req.limit.value_or(o.max_videos);
  f.since = req.since.value_or(now - o.window);
  return f;
}

backfill_plan plan_for(const follow_record& f, uint32_t refresh_limit) {
  backfill_plan p;
  p.source_type = f.source == "youtube" ? "youtube" : "generic";
  p.channel_url = f.channel_url;
  p.uploader_handle = f.uploader;
  p.tenant = f.tenant;
  p.workspace = f.workspace;
  p.since = f.since;
  p.follow_id = f.id;
  p.automatic = f.created_from_job != 0;
  if (f.last_listed_at == 0) { // never listed: the backfill itself
    p.limit = f.limit;
    p.priority = priority_class::backfill;
    p.origin = job_origin::backfill;
  } else {
    bool playlist = is_playlist_url(f.channel_url);
    p.limit = playlist ? f.limit : refresh_limit;
    // A playlist's refresh enqueues its whole window again (the queue's dedupe knows what is
    // new): at refresh priority it would promote every backfill job still queued.
    p.priority = playlist ? priority_class::backfill : priority_class::refresh;
    p.origin = job_origin::refresh;
    p.stop_at_id = f.newest_id;
    p.stop_at_ids = f.newest_ids;
    p.known_until = f.newest_timestamp / 1000;
  }
  return p;
}

void record_listing(follow_record& f, const enumeration_result& r, millis now, millis next) {
  f.next_refresh_at = next;
  if (!r.ok) {
    f.last_error = r.note;
    return;
  }
  if (!r.ran) {
    // Nothing was listed (backfill off, no yt-dlp): the first real listing is still the
    // backfill, with its window and cap.
    f.last_error = r.note;
    return;
  }
  f.last_error.clear();
  f.last_listed_at = now;
  f.enqueued_total += r.enqueued;
  if (!r.newest_id.empty()) {
    f.newest_id = r.newest_id;
    f.newest_timestamp = r.newest_timestamp * 1000;
  }
  // Each URL keeps its own marker until a listing finds something newer there.
  if (f.newest_ids.size() < r.newest_ids.size())
    f.newest_ids.resize(r.newest_ids.size());
  for (size_t i = 0; i < r.newest_ids.size(); ++i)
    if (!r.newest_ids[i].empty())
      f.newest_ids[i] = r.newest_ids[i];
}

} // namespace vfb
