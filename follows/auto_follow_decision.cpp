// Auto-follow's decision: the workspace's switch, then YouTube, an uploader and its channel.
#include "follows/auto_follow_decision.hpp"

#include "adapters/channel.hpp"

namespace vfb {

bool auto_follow_effective(auto_follow_setting setting, bool node_enabled) {
  return setting == auto_follow_setting::on ||
         (setting == auto_follow_setting::inherit && node_enabled);
}

follow_decision decide_follow(const download_completed& d, auto_follow_setting setting,
                              const auto_follow_options& opts, millis now) {
  follow_decision out;
  auto& r = out.result;
  const auto& job = d.job;
  r.job_id = job.id;
  r.key = job.key;
  r.enabled = auto_follow_effective(setting, opts.enabled);
  auto where = job.key.tenant + "/" + job.key.workspace;
  if (!r.enabled) {
    r.note = "auto-follow is off for " + where;
    return out;
  }
  if (job.key.source != "youtube" || !is_youtube_download(d.download)) {
    r.note = "not a YouTube video (" +
             (d.download.extractor.empty() ? std::string{"unknown site"} : d.download.extractor) +
             "): auto-follow skipped";
    return out;
  }
  if (d.download.uploader.empty()) {
    r.note = "the video names no uploader: auto-follow skipped";
    return out;
  }
  auto channel = resolve_channel(d.download);
  if (!channel) {
    r.note = "the uploader's channel is unknown: auto-follow skipped";
    return out;
  }
  r.channel_url = *channel;
  follow_record f;
  f.tenant = job.key.tenant;
  f.workspace = job.key.workspace;
  f.channel_url = *channel;
  f.source = "youtube";
  f.uploader = d.download.uploader;
  f.origin = job_origin::backfill;
  f.created_from_job = job.id;
  f.since = now - opts.window;
  f.limit = opts.max_videos;
  out.follow = std::move(f);
  return out;
}

} // namespace vfb
