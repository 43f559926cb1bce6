// yt-dlp: one call fetches metadata, media and captions; its info JSON becomes a
// download_result; its error messages decide whether a failure is permanent, a throttle or
// worth a retry. Plain C++, no CAF.
//
// The call ignores the user's yt-dlp configuration and cache (`--ignore-config`,
// `--no-cache-dir`), so a node behaves the same on every machine, and names every file after
// `media` in a directory of its own: `media.EXT`, `media.info.json`, `media.LANG.vtt`. Progress
// lines stay on (`--newline`, not `--no-progress`): callers show them.
#pragma once

#include "adapters/process.hpp"
#include "messages/media.hpp"

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace vfb {

struct ytdlp_options {
  std::string program = "yt-dlp";
  std::vector<std::string> sub_langs{"en.*", "en"}; // preferred first
  std::string format = "bestaudio/best";            // audio first: we only need the sound
  std::chrono::seconds timeout{1800};               // the whole run
  std::chrono::seconds socket_timeout{30};          // one stalled connection (--socket-timeout)
  /// Backfill jobs: skip (without downloading) a video uploaded before this day (YYYYMMDD),
  /// and, where the site gives the exact time, before `time_after` (seconds since the epoch;
  /// 0: no check). yt-dlp decides both from the metadata, before it fetches the media.
  std::string date_after;
  int64_t time_after = 0;
  std::vector<std::string> extra_args; // inserted before `--` (e.g. a proxy option)
};

/// How a failed yt-dlp run should be treated by the queue.
enum class ytdlp_failure {
  permanent, // the video cannot be had (private, removed, unsupported): never retried
  throttled, // the site pushes back: every download from it waits `retry_after`
  transient, // worth another attempt later (network trouble, this host's own problems)
  not_yet,   // a premiere or scheduled stream: this video waits `retry_after`
};

struct classified_failure {
  ytdlp_failure kind = ytdlp_failure::transient;
  std::string reason;                       // the most telling line of yt-dlp's output
  std::chrono::milliseconds retry_after{0}; // throttled, not_yet: how long to wait
};

/// A download that did not produce a result.
class ytdlp_error : public std::runtime_error {
public:
  explicit ytdlp_error(classified_failure f)
      : std::runtime_error(f.reason), failure_(std::move(f)) {}
  const classified_failure& failure() const { return failure_; }

private:
  classified_failure failure_;
};

/// The command line for one video: metadata + media + captions into `out_dir`, the URL last,
/// after `--`, so that a URL can never be read as an option.
std::vector<std::string> download_argv(const ytdlp_options& opts, const std::string& url,
                                       const std::filesystem::path& out_dir);

/// Adds `arg` ("skip=translated_subs", "approximate_date") for `extractor` to `argv`. yt-dlp
/// keeps only the last --extractor-args of each extractor, so when `argv` already has one (the
/// operator's tools.ytdlp_args) the argument joins it, and a list-valued one joins its list.
void add_extractor_arg(std::vector<std::string>& argv, const std::string& extractor,
                       const std::string& arg);

/// Reads yt-dlp's info JSON (`media.info.json`) and finds the media and caption files it
/// wrote in `out_dir`. The media file is `requested_downloads[0].filepath`, `filepath` or
/// `_filename` when that file exists (the JSON written next to the media has none of them: it
/// is written before the download), else the one `media.EXT` in `out_dir`. Captions are the
/// `media.LANG.vtt` files: languages matching `sub_langs` (yt-dlp's regular expressions, "all")
/// first, then people's captions before automatic ones (those are speech recognition or machine
/// translation), then in `sub_langs` order, then the original speech ("-orig") before the plain
/// language before other variants. Fields that are missing or of the wrong type stay
/// empty. Throws ytdlp_error (permanent) for JSON that is malformed or names no id.
download_result parse_info_json(std::string_view json, const std::filesystem::path& out_dir,
                                const std::vector<std::string>& sub_langs = {"en.*", "en"});

/// Decides what a failed run means, from its exit code and standard error. Only yt-dlp's
/// "ERROR:" lines count when there are any: a warning about a missing subtitle (HTTP 404) must
/// not make a network hiccup look permanent.
///  - transient, the host's own problem: "Requested format is not available" after yt-dlp
///    warned that YouTube's JavaScript challenge was not solved ("challenge solving failed",
///    "No supported JavaScript runtime", "Only images are available"). The video is fine; this
///    node lacks a JavaScript runtime. The reason says so and points at `vfb doctor`.
///  - throttled: "Sign in to confirm you're not a bot", a captcha, HTTP 429, "Too Many
///    Requests", rate limits, "try again later"; `retry_after` from the message ("retry after
///    30", "try again in 5 minutes", "for up to an hour"), else 15 minutes.
///  - not_yet: "Premieres in 2 hours", "This live event will begin in 3 days": `retry_after`
///    is that long (a few minutes for "a few moments", an hour when no time is named). One more
///    than 30 days away is permanent: the job would only wait.
///  - permanent: private, unavailable, removed, deleted, terminated, members-only, age-gated,
///    DRM, no usable format, unsupported or invalid URL, HTTP 404/410.
///  - transient: everything else, including exit codes we do not know.
/// `reason` is the line that decided it (else the last ERROR line), without "ERROR: " and
/// without yt-dlp's "please report this issue on ..." request, which helps nobody here.
classified_failure classify_failure(int exit_code, std::string_view stderr_text);

/// As above; a program that could not start, crashed, timed out or was cancelled is transient
/// and its reason says which.
classified_failure classify_failure(const process_result& run);

/// yt-dlp's `timestamp` (seconds, maybe fractional) as whole seconds; 0 (unknown) for a value
/// that is no time after 1970 and before the year 5000 (NaN, 1e300: converting those to an
/// integer would be undefined, and milliseconds of far ones overflow).
int64_t epoch_seconds(double seconds);

/// The percentage in a "[download]  42.5% of ..." progress line, if it is one.
std::optional<double> parse_progress(std::string_view line);

/// Whether yt-dlp skipped the video for being older than `date_after` (then it wrote nothing).
bool skipped_by_date(std::string_view output);

/// Runs yt-dlp for `url` into `out_dir`. `progress(fraction, note)` sees download progress.
/// Returns the result, or std::nullopt when `date_after` excluded the video. Throws ytdlp_error.
std::optional<download_result>
download(const ytdlp_options& opts, const std::string& url, const std::filesystem::path& out_dir,
         const std::function<void(double, const std::string&)>& progress = {},
         const std::atomic<bool>* cancel = nullptr);

} // namespace vfb
