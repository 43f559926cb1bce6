#include "adapters/channel.hpp"

#include "text/strings.hpp"

#include <algorithm>
#include <cctype>

namespace vfb {

namespace {

constexpr std::string_view youtube_root = "https://www.youtube.com";

std::string lower(std::string_view s) {
  std::string out{s};
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool name_chars(std::string_view s, std::string_view extra) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [&](unsigned char c) {
    return std::isalnum(c) || extra.find(static_cast<char>(c)) != std::string_view::npos;
  });
}

/// "UC" and 22 more characters of YouTube's id alphabet.
bool is_channel_id(std::string_view s) {
  return s.size() == 24 && s.substr(0, 2) == "UC" && name_chars(s, "-_");
}

/// Handles: 3 to 30 letters, digits, '.', '_', '-' (YouTube's rules; we accept a little more).
bool is_handle(std::string_view s) {
  return s.size() >= 3 && s.size() <= 100 && name_chars(s, "._-");
}

/// The path of a youtube.com URL ("/channel/UC…/videos"), or nullopt for another host.
std::optional<std::string_view> youtube_path(std::string_view url) {
  for (auto scheme : {"https://", "http://"})
    if (text::starts_with(url, scheme)) {
      url.remove_prefix(std::string_view{scheme}.size());
      auto slash = url.find_first_of("/?#");
      auto host = lower(url.substr(0, slash));
      if (host != "youtube.com" && host != "www.youtube.com" && host != "m.youtube.com" &&
          host != "music.youtube.com")
        return std::nullopt;
      if (slash == std::string_view::npos || url[slash] != '/')
        return std::string_view{};
      auto path = url.substr(slash);
      return path.substr(0, path.find_first_of("?#"));
    }
  return std::nullopt;
}

/// The first segment of `path` after `prefix` ("/c/" → "Name" of "/c/Name/videos").
std::string_view segment_after(std::string_view path, std::string_view prefix) {
  auto rest = path.substr(prefix.size());
  return rest.substr(0, rest.find('/'));
}

} // namespace

bool is_youtube_download(const download_result& d) {
  auto extractor = lower(d.extractor);
  return text::starts_with(extractor, "youtube") ||
         (extractor.empty() && youtube_path(d.webpage_url).has_value());
}

std::optional<std::string> canonical_channel_url(std::string_view input) {
  auto text = text::trim(input);
  if (is_channel_id(text))
    return std::string{youtube_root} + "/channel/" + std::string{text};
  if (!text.empty() && text.front() == '@') {
    if (!is_handle(text.substr(1)))
      return std::nullopt;
    return std::string{youtube_root} + "/" + lower(text);
  }
  auto path = youtube_path(text);
  if (!path)
    return std::nullopt;
  if (text::starts_with(*path, "/channel/")) {
    auto id = segment_after(*path, "/channel/");
    if (is_channel_id(id))
      return std::string{youtube_root} + "/channel/" + std::string{id};
    return std::nullopt;
  }
  if (text::starts_with(*path, "/@")) {
    auto handle = segment_after(*path, "/@");
    if (is_handle(handle))
      return std::string{youtube_root} + "/@" + lower(handle);
    return std::nullopt;
  }
  for (std::string_view kind : {"/c/", "/user/"})
    if (text::starts_with(*path, kind)) {
      auto name = segment_after(*path, kind);
      if (name_chars(name, "._-"))
        return std::string{youtube_root} + std::string{kind} + std::string{name};
      return std::nullopt;
    }
  return std::nullopt; // watch, shorts, live, embed, playlists, the home page: not a channel
}

std::optional<std::string> resolve_channel(const download_result& d) {
  if (d.channel_url.find("/channel/") != std::string::npos)
    if (auto c = canonical_channel_url(d.channel_url))
      return c;
  if (auto c = canonical_channel_url(d.channel_id))
    return c;
  if (d.uploader_url.find("/@") != std::string::npos)
    if (auto c = canonical_channel_url(d.uploader_url))
      return c;
  if (!d.uploader_id.empty()) {
    auto handle = d.uploader_id.front() == '@' ? d.uploader_id : "@" + d.uploader_id;
    if (auto c = canonical_channel_url(handle))
      return c;
  }
  return std::nullopt;
}

std::vector<std::string> channel_tabs(const std::string& canonical) {
  return {canonical + "/videos", canonical + "/streams"};
}

} // namespace vfb
