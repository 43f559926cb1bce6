// A job's results as the front ends show them (GET /v1/jobs/ID "results", the Discord bridge's
// answers): read from the stage checkpoints in the data dir's artifact store, so they appear
// stage by stage while the job runs.
#pragma once

#include "messages/job.hpp"
#include "messages/media.hpp"

#include <filesystem>
#include <nlohmann/json.hpp>

namespace vfb {

/// What the pipeline produced for a job so far (null when nothing yet, or when `data_dir` is
/// empty: a node without a data dir shows jobs without results).
nlohmann::json job_results(const std::filesystem::path& data_dir, const job_view& v);

/// A search hit as the front ends show it (the API, `vfb search --json`): its fields and
/// `moment_url`, the link that plays the video from the hit's start.
nlohmann::json hit_json(const memory_hit& h);

} // namespace vfb
