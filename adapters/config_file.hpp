// vfb's configuration: one INI file (conf/vfb.conf documents every key), then command-line
// overrides (`--set section.key=value`), then the original design's environment flags, which
// win over everything. Pure code: no CAF.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
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
    std::string data_dir;          // empty: $VFB_DATA_DIR, else ~/.local/share/vfb
    std::string sync = "always";   // always | periodic
    int64_t sync_interval_ms = 1000;
    int64_t map_size_mb = 64;      // initial LMDB map; it grows on demand
    int64_t max_map_size_mb = 0;   // 0: no limit
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
  struct auto_follow_t {
    bool enabled = false;  // ENABLE_AUTO_FOLLOW_UPLOADER
    bool backfill = false; // ENABLE_UPLOADER_BACKFILL
    int64_t max_videos = 200; // AUTO_FOLLOW_MAX_VIDEOS
  } auto_follow;
};

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
