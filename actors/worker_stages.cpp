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

  template <class T, class... Ts>
  std::pair<std::optional<T>, caf::error> ask(millis timeout, Ts&&... xs) const {
    return blocking_ask<T>(*sys, link, std::chrono::milliseconds{timeout}, std::forward<Ts>(xs)...);
  }
};

/// Replaces the worker's checkpoints of the job with the node's; an error message when the
/// node did not answer (or the lease is no longer the worker's).
std::optional<std::string> take_in_checkpoints(const worker_context& w, const stage_request& req) {
  auto [cps, err] = w.ask<std::vector<stage_checkpoint>>(
      w.options.exchange_timeout, checkpoint_atom::value, req.job.id, req.epoch);
  if (!cps)
    return "the node did not send the job's checkpoints: " + error_message(err);
  auto& artifacts = *w.env->artifacts;
  artifacts.clear_checkpoints(req.job.id);
  for (const auto& cp : *cps)
    import_checkpoint(artifacts, req.job, cp);
  return std::nullopt;
}

/// Hands the stage's new checkpoint to the node; the job's end when the node does not take it.
std::optional<stage_result> hand_over(const worker_context& w, const stage_request& req) {
  auto stage = std::string{to_string(req.stage)};
  auto cp = export_checkpoint(*w.env->artifacts, req.job, req.stage);
  if (!cp)
    return ended(job_outcome::transient(stage + " left no checkpoint to hand to the node"));
  auto [taken, err] =
      w.ask<bool>(w.options.exchange_timeout, checkpoint_atom::value, req.job.id, req.epoch, *cp);
  if (!taken || !*taken)
    return ended(job_outcome::transient("the node did not take the " + stage +
                                        " checkpoint: " + error_message(err)));
  return std::nullopt;
}

/// One of the worker's own stages, between the node's checkpoints and the node.
stage_function own_stage(std::shared_ptr<const worker_context> w, stage_function local) {
  return [w, local](const stage_request& req, const progress_fn& report) {
    if (auto problem = take_in_checkpoints(*w, req))
      return ended(job_outcome::transient(*problem));
    if (req.stage == stage_kind::download &&
        w->env->artifacts->checkpoint(req.job.id, stage_kind::transcribe)) {
      // Transcribed already (on another machine): the media are not needed again here.
      auto done = went_on("resumed from the node's checkpoint");
      if (auto d = checkpoint_as<download_result>(*w->env->artifacts, req.job.id, req.stage))
        done.download = *d;
      return done;
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
stage_function node_stage(std::shared_ptr<const worker_context> w) {
  return [w](const stage_request& req, const progress_fn&) {
    auto [result, err] =
        w->ask<stage_result>(w->options.node_stage_timeout, stage_atom::value, req);
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
  worker_context ctx{&sys, std::move(link), nullptr, options};
  // Topic weighting counts terms in the job's workspace's memory, which only the node has.
  auto own = std::make_shared<stage_environment>(*env);
  own->corpus = [ctx](const stage_request& req, const std::vector<std::string>& terms) {
    auto [counts, err] = ctx.ask<corpus_counts>(ctx.options.exchange_timeout, corpus_atom::value,
                                                req.job.id, req.epoch, terms);
    if (!counts)
      throw std::runtime_error("the node did not count the workspace's terms: " +
                               error_message(err));
    return stats_of(*counts);
  };
  ctx.env = own;
  auto w = std::make_shared<const worker_context>(std::move(ctx));
  auto local = real_stages(own);
  return [w, local](stage_kind kind) -> stage_function {
    if (kind == stage_kind::memory || kind == stage_kind::post)
      return node_stage(w);
    return own_stage(w, local(kind));
  };
}

} // namespace vfb
