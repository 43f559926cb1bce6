// What flows between the submission actor, the pipeline coordinator and its stage workers, and
// what the pipeline tells its subscribers (progress for `vfb run`, downloads for auto-follow).
#pragma once

#include "messages/job.hpp"
#include "messages/media.hpp"

#include <caf/meta/type_name.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vfb {

/// A request to process a URL, from any front end (CLI, HTTP API, Discord).
struct submission {
  std::string url;
  std::string tenant;
  std::string workspace;
  job_origin origin = job_origin::cli;
  bool force = false; // re-run a video this workspace already processed
  std::vector<std::string> tags;
  std::string visibility = "private";
};

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, submission& x) {
  return f(caf::meta::type_name("vfb.submission"), x.url, x.tenant, x.workspace, x.origin, x.force,
           x.tags, x.visibility);
}

/// The pipeline's stages, in the order a job passes them.
enum class stage_kind : uint8_t { download = 0, transcribe = 1, analyze = 2, memory = 3, post = 4 };
inline constexpr int stage_count = 5;

std::string_view to_string(stage_kind x);

/// One stage of one leased job, for a stage worker.
struct stage_request {
  stage_kind stage = stage_kind::download;
  ingest_job job;
  /// The lease's fencing epoch: a worker's results reach the node only while it still holds it.
  uint64_t epoch = 0;
};

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, stage_request& x) {
  return f(caf::meta::type_name("vfb.stage_request"), x.stage, x.job, x.epoch);
}

/// How a stage went. `finished` says the job is over after this stage: it failed (the outcome
/// says how), or there is nothing more to do (e.g. skipped as too old).
struct stage_result {
  stage_kind stage = stage_kind::download;
  bool finished = false;
  job_outcome outcome;      // when finished
  std::string note;         // one line for progress output ("captions (en)", "cached", ...)
  millis elapsed = 0;       // wall time of the stage
  download_result download; // the download stage's result (for auto-follow)
};

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, stage_result& x) {
  return f(caf::meta::type_name("vfb.stage_result"), x.stage, x.finished, x.outcome, x.note,
           x.elapsed, x.download);
}

/// What the pipeline reports about a job.
enum class progress_kind : uint8_t {
  started = 0,  // a stage began
  progress = 1, // a stage reports how far it is (fraction in [0, 1])
  finished = 2, // a stage ended well
  ended = 3,    // the job is over (outcome says how)
};

struct pipeline_event {
  uint64_t job_id = 0;
  job_key key;
  progress_kind kind = progress_kind::started;
  stage_kind stage = stage_kind::download;
  double fraction = 0;
  std::string note;
  millis elapsed = 0;
  job_outcome outcome; // when ended
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, pipeline_event& x) {
  return f(caf::meta::type_name("vfb.pipeline_event"), x.job_id, x.key, x.kind, x.stage, x.fraction,
           x.note, x.elapsed, x.outcome);
}

/// A video was downloaded (or found in the cache) for a job: the trigger for auto-follow.
struct download_completed {
  download_result download;
  ingest_job job;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, download_completed& x) {
  return f(caf::meta::type_name("vfb.download_completed"), x.download, x.job);
}

} // namespace vfb
