// The factory of the real stages (actors/stages.hpp); each stage is a file of its own
// (stage_download, stage_transcribe, stage_analyze, stage_post; their shared parts in
// stage_parts).
#include "actors/stages.hpp"

#include "actors/stage_parts.hpp"

namespace vfb {

using namespace stage_parts;

stage_function_factory real_stages(std::shared_ptr<const stage_environment> env) {
  auto s = std::make_shared<shared_state>();
  s->env = std::move(env);
  return [s](stage_kind kind) -> stage_function {
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
  };
}

} // namespace vfb
