// Which channel uploaded a video, in one canonical URL per channel, so that a workspace follows
// each channel once however its videos name it. Pure code.
#pragma once

#include "messages/media.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vfb {

/// Whether yt-dlp's result is a YouTube video (the only source auto-follow handles).
bool is_youtube_download(const download_result& d);

/// The canonical URL of a YouTube channel named in any of its forms:
///   https://www.youtube.com/channel/UC…  (ids are case-sensitive; kept as they are)
///   https://www.youtube.com/@handle      (handles are case-insensitive; lower-cased)
///   https://www.youtube.com/c/Name, https://www.youtube.com/user/Name
/// from a full URL (any of the youtube.com hosts: www., m., music., none; http or https; with a
/// tab such as /videos, a query or a fragment), a bare "@handle" or a bare channel id "UC…".
/// A video URL (watch, shorts, live, embed, youtu.be) is never a channel: nullopt, as for
/// anything else that names no channel.
std::optional<std::string> canonical_channel_url(std::string_view text);

/// The uploader's channel of a YouTube download, first match wins: `channel_url` when it
/// contains /channel/; `channel_id`; `uploader_url` when it contains /@; "@" + `uploader_id`
/// (or the uploader's handle). nullopt when none of them names a channel.
std::optional<std::string> resolve_channel(const download_result& d);

/// The tabs of a channel that hold its uploads, each listed on its own: /videos and /streams.
std::vector<std::string> channel_tabs(const std::string& canonical_channel_url);

} // namespace vfb
