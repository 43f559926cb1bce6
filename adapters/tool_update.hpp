// `vfb tools update`: installs yt-dlp's official release under the data dir. Plain C++, no CAF.
//
// The release is fetched as the yt-dlp project publishes it: a directory (by default
// https://github.com/yt-dlp/yt-dlp/releases/latest/download, which redirects to the newest
// tag) holding each build and SHA2-256SUMS, lines of "<64 hex digits>  <file name>". The asset
// is checked against its line, then run (`--version` must print a version), then renamed over
// DATA_DIR/tools/bin/yt-dlp in one step: a node never runs a half-written or unverified file,
// and a failure anywhere replaces nothing.
#pragma once

#include "adapters/ytdlp_version.hpp"

#include <chrono>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace vfb {

class tool_update_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

struct tool_update_options {
  std::string release_url; // the release directory (tools.release_url)
  std::string asset = "yt-dlp";
  std::filesystem::path managed_dir; // DATA_DIR/tools/bin
  std::chrono::seconds timeout{300}; // per request
  size_t max_bytes = size_t{256} << 20;
};

struct tool_update_result {
  bool replaced = false;               // false: the installed copy was this release already
  std::string version;                 // the installed yt-dlp's version
  std::optional<std::string> previous; // the version it replaced, if there was one
  std::string sha256;
  std::filesystem::path path;
};

/// Where a redirect from `from` to `location` (absolute, scheme-relative or a path) leads.
/// Throws tool_update_error for a step down from https to http, or a scheme that is not http(s).
std::string redirect_target(const std::string& from, const std::string& location);

/// The checksum SHA2-256SUMS gives `asset`, lower case; nullopt when no line names it exactly.
std::optional<std::string> checksum_for(std::string_view sums, std::string_view asset);

/// Fetches, verifies and installs the release. Throws tool_update_error saying what failed
/// (the server, the checksum, the program) and that nothing was replaced.
tool_update_result update_ytdlp(const tool_update_options& opts);

} // namespace vfb
