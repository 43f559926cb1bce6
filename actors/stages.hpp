// The real pipeline stages: download (yt-dlp, cached per video), transcribe (captions, else
// ffmpeg + speech recognition), analyze (topics, key phrases, summary), memory (chunks into the
// workspace's memory) and post (Discord webhook). Plain functions over the artifact and memory
// stores; no CAF, so they are tested and benchmarked without actors.
//
// Every stage first looks for its own checkpoint (artifact_store, per job) and returns at once
// when it finds one: a retried job resumes after the last stage that finished, without a
// second download or transcription. Media and transcripts are also cached per video, shared by
// every tenant, so a video that two workspaces submit is downloaded and transcribed once.
#pragma once

#include "actors/stage_function.hpp"
#include "adapters/config_file.hpp"
#include "adapters/ytdlp_tools.hpp"
#include "text/topics.hpp"

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace vfb {

class artifact_store;
class media_cache;
class memory_store;
class discord_store;
class rate_limits;

/// What the stages work with.
struct stage_environment {
  vfb_config config;
  /// Which yt-dlp runs and how (its managed copy lives in the data dir).
  ytdlp_tools ytdlp;
  std::shared_ptr<artifact_store> artifacts;
  /// The bound on the artifacts' media (none: kept for good).
  std::shared_ptr<media_cache> media;
  std::shared_ptr<memory_store> memory;
  /// Backfill and refresh results waiting for their follow's digest post (none: posted singly).
  std::shared_ptr<discord_store> discord;
  /// Downloads per source and minute (none: unlimited).
  std::shared_ptr<rate_limits> downloads;
  /// Where the analyze stage counts the terms of a job's workspace (a worker asks its node);
  /// unset: the memory store above.
  std::function<text::corpus_stats(const stage_request& req, const std::vector<std::string>& terms)>
      corpus;
  /// Set when the node stops: running tools are stopped and the stage ends without a result
  /// (its job is given back to the queue and resumes from its last checkpoint).
  std::shared_ptr<std::atomic<bool>> cancel = std::make_shared<std::atomic<bool>>(false);
  /// Where each uploader's speaker transform is kept (adapters/speaker_profiles); empty: no
  /// speaker adaptation.
  std::filesystem::path speakers_dir;
};

/// The factory for a node's stage workers. Each call makes one worker's function; a
/// transcriber's function owns its speech decoder (loaded on first use).
stage_function_factory real_stages(std::shared_ptr<const stage_environment> env);

} // namespace vfb
