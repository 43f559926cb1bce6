// What the stage files (stage_download, stage_transcribe, stage_analyze, stage_post) share:
// the node-wide state of every stage worker and the helpers each stage uses. Internal to the
// stages (actors/stages.hpp is the interface); plain C++, no CAF.
#pragma once

#include "actors/stages.hpp"
#include "adapters/ffmpeg.hpp"
#include "adapters/speaker_profiles.hpp"
#include "adapters/ytdlp.hpp"
#include "storage/artifact_store.hpp"
#include "storage/media_json.hpp" // the checkpoints' JSON

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace vfb::stage_parts {

/// One lock per video, so that two jobs for the same video (two workspaces) never download or
/// transcribe into its cache directory at once; the second finds the first one's result.
class video_locks {
public:
  std::shared_ptr<std::mutex> get(const job_key& key) {
    std::lock_guard guard{mu_};
    auto& m = locks_[key.source + '\n' + key.external_id];
    if (!m)
      m = std::make_shared<std::mutex>();
    return m;
  }

private:
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<std::mutex>> locks_;
};

/// When each Discord webhook may be used again: a successful post that used up the webhook's
/// rate-limit bucket says how long until it refills, and the next post waits for that.
class webhook_pacer {
public:
  using clock = std::chrono::steady_clock;
  clock::time_point ready_at(const std::string& hook) {
    std::lock_guard guard{mu_};
    auto it = ready_.find(hook);
    return it == ready_.end() ? clock::time_point{} : it->second;
  }
  void wait_after(const std::string& hook, std::chrono::milliseconds wait) {
    std::lock_guard guard{mu_};
    ready_[hook] = clock::now() + wait;
  }

private:
  std::mutex mu_;
  std::map<std::string, clock::time_point> ready_;
};

/// What every worker of a node shares.
struct shared_state {
  std::shared_ptr<const stage_environment> env;
  video_locks locks;
  webhook_pacer webhooks;
  /// The uploaders' speaker transforms; none when adaptation is off or its tools are missing.
  std::shared_ptr<speaker_profiles> speakers;
};

/// The node's speaker profiles as configured, or none: [speech] adaptation off, an external
/// transcriber, no speakers dir, or sphinxtrain missing (one warning says so).
std::shared_ptr<speaker_profiles> speaker_profiles_for(const stage_environment& env);

/// A stage's end with an outcome for the job.
stage_result ended(job_outcome outcome);
/// A stage that finished its part: the job goes on to the next stage.
stage_result went_on(std::string note);

template <class T>
std::optional<T> load_checkpoint(const shared_state& s, const ingest_job& job, stage_kind stage) {
  return checkpoint_as<T>(*s.env->artifacts, job.id, stage);
}

/// The outputs a later stage needs from an earlier one. A missing one means the job's
/// checkpoints were removed under it: the job starts over (transient), nothing is guessed.
download_result need_download(const shared_state& s, const ingest_job& job);
transcript need_transcript(const shared_state& s, const ingest_job& job);

/// The job's outcome for a classified yt-dlp failure.
job_outcome outcome_of(const classified_failure& f, const job_key& key);
/// Whether a backfill job's video is older than its window (exact, when the time is known).
std::optional<std::string> before_cutoff(const download_result& d, const ingest_job& job);
/// Whether the download's media file is still there.
bool media_present(const download_result& d);
/// ffmpeg as configured; ffprobe is the one next to it (Debian's ffmpeg package ships both).
ffmpeg_options ffmpeg_for(const vfb_config& cfg);

// The stages, one file each.
stage_result download_stage(shared_state& s, const stage_request& req, const progress_fn& report);
/// A transcriber's function: it owns its speech decoder (loaded on first use).
stage_function transcribe_stage(std::shared_ptr<shared_state> s);
stage_result analyze_stage(shared_state& s, const stage_request& req, const progress_fn& report);
stage_result memory_stage(shared_state& s, const stage_request& req, const progress_fn& report);
stage_result post_stage(shared_state& s, const stage_request& req, const progress_fn& report);

} // namespace vfb::stage_parts
