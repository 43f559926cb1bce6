// Channel and feed listings with yt-dlp's flat mode: what a follow enumerates. Plain C++.
//
// The recipe (README, "Following uploaders"): each URL (a channel tab, a playlist, an RSS
// feed) is listed on its own with `--flat-playlist --lazy-playlist -j`, so entries stream as
// JSON lines while yt-dlp pages through the listing; for YouTube, `--extractor-args
// youtubetab:approximate_date` makes flat entries carry an (approximate) timestamp; and
// `--break-match-filters` stops the listing at the window's edge (or at the newest video a
// refresh already knows). yt-dlp ends such a stop with exit code 101: a normal end here.
//
// YouTube's approximate dates come from "N units ago", which YouTube rounds down: "1 year ago"
// is 12 to 23 months. yt-dlp turns it into the same day N units back, so an approximate date is
// never earlier than the real one, except that yt-dlp rounds it to the nearest day (UTC
// midnight). So on YouTube an entry dated at or before the window's start, rounded up to the
// next midnight, is older than the window, and the listing stops there: without that rounding
// every "1 year ago" video (12 to 23 months old) would pass a 365-day window in the afternoon.
// Elsewhere dates are exact and the window's start itself is the edge.
#pragma once

#include "adapters/ytdlp.hpp"
#include "adapters/ytdlp_version.hpp"
#include "messages/job.hpp"

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vfb {

/// One entry of a flat listing.
struct listing_entry {
  std::string id;
  std::string url; // the video's URL (for YouTube built from the id when yt-dlp gives none)
  std::string title;
  int64_t timestamp = 0; // seconds since the epoch; 0 when the listing has none
  std::string availability;
  std::string live_status;        // "" when the listing says nothing (null or absent)
  std::optional<double> duration; // nullopt when null or absent (upcoming and live entries)
  int64_t release_timestamp = 0;  // a scheduled premiere or stream's start, when known
};

struct listing_options {
  std::string program = "yt-dlp";
  /// The program's version, when known (for messages that depend on it).
  std::optional<ytdlp_version> version;
  /// The window's start in ms since the epoch (0: no window): entries dated at or before it
  /// (YouTube: before the midnight after it) are not wanted; the listing stops at the first.
  millis since = 0;
  /// A refresh passes over entries dated this far below the newest known upload (YouTube's
  /// dates are approximate; see backfill.hpp).
  std::chrono::seconds approximate_margin{std::chrono::hours{24 * 7}};
  /// Ask for YouTube's approximate dates and apply the margin (YouTube tabs).
  bool youtube = true;
  /// A refresh stops at the newest video it already knows.
  std::string stop_at_id;
  /// The listing is newest first (a channel tab, a feed), so yt-dlp can stop at the window's
  /// edge and at `stop_at_id`. False for a YouTube playlist, whose order is its owner's: then
  /// nothing stops it early, and entries older than the window are skipped one by one.
  bool chronological = true;
  /// Stop after this many kept entries (0: no limit).
  size_t limit = 0;
  std::chrono::seconds timeout{600};
  std::chrono::seconds socket_timeout{30};
  std::vector<std::string> extra_args; // before `--` (e.g. --proxy "")
};

struct listing_result {
  std::vector<listing_entry> entries; // kept, in listing order (newest first on channels)
  size_t lines = 0;                   // non-blank lines yt-dlp printed (entries or not)
  size_t malformed_lines = 0;         // output lines that were not an entry
  size_t unavailable = 0;             // private or deleted entries, dropped
  size_t too_old = 0;                 // entries older than the window, dropped
  size_t without_timestamp = 0;       // kept entries that had no timestamp
  bool stopped_at_filter = false;     // yt-dlp stopped at --break-match-filters (exit 101)
  bool reached_limit = false;         // the listing was cut at `limit`
};

/// The newest timestamp (seconds) the window does not want: `since` itself, or on YouTube the
/// UTC midnight after it (approximate dates are rounded to the day; see above).
int64_t listing_edge(const listing_options& opts);

/// The command line for listing `url`, the URL last after `--`. Only a chronological listing
/// gets `--break-match-filters`.
std::vector<std::string> listing_argv(const listing_options& opts, const std::string& url);

/// One line of `yt-dlp -j --flat-playlist` output as an entry; nullopt when it is not a JSON
/// object with a string id.
std::optional<listing_entry> parse_listing_line(std::string_view line);

/// Whether a flat entry is a private or deleted video (YouTube lists them with a placeholder
/// title, or an availability flag).
bool is_unavailable(const listing_entry& e);

/// Lists `url`. Entries stream in while yt-dlp runs; once `limit` entries are kept yt-dlp is
/// stopped. Throws ytdlp_error (classified as for downloads) when yt-dlp fails or cannot start.
listing_result list_entries(const listing_options& opts, const std::string& url,
                            const std::atomic<bool>* cancel = nullptr);

} // namespace vfb
