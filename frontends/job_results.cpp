// A job's results from its stage checkpoints (see job_results.hpp).
#include "frontends/job_results.hpp"

#include "actors/node.hpp"
#include "adapters/source_url.hpp"
#include "frontends/metrics.hpp"
#include "messages/json.hpp"
#include "storage/artifact_store.hpp"
#include "storage/media_json.hpp"
#include "text/ranking.hpp"

#include <string>
#include <vector>

namespace vfb {

nlohmann::json job_results(const std::filesystem::path& data_dir, const job_view& v) {
  if (data_dir.empty())
    return nullptr;
  artifact_store artifacts{artifacts_dir(data_dir)};
  auto d = checkpoint_as<download_result>(artifacts, v.job.id, stage_kind::download);
  auto a = checkpoint_as<analysis>(artifacts, v.job.id, stage_kind::analyze);
  if (!d && !a)
    return nullptr;
  nlohmann::json r = nlohmann::json::object();
  if (d) {
    r["title"] = d->title;
    r["uploader"] = d->uploader;
    r["duration_s"] = d->duration;
    r["upload_date"] = d->upload_date;
    r["webpage_url"] = d->webpage_url;
  }
  if (a) {
    r["topics"] = text::terms_of(a->topics);
    r["key_phrases"] = text::terms_of(a->key_phrases);
    r["summary"] = a->summary;
  }
  return r;
}

nlohmann::json job_detail(const job_view& v, pipeline_counters& counters,
                          const std::filesystem::path& data_dir) {
  auto body = to_json(v);
  body["stages"] = counters.progress_of(v.job.id);
  body["results"] = job_results(data_dir, v);
  return body;
}

std::string transcript_export(const job_view& v, const transcript& t, text::transcript_format f) {
  return text::format_transcript(t, f, [&](int64_t start_ms) {
    return moment_url(v.job.key.source, v.job.key.external_id, v.job.url, start_ms);
  });
}

std::string hit_moment_url(const memory_hit& h) {
  return moment_url(h.source, h.external_id, h.url, h.start_ms);
}

nlohmann::json hit_json(const memory_hit& h) {
  auto j = to_json(h);
  j["moment_url"] = hit_moment_url(h);
  return j;
}

} // namespace vfb
