// The factory of the real stages (actors/stages.hpp); each stage is a file of its own
// (stage_download, stage_transcribe, stage_analyze, stage_post; their shared parts in
// stage_parts).
#include "actors/stages.hpp"

#include "actors/stage_parts.hpp"
#include "storage/artifact_store.hpp"
#include "storage/disk_space.hpp"
#include "storage/memory_store.hpp"

#include <stdexcept>

namespace vfb {

using namespace stage_parts;

namespace {

/// Why a stage failed when the node's disk is full, whatever the failure said (yt-dlp and
/// ffmpeg do not always name it); nullopt otherwise.
std::optional<std::string> full_disk(const stage_environment& env) {
  auto note = disk_full_note(env.artifacts->root());
  if (!note && env.memory)
    note = disk_full_note(env.memory->options().dir);
  return note;
}

/// `work`, whose unexpected and transient failures on a full disk say so (the job runs again
/// once there is room). A permanent failure stays what it is: the video is gone whatever the
/// disk holds.
stage_function on_full_disk(std::shared_ptr<shared_state> s, stage_function work) {
  return [s, work = std::move(work)](const stage_request& r, const progress_fn& p) {
    stage_result result;
    try {
      result = work(r, p);
    } catch (const std::exception& e) {
      if (auto full = full_disk(*s->env))
        throw std::runtime_error(*full + " (" + e.what() + ")");
      throw;
    }
    auto& o = result.outcome;
    if (result.finished && o.kind == outcome_kind::transient_failure)
      if (auto full = full_disk(*s->env))
        o = job_outcome::transient(*full + " (" + o.reason + ")");
    return result;
  };
}

stage_function stage_of(const std::shared_ptr<shared_state>& s, stage_kind kind) {
  switch (kind) {
  case stage_kind::download:
    return [s](const stage_request& r, const progress_fn& p) { return download_stage(*s, r, p); };
  case stage_kind::transcribe:
    return transcribe_stage(s);
  case stage_kind::analyze:
    return [s](const stage_request& r, const progress_fn& p) { return analyze_stage(*s, r, p); };
  case stage_kind::memory:
    return [s](const stage_request& r, const progress_fn& p) { return memory_stage(*s, r, p); };
  case stage_kind::post:
    break;
  }
  return [s](const stage_request& r, const progress_fn& p) { return post_stage(*s, r, p); };
}

} // namespace

stage_function_factory real_stages(std::shared_ptr<const stage_environment> env) {
  auto s = std::make_shared<shared_state>();
  s->env = std::move(env);
  s->speakers = speaker_profiles_for(*s->env);
  return [s](stage_kind kind) { return on_full_disk(s, stage_of(s, kind)); };
}

} // namespace vfb
