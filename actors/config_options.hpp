// From the configuration to the options each component takes: the stores of a data dir, the
// queue, the scheduler, the pipeline's stage slots, yt-dlp, the enumerator, the refresher and
// the tool updater, auto-follow, the download pacing. One file, so that a new key is wired in
// one place and a reader finds what a key changes by reading here. (The front ends sit above
// the actors: the HTTP API's api_options_from, in frontends/http_api.cpp, takes what they need.)
#pragma once

#include "adapters/cluster_certs.hpp"
#include "adapters/config_file.hpp"
#include "messages/pipeline.hpp"

#include <array>
#include <cstddef>
#include <filesystem>
#include <memory>

namespace vfb {

struct queue_options;
struct memory_options;
struct follow_registry_options;
struct discord_store_options;
struct token_store_options;
struct scheduler_options;
struct enumerator_options;
struct refresher_options;
struct follow_options;
struct tool_update_options;
struct ytdlp_tools;
struct url_policy;
struct pipeline_options;
struct auto_follow_options;
struct tool_updater_options;
class rate_limits;

// -- the data dir's stores ------------------------------------------------------------------

/// The queue's options for the queue in `dir` (the data dir) as configured.
queue_options queue_options_for(const vfb_config& cfg, const std::filesystem::path& dir,
                                bool read_only);

/// The memory store's options for a data dir (DATA_DIR/memory) as configured.
memory_options memory_options_for(const vfb_config& cfg, const std::filesystem::path& data_dir,
                                  bool read_only);

/// The follow registry's options for a data dir (DATA_DIR/follows) as configured.
follow_registry_options follows_options_for(const vfb_config& cfg,
                                            const std::filesystem::path& data_dir, bool read_only);

/// The Discord store's options for a data dir (DATA_DIR/discord) as configured.
discord_store_options discord_options_for(const vfb_config& cfg,
                                          const std::filesystem::path& data_dir, bool read_only);

/// The token store's options for a data dir (DATA_DIR/tokens) as configured.
token_store_options tokens_options_for(const vfb_config& cfg, const std::filesystem::path& data_dir,
                                       bool read_only);

/// The artifact store's root in a data dir.
std::filesystem::path artifacts_dir(const std::filesystem::path& data_dir);
/// Where a data dir keeps its uploaders' speaker transforms.
std::filesystem::path speakers_dir(const std::filesystem::path& data_dir);
/// [storage] media_cache_mb in bytes (negative: no bound).
int64_t media_cache_bytes(const vfb_config& cfg);

// -- the node's actors and tools --------------------------------------------------------------

/// The scheduler's rescue and sync periods from the config.
scheduler_options scheduler_options_from(const vfb_config& cfg);

/// The per-stage worker counts from the config (transcribe_slots 0: one per core).
std::array<size_t, stage_count> stage_slots_from(const vfb_config& cfg);

/// Which submitted and listed URLs are accepted (config: sources.*).
url_policy url_policy_from(const vfb_config& cfg);

/// How yt-dlp runs (tools.*), preferring the data dir's managed copy when there is a data dir.
ytdlp_tools ytdlp_tools_from(const vfb_config& cfg, const std::filesystem::path& data_dir);

/// Where `vfb tools update` fetches yt-dlp and where it installs it (tools.*, the data dir).
tool_update_options tool_update_options_from(const vfb_config& cfg,
                                             const std::filesystem::path& data_dir);

/// The enumerator's settings from the config (yt-dlp, URL policy, listing rate limits); with a
/// data dir, its managed yt-dlp is preferred.
enumerator_options enumerator_options_from(const vfb_config& cfg,
                                           const std::filesystem::path& data_dir = {});

/// The refresher's period, jitter and cap from the config.
refresher_options refresher_options_from(const vfb_config& cfg);

/// What every new follow takes from the config: cap, window, refresh period, URL policy.
follow_options follow_options_from(const vfb_config& cfg);

/// Auto-follow: the node's switch (ENABLE_AUTO_FOLLOW_UPLOADER) and the new follows' options.
auto_follow_options auto_follow_options_from(const vfb_config& cfg);

/// The pipeline's stage slots and lease time (the worker's name and cancel flag are the node's).
pipeline_options pipeline_options_from(const vfb_config& cfg);

/// The tool updater's release source, install place and period (tools.auto_update_hours).
tool_updater_options tool_updater_options_from(const vfb_config& cfg,
                                               const std::filesystem::path& data_dir);

/// Which machine of a cluster this is.
enum class cluster_role { node, worker };

/// This machine's cluster certificate, key and CA: [cluster] cert/key/ca, else the role's
/// defaults in DATA_DIR/cluster. The name is [cluster] name (else filled in later from the
/// certificate).
cluster_identity cluster_identity_from(const vfb_config& cfg, const std::filesystem::path& data_dir,
                                       cluster_role role);

/// Downloads per source and minute ([rate_limits]).
std::shared_ptr<rate_limits> download_limits_from(const vfb_config& cfg);

} // namespace vfb
