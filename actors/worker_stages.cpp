// A worker's stages (actors/worker_stages.hpp).
#include "actors/worker_stages.hpp"

#include "actors/blocking_ask.hpp"
#include "actors/cluster_host.hpp"
#include "actors/stage_parts.hpp"
#include "messages/errors.hpp"
#include "storage/checkpoint_exchange.hpp"

namespace vfb {

using namespace stage_parts;

namespace {

struct worker_context {
  caf::actor_system* sys;
  node_link_actor link;
  std::shared_ptr<const stage_environment> env;
  worker_stage_options options;
};

/// Replaces the worker's checkpoints of the job with the node's; an error message when the
/// node did not answer.
std::optional<std::string> take_in_checkpoints(const worker_context& w, const ingest_job& job) {
  auto [cps, err] = blocking_ask<std::vector<stage_checkpoint>>(
      *w.sys, w.link, std::chrono::milliseconds{w.options.exchange_timeout}, checkpoint_atom::value,
      job);
  if (!cps)
    return "the node did not send the job's checkpoints: " + error_message(err);
  auto& artifacts = *w.env->artifacts;
  artifacts.clear_checkpoints(job.id);
  for (const auto& cp : *cps)
    import_checkpoint(artifacts, job, cp);
  return std::nullopt;
}

/// Hands the stage's new checkpoint to the node; the job's end when the node does not take it.
std::optional<stage_result> hand_over(const worker_context& w, const stage_request& req) {
  auto cp = export_checkpoint(*w.env->artifacts, req.job, req.stage);
  if (!cp)
    return ended(job_outcome::transient(std::string{to_string(req.stage)} +
                                        " left no checkpoint to hand to the node"));
  auto [taken, err] =
      blocking_ask<bool>(*w.sys, w.link, std::chrono::milliseconds{w.options.exchange_timeout},
                         checkpoint_atom::value, req.epoch, req.job, *cp);
  if (!taken)
    return ended(job_outcome::transient("the node did not take the " +
                                        std::string{to_string(req.stage)} +
                                        " checkpoint: " + error_message(err)));
  if (!*taken)
    return ended(job_outcome::transient("lease lost: the node refused the " +
                                        std::string{to_string(req.stage)} + " checkpoint"));
  return std::nullopt;
}

/// One of the worker's own stages, between the node's checkpoints and the node.
stage_function own_stage(std::shared_ptr<worker_context> w, stage_function local,
                         stage_function download) {
  return [w, local, download](const stage_request& req, const progress_fn& report) {
    if (auto problem = take_in_checkpoints(*w, req.job))
      return ended(job_outcome::transient(*problem));
    auto& artifacts = *w->env->artifacts;
    if (req.stage == stage_kind::transcribe && !artifacts.checkpoint(req.job.id, req.stage)) {
      // Resumed here after another machine downloaded it: its media are not on this disk.
      auto d = checkpoint_as<download_result>(artifacts, req.job.id, stage_kind::download);
      if (!d || !media_present(*d)) {
        report(0, "downloading again (the media are on another machine)");
        auto again = download(stage_request{stage_kind::download, req.job, req.epoch}, report);
        if (again.finished)
          return again;
      }
    }
    auto result = local(req, report);
    if (result.finished)
      return result;
    if (auto refused = hand_over(*w, req))
      return *refused;
    return result;
  };
}

/// A stage the node runs for the worker (memory, post).
stage_function node_stage(std::shared_ptr<worker_context> w) {
  return [w](const stage_request& req, const progress_fn&) {
    auto [result, err] = blocking_ask<stage_result>(
        *w->sys, w->link, std::chrono::milliseconds{w->options.node_stage_timeout},
        stage_atom::value, req);
    if (!result)
      return ended(job_outcome::transient("the node did not run the " +
                                          std::string{to_string(req.stage)} +
                                          " stage: " + error_message(err)));
    return *result;
  };
}

} // namespace

stage_function_factory worker_stages(caf::actor_system& sys, node_link_actor link,
                                     std::shared_ptr<const stage_environment> env,
                                     worker_stage_options options) {
  // Topic weighting counts terms in the workspace's memory, which only the node has.
  auto own = std::make_shared<stage_environment>(*env);
  own->corpus = [sys = &sys, link, options](const std::string& tenant, const std::string& workspace,
                                            const std::vector<std::string>& terms) {
    auto [counts, err] =
        blocking_ask<corpus_counts>(*sys, link, std::chrono::milliseconds{options.exchange_timeout},
                                    corpus_atom::value, tenant, workspace, terms);
    if (!counts)
      throw std::runtime_error("the node did not count the workspace's terms: " +
                               error_message(err));
    return stats_of(*counts);
  };
  auto w = std::make_shared<worker_context>(worker_context{&sys, std::move(link), own, options});
  auto local = real_stages(own);
  return [w, local](stage_kind kind) -> stage_function {
    if (kind == stage_kind::memory || kind == stage_kind::post)
      return node_stage(w);
    return own_stage(w, local(kind), local(stage_kind::download));
  };
}

} // namespace vfb
