// Which yt-dlp vfb runs, with which JavaScript runtime, and the arguments every run gets.
// Plain C++, no CAF.
//
// YouTube changes its pages and its player more often than distributions update yt-dlp, so a
// node prefers the yt-dlp that `vfb tools update` keeps in its data dir (DATA_DIR/tools/bin)
// over the one on PATH. Since 2025.11.12 yt-dlp solves YouTube's JavaScript challenges with an
// external runtime (Deno); vfb finds one and passes it with `--js-runtimes`, but only to a
// yt-dlp that knows the option (older ones reject unknown options and do nothing).
#pragma once

#include "adapters/ytdlp_version.hpp"

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace vfb {

/// The settings of [tools] that decide how yt-dlp runs.
struct ytdlp_tools {
  /// tools.ytdlp: a bare name means the managed copy if there is one, else PATH; a path means
  /// exactly that program.
  std::string program = "yt-dlp";
  /// tools.js_runtime: "auto" (Deno: the managed one, the one beside vfb's build, then PATH),
  /// "none", or RUNTIME:PATH / PATH (a Deno binary) as yt-dlp's --js-runtimes takes it.
  std::string js_runtime = "auto";
  /// tools.ytdlp_args, split into words: added to every run (cookies, proxy, PO token, sleeps).
  std::vector<std::string> user_args;
  /// Where `vfb tools update` installs (DATA_DIR/tools/bin); empty: no managed tools.
  std::filesystem::path managed_dir;
};

/// What will run, and how.
struct ytdlp_setup {
  std::string program; // a path when found; else the configured name (running it says why)
  std::string origin;  // "managed", "configured", "PATH" or "not found"
  std::optional<ytdlp_version> version;
  std::string version_problem; // when the version could not be read: what went wrong
  std::string js_runtime;      // the --js-runtimes value vfb found ("deno:/path"), "" none
  std::optional<semver> js_version;
  std::vector<std::string> args; // what every run adds before `--`
};

/// DATA_DIR/tools/bin: where managed tools live.
std::filesystem::path managed_tools_dir(const std::filesystem::path& data_dir);

/// Finds yt-dlp and a JavaScript runtime and reads their versions (each program's --version is
/// run once and remembered while the file stays the same, so an update is seen at once; a run
/// that failed is not remembered).
ytdlp_setup locate_ytdlp(const ytdlp_tools& tools);

/// The arguments for a yt-dlp of `version`: `--js-runtimes js_runtime` when it knows the option
/// and a runtime was found, then the user's arguments.
std::vector<std::string> ytdlp_args_for(const std::optional<ytdlp_version>& version,
                                        const std::string& js_runtime,
                                        const std::vector<std::string>& user_args);

/// tools.ytdlp_args as words: split at whitespace; '...' and "..." group, a backslash escapes
/// the next character (outside single quotes); nothing is expanded (no shell runs). Throws
/// std::invalid_argument for an unclosed quote, and for options that would change where vfb
/// finds yt-dlp's files or what it prints (-o, -P, -j, --print, --exec, --config-locations,
/// --batch-file, ...): vfb depends on those.
std::vector<std::string> split_ytdlp_args(std::string_view text);

} // namespace vfb
