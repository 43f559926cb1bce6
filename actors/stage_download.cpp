// The download stage: yt-dlp into the video's cache directory (shared by every workspace), paced
// per source; a video whose download is cached is not fetched again.
#include "actors/stage_parts.hpp"
#include "adapters/rate_limits.hpp"
#include "adapters/source_url.hpp"
#include "messages/time.hpp"
#include "storage/media_cache.hpp"
#include "storage/media_json.hpp"
#include "text/durations.hpp"

#include <filesystem>
#include <sstream>
#include <string>
#include <thread>

namespace vfb::stage_parts {

namespace fs = std::filesystem;

stage_result download_stage(shared_state& s, const stage_request& req, const progress_fn& report) {
  const auto& job = req.job;
  auto& artifacts = *s.env->artifacts;
  auto finish = [&](download_result d, std::string note) {
    if (auto why = before_cutoff(d, job))
      return ended(job_outcome::skipped(*why));
    artifacts.save_checkpoint(job.id, stage_kind::download, d);
    auto r = went_on(std::move(note));
    r.download = std::move(d);
    return r;
  };
  // Media the cache removed are needed only while the transcript is not cached.
  auto usable = [&](const download_result& d) {
    if (media_present(d)) {
      media_cache::touch(d.media_path); // used again: removed last
      return true;
    }
    return artifacts.cached_transcript(job.key.source, job.key.external_id).has_value();
  };
  if (auto d = load_checkpoint<download_result>(s, job, stage_kind::download); d && usable(*d))
    return finish(*d, "resumed from checkpoint");
  auto lock = s.locks.get(job.key);
  std::lock_guard guard{*lock};
  std::string problem;
  if (auto d = artifacts.cached_download(job.key.source, job.key.external_id, &problem);
      d && usable(*d))
    return finish(*d, "cached");
  const auto& cfg = s.env->config;
  auto tools = locate_ytdlp(s.env->ytdlp);
  ytdlp_options o;
  o.program = tools.program;
  o.extra_args = tools.args;
  o.sub_langs = cfg.captions.use ? cfg.captions.languages : std::vector<std::string>{};
  o.timeout = std::chrono::seconds{cfg.tools.ytdlp_timeout_s};
  if (is_loopback_url(job.url)) // a proxy from the environment cannot reach this machine
    o.extra_args.insert(o.extra_args.end(), {"--proxy", ""});
  if (job.upload_cutoff > 0) { // yt-dlp skips older videos before downloading them
    o.date_after = utc_date(job.upload_cutoff);
    o.time_after = job.upload_cutoff / 1000;
  }
  auto dir = artifacts.video_dir(job.key.source, job.key.external_id);
  if (s.env->downloads) {
    auto wait = s.env->downloads->reserve(job.key.source, token_bucket::clock::now());
    if (wait > token_bucket::clock::duration::zero()) {
      report(0, "waiting for the " + job.key.source + " download rate limit");
      std::this_thread::sleep_for(wait); // the configured rate itself
    }
  }
  try {
    auto d = download(o, job.url, dir, report, s.env->cancel.get());
    if (!d)
      return ended(job_outcome::skipped("uploaded before the backfill window (" +
                                        utc_date(job.upload_cutoff) + ")"));
    if (d->duration <= 0) { // e.g. a direct media URL: the site says nothing, the file does
      try {
        d->duration = probe_duration(ffmpeg_for(cfg), d->media_path);
      } catch (const ffmpeg_error&) {
        // The duration stays unknown (0); transcription finds out whether the file is usable.
      }
    }
    artifacts.save_download(job.key.source, job.key.external_id, *d);
    if (s.env->media)
      s.env->media->trim(); // the cache grew
    std::ostringstream note;
    note << (d->title.empty() ? d->video_id : d->title);
    if (d->duration > 0)
      note << " (" << text::clock_duration(d->duration) << ")";
    return finish(std::move(*d), note.str());
  } catch (const ytdlp_error& e) {
    return ended(outcome_of(e.failure(), job.key));
  }
}

} // namespace vfb::stage_parts
