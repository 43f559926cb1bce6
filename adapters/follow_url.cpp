#include "adapters/follow_url.hpp"

#include "adapters/channel.hpp"
#include "text/strings.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace vfb {

const char* const followable_urls =
    "a YouTube channel (https://www.youtube.com/@handle, /channel/UC..., /c/NAME or /user/NAME, "
    "a bare @handle or UC... id), a YouTube playlist "
    "(https://www.youtube.com/playlist?list=...), a channel's feed "
    "(https://www.youtube.com/feeds/videos.xml?channel_id=UC...), or an RSS feed or playlist on "
    "another site that yt-dlp can list";

namespace {

constexpr std::string_view playlist_prefix = "https://www.youtube.com/playlist?list=";

/// YouTube's playlist ids: letters, digits, '-' and '_' (PL + 16 or 32, UU + 22, OLAK5uy_ + 33).
bool is_playlist_id(std::string_view id) {
  return id.size() >= 10 && id.size() <= 64 &&
         std::all_of(id.begin(), id.end(),
                     [](unsigned char c) { return std::isalnum(c) || c == '-' || c == '_'; });
}

} // namespace

std::optional<std::string> canonical_playlist_url(std::string_view url) {
  auto parts = split_youtube_url(text::trim(url));
  if (!parts)
    return std::nullopt;
  std::optional<std::string_view> id;
  if (parts->path == "/playlist" || parts->path == "/watch")
    id = text::query_param(parts->query, "list");
  else if (parts->path == "/feeds/videos.xml")
    id = text::query_param(parts->query, "playlist_id");
  if (!id)
    return std::nullopt;
  if (text::starts_with(*id, "RD"))
    throw std::invalid_argument("list " + std::string{*id} +
                                " is a mix, which YouTube generates for each viewer");
  if (*id == "WL" || *id == "LL" || *id == "LM")
    throw std::invalid_argument("list " + std::string{*id} +
                                " belongs to the signed-in account: only it can see the list");
  if (!is_playlist_id(*id))
    throw std::invalid_argument("malformed playlist id '" + std::string{*id} + "'");
  return std::string{playlist_prefix} + std::string{*id};
}

bool is_playlist_url(std::string_view canonical) {
  return text::starts_with(canonical, playlist_prefix);
}

std::optional<std::string> youtube_follow_url(std::string_view url) {
  if (auto channel = canonical_channel_url(url))
    return channel;
  if (auto playlist = canonical_playlist_url(url))
    return playlist;
  auto parts = split_youtube_url(text::trim(url));
  if (!parts || parts->path != "/feeds/videos.xml")
    return std::nullopt;
  if (auto id = text::query_param(parts->query, "channel_id"))
    return canonical_channel_url(*id);
  if (auto user = text::query_param(parts->query, "user"))
    return canonical_channel_url("https://www.youtube.com/user/" + std::string{*user});
  return std::nullopt;
}

} // namespace vfb
