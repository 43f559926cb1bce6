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

/// The path ("/channel/UC…/videos") and query ("list=PL…") of a URL on one of youtube.com's
/// hosts (www., m., music., none; http or https), without the fragment; nullopt for anything else.
struct youtube_url_parts {
  std::string_view path;
  std::string_view query;
};
std::optional<youtube_url_parts> split_youtube_url(std::string_view url);

/// The canonical URL of a YouTube channel named in any of its forms:
///   https://www.youtube.com/channel/UC…  (ids are case-sensitive; kept as they are)
///   https://www.youtube.com/@handle      (handles are case-insensitive: ASCII letters are
///       lower-cased; letters of other scripts are allowed, written as percent-encoded UTF-8
///       with upper-case hex, e.g. @caf%C3%A9, whether given as "@café" or "@caf%C3%A9", and
///       kept in their case: only ASCII has a case mapping here that cannot break UTF-8)
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

/// Every canonical form of the uploader's channel a download names (resolve_channel's answer
/// first, then the others: the /channel/UC… URL, the /@handle URL), so that a follow or a
/// search filter given either form finds the video. For other sites: the channel or uploader
/// URL yt-dlp reported, as it is. Empty when none.
std::vector<std::string> channel_forms(const download_result& d);

/// The channel tabs that can hold uploads ("videos", "streams", "shorts"), in this order:
/// `channel_tabs` lists them so, and a follow keeps each tab's refresh marker at the tab's
/// index here, so choosing other tabs later leaves every tab its own marker.
const std::vector<std::string>& upload_tabs();

/// The URLs of a channel's `tabs` (names from upload_tabs, e.g. [auto_follow] tabs), each
/// listed on its own, in upload_tabs order: "videos" gives canonical + "/videos".
std::vector<std::string> channel_tabs(const std::string& canonical_channel_url,
                                      const std::vector<std::string>& tabs);

/// The index in upload_tabs of the tab a channel tab URL ends with; nullopt for other URLs.
std::optional<size_t> tab_index(std::string_view url);

} // namespace vfb
