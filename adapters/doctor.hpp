// `vfb doctor`: checks every tool and setting a node depends on, one line each (ok, warn or
// fail) with the fix. `vfb node` logs the same checks when it starts. Plain C++, no CAF.
#pragma once

#include "adapters/config_file.hpp"
#include "adapters/ytdlp_tools.hpp"

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace vfb {

/// ok: works; warn: works but a real user would hit a problem (old yt-dlp, no JS runtime);
/// fail: something the node needs is missing or broken.
enum class check_status { ok, warn, fail };

std::string_view to_string(check_status s);

struct check_result {
  std::string name; // "yt-dlp", "javascript runtime", "ffmpeg", ...
  check_status status = check_status::ok;
  std::string detail; // what was found
  std::string fix;    // what to do (empty when ok)
};

/// Runs every check: yt-dlp (found, version, new enough for YouTube, its age), the JavaScript
/// runtime YouTube's challenges need, ffmpeg and ffprobe, speech recognition (the model or the
/// external command), the data dir (writable, free space), Discord (public key, bot token,
/// webhooks, guilds) and the API's address. `now` dates the yt-dlp age check.
std::vector<check_result> run_checks(const vfb_config& cfg, const std::filesystem::path& data_dir,
                                     const ytdlp_tools& ytdlp,
                                     std::chrono::system_clock::time_point now);

/// Whether any check failed.
bool any_failed(const std::vector<check_result>& checks);

} // namespace vfb
