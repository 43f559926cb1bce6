// A job's results as the front ends show them (GET /v1/jobs/ID "results", the Discord bridge's
// answers): read from the stage checkpoints in the data dir's artifact store, so they appear
// stage by stage while the job runs.
#pragma once

#include "messages/job.hpp"
#include "messages/media.hpp"
#include "text/transcript_formats.hpp"

#include <filesystem>
#include <nlohmann/json.hpp>

namespace vfb {

/// What the pipeline produced for a job so far (null when nothing yet, or when `data_dir` is
/// empty: a node without a data dir shows jobs without results).
nlohmann::json job_results(const std::filesystem::path& data_dir, const job_view& v);

struct pipeline_counters;

/// A job as GET /v1/jobs/ID shows it: its record, "stages" (its latest run as this node saw
/// it) and "results".
nlohmann::json job_detail(const job_view& v, pipeline_counters& counters,
                          const std::filesystem::path& data_dir);

/// The job's transcript for other programs (GET /v1/jobs/ID/transcript.F, `vfb show ID
/// --format F`); JSON segments carry the `moment_url` that plays the video from them.
std::string transcript_export(const job_view& v, const transcript& t, text::transcript_format f);

/// The link that plays a search hit's video from the hit's start (adapters/source_url.hpp).
std::string hit_moment_url(const memory_hit& h);

/// A search hit as the front ends show it (the API, `vfb search --json`): its fields and
/// `moment_url`, the link that plays the video from the hit's start.
nlohmann::json hit_json(const memory_hit& h);

} // namespace vfb
