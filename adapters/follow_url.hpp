// What a URL given to `vfb follow add` (or POST /v1/follows, Discord's /follow) is on YouTube:
// a channel, a playlist, or a channel's feed (followed as the channel). Pure code.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace vfb {

/// What can be followed, for refusals ("Follow ...").
extern const char* const followable_urls;

/// The canonical URL of a YouTube playlist, https://www.youtube.com/playlist?list=ID, from
///   https://www.youtube.com/playlist?list=ID        (PL… playlists, UU… uploads, OL… albums)
///   https://www.youtube.com/watch?v=VIDEO&list=ID   (a video played in a playlist: the playlist,
///                                                    as yt-dlp lists it without --no-playlist)
///   https://www.youtube.com/feeds/videos.xml?playlist_id=ID (its feed)
/// nullopt when the URL names no playlist. Throws std::invalid_argument for lists that cannot be
/// followed: mixes (RD…, generated for each viewer) and the signed-in account's own lists
/// (WL, LL, LM).
std::optional<std::string> canonical_playlist_url(std::string_view url);

/// Whether a canonical follow URL is a YouTube playlist (listed in its own order, not by date).
bool is_playlist_url(std::string_view canonical);

/// The canonical URL of what a YouTube URL follows: a channel in any of its spellings
/// (canonical_channel_url), a playlist (canonical_playlist_url), or a channel's feed
/// https://www.youtube.com/feeds/videos.xml?channel_id=UC… (or ?user=NAME), which becomes the
/// channel itself: yt-dlp cannot list YouTube's Atom feed, and the channel's tabs list the whole
/// window where the feed holds only the latest 15 uploads. nullopt for anything else (videos,
/// other sites). Throws std::invalid_argument as canonical_playlist_url does.
std::optional<std::string> youtube_follow_url(std::string_view url);

} // namespace vfb
