#include "actors/node.hpp"

#include "actors/auto_follow.hpp"
#include "actors/channel_enumerator.hpp"
#include "actors/cluster_gateway.hpp"
#include "actors/cluster_host.hpp"
#include "actors/digest_poster.hpp"
#include "actors/follow_refresher.hpp"
#include "actors/stages.hpp"
#include "actors/submission.hpp"
#include "actors/tool_updater.hpp"
#include "messages/errors.hpp"
#include "storage/artifact_store.hpp"
#include "storage/discord_store.hpp"
#include "storage/follow_registry.hpp"
#include "storage/media_cache.hpp"
#include "storage/memory_store.hpp"

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

namespace vfb {

std::shared_ptr<stage_environment> open_tool_environment(const vfb_config& cfg,
                                                         const std::filesystem::path& data_dir) {
  auto env = std::make_shared<stage_environment>();
  env->config = cfg;
  env->ytdlp = ytdlp_tools_from(cfg, data_dir);
  env->artifacts = std::make_shared<artifact_store>(artifacts_dir(data_dir));
  env->media =
      std::make_shared<media_cache>(env->artifacts->root() / "videos", media_cache_bytes(cfg));
  env->media->trim(); // measured for /metrics, and a smaller bound applies at once
  env->downloads = download_limits_from(cfg);
  env->speakers_dir = speakers_dir(data_dir);
  return env;
}

std::shared_ptr<const stage_environment>
open_stage_environment(const vfb_config& cfg, const std::filesystem::path& data_dir) {
  auto env = open_tool_environment(cfg, data_dir);
  env->memory = std::make_shared<memory_store>(memory_options_for(cfg, data_dir, false));
  env->discord = std::make_shared<discord_store>(discord_options_for(cfg, data_dir, false));
  return env;
}

node_handles spawn_node(caf::actor_system& sys, const node_setup& setup) {
  const auto& cfg = setup.config;
  node_handles n;
  n.scheduler = spawn_scheduler(sys, setup.queue, scheduler_options_from(cfg));
  auto scheduler = caf::actor_cast<scheduler_actor>(n.scheduler);
  n.submission = sys.spawn(submission_handler, scheduler, url_policy_from(cfg));
  auto po = pipeline_options_from(cfg);
  po.worker_name = setup.name;
  po.leases = setup.work;
  n.stopping = setup.cancel ? setup.cancel : std::make_shared<std::atomic<bool>>(false);
  po.cancel = n.stopping;
  n.pipeline =
      sys.spawn(pipeline, caf::actor_cast<lease_source_actor>(scheduler), setup.stages, po);
  if (setup.follows) {
    auto eo = enumerator_options_from(cfg, setup.data_dir);
    eo.stop = n.stopping;
    n.enumerator = sys.spawn<caf::detached>(channel_enumerator, scheduler, eo);
    auto ao = auto_follow_options_from(cfg);
    n.auto_follow = sys.spawn<caf::detached>(auto_follow, setup.follows, n.enumerator, ao);
    if (setup.refresh_follows)
      n.refresher =
          sys.spawn<caf::detached>(follow_refresher, setup.follows, n.enumerator, ao.refresh);
    caf::anon_send(n.pipeline, subscribe_atom::value,
                   caf::actor_cast<download_sink>(n.auto_follow));
  }
  if (setup.refresh_follows && !setup.data_dir.empty() && cfg.tools.auto_update_hours > 0) {
    n.tool_updater =
        sys.spawn<caf::detached>(tool_updater, tool_updater_options_from(cfg, setup.data_dir));
  }
  if (setup.digests && setup.refresh_follows)
    n.digest_poster = sys.spawn<caf::detached>(digest_poster, scheduler, setup.digests, cfg,
                                               digest_poster_options{});
  if (setup.cluster_env) {
    // Two hosts: checkpoints and term counts never wait behind a Discord post.
    for (auto* host : {&n.cluster_stages, &n.cluster_files})
      *host = sys.spawn<caf::detached>(cluster_host, setup.cluster_env, setup.stages, scheduler,
                                       caf::actor_cast<download_sink>(n.auto_follow));
    n.gateway = sys.spawn(cluster_gateway, scheduler, n.cluster_stages, n.cluster_files);
  }
  return n;
}

void stop_node(caf::scoped_actor& self, const node_handles& n) {
  // Front ends first, the scheduler last, so in-flight completions can still be recorded.
  // The workers' gateway first of all: workers then keep their leases and wait for the node
  // to come back (or the leases expire and the jobs run elsewhere).
  for (const auto& a :
       {caf::actor_cast<caf::actor>(n.gateway), caf::actor_cast<caf::actor>(n.cluster_stages),
        caf::actor_cast<caf::actor>(n.cluster_files)})
    if (a) {
      self->send_exit(a, caf::exit_reason::user_shutdown);
      self->wait_for(a);
    }
  self->send_exit(n.submission, caf::exit_reason::user_shutdown);
  // The pipeline stops its running stages and gives its jobs back to the queue: nothing is
  // lost, and the next node resumes them from their checkpoints without an attempt counted.
  self->request(n.pipeline, std::chrono::minutes{2}, drain_atom::value)
      .receive([](uint64_t released) { spdlog::info("node: {} jobs given back", released); },
               [](const caf::error& e) {
                 spdlog::warn("node: the pipeline did not drain ({}); its leases expire",
                              error_message(e));
               });
  self->send_exit(n.pipeline, caf::exit_reason::user_shutdown);
  self->wait_for(n.submission, n.pipeline);
  if (n.auto_follow) {
    n.stopping->store(true); // a listing in progress ends now instead of at its timeout
    std::vector<caf::actor> follow_actors{caf::actor_cast<caf::actor>(n.auto_follow),
                                          caf::actor_cast<caf::actor>(n.enumerator)};
    if (n.refresher)
      follow_actors.push_back(caf::actor_cast<caf::actor>(n.refresher));
    for (const auto& a : follow_actors) {
      self->send_exit(a, caf::exit_reason::user_shutdown);
      self->wait_for(a);
    }
  }
  if (n.digest_poster) {
    self->send_exit(n.digest_poster, caf::exit_reason::user_shutdown);
    self->wait_for(n.digest_poster);
  }
  if (n.tool_updater) { // an update in progress finishes first: it never leaves half a file
    self->send_exit(n.tool_updater, caf::exit_reason::user_shutdown);
    self->wait_for(n.tool_updater);
  }
  self->send_exit(n.scheduler, caf::exit_reason::user_shutdown);
  self->wait_for(n.scheduler);
}

} // namespace vfb
