// yt-dlp's version, and the releases vfb depends on. Pure code, no CAF.
//
// yt-dlp is versioned by its release date: `yt-dlp --version` prints "2026.08.19" for a stable
// release, "2026.08.30.232658" for a nightly, "2026.08.19.1" for a second release on one day.
// Sites change under it, so what a version can do is known only by date: the milestones below
// are the releases that first handled what vfb relies on.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vfb {

struct ytdlp_version {
  int year = 0;
  int month = 0;
  int day = 0;
  uint64_t build = 0; // a nightly's time of day or a same-day revision; 0 for most releases
  std::string text;   // as yt-dlp printed it

  friend bool operator<(const ytdlp_version& a, const ytdlp_version& b);
  friend bool operator>=(const ytdlp_version& a, const ytdlp_version& b) { return !(a < b); }
};

/// The version in `yt-dlp --version` output (its first non-blank line); nullopt for anything
/// that is not YYYY.MM.DD[.N].
std::optional<ytdlp_version> parse_ytdlp_version(std::string_view output);

/// The first releases that could do what vfb needs of them.
namespace ytdlp_release {
/// Lists YouTube channel tabs in the layout YouTube has sent since mid-2026
/// (lockupViewModel): older releases list 0 videos and exit 0 (yt-dlp #16665, PR #16965).
inline const ytdlp_version youtube_channel_pages{2026, 7, 4, 0, "2026.07.04"};
/// Knows `--js-runtimes`: YouTube's JavaScript challenges are solved by an external runtime
/// (Deno by default) from this release on (yt-dlp #14157).
inline const ytdlp_version js_runtimes{2025, 11, 12, 0, "2025.11.12"};
} // namespace ytdlp_release

/// Deno's version in `deno --version` output ("deno 2.9.6 (stable, ...)"), as {major, minor,
/// patch}; nullopt for anything else.
struct semver {
  int major = 0;
  int minor = 0;
  int patch = 0;
  friend bool operator<(const semver& a, const semver& b) {
    return a.major != b.major   ? a.major < b.major
           : a.minor != b.minor ? a.minor < b.minor
                                : a.patch < b.patch;
  }
};
std::optional<semver> parse_deno_version(std::string_view output);

/// The oldest Deno current yt-dlp accepts (older ones count as no runtime at all).
inline constexpr semver min_deno{2, 3, 0};

} // namespace vfb
