#include "storage/checkpoint_exchange.hpp"

#include "storage/artifact_store.hpp"
#include "storage/media_json.hpp"

namespace vfb {

std::optional<stage_checkpoint> export_checkpoint(const artifact_store& a, const ingest_job& job,
                                                  stage_kind stage) {
  auto j = a.checkpoint(job.id, stage);
  if (!j)
    return std::nullopt;
  stage_checkpoint cp;
  cp.stage = stage;
  cp.json = j->dump();
  if (stage == stage_kind::transcribe) {
    // Its checkpoint only counts segments; the transcript itself is cached per video.
    auto t = a.cached_transcript(job.key.source, job.key.external_id);
    if (!t)
      return std::nullopt; // the stage must run again anyway
    cp.transcript_json = nlohmann::json(*t).dump();
  }
  return cp;
}

std::vector<stage_checkpoint> export_checkpoints(const artifact_store& a, const ingest_job& job) {
  std::vector<stage_checkpoint> out;
  for (int s = 0; s < stage_count; ++s)
    if (auto cp = export_checkpoint(a, job, static_cast<stage_kind>(s)))
      out.push_back(std::move(*cp));
  return out;
}

void import_checkpoint(artifact_store& a, const ingest_job& job, const stage_checkpoint& cp) {
  auto where = std::string{"job "} + std::to_string(job.id) + "'s " +
               std::string{to_string(cp.stage)} + " checkpoint";
  nlohmann::json value;
  std::optional<transcript> t;
  try {
    value = nlohmann::json::parse(cp.json);
    if (cp.stage == stage_kind::transcribe)
      t = nlohmann::json::parse(cp.transcript_json).get<transcript>();
  } catch (const std::exception& e) {
    throw checkpoint_error(where + " is malformed: " + e.what());
  }
  if (t) // first the transcript, so a checkpoint never points at a missing one
    a.save_transcript(job.key.source, job.key.external_id, *t);
  a.save_checkpoint(job.id, cp.stage, value);
}

} // namespace vfb
