#include "actors/node.hpp"

#include "actors/auto_follow.hpp"
#include "actors/channel_enumerator.hpp"
#include "actors/digest_poster.hpp"
#include "actors/follow_refresher.hpp"
#include "actors/stages.hpp"
#include "actors/submission.hpp"
#include "actors/tool_updater.hpp"
#include "messages/errors.hpp"
#include "storage/artifact_store.hpp"
#include "storage/discord_store.hpp"
#include "storage/follow_registry.hpp"
#include "storage/memory_store.hpp"
#include "storage/token_store.hpp"

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>
#include <thread>

namespace vfb {

memory_options memory_options_for(const vfb_config& cfg, const std::filesystem::path& data_dir,
                                  bool read_only) {
  memory_options o;
  o.dir = data_dir / "memory";
  o.read_only = read_only;
  o.sync = cfg.storage.sync != "periodic";
  o.initial_map_size = static_cast<size_t>(cfg.storage.map_size_mb) << 20;
  o.max_map_size = static_cast<size_t>(cfg.storage.max_map_size_mb) << 20;
  return o;
}

namespace {

/// The settings the small stores (follows, tokens) take from the config alike; their initial
/// map stays their own small default rather than storage.map_size_mb, which sizes the queue.
template <class Options>
Options small_store_options(const vfb_config& cfg, std::filesystem::path dir, bool read_only) {
  Options o;
  o.dir = std::move(dir);
  o.read_only = read_only;
  o.sync = cfg.storage.sync != "periodic";
  o.max_map_size = static_cast<size_t>(cfg.storage.max_map_size_mb) << 20;
  return o;
}

} // namespace

follow_registry_options follows_options_for(const vfb_config& cfg,
                                            const std::filesystem::path& data_dir, bool read_only) {
  return small_store_options<follow_registry_options>(cfg, data_dir / "follows", read_only);
}

discord_store_options discord_options_for(const vfb_config& cfg,
                                          const std::filesystem::path& data_dir, bool read_only) {
  return small_store_options<discord_store_options>(cfg, data_dir / "discord", read_only);
}

token_store_options tokens_options_for(const vfb_config& cfg, const std::filesystem::path& data_dir,
                                       bool read_only) {
  return small_store_options<token_store_options>(cfg, data_dir / "tokens", read_only);
}

url_policy url_policy_from(const vfb_config& cfg) {
  url_policy policy;
  policy.allowed_hosts = cfg.sources.allowed_hosts;
  policy.allow_loopback = cfg.sources.allow_loopback;
  return policy;
}

ytdlp_tools ytdlp_tools_from(const vfb_config& cfg, const std::filesystem::path& data_dir) {
  ytdlp_tools t;
  t.program = cfg.tools.ytdlp;
  t.js_runtime = cfg.tools.js_runtime;
  t.user_args = cfg.tools.ytdlp_args;
  if (!data_dir.empty())
    t.managed_dir = managed_tools_dir(data_dir);
  return t;
}

tool_update_options tool_update_options_from(const vfb_config& cfg,
                                             const std::filesystem::path& data_dir) {
  tool_update_options o;
  o.release_url = cfg.tools.release_url;
  o.asset = cfg.tools.ytdlp_asset;
  o.managed_dir = managed_tools_dir(data_dir);
  return o;
}

enumerator_options enumerator_options_from(const vfb_config& cfg,
                                           const std::filesystem::path& data_dir) {
  enumerator_options o;
  o.enabled = cfg.auto_follow.backfill;
  o.ytdlp = ytdlp_tools_from(cfg, data_dir);
  o.listing.timeout = std::chrono::seconds{cfg.tools.ytdlp_timeout_s};
  o.tabs = cfg.auto_follow.tabs;
  o.policy = url_policy_from(cfg);
  o.limits = std::make_shared<rate_limits>(static_cast<double>(cfg.rate_limits.listings_per_minute),
                                           static_cast<double>(cfg.rate_limits.listing_burst));
  return o;
}

refresher_options refresher_options_from(const vfb_config& cfg) {
  refresher_options o;
  o.interval = cfg.auto_follow.refresh_interval_min * 60'000;
  o.jitter_pct = static_cast<int>(cfg.auto_follow.refresh_jitter_pct);
  o.tick = std::min<millis>(60'000, std::max<millis>(1000, o.interval / 10));
  o.refresh_limit = static_cast<uint32_t>(cfg.auto_follow.max_videos);
  return o;
}

follow_options follow_options_from(const vfb_config& cfg) {
  follow_options o;
  o.max_videos = static_cast<uint32_t>(cfg.auto_follow.max_videos);
  o.window = cfg.auto_follow.window_days * 24 * 3600 * 1000;
  o.refresh = refresher_options_from(cfg);
  o.policy = url_policy_from(cfg);
  return o;
}

std::filesystem::path artifacts_dir(const std::filesystem::path& data_dir) {
  return data_dir / "artifacts";
}

std::shared_ptr<const stage_environment>
open_stage_environment(const vfb_config& cfg, const std::filesystem::path& data_dir) {
  auto env = std::make_shared<stage_environment>();
  env->config = cfg;
  env->ytdlp = ytdlp_tools_from(cfg, data_dir);
  env->artifacts = std::make_shared<artifact_store>(artifacts_dir(data_dir));
  env->memory = std::make_shared<memory_store>(memory_options_for(cfg, data_dir, false));
  env->discord = std::make_shared<discord_store>(discord_options_for(cfg, data_dir, false));
  env->downloads =
      std::make_shared<rate_limits>(static_cast<double>(cfg.rate_limits.downloads_per_minute),
                                    static_cast<double>(cfg.rate_limits.download_burst));
  return env;
}

std::array<size_t, stage_count> stage_slots_from(const vfb_config& cfg) {
  auto cores = std::max<size_t>(1, std::thread::hardware_concurrency());
  auto& p = cfg.pipeline;
  auto transcribe = p.transcribe_slots == 0 ? cores : static_cast<size_t>(p.transcribe_slots);
  return {static_cast<size_t>(p.download_slots), transcribe, static_cast<size_t>(p.analyze_slots),
          1, // memory: LMDB has one writer
          static_cast<size_t>(p.post_slots)};
}

node_handles spawn_node(caf::actor_system& sys, const node_setup& setup) {
  const auto& cfg = setup.config;
  scheduler_options so;
  so.rescue_interval = cfg.queue.rescue_interval_ms;
  so.sync_interval = cfg.storage.sync_interval_ms;
  node_handles n;
  n.scheduler = spawn_scheduler(sys, setup.queue, so);
  auto scheduler = caf::actor_cast<scheduler_actor>(n.scheduler);
  n.submission = sys.spawn(submission_handler, scheduler, url_policy_from(cfg));
  pipeline_options po;
  po.worker_name = setup.name;
  po.slots = stage_slots_from(cfg);
  po.lease_ttl = cfg.queue.lease_ttl_ms;
  n.stopping = setup.cancel ? setup.cancel : std::make_shared<std::atomic<bool>>(false);
  po.cancel = n.stopping;
  n.pipeline = sys.spawn(pipeline, scheduler, setup.stages, po);
  if (setup.follows) {
    auto eo = enumerator_options_from(cfg, setup.data_dir);
    eo.stop = n.stopping;
    n.enumerator = sys.spawn<caf::detached>(channel_enumerator, scheduler, eo);
    auto_follow_options ao;
    static_cast<follow_options&>(ao) = follow_options_from(cfg);
    ao.enabled = cfg.auto_follow.enabled;
    n.auto_follow = sys.spawn<caf::detached>(auto_follow, setup.follows, n.enumerator, ao);
    if (setup.refresh_follows)
      n.refresher =
          sys.spawn<caf::detached>(follow_refresher, setup.follows, n.enumerator, ao.refresh);
    caf::anon_send(n.pipeline, subscribe_atom::value,
                   caf::actor_cast<download_sink>(n.auto_follow));
  }
  if (setup.refresh_follows && !setup.data_dir.empty() && cfg.tools.auto_update_hours > 0) {
    tool_updater_options to;
    to.update = tool_update_options_from(cfg, setup.data_dir);
    to.period = std::chrono::hours{cfg.tools.auto_update_hours};
    n.tool_updater = sys.spawn<caf::detached>(tool_updater, to);
  }
  if (setup.digests && setup.refresh_follows)
    n.digest_poster = sys.spawn<caf::detached>(digest_poster, scheduler, setup.digests, cfg,
                                               digest_poster_options{});
  return n;
}

void stop_node(caf::scoped_actor& self, const node_handles& n) {
  // Front ends first, the scheduler last, so in-flight completions can still be recorded.
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
