// vfb's configuration: one INI file (conf/vfb.conf documents every key), then command-line
// overrides (`--set section.key=value`), then the original design's environment flags, which
// win over everything. Pure code: no CAF.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace vfb {

/// A configuration problem, phrased for the user: "FILE:LINE: what is wrong" where known.
class config_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

struct vfb_config {
  struct storage_t {
    std::string data_dir;        // empty: $VFB_DATA_DIR, else ~/.local/share/vfb
    std::string sync = "always"; // always | periodic
    int64_t sync_interval_ms = 1000;
    int64_t map_size_mb = 64;    // initial LMDB map; it grows on demand
    int64_t max_map_size_mb = 0; // 0: no limit
    /// Downloaded media kept once no stage needs them, least recently used out first:
    /// -1 keeps them for good, 0 removes them at once (storage/media_cache.hpp).
    int64_t media_cache_mb = 2048;
  } storage;
  struct queue_t {
    int64_t max_attempts = 8;
    int64_t max_rescues = 5;
    int64_t backoff_base_ms = 30000;
    int64_t backoff_cap_ms = 3600000;
    int64_t lease_ttl_ms = 120000;
    int64_t rescue_interval_ms = 5000;
  } queue;
  struct sources_t {
    std::vector<std::string> allowed_hosts; // empty: any public host
    bool allow_loopback = false;
  } sources;
  struct tools_t {
    std::string ytdlp = "yt-dlp"; // a name on PATH or an absolute path
    std::string ffmpeg = "ffmpeg";
    int64_t ytdlp_timeout_s = 1800;
    int64_t ffmpeg_timeout_s = 900;
    /// Added to every yt-dlp run, before `--` (cookies, proxy, PO token, sleep options).
    std::vector<std::string> ytdlp_args;
    std::string js_runtime = "auto"; // auto | none | [RUNTIME:]PATH (yt-dlp's --js-runtimes)
    /// Where `vfb tools update` fetches yt-dlp's release: ASSET and SHA2-256SUMS under it.
    std::string release_url = "https://github.com/yt-dlp/yt-dlp/releases/latest/download";
    std::string ytdlp_asset = "yt-dlp"; // the zipimport build: runs on the system's python3
    int64_t auto_update_hours = 0;      // a node updates yt-dlp this often; 0: never
  } tools;
  struct captions_t {
    std::vector<std::string> languages{"en.*", "en"}; // yt-dlp --sub-langs, preferred first
    bool use = true;                                  // false: always run speech recognition
  } captions;
  struct speech_t {
    std::string model_dir = "/usr/share/pocketsphinx/model/en-us";
    std::string external_command; // empty: pocketsphinx in process
    int64_t timeout_s = 3600;
    /// Speaker adaptation per uploader (adapters/speaker_profiles): each uploader's videos are
    /// decoded with an MLLR transform estimated from its earlier videos' own hypotheses.
    bool adaptation = true;
  } speech;
  struct pipeline_t {
    bool enabled = true; // false: a node runs no stages itself (a pure cluster coordinator)
    int64_t download_slots = 2;
    int64_t transcribe_slots = 0; // 0: one per core
    int64_t analyze_slots = 2;
    int64_t post_slots = 1;
  } pipeline;
  struct analysis_t {
    int64_t topics = 8;
    int64_t key_phrases = 10;
    int64_t summary_sentences = 3;
    int64_t chunk_chars = 800;
    int64_t chunk_overlap_chars = 150;
  } analysis;
  struct discord_t {
    /// Webhook URL per "tenant/workspace" (section [webhooks]); no entry: no post.
    std::map<std::string, std::string> webhooks;
    int64_t post_attempts = 5; // within one job run, 429s and 5xx are retried this often
    /// The Discord application's public key (hex): interactions are verified with it. Empty:
    /// the interactions endpoint is off.
    std::string public_key;
    /// Where follow-ups go (a deferred /analyze reply is edited there when its job ends).
    std::string api_base = "https://discord.com/api/v10";
    /// Discord server (guild) id -> "tenant/workspace" (section [guilds]).
    std::map<std::string, std::string> guilds;
    /// Guild id -> role ids whose members may run operator commands ([guild_operators]).
    std::map<std::string, std::vector<std::string>> guild_operators;
    /// The bot's token ($VFB_DISCORD_BOT_TOKEN wins): /analyze results are delivered as bot
    /// messages to the asking channel; without it, to the workspace's webhook. A secret.
    std::string bot_token;
    /// How results of backfill and refresh jobs are posted: "digest" (one message per follow
    /// once its jobs are done, or every digest_interval_min), "each" (one per video) or "off";
    /// per workspace in [backfill_posts] TENANT/WORKSPACE = MODE.
    std::string backfill_posts = "digest";
    std::map<std::string, std::string> backfill_posts_for;
    int64_t digest_interval_min = 60;
  } discord;
  struct auto_follow_t {
    bool enabled = false;              // ENABLE_AUTO_FOLLOW_UPLOADER
    bool backfill = false;             // ENABLE_UPLOADER_BACKFILL
    int64_t max_videos = 200;          // AUTO_FOLLOW_MAX_VIDEOS
    int64_t window_days = 365;         // backfill this far back ("the last 12 months")
    int64_t refresh_interval_min = 30; // how often each follow is listed again
    int64_t refresh_interval_s = 0;    // the same in seconds, when set (tests, demos)
    int64_t refresh_jitter_pct = 10;   // +- this much, so follows do not all list at once
    /// The tabs of a followed YouTube channel that are listed: videos, streams, shorts.
    std::vector<std::string> tabs{"videos", "streams"};
  } auto_follow;
  struct log_t {
    std::string level = "info";  // trace, debug, info, warn, error, off
    std::string format = "text"; // text | json (one JSON object per line)
  } log;
  struct rate_limits_t {
    int64_t listings_per_minute = 10; // per source (youtube, generic); 0: unlimited
    int64_t listing_burst = 3;
    int64_t downloads_per_minute = 60;
    int64_t download_burst = 10;
  } rate_limits;
  struct api_t {
    std::string listen = "127.0.0.1"; // loopback only unless set otherwise
    int64_t port = 8080;              // 0: any free port
    int64_t max_body_kb = 64;         // larger request bodies answer 413
    std::string public_url;           // the web page's address for links; empty: none
  } api;
  struct cluster_t {
    /// Node: the address its workers connect to (mutual TLS); empty: no cluster.
    std::string listen;
    int64_t port = 7420; // node: its cluster port (0: any free port)
    /// Worker: the node's HOST:PORT (`vfb worker --join` wins).
    std::string join;
    /// Worker: its name (empty: its certificate's common name).
    std::string name;
    /// This machine's certificate, key and the cluster CA's certificate; empty: the defaults in
    /// DATA_DIR/cluster (node.pem/node.key on a node, worker.pem/worker.key on a worker).
    std::string cert;
    std::string key;
    std::string ca;
  } cluster;
};

/// The webhook configured for a workspace, if any.
std::optional<std::string> webhook_for(const vfb_config& c, const std::string& tenant,
                                       const std::string& workspace);

/// How a workspace's backfill and refresh results are posted: "digest", "each" or "off".
std::string backfill_posts_for(const vfb_config& c, const std::string& tenant,
                               const std::string& workspace);

/// Builds the configuration: defaults, then `file` (skipped when empty), then `overrides`
/// ("section.key" -> value), then `env` (only the design's flags are read from it).
/// Throws config_error for unreadable files, syntax errors, unknown sections or keys, and
/// values of the wrong type or out of range.
vfb_config load_config(const std::filesystem::path& file,
                       const std::map<std::string, std::string>& overrides,
                       const std::map<std::string, std::string>& env);

/// The process environment as a map (for load_config's `env`).
std::map<std::string, std::string> process_environment();

} // namespace vfb
