// The yt-dlp replay (tests/support/ytdlp_replay.py) as a given yt-dlp version.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>
#include <sys/stat.h>

namespace vfb::test {

/// A script in `dir` that runs `replay` as yt-dlp `version` (e.g. "2026.08.19"). vfb remembers
/// a program's version per file, so each version needs a file of its own.
inline std::filesystem::path ytdlp_replay_as(const std::filesystem::path& dir,
                                             const std::string& replay,
                                             const std::string& version) {
  auto script = dir / ("yt-dlp-" + version);
  std::ofstream(script) << "#!/bin/sh\nVFB_REPLAY_VERSION='" << version << "' exec '" << replay
                        << "' \"$@\"\n";
  ::chmod(script.c_str(), 0755);
  return script;
}

} // namespace vfb::test
