// The helpers every stage uses (actors/stage_parts.hpp).
#include "actors/stage_parts.hpp"

#include "messages/time.hpp"

#include <filesystem>
#include <stdexcept>

namespace vfb::stage_parts {

namespace fs = std::filesystem;

namespace {

/// "45 min", "2 h 5 min", "3 days": how long a job waits, for its reason.
std::string format_wait(std::chrono::milliseconds wait) {
  auto minutes = std::chrono::ceil<std::chrono::minutes>(wait).count();
  if (minutes < 60)
    return std::to_string(minutes) + " min";
  if (minutes < 48 * 60)
    return std::to_string(minutes / 60) + " h" +
           (minutes % 60 == 0 ? std::string{} : " " + std::to_string(minutes % 60) + " min");
  return std::to_string(minutes / (24 * 60)) + " days";
}

} // namespace

stage_result ended(job_outcome outcome) {
  stage_result r;
  r.finished = true;
  r.outcome = std::move(outcome);
  return r;
}

stage_result went_on(std::string note) {
  stage_result r;
  r.note = std::move(note);
  return r;
}

download_result need_download(const shared_state& s, const ingest_job& job) {
  if (auto d = load_checkpoint<download_result>(s, job, stage_kind::download))
    return *d;
  throw std::runtime_error("the download checkpoint is missing; the job starts over");
}

transcript need_transcript(const shared_state& s, const ingest_job& job) {
  std::string problem;
  if (auto t = s.env->artifacts->cached_transcript(job.key.source, job.key.external_id, &problem))
    return *t;
  throw std::runtime_error("the transcript is missing" +
                           (problem.empty() ? std::string{} : " (" + problem + ")"));
}

job_outcome outcome_of(const classified_failure& f, const job_key& key) {
  switch (f.kind) {
  case ytdlp_failure::permanent:
    return job_outcome::permanent(f.reason);
  case ytdlp_failure::throttled:
    return job_outcome::throttled(key.source, f.retry_after.count(), f.reason);
  case ytdlp_failure::not_yet:
    return job_outcome::waiting(f.retry_after.count(),
                                f.reason + " (waiting until then: tried again " +
                                    format_wait(f.retry_after) + " from now)");
  case ytdlp_failure::transient:
    break;
  }
  return job_outcome::transient(f.reason);
}

std::optional<std::string> before_cutoff(const download_result& d, const ingest_job& job) {
  if (job.upload_cutoff <= 0)
    return std::nullopt;
  if (d.timestamp > 0 && d.timestamp * 1000 < job.upload_cutoff)
    return "uploaded " + utc_date(d.timestamp * 1000) + ", before the backfill window (" +
           utc_date(job.upload_cutoff) + ")";
  if (d.timestamp <= 0 && !d.upload_date.empty() && d.upload_date < utc_date(job.upload_cutoff))
    return "uploaded " + d.upload_date + ", before the backfill window (" +
           utc_date(job.upload_cutoff) + ")";
  return std::nullopt;
}

bool media_present(const download_result& d) {
  std::error_code ec;
  return !d.media_path.empty() && fs::exists(d.media_path, ec);
}

ffmpeg_options ffmpeg_for(const vfb_config& cfg) {
  ffmpeg_options fo;
  fo.program = cfg.tools.ffmpeg;
  if (auto dir = fs::path{cfg.tools.ffmpeg}.parent_path(); !dir.empty())
    fo.probe_program = (dir / "ffprobe").string();
  fo.timeout = std::chrono::seconds{cfg.tools.ffmpeg_timeout_s};
  return fo;
}

} // namespace vfb::stage_parts
