// The config-to-options mappings (actors/config_options.hpp). Plain assignments and unit
// conversions (MiB to bytes, minutes to milliseconds); the values were range-checked when the
// config was read (adapters/config_keys.cpp).
#include "actors/config_options.hpp"

#include "actors/auto_follow.hpp"
#include "actors/channel_enumerator.hpp"
#include "actors/follow_refresher.hpp"
#include "actors/pipeline.hpp"
#include "actors/scheduler.hpp"
#include "actors/tool_updater.hpp"
#include "adapters/rate_limits.hpp"
#include "adapters/source_url.hpp"
#include "adapters/tool_update.hpp"
#include "adapters/ytdlp_tools.hpp"
#include "follows/follow_plan.hpp"
#include "storage/discord_store.hpp"
#include "storage/follow_registry.hpp"
#include "storage/job_queue.hpp"
#include "storage/memory_store.hpp"
#include "storage/token_store.hpp"

#include <algorithm>
#include <memory>
#include <spdlog/spdlog.h>
#include <thread>

namespace vfb {

namespace {

size_t mib(int64_t n) {
  return static_cast<size_t>(n) << 20;
}

bool sync_always(const vfb_config& cfg) {
  return cfg.storage.sync != "periodic";
}

/// The settings the small stores (follows, tokens, discord) take from the config alike; their
/// initial map stays their own small default rather than storage.map_size_mb, which sizes the
/// queue.
template <class Options>
Options small_store_options(const vfb_config& cfg, std::filesystem::path dir, bool read_only) {
  Options o;
  o.dir = std::move(dir);
  o.read_only = read_only;
  o.sync = sync_always(cfg);
  o.max_map_size = mib(cfg.storage.max_map_size_mb);
  return o;
}

} // namespace

queue_options queue_options_for(const vfb_config& cfg, const std::filesystem::path& dir,
                                bool read_only) {
  queue_options o;
  o.dir = dir;
  o.read_only = read_only;
  o.sync = sync_always(cfg) ? sync_mode::always : sync_mode::periodic;
  o.initial_map_size = mib(cfg.storage.map_size_mb);
  o.max_map_size = mib(cfg.storage.max_map_size_mb);
  o.max_attempts = static_cast<uint32_t>(cfg.queue.max_attempts);
  o.max_rescues = static_cast<uint32_t>(cfg.queue.max_rescues);
  o.backoff_base = cfg.queue.backoff_base_ms;
  o.backoff_cap = cfg.queue.backoff_cap_ms;
  return o;
}

memory_options memory_options_for(const vfb_config& cfg, const std::filesystem::path& data_dir,
                                  bool read_only) {
  memory_options o;
  o.dir = data_dir / "memory";
  o.read_only = read_only;
  o.sync = sync_always(cfg);
  o.initial_map_size = mib(cfg.storage.map_size_mb);
  o.max_map_size = mib(cfg.storage.max_map_size_mb);
  // A rebuild of an older store (it may take minutes) goes to the node's log.
  o.notice = [](const std::string& line) { spdlog::info("{}", line); };
  return o;
}

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

std::filesystem::path artifacts_dir(const std::filesystem::path& data_dir) {
  return data_dir / "artifacts";
}

std::filesystem::path speakers_dir(const std::filesystem::path& data_dir) {
  return data_dir / "speakers";
}

int64_t media_cache_bytes(const vfb_config& cfg) {
  return cfg.storage.media_cache_mb < 0 ? -1 : cfg.storage.media_cache_mb << 20;
}

scheduler_options scheduler_options_from(const vfb_config& cfg) {
  scheduler_options o;
  o.rescue_interval = cfg.queue.rescue_interval_ms;
  o.sync_interval = cfg.storage.sync_interval_ms;
  return o;
}

std::array<size_t, stage_count> stage_slots_from(const vfb_config& cfg) {
  auto cores = std::max<size_t>(1, std::thread::hardware_concurrency());
  auto& p = cfg.pipeline;
  auto transcribe = p.transcribe_slots == 0 ? cores : static_cast<size_t>(p.transcribe_slots);
  return {static_cast<size_t>(p.download_slots), transcribe, static_cast<size_t>(p.analyze_slots),
          1, // memory: LMDB has one writer
          static_cast<size_t>(p.post_slots)};
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
  o.interval = cfg.auto_follow.refresh_interval_s > 0
                   ? cfg.auto_follow.refresh_interval_s * 1000
                   : cfg.auto_follow.refresh_interval_min * 60'000;
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

auto_follow_options auto_follow_options_from(const vfb_config& cfg) {
  auto_follow_options o;
  static_cast<follow_options&>(o) = follow_options_from(cfg);
  o.enabled = cfg.auto_follow.enabled;
  return o;
}

pipeline_options pipeline_options_from(const vfb_config& cfg) {
  pipeline_options o;
  o.slots = stage_slots_from(cfg);
  o.lease_ttl = cfg.queue.lease_ttl_ms;
  return o;
}

tool_updater_options tool_updater_options_from(const vfb_config& cfg,
                                               const std::filesystem::path& data_dir) {
  tool_updater_options o;
  o.update = tool_update_options_from(cfg, data_dir);
  o.period = std::chrono::hours{cfg.tools.auto_update_hours};
  return o;
}

cluster_identity cluster_identity_from(const vfb_config& cfg, const std::filesystem::path& data_dir,
                                       cluster_role role) {
  cluster_files files{data_dir / "cluster"};
  auto node = role == cluster_role::node;
  auto pick = [](const std::string& set, const std::filesystem::path& otherwise) {
    return set.empty() ? otherwise : std::filesystem::path{set};
  };
  cluster_identity id;
  id.name = cfg.cluster.name;
  id.cert = pick(cfg.cluster.cert, node ? files.node_cert() : files.dir / "worker.pem");
  id.key = pick(cfg.cluster.key, node ? files.node_key() : files.dir / "worker.key");
  id.ca = pick(cfg.cluster.ca, files.ca_cert());
  return id;
}

std::shared_ptr<rate_limits> download_limits_from(const vfb_config& cfg) {
  return std::make_shared<rate_limits>(static_cast<double>(cfg.rate_limits.downloads_per_minute),
                                       static_cast<double>(cfg.rate_limits.download_burst));
}

} // namespace vfb
